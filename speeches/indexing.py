"""Keeping the search index in step with the database.

Indexing is an explicit step, run after the document's transaction commits
(loading.py schedules it with on_commit), never a side effect of each save.
"""

from __future__ import annotations

import logging

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


def rebuild_index() -> int:
    """Clear the index and index every ingested document again."""
    backend, index = _backend_and_index()
    backend.clear()
    total = 0
    for document_id in Document.objects.ingested().values_list("id", flat=True):
        total += index_document(document_id)
    return total


def indexed_count() -> int:
    backend, _ = _backend_and_index()
    if not backend.setup_complete:
        backend.setup()
    backend.index = backend.index.refresh()
    return backend.index.doc_count()
