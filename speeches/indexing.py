"""Keeping the search index in step with the database.

Indexing is an explicit step, run after the document's transaction commits
(loading.py schedules it with on_commit), never a side effect of each save.
"""

from __future__ import annotations

import logging
import os

from haystack import connections

from .models import Document, Speech
from .search.analysis import warm_up_analysis

log = logging.getLogger(__name__)


def _backend_and_index():
    connection = connections["default"]
    return connection.get_backend(), connection.get_unified_index().get_index(Speech)


def index_document(document_id: int) -> int:
    """(Re)index every speech of one document; returns how many were indexed."""
    backend, index = _backend_and_index()
    speeches = list(index.index_queryset().filter(document_id=document_id))
    backend.replace_document(index, document_id, speeches)
    return len(speeches)


def unindex_document(document_id: int) -> None:
    backend, index = _backend_and_index()
    backend.replace_document(index, document_id, [])


# Above this many speeches a rebuild writes on every core: forked workers segment
# with jieba and write their own segments while this process reads the database
# (speeches.search.segments.build_segments). Below it, start-up is not worth it.
PARALLEL_FROM = 2000
BATCH = 200


def rebuild_index() -> int:
    """Index every speech of every ingested document into a new index beside the
    live one, which it replaces when complete (searches meanwhile see the old one)."""
    backend, index = _backend_and_index()
    pks = list(
        index.index_queryset()
        .filter(document__status=Document.Status.INGESTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    procs = (os.cpu_count() or 1) if len(pks) >= PARALLEL_FROM else 1
    if procs > 1:
        warm_up_analysis(indexing=True)  # forked workers start with every table loaded, once

    def batches():
        for start in range(0, len(pks), BATCH):
            speeches = index.index_queryset().filter(pk__in=pks[start : start + BATCH]).order_by("pk")
            yield [doc for doc in (backend._prepare(index, speech) for speech in speeches) if doc]

    return backend.build(batches(), procs)


def indexed_count() -> int:
    backend, _ = _backend_and_index()
    if not backend.setup_complete:
        backend.setup()
    backend.index = backend.index.refresh()
    return backend.index.doc_count()
