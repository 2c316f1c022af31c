"""Rebuild the archive from the raw files kept in MEDIA_ROOT/raw, e.g. after the database was lost.

Every stored file goes through speeches.loading.ingest_bytes, the same path as an
upload. Public ids survive: the loader reads the id history kept beside each raw
file (speeches.id_history), so a bookmarked /speeches/<id>/ opens the same speech
even when the pipeline changed between the original ingest and the rebuild, and
the ids of merged or removed speeches still redirect or explain.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archive.pending_migrations import require_migrated
from speeches import id_history
from speeches.file_check import raw_files, record_deletion, unrecorded_deletions
from speeches.indexing import rebuild_index
from speeches.loading import LoadResult, ingest_bytes, keep_raw_file, reserve_document_numbers, sha256_of
from speeches.models import Document, SpeechAlias
from speeches.uploads import expand_upload, is_zip, store_piece


@dataclass(frozen=True)
class StoredFile:
    path: Path
    sha256: str
    name: str
    created_at: str
    deleted: bool = False  # an admin deleted its document: not rebuilt (id_history)
    document_id: int | None = None  # the number its page had (/documents/<n>/)


def stored_files() -> list[StoredFile]:
    """The raw files under MEDIA_ROOT/raw, oldest first (by the history's upload time), so
    the first copy of a duplicated speech is canonical again, as it was before."""
    # A document deleted before deletions were recorded in the histories, while the
    # database that knows it is still here (after an upgrade): recorded now, and left out.
    for deletion in unrecorded_deletions():
        record_deletion(deletion.sha256)
    files = []
    for path in raw_files():
        history = id_history.read(path.name)
        name = history.get("original_name") or path.name
        number = history.get("document_id")
        files.append(
            StoredFile(
                path,
                path.name,
                name,
                history.get("created_at") or "",
                bool(history.get("deleted_at")),
                number if isinstance(number, int) else None,
            )
        )
    # Files without a history (stored before ids were recorded) come last, by hash.
    return sorted(files, key=lambda f: (f.created_at == "", f.created_at, f.sha256))


class Command(BaseCommand):
    help = "Re-ingest every raw file kept under MEDIA_ROOT/raw, keeping public speech ids."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="also re-ingest documents already in the database")
        parser.add_argument("--no-index", action="store_true", help="do not rebuild the search index afterwards")
        parser.add_argument(
            "--snapshot",
            action="store_true",
            help="only write the raw file and id history of every document in the database (no re-ingest); "
            "run once for documents ingested before id histories were kept",
        )

    def handle(self, *args, **options):
        require_migrated()
        if options["snapshot"]:
            self.snapshot()
            return
        root = Path(settings.MEDIA_ROOT) / "raw"
        files = stored_files()
        if not files:
            raise CommandError(f"no raw files under {root}")
        # Documents come back under the numbers they had (loading.store_upload); one
        # without a number of its own, or a later upload, is numbered past all of them,
        # a deleted document's included.
        numbers = [stored.document_id for stored in files if stored.document_id]
        if numbers:
            reserve_document_numbers(max(numbers))
        successors: dict[str, str] = {}
        for stored in (stored for stored in files if stored.deleted):
            explained = self.keep_deleted(stored)
            successors |= id_history.deleted_successors(stored.sha256)
            self.stdout.write(f"{stored.name}: deleted by an admin, not rebuilt ({explained} speech ids explained)")
        files = [stored for stored in files if not stored.deleted]
        results = [self.rebuild_one(stored, options["force"]) for stored in files]
        failures = sum(not result.ok for result in results)
        damaged = sum(result.message == "hash mismatch" for result in results)
        # Once the copies are back: a deleted speech's id leads to the copy that survived it.
        for public_id, successor in successors.items():
            SpeechAlias.objects.filter(public_id=public_id, speech=None).update(speech=id_history.successor(successor))
        # Not an error exit: a file that never parsed (a PDF uploaded by mistake) is kept
        # forever and would otherwise fail every rebuild. Each failure is printed above.
        self.stdout.write(f"{len(files) - failures} of {len(files)} files rebuilt, {failures} failed")
        if not options["no_index"]:
            # Documents and speeches got new row ids: entries left in the index from
            # before the loss would point at the wrong rows, so it is rebuilt whole.
            self.stdout.write(f"indexed {rebuild_index()} speeches")
        if damaged:
            # Unlike a file that never parsed, a damaged one is a document lost: an operator
            # (or cron) must hear of it, and restore the file from a backup.
            raise CommandError(f"{damaged} raw file(s) damaged, not rebuilt: restore them from a backup")

    def snapshot(self) -> None:
        count = 0
        for document in Document.objects.ingested().iterator():
            keep_raw_file(bytes(document.raw), document.sha256)
            id_history.write(document.sha256, id_history.snapshot(document))
            count += 1
        self.stdout.write(f"id history written for {count} documents")

    @staticmethod
    def keep_deleted(stored: StoredFile) -> int:
        """A deleted document's ids answer as deleted (410), as they did before: those of its
        speeches and those its re-ingests had already made aliases (merged or removed)."""
        history = id_history.read(stored.sha256)
        kept = history.get("speeches", []) + history.get("aliases", [])
        for entry in kept:
            SpeechAlias.objects.get_or_create(
                public_id=entry["public_id"], defaults={"title": entry.get("title", ""), "reason": "deleted"}
            )
        return len(kept)

    @staticmethod
    def rebuild_zip(stored: StoredFile, raw: bytes) -> LoadResult:
        """A zip is kept whole only when it was refused or left files out (uploads.py);
        its pages are kept as raw files of their own and rebuilt as such. Expanded again
        as the upload was, it is failed with the upload's reason, not as a binary page."""
        pieces = expand_upload(stored.name, raw).pieces
        kept = [piece for piece in pieces if piece.raw == raw]
        if kept:
            return store_piece(kept[0], None, inline_max=0)
        # The limits changed since and the zip now expands whole: its pages, already
        # rebuilt from their own raw files, are ingested again (a no-op for those).
        results = [store_piece(piece, None, inline_max=2**62) for piece in pieces]
        return LoadResult(
            results[0].document_id if results else 0,
            "ingested" if all(r.ok for r in results) else "failed",
            False,
            sum(r.speeches for r in results),
            message=f"压缩包中的 {len(results)} 个文件（pages of the zip）",
        )

    def rebuild_one(self, stored: StoredFile, force: bool) -> LoadResult:
        raw = stored.path.read_bytes()
        if sha256_of(raw) != stored.sha256:
            # A damaged copy must not become a document under another hash.
            line = f"{stored.name} ({stored.path}): damaged, its bytes do not match their hash; skipped"
            self.stdout.write(self.style.ERROR(line))
            return LoadResult(0, "failed", False, message="hash mismatch")
        if is_zip(stored.name, raw):
            result = self.rebuild_zip(stored, raw)
        else:
            result = ingest_bytes(raw, stored.name, force=force)
        line = f"{stored.name}: {result.status} — {result.speeches} speeches. {result.message}"
        self.stdout.write(self.style.ERROR(line) if result.status == "failed" else line)
        return result
