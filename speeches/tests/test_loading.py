"""The loader: seeds become rows, the same bytes twice change nothing, failures keep the raw bytes."""

import pytest
from django.db import transaction

from speeches.ingest import parse_document
from speeches.loading import ingest_bytes, load_parsed
from speeches.models import Document, Section, Speech, SpeechAlias

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_archive")]


def test_ingesting_a_seed_file_creates_its_speeches_with_sections(seed_bytes):
    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    result = ingest_bytes(raw, "002.txt")
    assert result.status == "ingested" and result.created
    document = Document.objects.get(pk=result.document_id)
    assert bytes(document.raw) == raw
    assert document.status == Document.Status.INGESTED
    assert document.encoding == "utf-8"
    speeches = list(document.speeches.order_by("ordinal"))
    assert len(speeches) == 3
    assert all(s.title.startswith("领导工作部署讲话稿") for s in speeches)
    # Restored text is simplified; the original keeps the source's traditional characters.
    assert "领导" in speeches[0].original_text or "領" in speeches[0].original_text
    assert "(" not in speeches[0].text.split("\n")[1][:20]
    assert Section.objects.filter(speech__document=document).count() >= 3
    assert all(s.char_count > 500 for s in speeches)


def test_ingesting_the_same_bytes_twice_creates_nothing_new(seed_bytes):
    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    first = ingest_bytes(raw, "002.txt")
    ids = set(Speech.objects.values_list("public_id", flat=True))
    second = ingest_bytes(raw, "renamed.txt")
    assert second.status == "unchanged" and not second.created
    assert second.document_id == first.document_id
    assert Document.objects.count() == 1
    assert set(Speech.objects.values_list("public_id", flat=True)) == ids


def test_the_same_bytes_ingested_again_report_the_copies_the_first_ingest_found(seed_bytes):
    # 003 repeats its twenty speeches (lines 547-1092 are lines 2-546 again).
    raw = seed_bytes["003_2b7a5b5f4b6eab26.txt"]
    first = ingest_bytes(raw, "003.txt")
    again = ingest_bytes(raw, "003.txt")
    assert again.status == "unchanged" and first.duplicates >= 20
    assert (again.speeches, again.duplicates) == (first.speeches, first.duplicates)


def test_a_forced_reingest_of_unchanged_bytes_keeps_every_public_id(seed_bytes):
    raw = seed_bytes["000_e3c50620afa4a9e1.txt"]
    ingest_bytes(raw, "000.txt")
    before = dict(Speech.objects.values_list("ordinal", "public_id"))
    ingest_bytes(raw, "000.txt", force=True)
    assert dict(Speech.objects.values_list("ordinal", "public_id")) == before
    assert not SpeechAlias.objects.exists()


def test_a_reingest_after_a_pipeline_change_keeps_ids_of_edited_speeches(seed_bytes):
    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    result = ingest_bytes(raw, "002.txt")
    document = Document.objects.get(pk=result.document_id)
    before = {s.ordinal: s.public_id for s in document.speeches.all()}
    parsed = parse_document(raw)
    # A "pipeline change": every speech's text gains a rejoined sentence.
    from dataclasses import replace

    changed = replace(
        parsed,
        speeches=tuple(replace(s, text=s.text + "\n新增的一句话。", fingerprint="0" * 64) for s in parsed.speeches),
    )
    load_parsed(document, changed)
    after = {s.ordinal: s.public_id for s in document.speeches.all()}
    assert after == before


