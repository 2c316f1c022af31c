"""The PostgreSQL engine: search in the production database itself.

It keeps speeches.search.engine's contract:
- rows.py: a speech as search rows (character bigrams with positions in a tsvector,
  cut into chunks PostgreSQL's limits keep whole), a term as a tsquery;
- sql.py: a query as one SQL statement (term sets, filters, facets, BM25);
- the full-text index on the rows is RUM where installed, GIN otherwise
  (migrations/0007_searchrow.py; `manage.py check_index` says which).

A speech's rows are written in the transaction that writes the speech
(`documents_changed`), so the index cannot disagree with the database and there is
no lock, queue or pending state: uploads and searches do not wait on each other.
Searches read from a replica when archive.db_routing allows one.
"""

from __future__ import annotations

import os
from functools import lru_cache
from multiprocessing import get_context

from django.db import OperationalError, connections, router, transaction
from django.db.models import Count, Max, Min, Q

from archive import db_routing

from ...locks import IndexBusy, one_load_at_a_time
from ...models import LIVE_STATUSES, SEARCHED_TITLE, SearchRow, Speech
from ..analysis import format_problem, gram_text, index_format, source_digest, warm_up_analysis
from ..engine import Answer, Entry, Query
from ..relevance import (
    PROXIMITY_POOL,
    group_events,
    group_idfs,
    idf,
    near_groups,
    proximity_bonus,
    smallest_gap,
    starts,
)
from .rows import TITLE_PART, speech_rows
from .sql import statement
from .swap import (
    CATCH_UP_ROUNDS,
    CAUGHT_UP,
    DEADLOCK,
    LOCK_NOT_AVAILABLE,
    NEXT_TABLE,
    OLD_TABLE,
    REBUILD_LOCK,
    SWAP_LOCK_WAIT_MS,
    TABLE,
    copy_indexes,
    drop_old_table,
    row_versions,
    sqlstate,
    swap_in,
    when_locks_are_free,
)

INDEX_NAME = "speeches_searchrow_grams"
ROW_COLUMNS = ("speech_id", "part", "lead", "body", "words", "grams", "source", "parts")
# A rebuild makes rows on every core from this many speeches on (jieba is the cost).
PARALLEL_FROM = 2000
BATCH = 500


# The search rows' table comment records the format of the code that wrote them.
FORMAT_COMMENT = "archive index format "


@lru_cache(maxsize=1)
def postgres_format() -> str:
    """The postgres engine's entries: a speech's rows (analysis.index_format)."""
    return index_format("search/postgres/rows.py")


def _record_format() -> None:
    # A hash of hex digits: safe as a literal, which COMMENT needs (it takes no parameters).
    with connections["default"].cursor() as cursor:
        cursor.execute(f"COMMENT ON TABLE speeches_searchrow IS '{FORMAT_COMMENT}{postgres_format()}'")


def _rows_of(speech: tuple[int, str, str]) -> list[SearchRow]:
    pk, title, text = speech
    rows, source = speech_rows(title, text), source_digest(title, text)
    return [
        SearchRow(
            speech_id=pk,
            part=row.part,
            lead=row.lead,
            body=row.body,
            words=row.words,
            grams=row.grams,
            source=source,
            parts=len(rows),
        )
        for row in rows
    ]


# A standby's query cancelled by the replay of a lock it held ("conflict with recovery").
RECOVERY_CONFLICT = "40001"
# How long a search waits for a lock on the search rows (only the swap of a rebuild takes one that
# searches wait for) before it answers that the index is being updated.
LOCK_WAIT_MS = 2000


