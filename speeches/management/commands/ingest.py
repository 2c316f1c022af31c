"""Ingest scraped pages into the archive (the same code path as the admin upload).

With several files, pages are parsed ahead on `--jobs` worker processes
(pipeline.parse_many) while this process stores them one by one, in order, through
loading.ingest_bytes: the database sees exactly the sequence of a one-process run.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from collections import deque
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from archive.pending_migrations import require_migrated
from speeches.ingest import IngestError, ParsedDocument
from speeches.ingest.pipeline import parse_many
from speeches.loading import SETTLED_NOW, ingest_bytes, lower_priority
from speeches.models import Document
from speeches.uploads import Piece, expand_upload, is_zip, store_piece

# tqdm's monitor thread (it tunes refresh rates) would leave parse_many a process with two
# threads, which it must not fork: it would start fresh interpreters instead, each loading
# every table again (seconds each, for nothing).
tqdm.monitor_interval = 0

# What a folder is walked for: pages, and zips of pages (expanded as an upload's are).
SUFFIXES = {".txt", ".html", ".htm", ".zip"}


def _systems_own(name: str) -> bool:
    """A file an operating system keeps beside the pages: macOS's resource forks (._*)
    and folder settings, Windows' thumbnails and hidden files that are no page."""
    return (
        name.startswith("._")
        or name in ("Thumbs.db", "desktop.ini")
        or (name.startswith(".") and Path(name).suffix.lower() not in SUFFIXES)
    )


def expand_paths(patterns: list[str]) -> tuple[list[Path], list[Path]]:
    """Files, folders (their pages and zips) and globs, in a stable order; and the other
    files the folders hold, left out (a PDF beside the pages), for the command to name."""
    found: list[Path] = []
    skipped: list[Path] = []
    for pattern in patterns:
        matches = [Path(p) for p in sorted(glob.glob(pattern, recursive=True))] or [Path(pattern)]
        for path in matches:
            if path.is_dir():
                # Hidden files are never ingested. A system's (.DS_Store; macOS's ._page.txt
                # beside each page.txt copied from a Mac) go unnamed; another hidden page
                # is named among those left out (a .hidden_speech.txt was passed over
                # without a word).
                inside = sorted(p for p in path.rglob("*") if p.is_file() and not _systems_own(p.name))
                found.extend(p for p in inside if p.suffix.lower() in SUFFIXES and not p.name.startswith("."))
                skipped.extend(
                    p
                    for p in inside
                    if p.suffix.lower() not in SUFFIXES
                    and not p.name.startswith(".")
                    or p.suffix.lower() in SUFFIXES
                    and p.name.startswith(".")
                )
            elif path.is_file():
                found.append(path)
            else:
                raise CommandError(f"{pattern}: no such file or folder")
    if not found:
        # A folder of PDFs, or an empty one, ingested nothing and said nothing (exit 0).
        others = f" ({len(skipped)} other files, such as {skipped[0].name})" if skipped else ""
        raise CommandError(f"no pages (.txt, .html, .htm) or zips of pages found in {' '.join(patterns)}{others}")
    return list(dict.fromkeys(found)), skipped


# Below this many bytes to parse, --jobs defaults to 1: parsing a few MB takes seconds,
# storing and indexing them most of an ingest (bench/RESULTS.md, "ingest"), and on 2
# cores a worker takes its CPU from this process's storing and indexing. (Workers are
# forked after this process has loaded its tables, so they start in milliseconds.)
PARALLEL_FROM_BYTES = 8_000_000


def default_jobs(paths: list[Path]) -> int:
    if sum(path.stat().st_size for path in paths) < PARALLEL_FROM_BYTES:
        return 1
    # Parsing is CPU-bound pure Python: more workers than cores only compete for them.
    return max(1, min(2, os.cpu_count() or 1))


def already_settled(shas: list[str]) -> set[str]:
    """Pages ingest_bytes will not parse without --force (already in the archive as this
    pipeline parsed them, or waiting for the upload worker): parsing them ahead would be wasted."""
    found: set[str] = set()
    for start in range(0, len(shas), 500):  # SQLite caps the number of query parameters
        batch = shas[start : start + 500]
        found.update(Document.objects.filter(SETTLED_NOW, sha256__in=batch).values_list("sha256", flat=True))
    return found


def to_parse_ahead(paths: list[Path], force: bool) -> list[Path]:
    """The files worth parsing in workers: not settled (see above), not over the size
    ingest_bytes refuses, and each content once."""
    shas: dict[Path, str] = {}
    for path in paths:
        if path.stat().st_size <= settings.INGEST_MAX_BYTES:
            shas[path] = hashlib.sha256(path.read_bytes()).hexdigest()
    skip = set() if force else already_settled(list(dict.fromkeys(shas.values())))
    first = {}
    for path, sha in shas.items():
        if sha not in skip:
            first.setdefault(sha, path)
    return list(first.values())