def test_a_speech_dropped_by_a_reingest_leaves_an_alias(seed_bytes):
    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    result = ingest_bytes(raw, "002.txt")
    document = Document.objects.get(pk=result.document_id)
    parsed = parse_document(raw)
    dropped = document.speeches.get(ordinal=3).public_id
    from dataclasses import replace

    load_parsed(document, replace(parsed, speeches=parsed.speeches[:2]))
    alias = SpeechAlias.objects.get(public_id=dropped)
    assert alias.speech is None and alias.reason == "removed"
    assert document.speeches.count() == 2


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    ],
)
def test_a_file_that_is_not_a_text_page_is_kept_as_failed_with_a_reason(raw, reason):
    result = ingest_bytes(raw, "bad.bin")
    assert result.status == "failed"
    document = Document.objects.get(pk=result.document_id)
    assert document.status == Document.Status.FAILED
    assert bytes(document.raw) == raw
    assert reason.lower() in document.error.lower()
    assert Speech.objects.count() == 0


def test_a_failed_reingest_keeps_the_speeches_that_were_there(seed_bytes, monkeypatch):
    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    result = ingest_bytes(raw, "002.txt")
    ids = set(Speech.objects.values_list("public_id", flat=True))

    def broken(_raw):
        raise RuntimeError("a bug in a new pipeline step")

    monkeypatch.setattr("speeches.loading.parse_document", broken)
    again = ingest_bytes(raw, "002.txt", force=True)
    assert again.status == "failed" and "RuntimeError" in again.message
    document = Document.objects.get(pk=result.document_id)
    assert document.status == Document.Status.INGESTED
    assert set(Speech.objects.values_list("public_id", flat=True)) == ids


def archive_state():
    """The speeches, sections and aliases in the database, and the search index's entries."""
    from speeches.search.engine import engine

    return (
        sorted(Speech.objects.values_list("pk", "document_id", "public_id", "text", "duplicate_of_id")),
        Section.objects.count(),
        sorted(SpeechAlias.objects.values_list("public_id", "speech_id")),
        engine().entries(),
    )


