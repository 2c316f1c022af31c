"""How `manage.py reindex` puts the PostgreSQL engine's new rows in the live rows' place
(PostgresEngine.rebuild): the new rows are written into NEXT_TABLE beside the live
table, made the live table's indexes and keys (copy_indexes), caught up with the
speeches changed meanwhile (row_versions: each speech's and its document's row version),
and swapped in under a moment's locks (swap_in), asked for with a timeout and asked again
(when_locks_are_free) so that the rebuild, never an upload, gives way. The old table is
dropped after the commit (drop_old_table).
"""

from __future__ import annotations

import time

from django.db import OperationalError, connections, transaction

TABLE = "speeches_searchrow"
# Where `reindex` writes the rows before they take the live table's place.
NEXT_TABLE = "speeches_searchrow_next"
OLD_TABLE = "speeches_searchrow_old"
LOCK_NOT_AVAILABLE = "55P03"
DEADLOCK = "40P01"
# How long `reindex` waits for each lock of its swap before letting go and trying again
# (below PostgreSQL's deadlock_timeout, 1 s: the rebuild gives way first), and how often.
SWAP_LOCK_WAIT_MS = 500
SWAP_ATTEMPTS = 600


def sqlstate(error: Exception) -> str | None:
    cause = error.__cause__
    return getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)


def row_versions(cursor) -> dict[int, str]:
    """Each speech's row version and its document's (xmin, which a committed change
    renews, and ctid, which any new version of a row has new, in this transaction too)."""
    cursor.execute(
        "SELECT s.id, s.xmin::text || s.ctid::text || d.xmin::text || d.ctid::text"
        " FROM speeches_speech s JOIN speeches_document d ON d.id = s.document_id"
    )
    return dict(cursor.fetchall())


# pg_try_advisory_xact_lock's key of `reindex` (any number no other code of the database takes).
REBUILD_LOCK = 20_561_208
# Catching up without the lock: at most this many rounds, until no more than CAUGHT_UP
# speeches changed in one (what the locked catch-up then makes must fit LOCK_WAIT_MS).
CATCH_UP_ROUNDS = 10
CAUGHT_UP = 20


def drop_old_table() -> None:
    """The old rows' table, after the swap committed, in a moment of its own (retried)."""
    if connections["default"].in_atomic_block:
        with connections["default"].cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {OLD_TABLE}")
        return

    def drop() -> None:
        with transaction.atomic(using="default"), connections["default"].cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{SWAP_LOCK_WAIT_MS // 5}ms'")
            cursor.execute(f"DROP TABLE IF EXISTS {OLD_TABLE}")

    when_locks_are_free(drop)


def when_locks_are_free(step) -> None:
    """Run `step` (which asks for its locks with a lock_timeout, in a savepoint or a
    transaction of its own) until it gets them: a lock not granted, or a deadlock, and it
    is tried again a moment later, SWAP_ATTEMPTS times at most."""
    for attempt in range(1, SWAP_ATTEMPTS + 1):
        try:
            step()
            return
        except OperationalError as error:
            if sqlstate(error) not in (LOCK_NOT_AVAILABLE, DEADLOCK) or attempt == SWAP_ATTEMPTS:
                raise
            time.sleep(min(5.0, 0.1 * attempt))


def copy_indexes(cursor) -> list[tuple[str, str, str, str]]:
    """The live table's indexes and unique keys made on NEXT_TABLE, under names of their
    own until the swap; its foreign keys are only listed (made at the swap: a key to a
    speech deleted meanwhile would fail the deletion's commit). Returns (kind, name on
    NEXT_TABLE, live name, definition)."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') ORDER BY conname",
        [TABLE],
    )
    made = []
    for number, (name, kind, definition) in enumerate(cursor.fetchall()):
        made.append(("foreign key" if kind == "f" else "constraint", f"{NEXT_TABLE}_{number}", name, definition))
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = %s::regclass"
        " AND i.indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)"
        " ORDER BY c.relname",
        [TABLE, TABLE],
    )
    for number, (name, definition) in enumerate(cursor.fetchall()):
        made.append(("index", f"{NEXT_TABLE}_i{number}", name, definition))
    for kind, name, _, definition in made:
        if kind == "constraint":
            cursor.execute(f"ALTER TABLE {NEXT_TABLE} ADD CONSTRAINT {name} {definition}")
        elif kind == "index":
            # CREATE [UNIQUE] INDEX <name> ON [ONLY] <schema>.<table> USING ...
            head, on, rest = definition.partition(" ON ")
            table, using = rest.removeprefix("ONLY ").split(" ", 1)
            if not head.startswith("CREATE") or table.rsplit(".", 1)[-1] != TABLE:
                raise RuntimeError(f"an index of {TABLE} not understood: {definition}")
            cursor.execute(f"{head.rsplit(' ', 1)[0]} {name} ON {NEXT_TABLE} {using}")
    return made


def swap_in(cursor, made: list[tuple[str, str, str, str]]) -> None:
    """NEXT_TABLE takes the live table's place, name, keys and index names (the live
    table locked: see rebuild)."""
    for kind, name, _, definition in made:
        if kind == "foreign key":
            cursor.execute(f"ALTER TABLE {NEXT_TABLE} ADD CONSTRAINT {name} {definition}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id'), pg_get_serial_sequence(%s, 'id')", [TABLE, NEXT_TABLE])
    sequence, next_sequence = cursor.fetchone()
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD_TABLE}")
    cursor.execute(f"TRUNCATE {OLD_TABLE}")  # its key must not refuse a speech's deletion before drop_old_table
    # The old table is dropped after the commit (drop_old_table); its index names and sequence
    # give way now (its key to speeches stays: constraint names are per table).
    for kind, _, live_name, _ in made:
        if kind == "index":
            cursor.execute(f"DROP INDEX {live_name}")
        elif kind == "constraint":
            cursor.execute(f"ALTER TABLE {OLD_TABLE} DROP CONSTRAINT {live_name}")
    if sequence:
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {OLD_TABLE}_id_seq")
    cursor.execute(f"ALTER TABLE {NEXT_TABLE} RENAME TO {TABLE}")
    # Not dropped here: dropping its key to speeches takes ACCESS EXCLUSIVE on speeches_speech,
    # which a search holding speeches_speech while it waits for the rows deadlocks with.
    for kind, name, live_name, _ in made:
        if kind == "index":
            cursor.execute(f"ALTER INDEX {name} RENAME TO {live_name}")
        else:
            cursor.execute(f"ALTER TABLE {TABLE} RENAME CONSTRAINT {name} TO {live_name}")
    if sequence and next_sequence:
        cursor.execute(f"ALTER SEQUENCE {next_sequence} RENAME TO {sequence.rsplit('.', 1)[-1]}")
