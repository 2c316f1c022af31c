"""Does the search index agree with the database? (`manage.py check_index [--fix]`)

The postgres engine writes its rows in the speeches' own transaction, so only rows
changed outside `speeches.loading` can leave it behind. The Whoosh engine is updated
after each commit, one writer at a time, and an update can still be missed: the
index was busy past the lock timeout (recorded on the document as "索引待更新"), the
process died between commit and index, or rows were changed outside the loader. This compares, per source document, the public ids the
index holds with the speeches the database holds, each entry's title and what it was
made from (analysis.source_digest of its title and text) with the speech's, and
whether the entry is whole (the postgres engine's rows), and repairs a document by
replacing all its entries in one commit (`indexing.index_document`).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Q, TextField, Value
from django.db.models.functions import MD5, Concat

from .indexing import index_document, unindex_document
from .locks import IndexBusy
from .models import LIVE_STATUSES, SEARCHED_TITLE, Document, PendingRemoval, Speech
from .search.engine import Entry, engine

log = logging.getLogger(__name__)

# The prefix the Whoosh engine (speeches.search.whoosh) writes into Document.error when the index was busy.
PENDING_MARK = "索引待更新"


@dataclass
class Mismatch:
    document_id: int
    missing: set[str] = field(default_factory=set)  # in the database, not in the index
    extra: set[str] = field(default_factory=set)  # in the index, not a speech of this document
    repeated: set[str] = field(default_factory=set)  # indexed more than once
    stale: set[str] = field(default_factory=set)  # indexed from another title or text than the database's
    incomplete: set[str] = field(default_factory=set)  # some of its entry's parts are missing

    def describe(self) -> str:
        parts = [
            f"{label} {len(ids)} ({', '.join(sorted(ids)[:5])})"
            for label, ids in (
                ("missing", self.missing),
                ("extra", self.extra),
                ("repeated", self.repeated),
                ("stale", self.stale),
                ("incomplete", self.incomplete),
            )
            if ids
        ]
        return f"document {self.document_id}: " + "; ".join(parts)


def indexed_entries() -> dict[int, list[Entry]]:
    """Every index entry (speeches.search.engine.Entry), by source document id."""
    return engine().entries()


def database_entries() -> dict[int, dict[str, tuple[str, str]]]:
    """public_id → (title as search reads it, analysis.source_digest of that title and
    the text) of the speeches that should be indexed: those of documents in the archive
    or waiting to be parsed again (models.LIVE_STATUSES). The digest is computed by the
    database (md5(); Django gives SQLite one), so no text crosses to Python."""
    expected: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    rows = Speech.objects.filter(document__status__in=LIVE_STATUSES).values_list(
        "document_id",
        "public_id",
        SEARCHED_TITLE,
        MD5(Concat(SEARCHED_TITLE, Value("\n"), F("text"), output_field=TextField())),
    )
    for document_id, public_id, title, source in rows.iterator():
        expected[document_id][public_id] = (title, source)
    return expected


def find_mismatches() -> list[Mismatch]:
    indexed, expected = indexed_entries(), database_entries()
    found = []
    for document_id in sorted(set(indexed) | set(expected)):
        mismatch = compare(document_id, indexed.get(document_id, []), expected.get(document_id, {}))
        if mismatch.missing or mismatch.extra or mismatch.repeated or mismatch.stale or mismatch.incomplete:
            found.append(mismatch)
    return found


def compare(document_id: int, indexed: list[Entry], expected: dict[str, tuple[str, str]]) -> Mismatch:
    counts = Counter(entry.public_id for entry in indexed)
    held = {entry.public_id: entry for entry in indexed}
    both = [public_id for public_id in expected if public_id in held]
    return Mismatch(
        document_id,
        missing=set(expected) - set(counts),
        extra=set(counts) - set(expected),
        repeated={public_id for public_id, n in counts.items() if n > 1},
        stale={p for p in both if (held[p].title, held[p].source) != expected[p]},
        incomplete={p for p in both if not held[p].complete},
    )


def repair(mismatches: list[Mismatch]) -> int:
    """Re-index each document that disagrees (or remove its entries when it is not ingested)."""
    for mismatch in mismatches:
        repair_document(mismatch.document_id)
    return len(mismatches)


def repair_document(document_id: int) -> None:
    # A document waiting to be parsed again keeps its speeches searchable (LIVE_STATUSES).
    if Document.objects.filter(pk=document_id, status__in=LIVE_STATUSES).exists():
        index_document(document_id)
    else:
        unindex_document(document_id)
    clear_pending(Q(pk=document_id))
    PendingRemoval.objects.filter(document_id=document_id).delete()


def retry_pending() -> int:
    """Index updates deferred because the index was busy: retried by the worker. The
    entries of removed documents too (models.PendingRemoval)."""
    pending = list(Document.objects.filter(error__startswith=PENDING_MARK).values_list("pk", flat=True))
    removed = list(PendingRemoval.objects.values_list("document_id", flat=True))
    for document_id in pending + removed:
        try:
            repair_document(document_id)
        except IndexBusy as error:
            # Busy, or in another version's format until `reindex`: the marks stay, and the
            # worker's round goes on (it raised every round, its results unprinted).
            log.warning("deferred index updates left pending: %s", error)
            return 0
    return len(pending) + len(removed)


def clear_pending(condition: Q) -> None:
    Document.objects.filter(condition, error__startswith=PENDING_MARK).update(error="")
