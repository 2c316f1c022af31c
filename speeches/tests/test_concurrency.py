"""Uploads, searches and re-indexing at the same time, in several processes and threads.

Why processes: production runs gunicorn workers and a `process_uploads` worker, each a
process of its own, all writing one Whoosh index. Each process also runs its requests in
threads, as the dev server does. The processes share a SQLite file (see
concurrency_settings for why its writers wait) and an index of their own in tmp_path.

What must hold: no request fails (a Whoosh LockError would be a 500 and a non-zero exit),
and afterwards the index holds every speech of the database exactly once.
"""

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import HttpResponse

from speeches.index_check import PENDING_MARK
from speeches.indexing import indexed_count
from speeches.ingest.script import to_simplified
from speeches.locks import index_write_lock
from speeches.models import Document, Speech

from .admin_helpers import make_staff, reports_of, upload

# The Whoosh engine's own machinery, whichever engine the database would default to.
# Serial: run alone, not beside the other test processes (scripts/test), so that its
# processes contend with each other and not with the rest of the suite.
pytestmark = [pytest.mark.usefixtures("whoosh_engine"), pytest.mark.serial]

SEED_002 = "002_5507ae1777cd8619.txt"


def start(mode, *args, env):
    return subprocess.Popen(
        [sys.executable, "-m", "speeches.tests.concurrency_worker", mode, *map(str, args)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process, timeout=600) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def page_variants(raw: bytes) -> dict[str, bytes]:
    """Four different files from one seed page: as scraped, re-scraped, GBK, Big5."""
    text = raw.decode("utf-8")
    return {
        "002.txt": raw,
        "002-rescraped.html": "<p>重新抓取</p>\n".encode() + raw,
        "002-gbk.txt": to_simplified(text).encode("gbk", errors="ignore"),
        "002-big5.txt": text.encode("big5", errors="ignore"),
    }


def test_two_uploaders_searchers_and_a_reindexer_at_once_leave_every_speech_indexed_exactly_once(tmp_path, seed_bytes):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "speeches.tests.concurrency_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "INDEX_LOCK_TIMEOUT": "120",
    }
    paths = []
    for name, raw in page_variants(seed_bytes[SEED_002]).items():
        (tmp_path / name).write_bytes(raw)
        paths.append(tmp_path / name)
    assert finish(start("setup", env=env)) == {"ready": True}
    stop = tmp_path / "stop"
    searcher = start("search", stop, env=env)
    reindexer = start("reindex", stop, env=env)
    uploaders = [start("upload", *paths[:2], env=env), start("upload", *paths[2:], env=env)]
    try:
        reports = [finish(uploader) for uploader in uploaders]
    finally:
        stop.touch()
    searches = finish(searcher)
    finish(reindexer)  # exits non-zero if a re-index failed (e.g. LockError)

    statuses = {name: status for report in reports for upload in report["uploads"] for name, status in upload.items()}
    assert statuses == {path.name: "ingested" for path in paths}
    assert searches["searches"] > 0, "no search ran while the uploads did"
    state = finish(start("verify", env=env))
    assert state["expected"], "the uploads produced no speeches"
    assert Counter(state["indexed"]) == Counter(set(state["expected"]))
    assert state["mismatches"] == []


@contextmanager
def index_held_by_another_writer():
    """Another thread holds the index's write lock (a long merge, a rebuild) until released."""
    taken, release = threading.Event(), threading.Event()
    path = settings.HAYSTACK_CONNECTIONS["default"]["PATH"]

    def hold():
        with index_write_lock(path, timeout=10):
            taken.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(10)
    try:
        yield release
    finally:
        release.set()
        holder.join()


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_an_upload_waits_for_a_busy_index_and_is_indexed_when_it_frees(
    client, django_user_model, seed_bytes, settings, django_capture_on_commit_callbacks
):
    settings.INDEX_LOCK_TIMEOUT = 30
    client.force_login(make_staff(django_user_model))
    with index_held_by_another_writer() as release:
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(client, ("002.txt", seed_bytes[SEED_002]))
            threading.Timer(0.5, release.set).start()
        # The after-commit index update ran here, while the lock was still held for 0.5 s.
    assert reports_of(response)["002.txt"]["status"] == "ingested"
    assert Document.objects.get(original_name="002.txt").error == ""
    assert indexed_count() == Speech.objects.count() > 0


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_an_index_busy_past_the_timeout_defers_the_update_instead_of_failing_and_the_worker_catches_up(
    client, django_user_model, seed_bytes, settings, django_capture_on_commit_callbacks
):
    settings.INDEX_LOCK_TIMEOUT = 0.2
    client.force_login(make_staff(django_user_model))
    with index_held_by_another_writer(), django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ("002.txt", seed_bytes[SEED_002]))
    assert response.status_code == 200 and reports_of(response)["002.txt"]["status"] == "ingested"
    document = Document.objects.get(original_name="002.txt")
    assert document.error.startswith(PENDING_MARK) and indexed_count() == 0
    # (Inside a test transaction the index update runs after the response, so the
    # upload page cannot show it; the document list does.)
    listing = client.get("/admin/speeches/document/", {"q": "002.txt"}).content.decode()
    assert "index update pending" in listing
    call_command("process_uploads", stdout=StringIO())
    document.refresh_from_db()
    assert document.error == "" and indexed_count() == document.speeches.count() > 0


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_archive", "fresh_index")
def test_a_document_is_marked_behind_in_its_own_transaction_so_a_process_killed_before_indexing_loses_nothing(
    seed_bytes, django_capture_on_commit_callbacks
):
    from speeches.loading import ingest_bytes

    # The after-commit update never runs: the process died right after the commit.
    with django_capture_on_commit_callbacks(execute=False):
        result = ingest_bytes(seed_bytes[SEED_002], "002.txt")
    document = Document.objects.get(pk=result.document_id)
    assert document.status == Document.Status.INGESTED and document.error.startswith(PENDING_MARK)
    assert indexed_count() == 0
    call_command("process_uploads", stdout=StringIO())
    document.refresh_from_db()
    assert document.error == "" and indexed_count() == document.speeches.count() > 0


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_index")
def test_a_web_request_waits_for_the_index_lock_seconds_not_the_commands_ten_minutes(settings, rf):
    from speeches.locks import IndexBusy, IndexWaitMiddleware, index_write_lock

    settings.INDEX_LOCK_TIMEOUT = 600
    settings.INDEX_LOCK_TIMEOUT_REQUEST = 1
    waited = []

    def view(request):
        started = time.monotonic()
        with pytest.raises(IndexBusy), index_write_lock(settings.HAYSTACK_CONNECTIONS["default"]["PATH"]):
            pass
        waited.append(time.monotonic() - started)
        return HttpResponse("ok")

    with index_held_by_another_writer():
        assert IndexWaitMiddleware(view)(rf.post("/admin/speeches/document/upload/")).status_code == 200
    assert 1 <= waited[0] < 30
