"""The Whoosh engine (through django-haystack): the embedded default of `make run`.

It keeps speeches.search.engine's contract:
- backend.py: haystack's Whoosh backend, subclassed (schema, bounded write lock,
  rebuild beside the live index, haystack's clear refused);
- fields.py: jieba word and character-bigram fields;
- view.py: matching terms as strings, copies collapsed, exact facets, one page;
- docsets.py: sets of document numbers as sorted arrays (view's and ranking's);
- ranking.py: relevance;
- internals.py: the only module that touches Whoosh's or haystack's internals.
"""

from __future__ import annotations

import logging
import os
from functools import partial

from django.db import transaction
from django.db.models import Q
from haystack import connections

from ...locks import IndexBusy
from ...models import LIVE_STATUSES, Document, PendingRemoval, Speech
from ..analysis import warm_up_analysis
from ..engine import FACETS, Answer, Entry, Query
from .view import TIE_COLUMN

# Above this many speeches a rebuild writes on every core: forked workers segment
# with jieba and write their own segments while this process reads the database
# (internals.build_segments). Below it, start-up is not worth it.
PARALLEL_FROM = 2000
BATCH = 200
log = logging.getLogger(__name__)


def _backend_and_index():
    connection = connections["default"]
    return connection.get_backend(), connection.get_unified_index().get_index(Speech)