def test_a_failure_while_storing_a_new_file_keeps_it_as_failed_with_why_and_changes_nothing_else(
    seed_bytes, search_engine, fresh_index, fail_storing, caplog, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ingest_bytes(seed_bytes["000_e3c50620afa4a9e1.txt"], "000.txt")
    before = archive_state()
    fail_storing()
    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest_bytes(raw, "002.txt")
    assert result.status == "failed"
    assert result.message == "内部错误（internal error while storing）: OperationalError: deadlock detected (simulated)"
    document = Document.objects.get(pk=result.document_id)
    assert document.status == Document.Status.FAILED and document.error == result.message
    assert bytes(document.raw) == raw and archive_state() == before
    assert client.get(f"/documents/{document.pk}/").status_code == 404  # failed: staff only
    assert "Traceback" in caplog.text and "deadlock detected" in caplog.text


def test_a_failure_while_storing_a_reingest_keeps_the_document_in_the_archive_as_it_was_with_why(
    seed_bytes, search_engine, fresh_index, fail_storing, django_capture_on_commit_callbacks
):
    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    with django_capture_on_commit_callbacks(execute=True):
        document = Document.objects.get(pk=ingest_bytes(raw, "002.txt").document_id)
    before = archive_state()
    fail_storing()
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest_bytes(raw, "002.txt", force=True)
    # As when a re-ingest fails to parse: its speeches stay public, the failure is recorded beside them.
    assert result.status == "failed" and "OperationalError" in result.message
    document.refresh_from_db()
    assert document.status == Document.Status.INGESTED and document.error == result.message
    assert archive_state() == before


@pytest.mark.django_db(transaction=True)
def test_an_index_error_after_the_commit_does_not_call_the_stored_document_failed(
    seed_bytes, whoosh_engine, fresh_index, monkeypatch
):
    from speeches.index_check import PENDING_MARK
    from speeches.search.whoosh import WhooshEngine

    def broken(self, document_id):
        raise RuntimeError("index folder unreadable")

    monkeypatch.setattr(WhooshEngine, "index_document", broken)
    # Not raised either: raised, it ended an admin's upload in a server error, and the
    # files after it were never stored.
    result = ingest_bytes(seed_bytes["002_5507ae1777cd8619.txt"], "002.txt")
    assert result.status == "ingested"
    # The speeches are in; the mark left on the document has the worker index them later.
    document = Document.objects.get(original_name="002.txt")
    assert document.status == Document.Status.INGESTED and document.speeches.count() == 3
    assert document.error.startswith(PENDING_MARK) and "index folder unreadable" in document.error


def test_the_same_speech_in_two_documents_points_to_the_first(seed_bytes):
    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    ingest_bytes(raw, "002.txt")
    # A re-scrape of the page with a different first line is a new document.
    ingest_bytes(b"<p>spam line</p>\n" + raw, "002-again.txt")
    second = Document.objects.get(original_name="002-again.txt")
    duplicates = second.speeches.exclude(duplicate_of=None)
    assert duplicates.count() == 3
    assert all(s.duplicate_of.document.original_name == "002.txt" for s in duplicates)


def test_re_ingesting_an_original_keeps_it_the_original_of_its_copies_elsewhere(seed_bytes):
    # Its old rows go first, which for a moment left the other page's copies originals of
    # their own: the new rows were linked to them as copies and the copies re-pointed at
    # the new rows, each a copy of the other, and both went from every search.
    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    first = Document.objects.get(pk=ingest_bytes(raw, "002.txt").document_id)
    ingest_bytes(b"<p>spam line</p>\n" + raw, "002-again.txt")
    again = ingest_bytes(raw, "002.txt", force=True)
    assert again.status == "ingested"
    originals = set(first.speeches.values_list("pk", flat=True))
    assert not first.speeches.exclude(duplicate_of=None).exists()
    second = Document.objects.get(original_name="002-again.txt")
    assert set(second.speeches.values_list("duplicate_of", flat=True)) <= originals
    assert second.speeches.exclude(duplicate_of=None).count() == 3
    # No speech anywhere points at a copy.
    assert not Speech.objects.filter(duplicate_of__duplicate_of__isnull=False).exists()


def test_the_raw_bytes_are_also_kept_as_a_file_named_by_their_hash(seed_bytes):
    from speeches.raw_files import raw_path

    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    result = ingest_bytes(raw, "002.txt")
    document = Document.objects.get(pk=result.document_id)
    assert raw_path(document.sha256).read_bytes() == raw


def test_the_same_bytes_kept_by_two_uploads_at_the_same_moment_are_one_whole_file_and_no_error(tmp_path, settings):
    import hashlib
    import threading

    from speeches.raw_files import keep_raw_file, raw_path

    # Both wrote <sha>.tmp and renamed it: the second rename found it gone.
    settings.MEDIA_ROOT = str(tmp_path)
    raw = bytes(range(256)) * 32768  # 8 MB: writes long enough to overlap
    sha256 = hashlib.sha256(raw).hexdigest()
    errors = []
    for _ in range(10):
        raw_path(sha256).unlink(missing_ok=True)
        start = threading.Barrier(2)

        def keep(start=start):
            start.wait()
            try:
                keep_raw_file(raw, sha256)
            except Exception as error:  # what the request or the command would have died of
                errors.append(error)

        threads = [threading.Thread(target=keep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors and raw_path(sha256).read_bytes() == raw
    assert [p.name for p in raw_path(sha256).parent.iterdir()] == [sha256]  # no temporary file left


def test_a_failed_file_is_kept_as_a_file_too():
    from speeches.loading import sha256_of
    from speeches.raw_files import raw_path

    ingest_bytes(b"%PDF-1.4 junk", "x.pdf")
    assert raw_path(sha256_of(b"%PDF-1.4 junk")).read_bytes() == b"%PDF-1.4 junk"


def test_deleting_a_document_leaves_its_speech_ids_explained(seed_bytes, client):
    from speeches.loading import remove_document

    result = ingest_bytes(seed_bytes["002_5507ae1777cd8619.txt"], "002.txt")
    document = Document.objects.get(pk=result.document_id)
    public_id = document.speeches.first().public_id
    remove_document(document)
    response = client.get(f"/speeches/{public_id}/")
    assert response.status_code == 410
    assert "删除" in response.content.decode()


def test_deleting_a_document_leads_its_speech_ids_to_the_copies_another_document_keeps(seed_bytes, client):
    from speeches.loading import remove_document

    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    document = Document.objects.get(pk=ingest_bytes(raw, "002.txt").document_id)
    ingest_bytes(b"<p>spam line</p>\n" + raw, "002-again.txt")
    copies = {s.duplicate_of.public_id: s for s in Speech.objects.exclude(duplicate_of=None)}
    assert len(copies) == 3
    ingest_bytes(b"<p>other spam</p>\n" + raw, "002-third.txt")  # copies the original too
    remove_document(document)
    for public_id, copy in copies.items():
        response = client.get(f"/speeches/{public_id}/")
        assert response.status_code == 301 and response["Location"] == copy.get_absolute_url()
        copy.refresh_from_db()
        assert copy.duplicate_of is None  # an original of its own now
    # The third page's copies copy the survivors, not nothing.
    third = Document.objects.get(original_name="002-third.txt")
    assert {s.duplicate_of for s in third.speeches.all()} == set(copies.values())


def test_deleting_a_document_of_copies_leads_their_ids_to_the_originals_another_document_keeps(seed_bytes, client):
    from speeches.loading import remove_document

    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    ingest_bytes(raw, "002.txt")
    again = Document.objects.get(pk=ingest_bytes(b"<p>spam line</p>\n" + raw, "002-again.txt").document_id)
    originals = {s.public_id: s.duplicate_of for s in again.speeches.exclude(duplicate_of=None)}
    assert originals
    remove_document(again)
    for public_id, original in originals.items():
        response = client.get(f"/speeches/{public_id}/")
        assert response.status_code == 301 and response["Location"] == original.get_absolute_url()


def test_deleting_a_document_leads_a_repeat_inside_it_to_where_its_original_survives(seed_bytes, client):
    # 001 repeats its 篇二 as 篇八 (a copy inside the page). Another file copies 001 whole:
    # deleting 001 led 篇二 to that file's copy, and 篇八 to 410.
    from speeches.loading import remove_document

    raw = seed_bytes["001_1ede3f202e9dcf26.txt"]
    first = Document.objects.get(pk=ingest_bytes(raw, "001.txt").document_id)
    repeat = first.speeches.get(ordinal=8)
    assert repeat.duplicate_of == first.speeches.get(ordinal=2)
    second = Document.objects.get(pk=ingest_bytes(b"<p>spam line</p>\n" + raw, "001-again.txt").document_id)
    survivor = second.speeches.get(duplicate_of=repeat.duplicate_of, ordinal=2)
    remove_document(first)
    response = client.get(f"/speeches/{repeat.public_id}/")
    assert response.status_code == 301 and response["Location"] == survivor.get_absolute_url()


def test_copies_of_a_speech_a_re_ingest_drops_copy_each_other_not_nothing(seed_bytes):
    from dataclasses import replace

    from django.db import transaction

    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    document = Document.objects.get(pk=ingest_bytes(raw, "002.txt").document_id)
    ingest_bytes(b"<p>spam line</p>\n" + raw, "002-b.txt")
    ingest_bytes(b"<p>other spam</p>\n" + raw, "002-c.txt")
    parsed = parse_document(raw)
    dropped = parsed.speeches[0]
    with transaction.atomic():
        load_parsed(document, replace(parsed, speeches=parsed.speeches[1:]))
    left = Speech.objects.filter(fingerprint=dropped.fingerprint)
    assert left.count() == 2 and left.filter(duplicate_of=None).count() == 1
    assert not Speech.objects.filter(duplicate_of__duplicate_of__isnull=False).exists()


def test_an_older_alias_of_a_speech_that_is_then_merged_follows_it_to_its_successor(seed_bytes):
    from dataclasses import replace

    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    document = Document.objects.get(pk=ingest_bytes(raw, "002.txt").document_id)
    first, second = document.speeches.order_by("ordinal")[:2]
    SpeechAlias.objects.create(public_id="olderalias", speech=first, document=document, reason="merged")
    parsed = parse_document(raw)
    one, two, three = parsed.speeches
    merged = replace(one, text=one.text + "\n" + two.text, fingerprint="1" * 64)
    load_parsed(document, replace(parsed, speeches=(merged, replace(three, ordinal=2))))
    # The merge opens with the first speech and keeps its id; the second becomes an alias.
    merged_speech = Speech.objects.get(document=document, ordinal=1)
    assert merged_speech.public_id == first.public_id
    assert SpeechAlias.objects.get(public_id=second.public_id).speech == merged_speech
    assert SpeechAlias.objects.get(public_id="olderalias").speech == merged_speech


def test_a_document_parsed_ahead_is_stored_only_for_the_bytes_it_was_made_from(seed_bytes):
    one, other = seed_bytes["002_5507ae1777cd8619.txt"], seed_bytes["004_d07954890cd01a7b.txt"]
    ahead = parse_document(one)
    # manage.py ingest hands over pages parsed on other processes; a mismatched
    # one (a bug in the command) must not put another file's speeches in a document.
    ingest_bytes(other, "other.txt", parsed=ahead)
    stored = Document.objects.get(original_name="other.txt")
    assert [s.text for s in stored.speeches.order_by("ordinal")] == [s.text for s in parse_document(other).speeches]
    ingest_bytes(one, "one.txt", parsed=ahead)
    stored = Document.objects.get(original_name="one.txt")
    assert [s.text for s in stored.speeches.order_by("ordinal")] == [s.text for s in ahead.speeches]


def test_bytes_an_older_pipeline_parsed_are_parsed_again_and_keep_their_ids(seed_bytes):
    from speeches.ingest import PIPELINE_VERSION
    from speeches.management.commands.ingest import already_settled

    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    first = ingest_bytes(raw, "002.txt")
    ids = dict(Speech.objects.values_list("ordinal", "public_id"))
    Document.objects.filter(pk=first.document_id).update(pipeline_version="0.0.1")
    document = Document.objects.get(pk=first.document_id)
    assert already_settled([document.sha256]) == set()  # the command parses it ahead too
    again = ingest_bytes(raw, "002.txt")
    assert again.status == "ingested" and not again.created
    assert "re-parsed: pipeline 0.0.1 → " + PIPELINE_VERSION in again.message
    assert Document.objects.get(pk=first.document_id).pipeline_version == PIPELINE_VERSION
    assert dict(Speech.objects.values_list("ordinal", "public_id")) == ids
    assert already_settled([document.sha256]) == {document.sha256}
    assert ingest_bytes(raw, "002.txt").status == "unchanged"


def test_a_document_parsed_before_attribution_gets_speaker_date_and_place_when_parsed_again(seed_bytes):
    raw = seed_bytes["003_2b7a5b5f4b6eab26.txt"]
    first = ingest_bytes(raw, "003.txt")
    ids = dict(Speech.objects.values_list("ordinal", "public_id"))
    # As an older pipeline stored it: no speaker, office, date or attribution.
    Speech.objects.update(speaker="", office="", date="", attribution={}, title_supplied=False)
    Document.objects.filter(pk=first.document_id).update(pipeline_version="0.0.1")
    ingest_bytes(raw, "003.txt")
    byline = Speech.objects.get(speaker="应若平", duplicate_of=None)
    assert byline.office == "副厅长" and byline.attribution["speaker"]["standing"] == "stated"
    assert Speech.objects.exclude(date="").exists() and Speech.objects.filter(title_supplied=True).exists()
    assert dict(Speech.objects.values_list("ordinal", "public_id")) == ids


def test_a_page_without_a_title_is_shown_by_what_it_holds_in_brackets(seed_bytes):
    ingest_bytes(seed_bytes["000_e3c50620afa4a9e1.txt"], "000_e3c50620afa4a9e1.txt")
    document = Document.objects.get(original_name="000_e3c50620afa4a9e1.txt")
    canonical = document.speeches.filter(duplicate_of=None)
    assert document.title == ""
    first = canonical.order_by("ordinal").first()
    assert document.display_title == f"[{first.title}等{canonical.count()}篇]"


def test_a_repeat_inside_a_page_copies_the_original_its_first_copy_copies_in_another_file(seed_bytes):
    # 001 repeats its 篇二 as 篇八. In a second file of the page, every speech copies the
    # first file's, and its 篇八 was linked to its own 篇二: a copy of a copy, which the
    # PostgreSQL engine listed beside its original and the Whoosh engine left out.
    raw = seed_bytes["001_1ede3f202e9dcf26.txt"]
    first = Document.objects.get(pk=ingest_bytes(raw, "001.txt").document_id)
    second = Document.objects.get(pk=ingest_bytes(b"<p>spam line</p>\n" + raw, "001-again.txt").document_id)
    assert second.speeches.filter(duplicate_of__document=first).count() == second.speeches.count() == 20
    assert second.speeches.get(ordinal=8).duplicate_of == first.speeches.get(ordinal=2)
    assert not Speech.objects.filter(duplicate_of__duplicate_of__isnull=False).exists()


def test_a_repeat_word_for_word_of_another_files_speech_is_its_exact_copy_whatever_the_page_changed(seed_bytes):
    # A page holds an edited version of 002's first speech and, later, that speech as it
    # was; the repeat was linked through the edited version and called 另一版本（有改动）.
    from dataclasses import replace

    from speeches.ingest.identity import content_fingerprint
    from speeches.loading import store_upload

    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    first = Document.objects.get(pk=ingest_bytes(raw, "002.txt").document_id)
    original = first.speeches.get(ordinal=1)
    parsed = parse_document(raw)
    one = parsed.speeches[0]
    edited = replace(
        one, text=one.text + "\n新增的一句话。", fingerprint=content_fingerprint(one.text + "新增的一句话。")
    )
    repeat = replace(one, ordinal=len(parsed.speeches) + 1, duplicate_of=1, duplicate_kind="near")
    second, _ = store_upload(b"<p>another page</p>\n" + raw, "page.txt", None)
    with transaction.atomic():
        load_parsed(second, replace(parsed, speeches=(edited, *parsed.speeches[1:], repeat)))
    linked = second.speeches.get(ordinal=repeat.ordinal)
    assert (linked.duplicate_of, linked.duplicate_kind) == (original, "exact")
    assert second.speeches.get(ordinal=1).duplicate_kind == "near"


def test_a_forced_reingest_keeps_each_speechs_row_and_arrival_so_newest_first_does_not_change(seed_bytes):
    raw = seed_bytes["002_5507ae1777cd8619.txt"]
    ingest_bytes(raw, "002.txt")
    ingest_bytes(seed_bytes["004_d07954890cd01a7b.txt"], "004.txt")
    before = list(Speech.objects.order_by("-pk").values_list("public_id", "pk", "created_at"))
    ingest_bytes(raw, "002.txt", force=True)
    assert list(Speech.objects.order_by("-pk").values_list("public_id", "pk", "created_at")) == before


@pytest.mark.parametrize(
    "first, then, kind",
    [
        ("exact", "exact", "exact"),
        ("near", "exact", "near"),
        ("exact", "near", "near"),
        ("exact", "partial", "partial"),
        ("partial", "near", "near"),
        ("partial", "partial", "partial"),
    ],
)
def test_a_copy_of_a_copy_is_of_the_weaker_kind_of_the_two(first, then, kind):
    # A near version of a page's speech that copies another file's word for word is a
    # near version of that one: called a repeat, its page and citation said too much.
    from speeches.loading import copy_kind

    assert copy_kind(first, then) == kind
