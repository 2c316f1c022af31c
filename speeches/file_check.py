"""The files kept beside the database (raw_files.py, id_history.py), checked against it.

Each is written outside the database's transaction: the raw copy before it (a folder
that cannot be written is logged, not fatal: the database keeps the bytes), the id
history after its commit. A crash, a full disk or a read-only folder in between leaves
a document without them, and nothing said so until the database was lost and
`rebuild_from_raw` brought the document back under another number and its hash for a
name. `manage.py check_index` reports them; `--fix` writes them from the database.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Max

from . import id_history
from .models import Document, Speech, SpeechAlias
from .raw_files import keep_raw_file, raw_path

log = logging.getLogger(__name__)


# Raw files are named by their sha256; the id histories and temporary files beside them are not.
RAW_NAME = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class MissingFile:
    document_id: int | None
    what: str  # "raw copy", "id history", or "deletion" (a deleted document's history that does not say so)
    why: str
    sha256: str = ""

    def describe(self) -> str:
        if self.what == "deletion":
            return f"deleted document {self.document_id or self.sha256[:12]}: id history {self.why}"
        return f"document {self.document_id}: {self.what} {self.why}"


def history_problem(document: Document, speech_ids: set[str] | None) -> str:
    """What is wrong with the document's id history ("" when nothing is). `speech_ids`:
    its speeches' ids, for an ingested document."""
    data = id_history.read(document.sha256)
    if not data:
        return "missing or unreadable"
    if data.get("deleted_at"):
        # The same file uploaded again after its removal: a rebuild from the raw files
        # would leave this live document out.
        return "says the document was deleted"
    if data.get("document_id") != document.pk:
        return f"names document {data.get('document_id')}"
    if speech_ids is not None and {entry.get("public_id") for entry in data.get("speeches", [])} != speech_ids:
        return "names other speeches than the database's"
    return ""


# A queued or pending document has no history yet (its ingest writes it): only these are checked.
CHECKED = (Document.Status.INGESTED, Document.Status.FAILED)


def find_missing_files() -> list[MissingFile]:
    speech_ids: dict[int, set[str]] = defaultdict(set)
    ingested = Speech.objects.filter(document__status=Document.Status.INGESTED)
    for document_id, public_id in ingested.values_list("document_id", "public_id").iterator():
        speech_ids[document_id].add(public_id)
    found = []
    for document in Document.objects.defer("raw").order_by("pk").iterator():
        path = raw_path(document.sha256)
        try:
            size = path.stat().st_size
        except OSError:
            found.append(MissingFile(document.pk, "raw copy", f"missing ({path})"))
        else:
            if size != document.size:
                found.append(MissingFile(document.pk, "raw copy", f"is {size} bytes, not {document.size} ({path})"))
        if document.status in CHECKED:
            ids = speech_ids.get(document.pk, set()) if document.status == Document.Status.INGESTED else None
            problem = history_problem(document, ids)
            if problem:
                found.append(MissingFile(document.pk, "id history", problem))
    return found + unrecorded_deletions()


def raw_files() -> list[Path]:
    """The raw files kept under MEDIA_ROOT/raw, by name."""
    root = Path(settings.MEDIA_ROOT) / "raw"
    return [path for path in sorted(root.glob("??/*")) if RAW_NAME.match(path.name)]


def unrecorded_deletions() -> list[MissingFile]:
    """Raw files of documents an admin deleted before deletions were written into the id
    histories (id_history.mark_deleted_on_commit): no document holds the file, and every
    id its history names answers 410 as deleted. Nothing else told `rebuild_from_raw`
    so, and it brought such a document back, public and searchable again, after an
    upgrade whose check named `rebuild_from_raw` for the archive's older documents."""
    held = set(Document.objects.values_list("sha256", flat=True))
    found = []
    for path in raw_files():
        if path.name in held:
            continue
        history = id_history.read(path.name)
        if not history or history.get("deleted_at"):
            continue
        ids = {entry.get("public_id") for entry in history.get("speeches", [])}
        if ids and SpeechAlias.objects.filter(public_id__in=ids, reason="deleted").count() == len(ids):
            number = history.get("document_id")
            why = "does not say its document was deleted (its speech ids answer 410)"
            found.append(MissingFile(number if isinstance(number, int) else None, "deletion", why, path.name))
    return found


def record_deletion(sha256: str) -> None:
    """Write into the history that its document was deleted, when its ids were retired."""
    history = id_history.read(sha256)
    ids = {entry.get("public_id") for entry in history.get("speeches", [])}
    when = SpeechAlias.objects.filter(public_id__in=ids).aggregate(at=Max("created_at"))["at"]
    id_history.write(sha256, {**history, "deleted_at": when.isoformat() if when else "unknown"})


def write_missing_files(missing: list[MissingFile]) -> None:
    for deletion in (m for m in missing if m.what == "deletion"):
        record_deletion(deletion.sha256)
    for document_id in sorted({m.document_id for m in missing if m.what != "deletion"}):
        document = Document.objects.get(pk=document_id)
        wanted = {m.what for m in missing if m.document_id == document_id}
        if "raw copy" in wanted:
            raw_path(document.sha256).unlink(missing_ok=True)
            keep_raw_file(bytes(document.raw), document.sha256)
        if "id history" in wanted:
            id_history.write(document.sha256, id_history.snapshot(document))
