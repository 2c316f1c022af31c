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
