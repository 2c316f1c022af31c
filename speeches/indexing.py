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
# process segments with jieba and writes its own segment (multisegment: merging
# them in the parent would re-read and rewrite every posting in one process).
PARALLEL_FROM = 2000
# Characters of text each writer process takes per commit. Whoosh keeps a
# segment's postings in memory up to limitmb and beyond it pickles them to
# temporary runs one by one (a quarter of the build time when it did). About one
# posting per character at ~150 bytes each by Whoosh's own estimate: 5 million
# characters (15 MB of Chinese text) stay under LIMIT_MB, so nothing spills and
# memory stays bounded however large the archive grows.
CHARS_PER_PROCESS = 5_000_000
LIMIT_MB = 1024
BATCH = 500


def rebuild_index() -> int:
    """Index every speech of every ingested document into a new index beside the
    live one, which it replaces when complete (searches meanwhile see the old one)."""
    backend, index = _backend_and_index()
    rows = list(
        index.index_queryset()
        .filter(document__status=Document.Status.INGESTED)
        .order_by("pk")
        .values_list("pk", "char_count")
    )
    procs = (os.cpu_count() or 1) if len(rows) >= PARALLEL_FROM else 1
    options = {"limitmb": LIMIT_MB}
    if procs > 1:
        options.update(procs=procs, batchsize=100, multisegment=True)
    with backend.building() as open_writer:
        for chunk in _chunks(rows, procs * CHARS_PER_PROCESS):
            with open_writer(**options) as writer:
                for start in range(0, len(chunk), BATCH):
                    batch = index.index_queryset().filter(pk__in=chunk[start : start + BATCH])
                    for doc in (backend._prepare(index, speech) for speech in batch):
                        if doc:
                            writer.add_document(**doc)
    return len(rows)


def _chunks(rows: list[tuple[int, int]], max_chars: int) -> list[list[int]]:
    chunks, current, size = [], [], 0
    for pk, chars in rows:
        if current and size + (chars or 0) > max_chars:
            chunks.append(current)
            current, size = [], 0
        current.append(pk)
        size += chars or 0
    return chunks + [current] if current else chunks


def indexed_count() -> int:
    backend, _ = _backend_and_index()
    if not backend.setup_complete:
        backend.setup()
    backend.index = backend.index.refresh()
    return backend.index.doc_count()