class PostgresEngine:
    name = "postgres"

    def documents_changed(self, document_ids: set[int]) -> None:
        """Inside the transaction that changed or removed these documents' speeches:
        their rows are written now, and commit or roll back with the speeches. Rows of
        removed speeches went with them (on delete cascade); copies elsewhere need
        nothing, since copies are collapsed when a query runs."""
        for document_id in sorted(document_ids):
            self.index_document(document_id)

    def index_document(self, document_id: int) -> int:
        with transaction.atomic(using="default"):
            # A repair (check_index --fix, a retry) waits for a load under way, and reads
            # the speeches after it: rows made from the text a load is replacing were
            # attached to the new rows, which keep their speeches' numbers.
            one_load_at_a_time(bounded=False)
            speeches = list(
                Speech.objects.using("default")
                .filter(document_id=document_id)
                .values_list("pk", SEARCHED_TITLE, "text")
            )
            SearchRow.objects.using("default").filter(speech__document_id=document_id).delete()
            if not SearchRow.objects.using("default").exists():
                _record_format()  # what is written into an empty index is all of this code's format
            SearchRow.objects.using("default").bulk_create(
                [row for speech in speeches for row in _rows_of(speech)], batch_size=BATCH
            )
        return len(speeches)

    def remove_document(self, document_id: int) -> None:
        SearchRow.objects.using("default").filter(speech__document_id=document_id).delete()

    def answer(self, query: Query) -> Answer:
        using = router.db_for_read(Speech) or "default"
        built = statement(query)
        try:
            rows = self._rows(built, using)
        except OperationalError as error:
            if using != "default" and sqlstate(error) in (LOCK_NOT_AVAILABLE, DEADLOCK, RECOVERY_CONFLICT):
                # A replica replaying the swap's or the drop's ACCESS EXCLUSIVE lock (its searches
                # wait for it, or are cancelled by it, 40001): the primary has the new rows now.
                # The rest of the request (the hits' speeches) reads the primary too.
                db_routing.read_primary_from_now()
                return self.answer(query)
            if sqlstate(error) not in (LOCK_NOT_AVAILABLE, DEADLOCK):
                raise
            # A lock on the rows held past LOCK_WAIT_MS (an operator's, or a swap of
            # `reindex` that took as long): a search waited for all of it, past
            # gunicorn's timeout, instead of saying so. A deadlock with a swap is said
            # so too: it was a server error.
            raise IndexBusy("the search rows are being rebuilt (manage.py reindex)") from error
        return self._answer(query, built, rows, using)

    def _rows(self, built, using: str) -> list:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            # First, so that every statement below waits LOCK_WAIT_MS at most for a
            # rebuild (the format check too: it waited for a whole reindex). The planner
            # prices a sequential scan of the rows without the reading of their TOASTed
            # tsvectors it entails, so for a term in half the rows or more it scans them
            # all: 工作 at 20,000 speeches, its set 0.79 s and its title set 0.53 s by a
            # scan, 0.22 s and 0.06 s by the index (EXPLAIN ANALYZE, bench_20000). Only for
            # this statement: a caller's transaction gets its settings back.
            # jit off: the planner's estimates for OR of common terms run to 10^10 (a UNION of
            # term sets joined to their frequencies), which buys LLVM's inlining and
            # optimisation: 2.2 s of 4.2 s for 工作 OR 发展 at 20,000 speeches, 3.8 of 7.7 s for four.
            cursor.execute(
                f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'; SET LOCAL enable_seqscan = off; SET LOCAL jit = off"
            )
            self._check_format(cursor, using)
            cursor.execute(built.sql, built.params)
            rows = cursor.fetchall()
            cursor.execute(
                "SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL lock_timeout TO DEFAULT; SET LOCAL jit TO DEFAULT"
            )
        return rows

    def _check_format(self, cursor, using: str) -> None:
        """Rows in another form than this code writes are not read (Whoosh's index
        likewise): searches say the index is being updated until `reindex`. Asked on
        every search (a catalog look-up): another version's `reindex`, a rollback or a
        restored dump changes the form under a running process."""
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", ["speeches_searchrow"])
        recorded = (cursor.fetchone()[0] or "").removeprefix(FORMAT_COMMENT)
        if recorded != postgres_format() and SearchRow.objects.using(using).exists():
            raise IndexBusy(format_problem(recorded, postgres_format(), "the search rows"))

    def _answer(self, query: Query, built, rows: list, using: str) -> Answer:
        count, total, held, hits = 0, 0, {}, []
        facets: dict[str, dict[str, int]] = {name: {} for name in query.facets}
        for kind, key, value, titles in rows:
            if kind == "count":
                count = int(value)
            elif kind == "total":
                total = int(value)
            elif kind == "held":
                held[int(key)] = int(value)
            elif kind == "hit":
                hits.append((int(key), float(value), int(titles)))
            else:
                facets[kind][key] = int(value)
        if built.terms:
            idfs = [idf(total, held[number]) for number in range(len(built.terms))]
            near = near_groups(query.tree)
            hits = _closer_first(hits, near, group_idfs(near, dict(zip(built.terms, idfs, strict=True))), using)
        page = hits[query.offset : query.offset + query.limit] if built.ranked else hits
        return Answer(count, [(pk, score) for pk, score, _ in page], facets)

    def rebuild(self) -> int:
        """Every speech's rows again, written beside the live rows and swapped in when
        complete: searches read the live rows and uploads write them meanwhile.

        The new rows go into a table of their own (NEXT_TABLE), without indexes; its
        indexes and constraints are then made as the live table's are (RUM has no
        pending list: writing 800 speeches' rows into it took 9.5 s against 1.1 s
        without it plus 1.1 s to build it afterwards, bench_20000, 2026-12-06). Only
        then is the live table locked, for the swap: the speeches changed since their
        rows were made (each speech's and its document's row version, xmin and ctid,
        read before the texts) get their rows made again, and the new table takes the
        live one's name, indexes and constraints. Searches wait for that moment only,
        where they waited LOCK_WAIT_MS and answered that the index was being updated
        for the whole rebuild (115 s at 20,000 speeches), and uploads waited for all
        of it. A failed rebuild leaves the live rows and index as they were: it is
        one transaction."""
        speeches = (
            Speech.objects.using("default")
            .filter(document__status__in=LIVE_STATUSES)
            .order_by("pk")
            .values_list("pk", SEARCHED_TITLE, "text")
        )
        total = speeches.count()
        # Forking closes the parent's connections, which a caller's open transaction needs.
        in_transaction = connections["default"].in_atomic_block
        procs = (os.cpu_count() or 1) if total >= PARALLEL_FROM and not in_transaction else 1
        pool = None
        if procs > 1:
            warm_up_analysis(indexing=True)
            connections.close_all()  # forked workers must not share the parent's sockets
            pool = get_context("fork").Pool(procs)
        try:
            with transaction.atomic(using="default"), connections["default"].cursor() as cursor:
                # Foreign-key checks are deferred to the commit, and a table with checks
                # pending cannot be altered (a caller's transaction may have written
                # speeches, as rebuild_from_raw does, and the swap drops the old rows'
                # key to speeches): check them as we go, and defer them again at the
                # end for the rest of the caller's transaction.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                # One rebuild at a time: a second one's CREATE TABLE waited for the first's
                # new table while the first waited for the second's share of the live one
                # (a wait PostgreSQL does not see as a deadlock: the first retries), 50 min.
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REBUILD_LOCK])
                if not cursor.fetchone()[0]:
                    raise IndexBusy("another `manage.py reindex` is rebuilding the search rows")
                cursor.execute(f"DROP TABLE IF EXISTS {NEXT_TABLE}")
                cursor.execute(f"DROP TABLE IF EXISTS {OLD_TABLE}")
                cursor.execute(f"CREATE TABLE {NEXT_TABLE} (LIKE {TABLE} INCLUDING ALL EXCLUDING INDEXES)")
                versions = row_versions(cursor)
                batch = []
                for speech in speeches.iterator(chunk_size=BATCH):
                    batch.append(speech)
                    if len(batch) == BATCH * procs:
                        self._write(batch, pool)
                        batch = []
                self._write(batch, pool)
                # Speeches changed while the rows were made: without the lock (an upload's
                # hundreds of speeches would hold searches past LOCK_WAIT_MS) until few are
                # left, then, the live table locked, those changed since.
                versions, _ = self._catch_up(cursor, versions, speeches)
                keys = copy_indexes(cursor)
                self._swap_when_free(cursor, versions, speeches, keys)
                _record_format()
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        drop_old_table()
        with connections["default"].cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
        return total

    def _catch_up(self, cursor, versions: dict[int, str], speeches) -> tuple[dict[int, str], int]:
        """NEXT_TABLE's rows of the speeches whose row version is not `versions`' made
        again; returns the versions they were made from and how many were."""
        now = row_versions(cursor)
        changed = sorted(pk for pk in versions.keys() | now.keys() if versions.get(pk) != now.get(pk))
        if changed:
            cursor.execute(f"DELETE FROM {NEXT_TABLE} WHERE speech_id = ANY(%s)", [changed])
            self._write(list(speeches.filter(pk__in=changed)), None)
        return now, len(changed)

    def _swap_when_free(self, cursor, versions: dict[int, str], speeches, keys) -> None:
        """Lock the speeches against writes and the live table, catch up and swap, in a
        savepoint: a lock not granted within SWAP_LOCK_WAIT_MS (an upload's transaction
        holds the speeches or the live rows) is let go and asked for again, so that the
        rebuild, not an upload, gives way when the two would deadlock, and the rows
        made are kept for the next try."""

        def attempt() -> None:
            # Unlocked first, and kept when an attempt fails: under steady uploads each
            # locked attempt made again all that changed since the first, 60 speeches
            # (3.8 s, past a search's LOCK_WAIT_MS), then 219, then 345, and none won.
            nonlocal versions
            for _ in range(CATCH_UP_ROUNDS):
                versions, changed = self._catch_up(cursor, versions, speeches)
                if changed <= CAUGHT_UP:
                    break
            with transaction.atomic(using="default"):
                cursor.execute(f"SET LOCAL lock_timeout = '{SWAP_LOCK_WAIT_MS}ms'")
                # The speeches first, as an upload takes them (then the rows): taken
                # the other way round, an upload waiting for the rows while the
                # catch-up ran found the deadlock before the swap's timeout, and
                # failed; and a text changed behind the loader's back between the
                # catch-up and the commit was missed. Searches still read both.
                cursor.execute("LOCK TABLE speeches_speech IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
                self._catch_up(cursor, versions, speeches)
                swap_in(cursor, keys)
                cursor.execute("SET LOCAL lock_timeout TO DEFAULT")

        when_locks_are_free(attempt)

    @staticmethod
    def _write(batch, pool) -> None:
        made = pool.map(_rows_of, batch, chunksize=16) if pool is not None else map(_rows_of, batch)
        rows = [row for rows in made for row in rows]
        with connections["default"].cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                cursor.execute(
                    f"INSERT INTO {NEXT_TABLE} ({', '.join(ROW_COLUMNS)}) VALUES "
                    + ", ".join([f"({', '.join(['%s'] * len(ROW_COLUMNS))})"] * len(chunk)),
                    [getattr(row, column) for row in chunk for column in ROW_COLUMNS],
                )

    def entries(self) -> dict[int, list[Entry]]:
        """Each indexed speech as its rows hold it: the title as its title row holds it
        (the speech's own title where the row is that title folded, else the row's text,
        so that a title changed since it was indexed shows as stale), what its rows were
        made from (SearchRow.source, "" where its rows disagree) and whether it has all
        the rows it was given (SearchRow.parts). One pass over the rows' small columns,
        grouped by speech: reading their bodies or making them again would cost what a
        rebuild costs."""
        rows = (
            SearchRow.objects.using("default")
            .values("speech_id")
            .annotate(
                held=Count("pk"),
                fewest=Min("parts"),
                most=Max("parts"),
                first=Min("source"),
                last=Max("source"),
                title=Max("body", filter=Q(part=TITLE_PART)),
            )
            .values_list("speech_id", "held", "fewest", "most", "first", "last", "title")
        )
        held = {}
        for pk, count, fewest, most, first, last, title in rows.iterator():
            # Rows written before parts were recorded (0) are stale by their source ("").
            complete = fewest == most and (most == 0 or count == most)
            held[pk] = (title or "", first if first == last else "", complete)
        found: dict[int, list[Entry]] = {}
        indexed = (
            Speech.objects.using("default")
            .filter(pk__in=SearchRow.objects.values("speech_id"))
            .values_list("pk", "document_id", "public_id", SEARCHED_TITLE)
        )
        for pk, document_id, public_id, title in indexed.iterator():
            row_title, source, complete = held.get(pk, ("", "", False))
            title = title if row_title == gram_text(title) else row_title
            found.setdefault(document_id, []).append(Entry(public_id, title, source, complete))
        return found

    def indexed_count(self) -> int:
        return SearchRow.objects.using("default").values("speech_id").distinct().count()

    def forget_cached_results(self) -> None:
        """Nothing is cached outside PostgreSQL's own buffers."""

    def warm_up(self) -> None:
        """Nothing to load: what a search reads lives in PostgreSQL's own buffers."""

    def format_problem(self) -> str:
        """Why the rows may not be what this code writes, or "" (no rows, or rows
        recorded with this code's format)."""
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", ["speeches_searchrow"])
            recorded = (cursor.fetchone()[0] or "").removeprefix(FORMAT_COMMENT)
        current = postgres_format()
        if recorded == current or not SearchRow.objects.using("default").exists():
            return ""
        return format_problem(recorded, current, "the search rows")

    def describe(self) -> str:
        """Which full-text index the rows have (RUM or GIN), for `manage.py check_index`."""
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE c.relname = %s", [INDEX_NAME]
            )
            found = cursor.fetchone()
        return f"PostgreSQL, {found[0].upper()} index {INDEX_NAME}" if found else f"PostgreSQL, no index {INDEX_NAME}"


def _closer_first(hits: list[tuple[int, float, int]], near, idfs: list[float], using: str):
    """Step 3 of speeches.search.relevance: the pool's scores gain the proximity bonus,
    and the pool is ordered again (titles, score, earlier speech)."""
    if len(near) < 2:
        return hits
    pool, rest = hits[:PROXIMITY_POOL], hits[PROXIMITY_POOL:]
    rows = (
        Speech.objects.using(using).filter(pk__in=[pk for pk, _, _ in pool]).values_list("pk", SEARCHED_TITLE, "text")
    )
    texts = {pk: (title, text) for pk, title, text in rows}
    scored = []
    for pk, score, titles in pool:
        title, text = texts.get(pk, ("", ""))
        folded = gram_text(f"{title}\n{text}")
        made = group_events([[starts(folded, term.text) for term in group] for group in near], near)
        if made is not None:
            score += proximity_bonus(idfs, smallest_gap(*made))
        scored.append((pk, score, titles))
    scored.sort(key=lambda hit: (-hit[2], -hit[1], hit[0]))
    return scored + rest
