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

A replica that does not answer, that is more than MAX_LAG_BYTES of WAL behind the
primary (one that stopped streaming still answers, with an old archive), whose replay is
paused while it is behind, or that is no standby at all (a URL naming another database),
is skipped for RETRY_AFTER seconds, and the request reads the primary: a replica down is
never an error page, and a stale one is not read. The primary down is no fault of the
replica's: its lag is then unknown, and it goes on serving reads.

A replica lags the primary by the time streaming takes (milliseconds on one network): an
upload is searchable there moments after its commit. Whoever wrote reads the primary for
STICKY_SECONDS after it (a signed cookie set on the answer to a request that wrote), and staff always do: an
admin following the upload report's links to a speech just ingested met a 404 from a
replica a few seconds behind.
"""

from __future__ import annotations

import logging
import random
import time
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

RETRY_AFTER = 30.0
# A replica further behind the primary's WAL than this is skipped like one that does not
# answer: one that stopped streaming (the WAL it needed gone, its primary made anew)
# still answers, with an old copy of the archive. Checked at most every LAG_CHECK_EVERY
# seconds per replica; a large ingest may put a replica this far behind for a while,
# and its readers read the primary meanwhile.
MAX_LAG_BYTES = 64 * 2**20
LAG_CHECK_EVERY = 30.0
# Models whose rows a replica may serve: the archive's content, which only uploads
# change (not a researcher's own rows, such as bookmarks).
CONTENT_MODELS = {
    ("speeches", name)
    # enginestate: read by every search (speeches/engine_state.py); on the primary, a
    # primary down made every search fail where the replicas were to go on serving them.
    for name in (
        "document",
        "speech",
        "section",
        "topic",
        "speechtopic",
        "speechalias",
        "speechband",
        "searchrow",
        "enginestate",
    )
}
# Paths whose GETs must see the primary: the admin (upload reports), accounts.
PRIMARY_PATHS = ("/admin/", "/accounts/", "/bookmarks/")
# After a write, the writer's browser reads the primary this long (PRIMARY_COOKIE).
STICKY_SECONDS = 60
PRIMARY_COOKIE = "reads_primary"

_replica: ContextVar[str | None] = ContextVar("replica", default=None)
_down_until: dict[str, float] = {}
_lag_checked: dict[str, float] = {}


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
            if _lag_checked.get(alias, -LAG_CHECK_EVERY) + LAG_CHECK_EVERY <= now:
                problem = replica_problem(connection)
                _lag_checked[alias] = now
                if problem:
                    log.warning("read replica %s skipped for %.0f s: %s", alias, RETRY_AFTER, problem)
                    _down_until[alias] = now + RETRY_AFTER
                    _lag_checked.pop(alias)
                    continue
            return alias
        except DatabaseError as error:
            log.warning("read replica %s skipped for %.0f s: %s", alias, RETRY_AFTER, error)
            _down_until[alias] = now + RETRY_AFTER
            try:
                connection.close()
            except DatabaseError:
                pass
    return None


def replica_problem(replica) -> str:
    """Why the replica must not be read now ("" when it may)."""
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), pg_is_in_recovery() AND pg_is_wal_replay_paused()")
        standby, paused = cursor.fetchone()
    if not standby:
        # Read, it answered every page with a server error (another database's tables).
        return "no standby (pg_is_in_recovery() is false): DATABASE_REPLICA_URLS must name replicas of DATABASE_URL"
    try:
        behind = replay_lag(replica)
    except PrimaryUnknown:
        return ""
    if behind is not None and abs(behind) > MAX_LAG_BYTES:
        return f"{behind} bytes of WAL behind the primary"
    if paused and behind:
        return f"its replay is paused {behind} bytes of WAL behind the primary (pg_wal_replay_resume())"
    return ""


class PrimaryUnknown(Exception):
    """The primary did not say where its WAL stands (it is down)."""


def replay_lag(replica) -> int | None:
    """Bytes of WAL between the primary's position and what the replica has replayed (None
    for a server that is no standby); negative when the replica is ahead of the primary it
    names, which happens only when that primary was made anew."""
    try:
        primary = primary_wal_position()
    except DatabaseError as error:
        # Counted as the replica's failure, the primary down took the replica with it,
        # and every page was a server error instead of the replica's answer.
        raise PrimaryUnknown(str(error)) from error
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())", [primary])
        found = cursor.fetchone()[0]
    return None if found is None else int(found)


def primary_wal_position() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        return cursor.fetchone()[0]


def forget_failures() -> None:
    _down_until.clear()
    _lag_checked.clear()


class reading_replica:
    """Within this block, reads of content go to `alias` (None: the primary)."""

    def __init__(self, alias: str | None):
        self.alias = alias

    def __enter__(self):
        self._token = _replica.set(self.alias)
        return self.alias

    def __exit__(self, *exc):
        _replica.reset(self._token)


def read_primary_from_now() -> None:
    """The rest of this request reads the primary (a replica's read failed in a way the
    primary does not: a recovery conflict while it replays `reindex`'s swap)."""
    _replica.set(None)


def reads_primary(request) -> bool:
    """Requests that must see the primary: writes, the admin and accounts, whoever wrote
    moments ago, and staff."""
    if request.method not in ("GET", "HEAD") or request.path.startswith(PRIMARY_PATHS):
        return True
    # Signed and dated (by Django's signing): a client cannot pin itself to the primary
    # for longer than STICKY_SECONDS after a form it sent.
    if request.get_signed_cookie(PRIMARY_COOKIE, default=None, salt=PRIMARY_COOKIE, max_age=STICKY_SECONDS):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_staff)


_WRITES = ("INSERT", "UPDATE", "DELETE")


def _noting_writes(wrote: list[bool], execute, sql, params, many, context):
    """A database wrapper (execute_wrapper) that notes a statement writing to the primary."""
    if not wrote and sql.lstrip()[:6].upper() in _WRITES:
        wrote.append(True)
    return execute(sql, params, many, context)


def ReplicaReadsMiddleware(get_response):
    def middleware(request):
        if not replicas():
            return get_response(request)
        if reads_primary(request):
            wrote: list[bool] = []
            with connections["default"].execute_wrapper(partial(_noting_writes, wrote)):
                response = get_response(request)
            # Only a request that wrote: a POST refused (403, 404, 405) or a form shown
            # again wrote nothing, and one a minute would have kept a client on the primary.
            if wrote and response.status_code < 400:
                response.set_signed_cookie(
                    PRIMARY_COOKIE,
                    "1",
                    salt=PRIMARY_COOKIE,
                    max_age=STICKY_SECONDS,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
            return response
        alias = pick_replica()
        with reading_replica(alias):
            response = get_response(request)
        if alias is not None and response.status_code >= 500 and not replica_answers(alias):
            # The replica went down during the request (its error is logged as the 500 it
            # was): the page is read again from the primary, as the next request would be.
            log.warning("read replica %s failed during a request; skipped for %.0f s", alias, RETRY_AFTER)
            _down_until[alias] = time.monotonic() + RETRY_AFTER
            response = get_response(request)
        return response

    return middleware


def replica_answers(alias: str) -> bool:
    connection = connections[alias]
    try:
        if connection.connection is not None and connection.is_usable():
            return True
        connection.close()
        connection.ensure_connection()
        return True
    except DatabaseError:
        try:
            connection.close()
        except DatabaseError:
            pass
        return False


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