class Command(BaseCommand):
    help = "Decode, restore, split, classify, store and index scraped pages. PATH may be a file, folder or glob."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or glob patterns")
        parser.add_argument("--report", action="store_true", help="print what the pipeline would do; write nothing")
        parser.add_argument(
            "--force", action="store_true", help="re-ingest files already in the archive (keeps public ids)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="worker processes parsing pages ahead when given several files (1: parse in this process); "
            f"default: 2 on 2+ cores when there are {PARALLEL_FROM_BYTES // 1_000_000} MB or more to parse, else 1",
        )

    def handle(self, *args, **options):
        lower_priority()
        paths, skipped = expand_paths(options["paths"])
        self.verbosity = options["verbosity"]
        if skipped:
            names = ", ".join(path.name for path in skipped[:5]) + (", …" if len(skipped) > 5 else "")
            self.stderr.write(f"left out {len(skipped)} files that are hidden or neither pages nor zips: {names}")
        if options["report"]:  # writes nothing and reads no table: no database needed
            self.report(paths, options)
            return
        require_migrated()
        failures = stored = 0
        # In path order, so parse_many's results come back in the order they are loaded.
        ahead = to_parse_ahead(paths, options["force"]) if len(paths) > 1 and options["jobs"] != 1 else []
        ahead = [path for path in ahead if not is_zip(path.name, b"")]
        if self.jobs(options, ahead) == 1:
            ahead = []  # ingest_bytes parses each page, as it always did
        wanted = set(ahead)
        bar = tqdm(paths, unit="file", disable=options["no_progress"] or len(paths) < 2, file=self.stderr)
        with closing(parse_many((path.read_bytes() for path in ahead), self.jobs(options, ahead))) as results:
            for path in bar:
                bar.set_description(path.name[:30])
                if is_zip(path.name, b""):
                    # A zip is expanded as the admin's upload expands it: each page a
                    # document, the zip kept whole when it leaves files out (uploads.py).
                    for piece in expand_upload(path.name, path.read_bytes()).pieces:
                        result = store_piece(piece, None, inline_max=2**62)
                        failures += result.status == "failed"
                        stored += 1
                        line = f"{piece.name}: {result.status} — {result.speeches} speeches · {result.message}"
                        bar.write(self.style.ERROR(line) if result.status == "failed" else line, file=self.stdout)
                    continue
                parsed = next(results) if path in wanted else None
                # A page parsed ahead is stored as parsed; any other (or one whose parse
                # failed in a worker) is parsed by ingest_bytes itself, as with --jobs 1,
                # so a failure is recorded and reported the same way.
                ready = parsed if isinstance(parsed, ParsedDocument) else None
                result = ingest_bytes(path.read_bytes(), path.name, force=options["force"], parsed=ready)
                failures += result.status == "failed"
                stored += 1
                line = f"{path.name}: {result.status} — {result.speeches} speeches, {result.duplicates} duplicates · {result.message}"
                bar.write(self.style.ERROR(line) if result.status == "failed" else line, file=self.stdout, end="")
        if failures:
            # Of the files stored, a zip's pages each one (and the zip itself when kept whole).
            raise CommandError(f"{failures} of {stored} files failed")

    def report(self, paths: list[Path], options: dict) -> None:
        """What ingest would store, written nowhere: a zip's pages one by one, and the zip
        when it would be kept whole, as ingest expands it (uploads.expand_upload)."""
        pieces: deque[Piece] = deque()

        def pages() -> Iterator[bytes]:
            for path in paths:
                for piece in expand_upload(path.name, path.read_bytes()).pieces:
                    pieces.append(piece)
                    if not piece.refusal:
                        yield piece.raw

        # parse_many takes each page before it gives back its document, so the pieces
        # read so far include the one this document is of, after any refused before it.
        with closing(parse_many(pages(), self.jobs(options, paths))) as results:
            for parsed in results:
                self.print_refused(pieces)
                self.print_report(pieces.popleft().name, parsed)
        self.print_refused(pieces)

    def print_refused(self, pieces: deque[Piece]) -> None:
        while pieces and pieces[0].refusal:
            piece = pieces.popleft()
            self.stdout.write(f"{piece.name}: failed — {piece.refusal}")

    @staticmethod
    def jobs(options: dict, to_parse: list[Path]) -> int:
        if len(to_parse) < 2:
            return 1
        return options["jobs"] if options["jobs"] is not None else default_jobs(to_parse)

    def print_report(self, name: str, parsed: ParsedDocument | Exception) -> None:
        if isinstance(parsed, IngestError):
            self.stdout.write(f"{name}: failed — {parsed}")
            return
        if isinstance(parsed, Exception):
            raise parsed
        self.stdout.write(f"== {name}: {len(parsed.speeches)} speeches, {parsed.encoding} ({parsed.confidence:.2f})")
        for step in parsed.report:
            counts = ", ".join(f"{k}={v}" for k, v in step.counts.items())
            self.stdout.write(f"  {step.step:<10} {counts}")
            for example in step.examples[:5]:
                self.stdout.write(f"             e.g. {example}")
            for warning in step.warnings:
                self.stdout.write(f"             ! {warning}")
        for speech in parsed.speeches:
            dup = f" (duplicate of #{speech.duplicate_of})" if speech.duplicate_of else ""
            topics = ",".join(slug for slug, _ in speech.topics)
            self.stdout.write(f"  #{speech.ordinal:<3} {speech.title[:40]} [{topics}] {len(speech.text)} chars{dup}")
        if self.verbosity > 1:
            self.stdout.write(json.dumps(parsed.report_dict(), ensure_ascii=False, indent=2))
