"""Permanent speech URLs: every id ever published keeps answering, across pipeline
changes, re-ingests and a rebuild of a lost database from the stored raw files.

A "pipeline change" here wraps the real pipeline and alters its output the way an
improvement would (rejoin a sentence, repair a character, find a new speech, merge
two speeches, drop one). A speech is "the same" when its text still holds a passage
from the middle of the text recorded before the change.
"""

from dataclasses import replace

import pytest
from django.core.management import call_command
from django.db import connection

from speeches import id_history
from speeches.ingest import parse_document
from speeches.ingest.identity import content_fingerprint
from speeches.ingest.types import ParsedSection
from speeches.loading import ingest_bytes
from speeches.models import Document, Speech, SpeechAlias, Topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_archive", "fresh_index")]

SEED = "002_5507ae1777cd8619.txt"


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """Only this test's raw files, so a rebuild re-ingests what the test stored."""
    settings.MEDIA_ROOT = tmp_path / "media"


def with_text(speech, text: str):
    paragraphs = tuple(p for p in text.split("\n") if p)
    section = ParsedSection(ordinal=1, heading="", level=0, paragraphs=paragraphs)
    return replace(speech, text=text, sections=(section,), fingerprint=content_fingerprint(text))


def rejoin_and_repair(parsed):
    """A better pipeline: the first two paragraphs were one sentence, and 的 was misread as 地."""

    def change(speech):
        first, _, rest = speech.text.partition("\n")
        text = (first + rest) if rest else first
        return with_text(speech, text.replace("的", "地", 1))

    return replace(parsed, speeches=tuple(change(s) for s in parsed.speeches))


def find_a_preface(parsed):
    """A better splitter: a short foreword before the first speech is now a speech of its own."""
    preface = with_text(parsed.speeches[0], "编者按：本文收录领导讲话稿三篇，供学习参考使用。")
    shifted = tuple(replace(s, ordinal=s.ordinal + 1, duplicate_of=None) for s in parsed.speeches)
    return replace(parsed, speeches=(replace(preface, ordinal=1, duplicate_of=None),) + shifted)


def merge_second_and_third(parsed):
    first, second, third = parsed.speeches[:3]
    merged = with_text(second, second.text + "\n" + third.text)
    return replace(parsed, speeches=(first, merged) + parsed.speeches[3:])


def drop_the_last(parsed):
    return replace(parsed, speeches=parsed.speeches[:-1])


def merge_first_and_second(parsed):
    """The short first speech (6 paragraphs) and the long second (78) read as one."""
    first, second = parsed.speeches[:2]
    merged = with_text(first, first.text + "\n" + second.text)
    return replace(parsed, speeches=(merged,) + renumbered(parsed.speeches[2:], 2))


def merge_all(parsed):
    merged = with_text(parsed.speeches[0], "\n".join(s.text for s in parsed.speeches))
    return replace(parsed, speeches=(merged,))


def split_the_second(parsed):
    """A new rule starts a speech at a heading: the second speech's first 15 paragraphs
    stay one speech, the other 63 (most of its text) become the next."""
    first, second = parsed.speeches[:2]
    paragraphs = second.text.split("\n")
    opening = with_text(second, "\n".join(paragraphs[:15]))
    rest = replace(with_text(second, "\n".join(paragraphs[15:])), ordinal=3, duplicate_of=None)
    return replace(parsed, speeches=(first, opening, rest) + renumbered(parsed.speeches[2:], 4))


def renumbered(speeches, first: int):
    return tuple(replace(s, ordinal=first + n, duplicate_of=None) for n, s in enumerate(speeches))


def unchanged(parsed):
    return parsed


def use_pipeline(monkeypatch, change):
    monkeypatch.setattr("speeches.loading.parse_document", lambda raw: change(parse_document(raw)))


def passage(text: str) -> str:
    """Forty characters from the middle: untouched by the changes above."""
    flat = text.replace("\n", "")
    middle = len(flat) // 2
    return flat[middle - 20 : middle + 20]


def ingest(raw: bytes, capture, force: bool = False):
    # The id history is written after commit, as in production; tests run inside a transaction.
    with capture(execute=True):
        return ingest_bytes(raw, SEED, force=force)


