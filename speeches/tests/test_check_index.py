"""`manage.py check_index` finds documents whose index entries disagree with the database; --fix repairs."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from haystack import connections

from speeches.index_check import PENDING_MARK, find_mismatches, retry_pending
from speeches.indexing import indexed_count, unindex_document
from speeches.loading import ingest_bytes
from speeches.models import Document, SearchRow, Speech
from speeches.search import search_speeches
from speeches.tests.cast import CITY, parsed_document, raw_bytes
from speeches.tests.conftest import ON_POSTGRES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("whoosh_engine", "empty_archive", "fresh_index")]


@pytest.fixture
def postgres_engine():
    """The PostgreSQL engine's own rows (a speech's title row and its text rows)."""
    if not ON_POSTGRES:
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…)")
    with override_settings(SEARCH_ENGINE="postgres"):
        yield


@pytest.fixture
def document(django_capture_on_commit_callbacks):
    """The cast's city.txt (four speeches), stored and indexed as an upload is."""
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest_bytes(raw_bytes(CITY), CITY.name, parsed=parsed_document(CITY))
    assert indexed_count() == Speech.objects.count() == 4
    return Document.objects.get(pk=result.document_id)


def check_index(*args) -> str:
    out = StringIO()
    call_command("check_index", *args, stdout=out)
    return out.getvalue()


def test_an_index_in_step_with_the_database_is_reported_as_agreeing(document):
    assert find_mismatches() == []
    assert "agrees" in check_index()


def test_documents_parsed_by_an_older_pipeline_are_named_with_the_command_that_parses_them_again(document):
    assert "older pipeline" not in check_index()
    Document.objects.filter(pk=document.pk).update(pipeline_version="0.0.1")
    report = check_index()
    assert "1 documents were parsed by an older pipeline" in report and "rebuild_from_raw" in report
    assert "agrees" in report


def test_speeches_missing_from_the_index_are_reported_and_fix_puts_them_back(document):
    unindex_document(document.pk)
    with pytest.raises(CommandError, match="1 documents (disagree|are missing)"):
        check_index()
    [mismatch] = find_mismatches()
    assert mismatch.document_id == document.pk
    assert mismatch.missing == set(document.speeches.values_list("public_id", flat=True))
    assert "repaired 1" in check_index("--fix")
    assert indexed_count() == document.speeches.count() and find_mismatches() == []


def test_entries_of_a_document_deleted_behind_the_loaders_back_are_removed_by_fix(document):
    Document.objects.filter(pk=document.pk).delete()  # not through loading.remove_document
    [mismatch] = find_mismatches()
    assert mismatch.extra and not mismatch.missing
    check_index("--fix")
    assert indexed_count() == 0


def test_a_speech_indexed_twice_is_reported_as_repeated_and_fixed(document):
    connection = connections["default"]
    backend, index = connection.get_backend(), connection.get_unified_index().get_index(Speech)
    speeches = list(index.index_queryset().filter(document=document))
    backend.replace_document(index, document.pk, speeches + speeches[:1])
    [mismatch] = find_mismatches()
    assert mismatch.repeated == {speeches[0].public_id}
    check_index("--fix")
    assert indexed_count() == len(speeches)


def test_a_title_changed_in_the_database_shows_as_stale(document):
    speech = document.speeches.first()
    Speech.objects.filter(pk=speech.pk).update(title="改过的标题")
    assert find_mismatches()[0].stale == {speech.public_id}
    check_index("--fix")
    assert find_mismatches() == []


def test_repairing_a_document_queued_to_be_parsed_again_reindexes_it_instead_of_removing_it(document):
    Document.objects.filter(pk=document.pk).update(status=Document.Status.QUEUED)
    speech = document.speeches.first()
    Speech.objects.filter(pk=speech.pk).update(title="改过的标题")
    assert find_mismatches()[0].stale == {speech.public_id}
    check_index("--fix")
    assert find_mismatches() == [] and indexed_count() == document.speeches.count()


def test_a_deferred_index_update_is_retried_and_its_mark_cleared(document):
    unindex_document(document.pk)
    Document.objects.filter(pk=document.pk).update(error=f"{PENDING_MARK}（index update pending）: busy")
    assert retry_pending() == 1
    document.refresh_from_db()
    assert document.error == "" and find_mismatches() == []


# Words no speech of the cast holds, added to a speech's text behind the loader's back.
ADDED = "手工补写的一段话"


def test_a_text_changed_behind_the_loaders_back_shows_as_stale_and_fix_makes_it_searchable(search_engine, document):
    speech = document.speeches.first()
    Speech.objects.filter(pk=speech.pk).update(text=f"{speech.text}\n{ADDED}")
    assert search_speeches(ADDED).count == 0
    [mismatch] = find_mismatches()
    assert mismatch.stale == {speech.public_id} and not mismatch.missing
    with pytest.raises(CommandError, match="1 documents disagree"):
        check_index()
    assert "repaired 1" in check_index("--fix")
    assert find_mismatches() == []
    assert [hit.speech.pk for hit in search_speeches(ADDED).hits] == [speech.pk]


