"""Keeping the search index in step with the database.

Indexing is an explicit step, run after the document's transaction commits
(loading.py schedules it with on_commit), never a side effect of each save.
"""

from __future__ import annotations

import logging
import os

from haystack import connections

from .models import Document, Speech

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


# Above this many speeches a rebuild runs Whoosh's writer on every core: each
# process segments with jieba (the slow part) and one merge follows.
PARALLEL_FROM = 2000
BATCH = 500


def rebuild_index() -> int:
    """Clear the index and index every speech of every ingested document again,
    with one writer (STACK-NOTES: a commit per document made the build 10x slower)."""
    backend, index = _backend_and_index()
    backend.clear()
    ids = list(
        index.index_queryset()
        .filter(document__status=Document.Status.INGESTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # multisegment: each process keeps its own segment; merging them in the parent
    # would re-read and rewrite every posting in one process.
    options = {"procs": os.cpu_count() or 1, "batchsize": 200, "multisegment": True, "limitmb": 256}
    options = options if len(ids) >= PARALLEL_FROM else {}
    with backend.writer(**options) as writer:
        for start in range(0, len(ids), BATCH):
            batch = index.index_queryset().filter(pk__in=ids[start : start + BATCH])
            for doc in (backend._prepare(index, speech) for speech in batch):
                if doc:
                    writer.add_document(**doc)
    return len(ids)


def indexed_count() -> int:
    backend, _ = _backend_and_index()
    if not backend.setup_complete:
        backend.setup()
    backend.index = backend.index.refresh()
    return backend.index.doc_count()
