"""The history of a document's public ids, kept as a file beside its raw bytes.

A speech's id is derived from (document hash, ordinal), which survives a database
rebuild only while the pipeline splits the file exactly as before. When the pipeline
changed in between, the ids must be carried over by content instead, and the
content of the speeches the ids named was in the lost database. So whenever a
document is loaded, `MEDIA_ROOT/raw/ab/<sha>.ids.json` records each id with the
speech's fingerprint and text, and every alias (merged/removed id) with the text it
named, so that the text coming back takes its id back also after a rebuild. The loader
reads it when the database has no speeches for the document (see loading._old_speeches)
and brings the aliases back; `manage.py rebuild_from_raw` relies on both.

File format (version 1):
    {"version": 1, "sha256": "...", "document_id": n (its /documents/<n>/), "original_name": "...", "created_at": "ISO",
     "speeches": [{"public_id", "ordinal", "fingerprint", "title", "text"}],
     "aliases": [{"public_id", "successor" (id or null), "title", "reason",
                  "ordinal", "fingerprint", "text" (of the speech the id named; absent
                  in histories written before aliases kept their text)}],
     "deleted_at": "ISO" (only once an admin deleted the document; then a speech
                  whose copy another document keeps has "successor": that copy's id)}
"""

from __future__ import annotations

import json
import logging
from functools import partial
from pathlib import Path

from django.db import transaction

from .ingest.continuity import OldSpeech
from .models import Document, Speech, SpeechAlias
from .raw_files import raw_path, write_atomically

log = logging.getLogger(__name__)
VERSION = 1


def history_path(sha256: str) -> Path:
    return raw_path(sha256).with_name(f"{sha256}.ids.json")


def read(sha256: str) -> dict:
    """The stored history, or an empty one. A damaged file is logged, not fatal:
    ids then fall back to being derived from the hash and position."""
    path = history_path(sha256)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        log.warning("unreadable id history %s: %s", path, error)
        return {}
    return data if isinstance(data, dict) and data.get("version") == VERSION else {}


def previous_speeches(sha256: str) -> list[OldSpeech]:
    """The speeches the ids last named, and the aliases whose text is known (retired ids
    that content coming back takes again)."""
    data = read(sha256)
    old = [_old_speech(s) for s in data.get("speeches", [])]
    return old + [_old_speech(a, retired=True) for a in data.get("aliases", []) if a.get("text")]


def _old_speech(entry: dict, retired: bool = False) -> OldSpeech:
    return OldSpeech(
        entry["public_id"],
        entry.get("fingerprint", ""),
        entry.get("text", ""),
        entry.get("ordinal") or 0,
        entry.get("title", ""),
        retired=retired,
    )


def alias_ids(sha256: str) -> frozenset[str]:
    """The alias ids the history knows: never handed to other content."""
    return frozenset(a["public_id"] for a in read(sha256).get("aliases", []))


def snapshot(document: Document) -> dict:
    """What the database says now, merged with aliases the file knew and the database lost."""
    speeches = list(document.speeches.order_by("ordinal"))
    aliases = {
        a.public_id: {
            "public_id": a.public_id,
            "successor": a.speech.public_id if a.speech_id else None,
            "title": a.title,
            "reason": a.reason,
            "ordinal": a.ordinal,
            "fingerprint": a.fingerprint,
            "text": a.text,
        }
        for a in SpeechAlias.objects.filter(document=document).select_related("speech")
    }
    live = {s.public_id for s in speeches}
    for alias in read(document.sha256).get("aliases", []):
        if alias["public_id"] not in aliases and alias["public_id"] not in live:
            aliases[alias["public_id"]] = alias
    return {
        "version": VERSION,
        "sha256": document.sha256,
        "document_id": document.pk,
        "original_name": document.original_name,
        "created_at": document.created_at.isoformat() if document.created_at else None,
        "speeches": [
            {
                "public_id": s.public_id,
                "ordinal": s.ordinal,
                "fingerprint": s.fingerprint,
                "title": s.title,
                "text": s.text,
            }
            for s in speeches
        ],
        "aliases": sorted(aliases.values(), key=lambda a: a["public_id"]),
    }