class WhooshEngine:
    name = "whoosh"

    def documents_changed(self, document_ids: set[int]) -> None:
        """The index lives beside the database: it is updated after the commit, one
        document at a time (index_after_commit). Until then the documents carry a mark,
        written in the transaction that changed them: a process that dies between the
        commit and the index (gunicorn's timeout, SIGTERM) leaves the mark behind, and
        the worker completes the update (index_check.retry_pending)."""
        from ...index_check import PENDING_MARK

        Document.objects.filter(pk__in=document_ids).update(error=f"{PENDING_MARK}（index update pending）")
        # A removed document has no row to carry the mark: its number is kept apart.
        gone = set(document_ids) - set(Document.objects.filter(pk__in=document_ids).values_list("pk", flat=True))
        PendingRemoval.objects.bulk_create(
            [PendingRemoval(document_id=document_id) for document_id in sorted(gone)], ignore_conflicts=True
        )
        for document_id in sorted(document_ids):
            transaction.on_commit(partial(self.index_after_commit, document_id))

    def index_after_commit(self, document_id: int) -> None:
        """A busy index is recorded on the document, not raised: the database is already
        right, the worker retries (index_check.retry_pending) and `manage.py check_index
        --fix` repairs the index. A removed document's entries left behind are found
        by check_index too. So is any other failure of the index (a full disk, a
        read-only folder): raised here, after the commit, it made the admin's upload a
        server error with no report, and the files after it in the same upload were
        never stored."""
        from ...index_check import PENDING_MARK, clear_pending

        try:
            self.index_document(document_id)
        except IndexBusy as error:
            log.warning("index update for document %s deferred: %s", document_id, error)
            Document.objects.filter(pk=document_id).update(error=f"{PENDING_MARK}（index update pending）: {error}")
        except Exception as error:
            log.exception("index update for document %s failed", document_id)
            reason = f"{PENDING_MARK}（index update failed）: {type(error).__name__}: {error}"[:500]
            Document.objects.filter(pk=document_id).update(error=reason)
        else:
            clear_pending(Q(pk=document_id))
            PendingRemoval.objects.filter(document_id=document_id).delete()

    def index_document(self, document_id: int) -> int:
        """(Re)index every speech of one document in one commit; returns how many."""
        backend, index = _backend_and_index()
        speeches = list(index.index_queryset().filter(document_id=document_id))
        backend.replace_document(index, document_id, speeches)
        return len(speeches)

    def remove_document(self, document_id: int) -> None:
        backend, index = _backend_and_index()
        backend.replace_document(index, document_id, [])

    def answer(self, query: Query) -> Answer:
        view = connections["default"].get_backend().view()
        found = view.search(
            query.tree, query.filters, query.facets, sort=query.sort, offset=query.offset, limit=query.limit
        )
        if not found.count and not view.size() and Speech.objects.filter(document__status__in=LIVE_STATUSES).exists():
            # No index at all beside an archive of speeches: an engine switched to Whoosh
            # before `reindex`, or an index folder lost. Every search said 没有找到.
            raise IndexBusy("the search index is empty; run manage.py reindex")
        return found

    def rebuild(self) -> int:
        """Index every speech of every ingested document into a new index beside the
        live one, which it replaces when complete (searches meanwhile see the old one)."""
        backend, index = _backend_and_index()
        ingested = index.index_queryset().filter(document__status__in=LIVE_STATUSES)
        procs = (os.cpu_count() or 1) if ingested.count() >= PARALLEL_FROM else 1
        if procs > 1:  # forked workers start with every table loaded, once
            warm_up_analysis(indexing=True)

        def batches():
            # Which speeches to index is read here, once the build holds the index's write
            # lock (backend.building): an upload committed before this read is in it, and one
            # committed after waits for the lock and updates the new index. Read before the
            # lock, an upload indexed in between went into the old index and was lost with
            # it at the swap (test_rebuild.py reproduces it).
            pks = list(ingested.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH):
                speeches = index.index_queryset().filter(pk__in=pks[start : start + BATCH]).order_by("pk")
                yield [doc for doc in (backend.prepare(index, speech) for speech in speeches) if doc]

        return backend.build(batches(), procs)

    def entries(self) -> dict[int, list[Entry]]:
        """Every index entry, by source document id: one per speech, whole or absent
        (an entry written before its source was stored holds "")."""
        backend = self._fresh_backend()
        entries: dict[int, list[Entry]] = {}
        with backend.index.searcher() as searcher:
            for stored in searcher.all_stored_fields():
                document = str(stored.get("document") or "0")
                key = int(document) if document.isdigit() else 0
                entry = Entry(stored.get("public_id", ""), stored.get("title", ""), stored.get("source", ""))
                entries.setdefault(key, []).append(entry)
        return entries

    def indexed_count(self) -> int:
        return self._fresh_backend().index.doc_count()

    def forget_cached_results(self) -> None:
        connections["default"].get_backend().forget_cached_results()

    def warm_up(self) -> None:
        """Open the index and read what every search reads: each facet field's values
        and their documents, the columns a page is ranked and ordered by. Browsing every
        speech with every facet does it (no term is read). At 100,000 speeches a
        worker's first search spent 0.5-0.9 s there. A missing, old or busy index is
        left to the first search, which says what is wrong."""
        try:
            self.answer(Query(None, {}, FACETS, limit=1))
        except Exception as error:  # noqa: BLE001 - a worker starts whatever the index's state
            log.warning("search index not warmed up: %s", error)

    def describe(self) -> str:
        backend = self._fresh_backend()
        text = f"Whoosh, index folder {backend.path}"
        with backend.index.searcher() as searcher:
            leaves = [leaf.reader() for leaf, _ in searcher.leaf_searchers()]
            before = sum(1 for reader in leaves if reader.doc_count() and not reader.has_column(TIE_COLUMN))
        if before:
            # view.IndexView.tie_order: their speeches' ties fall back to document order.
            text += (
                f"; {before} of {len(leaves)} segments were written before equal scores were ordered by speech"
                f" ({TIE_COLUMN}): run `manage.py reindex`"
            )
        return text

    def format_problem(self) -> str:
        return connections["default"].get_backend().format_problem()

    @staticmethod
    def _fresh_backend():
        backend = connections["default"].get_backend()
        if not backend.setup_complete:
            backend.setup()
        backend.index = backend.index.refresh()
        return backend