def ingest_then_merge_the_third(seed_bytes, monkeypatch, capture) -> str:
    """The seed ingested, then ingested again by a pipeline that merges its third speech
    into the second: the third's id, retired."""
    ingest(seed_bytes[SEED], capture)
    third = Speech.objects.get(ordinal=3).public_id
    use_pipeline(monkeypatch, merge_second_and_third)
    ingest(seed_bytes[SEED], capture, force=True)
    return third


def record_ids() -> dict[str, str]:
    return {s.public_id: passage(s.text) for s in Speech.objects.all()}


def resolve(client, public_id: str):
    """The speech an id answers with through the JSON API, following a 301; None when gone."""
    page = client.get(f"/speeches/{public_id}/", follow=True)
    api = client.get(f"/api/speeches/{public_id}", follow=True)
    assert page.status_code == api.status_code, public_id
    assert page.status_code in (200, 410), f"{public_id} answered {page.status_code}"
    return api.json() if api.status_code == 200 else None


def assert_same_speeches(client, recorded: dict[str, str]) -> None:
    for public_id, text in recorded.items():
        found = resolve(client, public_id)
        assert found is not None and text in found["text"].replace("\n", ""), public_id


def assert_own_pages(client, recorded: dict[str, str]) -> None:
    """Each id answers 200 itself (no redirect) with the speech it named."""
    for public_id, text in recorded.items():
        response = client.get(f"/api/speeches/{public_id}")
        assert response.status_code == 200, f"{public_id} answered {response.status_code}"
        assert text in response.json()["text"].replace("\n", ""), public_id


def lose_the_database() -> None:
    SpeechAlias.objects.all().delete()
    Document.objects.all().delete()
    Topic.objects.all().delete()
    assert not Speech.objects.exists()


def rebuild(capture) -> None:
    with capture(execute=True):
        call_command("rebuild_from_raw", stdout=open("/dev/null", "w"))


