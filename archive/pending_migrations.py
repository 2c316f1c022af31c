"""While the database lacks migrations this code needs, pages answer 503 (维护中), not
server errors.

A deploy that starts the new code before `manage.py migrate` has run (compose runs it
first; a deploy by hand may not) gave 500s on the home page, every speech page and the
API (no such column: speeches_speech.speaker), each with a traceback. The check runs on
a worker's first request, and again every CHECK_EVERY seconds while migrations are
missing; once they are applied it is not made again in that process.
"""

from __future__ import annotations

import logging
import time

from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from speeches.spreadsheets import busy_response

log = logging.getLogger(__name__)

CHECK_EVERY = 5.0
RETRY_AFTER_S = 30
MESSAGE = "维护中：数据库正在升级，请稍后再试。（The archive is being upgraded; try again shortly.）"


def unapplied_migrations() -> int:
    """How many migrations of this code the default database has not applied."""
    executor = MigrationExecutor(connections["default"])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def require_migrated() -> None:
    """For the archive's commands: run before `manage.py migrate`, `check_index` died with
    a traceback (no such table: speeches_enginestate) where it should name migrate."""
    from django.core.management.base import CommandError

    missing = unapplied_migrations()
    if missing:
        raise CommandError(f"{missing} migrations not applied to the database: run `manage.py migrate` first")


class PendingMigrationsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.applied = False
        self.checked_at = float("-inf")

    def __call__(self, request):
        if not self.applied and time.monotonic() - self.checked_at >= CHECK_EVERY:
            self.checked_at = time.monotonic()
            try:
                missing = unapplied_migrations()
            except Exception:  # noqa: BLE001 - not this check's to answer for
                # The database not answering (DatabaseError, or InterfaceError for a closed
                # connection, which is no DatabaseError) is for the page itself to meet, as
                # it did before this check: checked again on a later request.
                return self.get_response(request)
            if missing:
                log.error("%d migrations not applied: run manage.py migrate", missing)
            self.applied = not missing
        if not self.applied:
            return busy_response(MESSAGE, RETRY_AFTER_S)
        return self.get_response(request)
