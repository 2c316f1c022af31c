"""Settings for the processes that test_concurrency starts.

The project's settings, on a SQLite *file* named by DATABASE_URL (pytest's in-memory
test database cannot be shared between processes), with writers that wait for each
other: SQLite has one writer at a time, and a deferred transaction that reads and then
writes fails at once with "database is locked" when another writer holds the lock (SQLite
cannot wait there without risking a deadlock). BEGIN IMMEDIATE takes the write lock
first, so writers queue for up to `timeout` seconds. PostgreSQL, in production, needs none
of this; the dev server on SQLite would benefit from the same two options.
"""

from archive.settings import *  # noqa: F403
from archive.settings import DATABASES

DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 60}