def test_a_speech_whose_text_rows_were_deleted_is_reported_incomplete_and_fix_writes_them_again(
    postgres_engine, document
):
    speech = document.speeches.first()
    words = speech.text.split()[0][:6]  # the start of its first paragraph
    found = {hit.speech.pk for hit in search_speeches(words).hits}
    assert speech.pk in found
    SearchRow.objects.filter(speech=speech, part__gt=0).delete()
    assert speech.pk not in {hit.speech.pk for hit in search_speeches(words).hits}
    [mismatch] = find_mismatches()
    assert mismatch.incomplete == {speech.public_id} and not mismatch.stale
    with pytest.raises(CommandError, match="1 documents disagree"):
        check_index()
    assert "repaired 1" in check_index("--fix")
    assert find_mismatches() == []
    assert {hit.speech.pk for hit in search_speeches(words).hits} == found


def test_search_rows_written_before_their_source_was_recorded_show_as_stale(postgres_engine, document):
    speech = document.speeches.first()
    SearchRow.objects.filter(speech=speech).update(source="", parts=0)
    [mismatch] = find_mismatches()
    assert mismatch.stale == {speech.public_id} and not mismatch.incomplete
    check_index("--fix")
    assert find_mismatches() == []


# ---- The files kept beside the database --------------------------------------------------------


