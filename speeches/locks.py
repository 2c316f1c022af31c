"""The search index's single-writer lock, shared by threads and processes.

Whoosh allows one writer; a second one raises LockError at once, and
a user must never see that. Every write takes this lock first and waits a bounded
time for it; a request that would wait longer gets IndexBusy, which callers turn
into a queued retry rather than a lost update.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager

from django.conf import settings

_thread_lock = threading.RLock()
# Paths whose flock this thread holds: a nested take (clear() → setup()) must not
# open a second descriptor and wait on its own lock.
_held = threading.local()


class IndexBusy(Exception):
    pass


class LoadBusy(Exception):
    """Another load held the archive past what a web request waits (one_load_at_a_time)."""


def lock_path(index_path: str) -> str:
    # Beside the index, not inside it: rebuilding deletes the index folder.
    return os.path.abspath(index_path).rstrip("/") + ".lock"


# How long this thread waits for the lock: a web request waits briefly (IndexWaitMiddleware),
# a command or the worker, whom no browser is waiting on, as long as settings say.
_patience = threading.local()


@contextmanager
def waiting_at_most(seconds: float):
    before = getattr(_patience, "seconds", None)
    _patience.seconds = seconds
    try:
        yield
    finally:
        _patience.seconds = before


class IndexWaitMiddleware:
    """A request never waits for the index lock past INDEX_LOCK_TIMEOUT_REQUEST (a few
    seconds): past that, the update is left to the worker under a durable mark
    (speeches.search.whoosh), instead of holding the request until gunicorn kills it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with waiting_at_most(settings.INDEX_LOCK_TIMEOUT_REQUEST):
            return self.get_response(request)


@contextmanager
def index_write_lock(index_path: str, timeout: float | None = None):
    if timeout is None:
        timeout = getattr(_patience, "seconds", None)
    if timeout is None:
        timeout = settings.INDEX_LOCK_TIMEOUT
    path = lock_path(index_path)
    held = _held.__dict__.setdefault("paths", set())
    if path in held:
        yield
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    deadline = time.monotonic() + timeout
    if not _thread_lock.acquire(timeout=max(timeout, 0.001)):
        raise IndexBusy(f"search index busy for more than {timeout:.0f}s")
    try:
        with open(path, "a") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexBusy(f"search index busy for more than {timeout:.0f}s") from None
                    time.sleep(0.05)
            held.add(path)
            try:
                yield
            finally:
                held.discard(path)
                fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        _thread_lock.release()


# Any number; the key of the lock every load and removal takes (one_load_at_a_time).
_LOAD_LOCK = 20_561_207
# How long a web request waits for another load to finish before its file is queued for
# the worker: a load of the largest file allowed (INGEST_MAX_BYTES) takes about a minute,
# and gunicorn ends a request at two.
LOAD_WAIT_REQUEST = 30


def one_load_at_a_time(*, bounded: bool = True) -> None:
    """Loads, removals and index repairs wait for each other till the end of their
    transactions (call inside one). A load looks for the originals of its speeches among
    the speeches others committed: two files with the same speeches loaded at once both
    became originals, and every shared speech was listed twice. SQLite has one writer at
    a time anyway (settings: IMMEDIATE); on PostgreSQL a transaction-level advisory lock,
    which searches never take. A web request (IndexWaitMiddleware) waits at most
    LOAD_WAIT_REQUEST when `bounded`, then gets LoadBusy; anything else waits its turn."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    patience = getattr(_patience, "seconds", None)
    with connection.cursor() as cursor:
        if patience is None or not bounded:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOAD_LOCK])
            return
        deadline = time.monotonic() + max(patience, LOAD_WAIT_REQUEST)
        while True:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOAD_LOCK])
            if cursor.fetchone()[0]:
                return
            if time.monotonic() >= deadline:
                raise LoadBusy(f"another file was being loaded for more than {LOAD_WAIT_REQUEST}s")
            time.sleep(0.2)