def write(sha256: str, data: dict) -> Path:
    path = history_path(sha256)
    # Atomic: a crash never leaves half a history, nor two writers one another's.
    write_atomically(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    return path


def mark_deleted_on_commit(document: Document, deleted_at: str, successors: dict[str, str] | None = None) -> None:
    """Once a document's deletion commits, its history says so: the raw bytes stay (nothing
    uploaded is lost), but `rebuild_from_raw` must not bring the document back. A speech
    whose copy another document keeps names that copy (`successors`, id to id), as do the
    aliases that led to it: after a rebuild, its id leads there again (301), not to 410."""
    successors = successors or {}
    data = {**(read(document.sha256) or snapshot(document)), "document_id": document.pk, "deleted_at": deleted_at}
    data["speeches"] = [
        {**entry, "successor": successors.get(entry["public_id"])} for entry in data.get("speeches", [])
    ]
    data["aliases"] = [
        {**alias, "successor": successors.get(alias.get("successor"), alias.get("successor"))}
        for alias in data.get("aliases", [])
    ]
    transaction.on_commit(partial(write, document.sha256, data))


def deleted_successors(sha256: str) -> dict[str, str]:
    """A deleted document's ids that lead to a copy another document keeps (id to id)."""
    data = read(sha256)
    entries = data.get("speeches", []) + data.get("aliases", [])
    return {entry["public_id"]: entry["successor"] for entry in entries if entry.get("successor")}


def save_unless_current(document: Document) -> None:
    """save_on_commit, unless the history already names this live document: written
    when it is missing, names another number, or says the document was deleted (the same
    file in the archive again after its removal: file_check reported it for ever)."""
    data = read(document.sha256)
    if data.get("document_id") != document.pk or data.get("deleted_at"):
        save_on_commit(document)


def save_on_commit(document: Document) -> None:
    """Snapshot inside the loading transaction, write only once it committed: a rolled
    back load must not leave a history naming ids that were never public."""
    transaction.on_commit(partial(write, document.sha256, snapshot(document)))


def restore_aliases(document: Document) -> int:
    """Bring back the aliases the history knows and the database lacks (after a rebuild)."""
    kept = read(document.sha256).get("aliases", [])
    ids = [a["public_id"] for a in kept]
    known = set(SpeechAlias.objects.filter(public_id__in=ids).values_list("public_id", flat=True))
    known |= set(Speech.objects.filter(public_id__in=ids).values_list("public_id", flat=True))
    restored = 0
    for alias in kept:
        public_id = alias["public_id"]
        if public_id in known:
            continue
        SpeechAlias.objects.create(
            public_id=public_id,
            speech=successor(alias.get("successor")),
            document=document,
            title=alias.get("title", ""),
            reason=alias.get("reason") or "removed",
            text=alias.get("text", ""),
            fingerprint=alias.get("fingerprint", ""),
            ordinal=alias.get("ordinal"),
        )
        restored += 1
    _fill_alias_titles(document)
    return restored


def successor(public_id: str | None) -> Speech | None:
    """The speech an alias pointed at, following one more alias if that one moved too."""
    if not public_id:
        return None
    speech = Speech.objects.filter(public_id=public_id).first()
    if speech is None:
        speech = Speech.objects.filter(aliases__public_id=public_id).first()
    return speech


def _fill_alias_titles(document: Document) -> None:
    # Orphans found while loading from the history have no database row to take a
    # title from; the history remembers what the speech was called.
    titles = {s["public_id"]: s.get("title", "") for s in read(document.sha256).get("speeches", [])}
    for alias in SpeechAlias.objects.filter(document=document, title=""):
        if titles.get(alias.public_id):
            alias.title = titles[alias.public_id]
            alias.save(update_fields=["title"])