def test_every_id_still_opens_its_speech_after_a_sentence_is_rejoined(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    recorded = record_ids()
    assert len(recorded) == 3
    use_pipeline(monkeypatch, rejoin_and_repair)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    assert set(Speech.objects.values_list("public_id", flat=True)) == set(recorded)
    assert_same_speeches(client, recorded)


def test_ids_follow_their_speeches_when_a_new_speech_shifts_the_order(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    recorded = record_ids()
    use_pipeline(monkeypatch, find_a_preface)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    assert_same_speeches(client, recorded)
    preface = Speech.objects.get(ordinal=1)
    assert preface.public_id not in recorded


def test_a_merged_speech_redirects_to_its_successor_and_a_dropped_one_explains(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    second, third = (Speech.objects.get(ordinal=n).public_id for n in (2, 3))
    use_pipeline(monkeypatch, merge_second_and_third)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    response = client.get(f"/speeches/{third}/")
    assert response.status_code == 301 and response["Location"] == f"/speeches/{second}/"
    use_pipeline(monkeypatch, lambda parsed: drop_the_last(merge_second_and_third(parsed)))
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    for gone in (second, third):
        response = client.get(f"/speeches/{gone}/", follow=True)
        assert response.status_code == 410 and "不再单独收录" in response.content.decode()


def test_identical_copies_keep_their_places_when_a_pipeline_change_edits_them(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    # Page 003 holds its speeches twice: 21–40 copy 1–20 word for word.
    raw = seed_bytes["003_2b7a5b5f4b6eab26.txt"]
    ingest(raw, django_capture_on_commit_callbacks)
    places = {s.public_id: (s.ordinal, s.duplicate_of_id is not None) for s in Speech.objects.all()}
    assert sum(copy for _, copy in places.values()) >= 20
    use_pipeline(monkeypatch, rejoin_and_repair)
    ingest(raw, django_capture_on_commit_callbacks, force=True)
    for public_id, (ordinal, copy) in places.items():
        found = client.get(f"/api/speeches/{public_id}").json()
        assert (found["ordinal"], found["duplicate_of"] is not None) == (ordinal, copy), public_id


def test_a_split_speech_keeps_its_id_on_the_piece_that_opens_it(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    second = Speech.objects.get(ordinal=2)
    opening = second.text.split("\n")[0]
    use_pipeline(monkeypatch, split_the_second)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    found = client.get(f"/api/speeches/{second.public_id}")
    assert found.status_code == 200 and found.json()["text"].startswith(opening)
    assert found.json()["title"] == second.title
    assert Speech.objects.get(ordinal=3).public_id != second.public_id


def test_merged_speeches_keep_the_id_of_the_one_the_merge_opens_with(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    first, second = Speech.objects.get(ordinal=1), Speech.objects.get(ordinal=2)
    use_pipeline(monkeypatch, merge_first_and_second)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    found = client.get(f"/api/speeches/{first.public_id}")
    assert found.status_code == 200 and found.json()["title"] == first.title
    response = client.get(f"/speeches/{second.public_id}/")
    assert response.status_code == 301 and response["Location"] == f"/speeches/{first.public_id}/"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(merge_first_and_second, id="merged-then-split-apart-again"),
        pytest.param(drop_the_last, id="dropped-then-found-again"),
    ],
)
def test_speeches_a_pipeline_change_took_away_and_the_next_gave_back_take_back_their_own_ids(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks, change
):
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    recorded = record_ids()
    use_pipeline(monkeypatch, change)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    use_pipeline(monkeypatch, unchanged)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    assert_own_pages(client, recorded)
    assert set(Speech.objects.values_list("public_id", flat=True)) == set(recorded)


def test_an_alias_leads_to_the_speech_that_holds_the_text_it_named(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    # All three read as one, then the first alone and the second and third as one: the
    # third's text is in the second speech, none of it in the first.
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    recorded = record_ids()
    second, third = (Speech.objects.get(ordinal=n).public_id for n in (2, 3))
    use_pipeline(monkeypatch, merge_all)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    use_pipeline(monkeypatch, merge_second_and_third)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    assert_same_speeches(client, recorded)
    response = client.get(f"/speeches/{third}/")
    assert response.status_code == 301 and response["Location"] == f"/speeches/{second}/"


def test_an_id_a_re_ingest_gives_back_keeps_its_place_among_the_oldest_not_the_newest(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    # "Newest" and the Atom feed list speeches by arrival: a merge undone is no arrival.
    third = ingest_then_merge_the_third(seed_bytes, monkeypatch, django_capture_on_commit_callbacks)
    undone = timezone.now()
    use_pipeline(monkeypatch, unchanged)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    revived = Speech.objects.get(public_id=third)
    assert revived.created_at < undone
    assert revived.created_at == Document.objects.get().created_at


def test_a_merge_undone_while_the_database_was_lost_gives_the_ids_back(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    # The aliases' text survives in the id history beside the raw file.
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    recorded = record_ids()
    use_pipeline(monkeypatch, merge_first_and_second)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    lose_the_database()
    use_pipeline(monkeypatch, unchanged)
    rebuild(django_capture_on_commit_callbacks)
    assert_own_pages(client, recorded)


def test_every_id_resolves_after_the_database_is_rebuilt_from_the_raw_files(
    client, seed_bytes, django_capture_on_commit_callbacks
):
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    recorded = record_ids()
    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)
    assert Document.objects.get().original_name == SEED
    assert_same_speeches(client, recorded)


def test_ids_survive_a_rebuild_with_a_pipeline_that_changed_in_between(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    # Without the id history the rebuilt speeches would take ids by position,
    # and the preface would open under the first speech's bookmarked URL.
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    recorded = record_ids()
    lose_the_database()
    use_pipeline(monkeypatch, lambda parsed: rejoin_and_repair(find_a_preface(parsed)))
    rebuild(django_capture_on_commit_callbacks)
    assert_same_speeches(client, recorded)
    assert Speech.objects.get(ordinal=1).public_id not in recorded


def test_a_merged_speech_still_redirects_after_a_rebuild(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    # Rebuilt from the raw bytes alone, the third speech's id would name nothing:
    # only the kept history knows it was merged into the second.
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    second, third = (Speech.objects.get(ordinal=n).public_id for n in (2, 3))
    use_pipeline(monkeypatch, merge_second_and_third)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)
    response = client.get(f"/speeches/{third}/")
    assert response.status_code == 301 and response["Location"] == f"/speeches/{second}/"
    assert client.get(response["Location"]).status_code == 200


def test_a_dropped_speech_still_explains_itself_after_a_rebuild(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    last = Speech.objects.get(ordinal=3)
    use_pipeline(monkeypatch, drop_the_last)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)
    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)
    response = client.get(f"/speeches/{last.public_id}/")
    html = response.content.decode()
    assert response.status_code == 410 and "不再单独收录" in html and last.title in html
    # The API and the citation endpoint answer the id alike: gone, not unknown.
    assert client.get(f"/api/speeches/{last.public_id}").status_code == 410
    cited = client.get(f"/api/speeches/{last.public_id}/citation")
    assert cited.status_code == 410 and cited.json()["error"] == "gone"


def ingest_then_delete(raw: bytes, capture) -> tuple[Document, dict[str, str]]:
    """The page ingested, then deleted by an admin: the document and its speeches' ids."""
    from speeches.loading import remove_document

    ingest(raw, capture)
    recorded = record_ids()
    document = Document.objects.get()
    with capture(execute=True):
        remove_document(document)
    return document, recorded


def test_a_document_an_admin_deleted_stays_deleted_after_a_rebuild_and_its_ids_explain(
    client, seed_bytes, django_capture_on_commit_callbacks
):
    from speeches.raw_files import raw_path

    document, recorded = ingest_then_delete(seed_bytes[SEED], django_capture_on_commit_callbacks)
    assert raw_path(document.sha256).exists()  # the bytes are kept
    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)
    assert not Document.objects.exists()
    for public_id in recorded:
        response = client.get(f"/speeches/{public_id}/")
        assert response.status_code == 410 and "删除" in response.content.decode()
    # Uploaded again by hand, it is a document again, with its ids.
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    assert set(Speech.objects.values_list("public_id", flat=True)) == set(recorded)
    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)
    assert Document.objects.count() == 1


def forget_that_it_was_deleted(sha256: str) -> None:
    """The history as a version before 2026-12-07 left it: deletions were not written there."""
    history = id_history.read(sha256)
    del history["deleted_at"]
    id_history.write(sha256, history)


def test_a_document_deleted_before_histories_recorded_deletions_stays_deleted_through_an_upgrades_rebuild(
    client, seed_bytes, django_capture_on_commit_callbacks
):
    # An upgrade's check named rebuild_from_raw for older documents; run with the
    # database still there, it brought the deleted document back, public and searchable.
    document, recorded = ingest_then_delete(seed_bytes[SEED], django_capture_on_commit_callbacks)
    forget_that_it_was_deleted(document.sha256)
    rebuild(django_capture_on_commit_callbacks)
    assert not Document.objects.exists() and not Speech.objects.exists()
    for public_id in recorded:
        assert client.get(f"/speeches/{public_id}/").status_code == 410
    # Its history says so now: a later loss of the database keeps it deleted too.
    assert id_history.read(document.sha256).get("deleted_at")
    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)
    assert not Document.objects.exists()
    assert all(client.get(f"/speeches/{public_id}/").status_code == 410 for public_id in recorded)


def test_ids_a_re_ingest_retired_say_their_document_was_deleted_also_after_a_rebuild(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    from speeches.loading import remove_document

    third = ingest_then_merge_the_third(seed_bytes, monkeypatch, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        remove_document(Document.objects.get())
    response = client.get(f"/speeches/{third}/")
    assert response.status_code == 410 and "由管理员从档案中删除" in response.content.decode()
    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)
    response = client.get(f"/speeches/{third}/")
    assert response.status_code == 410 and "由管理员从档案中删除" in response.content.decode()


def test_ids_of_a_deleted_document_lead_to_the_copies_another_keeps_also_after_a_rebuild(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    from speeches.loading import remove_document

    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    third = Speech.objects.get(ordinal=3).public_id
    use_pipeline(monkeypatch, merge_second_and_third)
    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks, force=True)  # third -> second
    original = Document.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        ingest_bytes(b"<p>spam line</p>\n" + seed_bytes[SEED], "002-again.txt")
    copies = {s.duplicate_of.public_id: s.public_id for s in Speech.objects.exclude(duplicate_of=None)}
    assert len(copies) == original.speeches.count() >= 2
    expected = {**copies, third: copies[SpeechAlias.objects.get(public_id=third).speech.public_id]}
    with django_capture_on_commit_callbacks(execute=True):
        remove_document(original)

    def answers() -> dict[str, str]:
        found = {}
        for public_id in expected:
            response = client.get(f"/speeches/{public_id}/")
            assert response.status_code == 301, f"{public_id} answered {response.status_code}"
            found[public_id] = response["Location"].rstrip("/").rsplit("/", 1)[-1]
        return found

    assert answers() == expected
    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)
    # The deleted document stays deleted; its ids, the merged one too, lead to the copies.
    assert list(Document.objects.values_list("original_name", flat=True)) == ["002-again.txt"]
    assert answers() == expected


def test_a_damaged_raw_file_is_named_skipped_and_makes_the_rebuild_fail(seed_bytes, django_capture_on_commit_callbacks):
    import io

    from django.core.management.base import CommandError

    from speeches.raw_files import raw_path

    ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    path = raw_path(Document.objects.get().sha256)
    path.write_bytes(path.read_bytes() + b"x")
    lose_the_database()
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 raw file"), django_capture_on_commit_callbacks(execute=True):
        call_command("rebuild_from_raw", stdout=out)
    assert f"{SEED} (" in out.getvalue() and "damaged" in out.getvalue()
    assert not Document.objects.exists()


def test_a_deleted_document_without_an_id_history_keeps_its_retired_ids_explained_after_a_rebuild(
    client, seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    # A document stored before id histories were kept: its history is made when it is
    # deleted, and must still name the ids earlier re-ingests retired.
    from speeches.id_history import history_path, read
    from speeches.loading import remove_document

    third = ingest_then_merge_the_third(seed_bytes, monkeypatch, django_capture_on_commit_callbacks)
    document = Document.objects.get()
    history_path(document.sha256).unlink()
    with django_capture_on_commit_callbacks(execute=True):
        remove_document(document)
    assert third in {alias["public_id"] for alias in read(document.sha256).get("aliases", [])}
    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)
    assert client.get(f"/speeches/{third}/").status_code == 410


def _as_in_a_database_made_anew() -> None:
    """Its counter of document numbers starts again at 1."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence('speeches_document', 'id')")
            cursor.execute(f"ALTER SEQUENCE {cursor.fetchone()[0]} RESTART WITH 1")
        else:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'speeches_document'")


def test_documents_keep_their_numbers_after_the_database_is_lost_and_a_deleted_ones_names_no_other_file(
    client, seed_bytes, django_capture_on_commit_callbacks
):
    from speeches.loading import ingest_bytes, remove_document

    pages = [seed_bytes[SEED] + b"\n" * n for n in range(4)]  # four files, one text
    with django_capture_on_commit_callbacks(execute=True):
        numbers = [ingest_bytes(page, f"page-{n}.txt").document_id for n, page in enumerate(pages[:3])]
        remove_document(Document.objects.get(pk=numbers[2]))  # the last number given
    lose_the_database()
    _as_in_a_database_made_anew()
    rebuild(django_capture_on_commit_callbacks)
    assert sorted(Document.objects.values_list("pk", "original_name")) == [
        (numbers[0], "page-0.txt"),
        (numbers[1], "page-1.txt"),
    ]
    assert "page-1.txt" in client.get(f"/documents/{numbers[1]}/").content.decode()
    assert client.get(f"/documents/{numbers[2]}/").status_code == 404  # deleted, and no other file
    with django_capture_on_commit_callbacks(execute=True):
        later = ingest_bytes(pages[3], "page-3.txt").document_id
    assert later > max(numbers)


def test_the_id_history_is_written_beside_the_raw_file(seed_bytes, django_capture_on_commit_callbacks):
    result = ingest(seed_bytes[SEED], django_capture_on_commit_callbacks)
    document = Document.objects.get(pk=result.document_id)
    history = id_history.read(document.sha256)
    assert history["sha256"] == document.sha256 and history["original_name"] == SEED
    assert [s["public_id"] for s in history["speeches"]] == list(
        document.speeches.order_by("ordinal").values_list("public_id", flat=True)
    )
    assert id_history.history_path(document.sha256).parent == id_history.raw_path(document.sha256).parent


def test_a_failed_upload_keeps_its_name_after_a_rebuild(django_capture_on_commit_callbacks):
    from speeches.loading import ingest_bytes

    with django_capture_on_commit_callbacks(execute=True):
        result = ingest_bytes(b"%PDF-1.7 not a page", "会议纪要.pdf")
    assert result.status == "failed"
    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)
    kept = Document.objects.get()
    assert kept.original_name == "会议纪要.pdf" and kept.status == Document.Status.FAILED


def test_a_snapshot_keeps_the_raw_file_and_ids_of_documents_loaded_before_histories(seed_bytes):
    # Ingested without running on-commit work: no history file, as for old documents.
    document = Document.objects.get(pk=ingest_bytes(seed_bytes[SEED], SEED).document_id)
    id_history.raw_path(document.sha256).unlink()
    assert not id_history.history_path(document.sha256).exists()
    call_command("rebuild_from_raw", "--snapshot", stdout=open("/dev/null", "w"))
    assert id_history.raw_path(document.sha256).read_bytes() == seed_bytes[SEED]
    ids = [s["public_id"] for s in id_history.read(document.sha256)["speeches"]]
    assert ids == list(document.speeches.order_by("ordinal").values_list("public_id", flat=True))


def test_a_kept_zip_is_failed_with_the_uploads_reason_after_a_rebuild(seed_bytes, django_capture_on_commit_callbacks):
    from speeches.tests.admin_helpers import zip_of
    from speeches.uploads import expand_upload, store_piece

    # A page and a nested zip: the page becomes a document, the zip is kept whole and
    # failed with the list of what it left out (uploads.py).
    upload = zip_of({"讲话.txt": seed_bytes[SEED], "旧稿.zip": b"PK\x05\x06" + bytes(18)})
    with django_capture_on_commit_callbacks(execute=True):
        results = [store_piece(piece, None, inline_max=2**62) for piece in expand_upload("汇编.zip", upload).pieces]
    before = Document.objects.get(original_name="汇编.zip")
    assert [r.status for r in results] == ["ingested", "failed"] and "旧稿.zip" in before.error
    speeches = Speech.objects.count()

    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)

    kept = Document.objects.get(original_name="汇编.zip")
    assert kept.status == Document.Status.FAILED and kept.error == before.error
    assert Document.objects.get(original_name="汇编.zip/讲话.txt").status == Document.Status.INGESTED
    assert Speech.objects.count() == speeches


def test_a_kept_zip_that_now_expands_whole_gives_its_pages_after_a_rebuild(
    seed_bytes, settings, django_capture_on_commit_callbacks
):
    from speeches.tests.admin_helpers import zip_of
    from speeches.uploads import expand_upload, store_piece

    # The second page was over the size limit at upload; the limit was raised since.
    small, large = seed_bytes[SEED], seed_bytes["000_e3c50620afa4a9e1.txt"]
    settings.INGEST_MAX_BYTES = len(large) - 1
    upload = zip_of({"甲.txt": small, "乙.txt": large})
    with django_capture_on_commit_callbacks(execute=True):
        for piece in expand_upload("汇编.zip", upload).pieces:
            store_piece(piece, None, inline_max=2**62)
    assert not Document.objects.filter(original_name="汇编.zip/乙.txt").exists()

    settings.INGEST_MAX_BYTES = len(large) + 1
    lose_the_database()
    rebuild(django_capture_on_commit_callbacks)

    assert Document.objects.get(original_name="汇编.zip/乙.txt").status == Document.Status.INGESTED
    assert Document.objects.get(original_name="汇编.zip/甲.txt").status == Document.Status.INGESTED