@pytest.fixture
def own_media(settings, tmp_path):
    """A media folder of the test's own: the session's holds the same files' copies already."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_a_raw_copy_that_could_not_be_written_loses_nothing_and_fix_writes_it_from_the_database(
    own_media, monkeypatch, django_capture_on_commit_callbacks
):
    from speeches import loading
    from speeches.raw_files import raw_path

    def read_only(raw, sha256):
        raise OSError(30, "Read-only file system")

    # It was a server error, and the upload was lost with it.
    monkeypatch.setattr(loading, "keep_raw_file", read_only)
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest_bytes(raw_bytes(CITY), CITY.name, parsed=parsed_document(CITY))
    monkeypatch.undo()
    document = Document.objects.get(pk=result.document_id)
    assert result.status == "ingested" and bytes(document.raw) == raw_bytes(CITY)
    assert not raw_path(document.sha256).exists()
    with pytest.raises(CommandError, match="files beside the database are missing"):
        check_index()
    assert "raw copy missing" in check_index("--fix")
    assert raw_path(document.sha256).read_bytes() == raw_bytes(CITY)
    assert "raw copies and id histories agree with the database" in check_index()


def test_an_ingest_whose_process_died_after_the_commit_is_completed_by_ingesting_the_file_again(
    own_media, django_capture_on_commit_callbacks
):
    from speeches import id_history

    # Neither the index update nor the id history ran (both follow the commit); ingested
    # again, the file was "unchanged", still unsearchable, and its number could be lost.
    with django_capture_on_commit_callbacks(execute=False):
        first = ingest_bytes(raw_bytes(CITY), CITY.name, parsed=parsed_document(CITY))
    document = Document.objects.get(pk=first.document_id)
    assert document.error.startswith(PENDING_MARK) and indexed_count() == 0
    assert not id_history.read(document.sha256)
    with django_capture_on_commit_callbacks(execute=True):
        again = ingest_bytes(raw_bytes(CITY), CITY.name)
    document.refresh_from_db()
    assert again.status == "unchanged" and document.error == ""
    assert indexed_count() == Speech.objects.count() == 4
    assert id_history.read(document.sha256)["document_id"] == document.pk


def test_an_id_history_missing_or_naming_other_speeches_is_reported_and_fix_writes_it(document):
    from speeches import id_history
    from speeches.id_history import history_path

    history_path(document.sha256).unlink()
    with pytest.raises(CommandError, match="1 files beside the database"):
        check_index()
    check_index("--fix")
    assert id_history.read(document.sha256)["document_id"] == document.pk
    data = id_history.read(document.sha256)
    id_history.write(document.sha256, {**data, "speeches": data["speeches"][:1]})
    assert "names other speeches than the database's" in check_index("--fix")
    assert len(id_history.read(document.sha256)["speeches"]) == 4


def test_a_document_removed_while_the_index_is_busy_leaves_no_speech_searchable_once_the_worker_runs(
    document, monkeypatch, django_capture_on_commit_callbacks
):
    from speeches.loading import remove_document
    from speeches.locks import IndexBusy
    from speeches.models import PendingRemoval
    from speeches.search.whoosh import WhooshEngine

    def busy(self, document_id):
        raise IndexBusy("held by another writer")

    # The mark of a deferred update is written on the document, and a removed one has no
    # row: its speeches stayed searchable (count 3, no results) and the worker never knew.
    document_id = document.pk
    with monkeypatch.context() as patched:
        patched.setattr(WhooshEngine, "index_document", busy)
        with django_capture_on_commit_callbacks(execute=True):
            remove_document(document)
    assert list(PendingRemoval.objects.values_list("document_id", flat=True)) == [document_id]
    assert indexed_count() == 4
    call_command("process_uploads", stdout=StringIO())
    assert indexed_count() == 0 and not PendingRemoval.objects.exists()
    assert find_mismatches() == []


def test_an_empty_index_beside_an_archive_is_named_with_the_rebuild_that_fills_it(document):
    # As after switching SEARCH_ENGINE: the message asked for --fix, a document at a time.
    unindex_document(document.pk)
    with pytest.raises(
        CommandError, match="the index is empty and 1 documents are missing from it: run `manage.py reindex`"
    ):
        check_index()


def test_a_live_document_whose_history_still_says_deleted_is_found_and_written_again(
    own_media, django_capture_on_commit_callbacks
):
    from speeches import id_history
    from speeches.loading import remove_document

    # Removed, then uploaded again by a process that died before its history was
    # written: the history said "deleted", and a rebuild from the raw files would have
    # left the live document out, while check_index said all agreed.
    with django_capture_on_commit_callbacks(execute=True):
        first = ingest_bytes(raw_bytes(CITY), CITY.name, parsed=parsed_document(CITY))
        remove_document(Document.objects.get(pk=first.document_id))
    with django_capture_on_commit_callbacks(execute=False):
        again = ingest_bytes(raw_bytes(CITY), CITY.name, parsed=parsed_document(CITY))
    document = Document.objects.get(pk=again.document_id)
    assert id_history.read(document.sha256).get("deleted_at")
    with pytest.raises(CommandError, match="files beside the database"):
        check_index()
    with django_capture_on_commit_callbacks(execute=True):
        assert ingest_bytes(raw_bytes(CITY), CITY.name).status == "unchanged"
    assert not id_history.read(document.sha256).get("deleted_at")
    assert "raw copies and id histories agree" in check_index("--fix")


def test_a_deleted_documents_history_that_does_not_say_so_is_found_and_written(
    own_media, django_capture_on_commit_callbacks
):
    from speeches import id_history
    from speeches.loading import remove_document

    # Deleted by a version that did not write deletions into the histories: a rebuild
    # after a loss of the database would bring it back, and nothing said so.
    with django_capture_on_commit_callbacks(execute=True):
        first = ingest_bytes(raw_bytes(CITY), CITY.name, parsed=parsed_document(CITY))
        document = Document.objects.get(pk=first.document_id)
        remove_document(document)
    history = id_history.read(document.sha256)
    del history["deleted_at"]
    id_history.write(document.sha256, history)
    with pytest.raises(CommandError, match="files beside the database"):
        check_index()
    assert f"deleted document {first.document_id}: id history does not say" in check_index("--fix")
    assert id_history.read(document.sha256).get("deleted_at")
    assert "raw copies and id histories agree with the database" in check_index()


def test_a_queued_document_has_no_history_yet_and_is_not_reported_for_it(own_media, settings):
    from speeches.models import Document as Doc

    settings.INGEST_INLINE_MAX_BYTES = 10
    result = ingest_bytes(raw_bytes(CITY), CITY.name, inline_max=10)
    assert result.status == "queued" and Doc.objects.get(pk=result.document_id).status == Doc.Status.QUEUED
    assert "raw copies and id histories agree with the database" in check_index("--fix")


def test_a_failed_file_removed_and_uploaded_again_is_not_reported_for_its_history(
    own_media, django_capture_on_commit_callbacks
):
    from speeches import id_history
    from speeches.loading import remove_document, sha256_of

    # It failed again, as it should, and kept the history that said it was deleted:
    # check_index reported it for ever, though no write was lost.
    with django_capture_on_commit_callbacks(execute=True):
        first = ingest_bytes(b"   \n", "blank.txt")
        remove_document(Document.objects.get(pk=first.document_id))
    assert id_history.read(sha256_of(b"   \n")).get("deleted_at")
    with django_capture_on_commit_callbacks(execute=True):
        again = ingest_bytes(b"   \n", "blank.txt")
    assert again.status == "failed"
    assert "raw copies and id histories agree with the database" in check_index()


def test_a_repair_leaves_the_other_engines_whole_and_an_upload_does_not(document, django_capture_on_commit_callbacks):
    from speeches.models import EngineState

    # A repair changes no speech: it told every other engine it had missed a change, and
    # switching to one asked for a `reindex` with nothing to do.
    EngineState.objects.update_or_create(name="postgres", defaults={"whole": True})
    unindex_document(document.pk)
    check_index("--fix")
    assert EngineState.objects.get(name="postgres").whole
    with django_capture_on_commit_callbacks(execute=True):
        ingest_bytes("在全县秋粮收储工作会议上的讲话\n同志们：\n今年秋粮收储任务繁重。\n".encode(), "grain.txt")
    assert not EngineState.objects.get(name="postgres").whole
