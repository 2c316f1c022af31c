"""The upload queue: big files wait for `manage.py process_uploads`, which ingests them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from speeches.indexing import indexed_count
from speeches.loading import ingest_bytes
from speeches.models import Document, Speech

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_archive", "fresh_index")]

SEED_002 = "002_5507ae1777cd8619.txt"


def process_uploads(*args) -> str:
    out = StringIO()
    call_command("process_uploads", *args, stdout=out)
    return out.getvalue()


def queue(raw: bytes, name: str) -> Document:
    result = ingest_bytes(raw, name, inline_max=1000)
    assert result.status == "queued"
    return Document.objects.get(pk=result.document_id)


def test_a_queued_upload_is_ingested_and_indexed_by_the_worker(seed_bytes, django_capture_on_commit_callbacks):
    document = queue(seed_bytes[SEED_002], "big.txt")
    assert Speech.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        out = process_uploads()
    document.refresh_from_db()
    assert document.status == Document.Status.INGESTED
    assert f"document {document.pk}: ingested" in out
    assert indexed_count() == document.speeches.count() > 0


def test_the_same_big_file_uploaded_while_it_waits_is_not_queued_twice(seed_bytes):
    document = queue(seed_bytes[SEED_002], "big.txt")
    again = ingest_bytes(seed_bytes[SEED_002], "big-again.txt", inline_max=1000)
    assert again.status == "queued" and again.document_id == document.pk and not again.created
    assert Document.objects.count() == 1


def test_a_queued_file_that_fails_is_recorded_and_the_next_one_is_still_ingested(seed_bytes):
    bad = queue(b"%PDF-1.5 not a page " * 100, "scan.pdf")
    good = queue(seed_bytes[SEED_002], "big.txt")
    out = process_uploads()
    bad.refresh_from_db(), good.refresh_from_db()
    assert bad.status == Document.Status.FAILED and "PDF" in bad.error
    assert good.status == Document.Status.INGESTED
    assert "failed" in out and "ingested" in out


def test_a_queued_file_whose_storing_fails_is_recorded_and_the_next_one_is_still_ingested(
    seed_bytes, fail_storing, caplog
):
    first = queue(seed_bytes[SEED_002], "big.txt")
    second = queue(seed_bytes["000_e3c50620afa4a9e1.txt"], "next.txt")
    fail_storing()
    out = process_uploads()
    first.refresh_from_db(), second.refresh_from_db()
    # Not left "processing", to be requeued, fail again and stop the worker every hour.
    assert first.status == Document.Status.FAILED and "OperationalError: deadlock detected" in first.error
    assert not first.speeches.exists() and bytes(first.raw) == seed_bytes[SEED_002]
    assert second.status == Document.Status.INGESTED and second.speeches.exists()
    assert f"document {first.pk}: failed" in out and f"document {second.pk}: ingested" in out
    assert "Traceback" in caplog.text


def test_the_looping_worker_keeps_running_after_a_file_whose_storing_fails(seed_bytes, fail_storing):
    from speeches.management.commands.process_uploads import Command

    rounds = []

    class TwoRounds(Command):
        def run_once(self, *args, **kwargs):
            rounds.append(super().run_once(*args, **kwargs))
            if len(rounds) == 2:
                self.stopping.set()
            return rounds[-1]

    document = queue(seed_bytes[SEED_002], "big.txt")
    fail_storing()
    call_command(TwoRounds(), "--loop", "--interval", "0", stdout=StringIO())
    document.refresh_from_db()
    assert [[r.status for r in results] for results in rounds] == [["failed"], []]
    assert document.status == Document.Status.FAILED


def test_a_queued_re_ingest_that_fails_leaves_the_document_in_the_archive_with_its_speeches(
    seed_bytes, monkeypatch, django_capture_on_commit_callbacks
):
    from speeches import loading
    from speeches.index_check import find_mismatches

    with django_capture_on_commit_callbacks(execute=True):
        document = Document.objects.get(pk=ingest_bytes(seed_bytes[SEED_002], "big.txt").document_id)
    speeches = set(document.speeches.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert ingest_bytes(seed_bytes[SEED_002], "big.txt", force=True, inline_max=1000).status == "queued"

    def broken(*args, **kwargs):
        raise RuntimeError("simulated pipeline error")

    monkeypatch.setattr(loading, "parse_document", broken)
    with django_capture_on_commit_callbacks(execute=True):
        process_uploads()
    document.refresh_from_db()
    # Its speeches are still there, so it is still in the archive: failed, it was searchable
    # on Whoosh and not on PostgreSQL, and check_index --fix took it out of Whoosh's index.
    assert document.status == Document.Status.INGESTED and "simulated pipeline error" in document.error
    assert set(document.speeches.values_list("pk", flat=True)) == speeches
    assert find_mismatches() == []


def test_a_document_left_processing_by_a_stopped_worker_goes_back_to_the_queue(seed_bytes):
    document = queue(seed_bytes[SEED_002], "big.txt")
    an_hour_ago = timezone.now() - timedelta(hours=2)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PROCESSING, updated_at=an_hour_ago)
    out = process_uploads("--stale-minutes", "60")
    document.refresh_from_db()
    assert "requeued 1" in out and document.status == Document.Status.INGESTED


def test_a_document_another_worker_is_processing_now_is_left_alone(seed_bytes):
    document = queue(seed_bytes[SEED_002], "big.txt")
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PROCESSING, updated_at=timezone.now())
    process_uploads()
    document.refresh_from_db()
    assert document.status == Document.Status.PROCESSING and Speech.objects.count() == 0


def test_an_empty_queue_is_a_quiet_no_op():
    assert process_uploads() == ""


def test_the_worker_parses_at_a_lower_cpu_priority_than_the_web_workers(settings, monkeypatch):
    import os

    raised = []
    monkeypatch.setattr(os, "nice", raised.append)
    settings.BATCH_NICENESS = 10
    process_uploads()
    assert raised == [10]
    settings.BATCH_NICENESS = 0
    process_uploads()
    assert raised == [10]


@pytest.mark.django_db(transaction=True)  # the worker's connection as in production: in autocommit
def test_the_looping_worker_keeps_running_after_a_round_whose_own_queries_fail(seed_bytes, monkeypatch, caplog):
    # The queue's own queries (requeue_stale, claim_next) met the database restarting:
    # the exception ended the worker, and the uploads behind it waited for a person.
    from django.db import OperationalError

    from speeches.management.commands import process_uploads as command

    rounds, requeue = [], command.requeue_stale

    def flaky_requeue(stale):
        if not rounds:
            rounds.append("failed")
            raise OperationalError("server closed the connection unexpectedly")
        return requeue(stale)

    class TwoRounds(command.Command):
        def run_once(self, *args, **kwargs):
            last = bool(rounds)  # the second round is the last, whatever it does
            try:
                results = super().run_once(*args, **kwargs)
                rounds.append([r.status for r in results])
                return results
            finally:
                if last:
                    self.stopping.set()

    monkeypatch.setattr(command, "requeue_stale", flaky_requeue)
    document = queue(seed_bytes[SEED_002], "big.txt")
    call_command(TwoRounds(), "--loop", "--interval", "0", stdout=StringIO())
    document.refresh_from_db()
    assert rounds == ["failed", ["ingested"]] and document.status == Document.Status.INGESTED
    assert "server closed the connection unexpectedly" in caplog.text
    with pytest.raises(OperationalError):
        rounds.clear()
        call_command("process_uploads", stdout=StringIO())  # without --loop, it is for the caller to see


def test_a_queued_file_whose_parse_outlasts_its_time_is_refused_and_the_next_one_is_still_ingested(
    seed_bytes, settings
):
    from .test_uploads import SLOW_PAGE

    # Parsed in the worker's own process, with no limit, one hostile page held every
    # upload behind it for hours.
    settings.INGEST_INLINE_IN_CHILD = True
    settings.INGEST_PARSE_TIMEOUT = 15  # the slow page takes 40 s; the next, with its child's start, 5
    slow = queue(SLOW_PAGE, "slow.txt")
    good = queue(seed_bytes[SEED_002], "big.txt")
    process_uploads()
    slow.refresh_from_db(), good.refresh_from_db()
    assert slow.status == Document.Status.FAILED and slow.error.startswith("解析超时")
    assert good.status == Document.Status.INGESTED, good.error
