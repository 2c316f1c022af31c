"""Read replicas: searches and read-only pages read from them, every write goes to
the primary.

`DATABASE_REPLICA_URLS` (archive/settings.py) names PostgreSQL streaming replicas.
For a request that only reads public content (GET or HEAD, outside the admin),
ReplicaReadsMiddleware picks one replica that answers, once per request, and
ReplicaRouter sends that request's reads of the archive's content (speeches, their
sections, topics, source documents, search rows) there. Everything else reads the
primary: the admin and sign-in (an upload's report must show what was just
written), a researcher's own bookmarks (a bookmark just added must show), sessions
and users, and anything inside a transaction.

A replica that does not answer is skipped for RETRY_AFTER seconds, and the request
reads the primary: a replica down is never an error page. A replica lags the
primary by the time streaming takes (milliseconds on one network): an upload is
searchable there moments after its commit.
"""

from __future__ import annotations

import logging
import random
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

RETRY_AFTER = 30.0
# Models whose rows a replica may serve: the archive's content, which only uploads
# change (not a researcher's own rows, such as bookmarks).
CONTENT_MODELS = {
    ("speeches", name)
    for name in ("document", "speech", "section", "topic", "speechtopic", "speechalias", "speechband", "searchrow")
}
# Paths whose GETs must see the primary: the admin (upload reports), accounts.
PRIMARY_PATHS = ("/admin/", "/accounts/", "/bookmarks/")

_replica: ContextVar[str | None] = ContextVar("replica", default=None)
_down_until: dict[str, float] = {}


def replicas() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", ()))


def pick_replica() -> str | None:
    """A replica that answers now, in random order to spread the load; None when none does."""
    aliases = replicas()
    random.shuffle(aliases)
    now = time.monotonic()
    for alias in aliases:
        if _down_until.get(alias, 0.0) > now:
            continue
        connection = connections[alias]
        try:
            if connection.connection is not None and not connection.is_usable():
                connection.close()
            connection.ensure_connection()
            return alias
        except DatabaseError as error:
            log.warning("read replica %s skipped for %.0f s: %s", alias, RETRY_AFTER, error)
            _down_until[alias] = now + RETRY_AFTER
            try:
                connection.close()
            except DatabaseError:
                pass
    return None


def forget_failures() -> None:
    _down_until.clear()


class reading_replica:
    """Within this block, reads of content go to `alias` (None: the primary)."""

    def __init__(self, alias: str | None):
        self.alias = alias

    def __enter__(self):
        self._token = _replica.set(self.alias)
        return self.alias

    def __exit__(self, *exc):
        _replica.reset(self._token)


def ReplicaReadsMiddleware(get_response):
    def middleware(request):
        if not replicas() or request.method not in ("GET", "HEAD") or request.path.startswith(PRIMARY_PATHS):
            return get_response(request)
        with reading_replica(pick_replica()):
            return get_response(request)

    return middleware


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = _replica.get()
        if alias is None or (model._meta.app_label, model._meta.model_name) not in CONTENT_MODELS:
            return None
        if connections["default"].in_atomic_block:
            return None
        return alias

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
