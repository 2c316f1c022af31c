"""Keeping the search index in step with the database, through the search engine
(speeches.search.engine).

Indexing is an explicit step, never a side effect of each save: speeches.loading
tells the engine which documents changed inside the transaction that changed them,
and the engine writes there (postgres) or after the commit (whoosh).
"""

from __future__ import annotations

from .engine_state import holds_every_change, took_changes
from .search.engine import engine

# Why haystack's clear_index and rebuild_index are refused (speeches/management/commands/
# clear_index.py, and the Whoosh backend's clear() for any other caller).
CLEAR_REFUSED = (
    "Refusing to clear the live search index: run `manage.py reindex`, which builds "
    "a new index beside the live one and swaps it in when complete."
)


def documents_changed(document_ids: set[int]) -> None:
    """Call inside the transaction that changed or removed these documents' speeches."""
    took_changes()
    engine().documents_changed(set(document_ids))


# A repair (check_index --fix, the admin's 重建索引, a retried pending update) changes no
# speech: the change it catches up with was recorded by documents_changed when it was
# made. Recording one here told every other engine it had missed a change, and
# switching to it asked for a `reindex` that had nothing to do.
def index_document(document_id: int) -> int:
    """(Re)index every speech of one document; returns how many were indexed."""
    return engine().index_document(document_id)


def unindex_document(document_id: int) -> None:
    engine().remove_document(document_id)


def rebuild_index() -> int:
    """Rebuild the whole index beside the live one (searches meanwhile see the old one)."""
    count = engine().rebuild()
    holds_every_change()
    return count


def indexed_count() -> int:
    return engine().indexed_count()
