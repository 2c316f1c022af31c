"""Ingest scraped pages into the archive (the same code path as the admin upload)."""

from __future__ import annotations

import glob
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from speeches.ingest import IngestError, parse_document
from speeches.loading import ingest_bytes

SUFFIXES = {".txt", ".html", ".htm"}


def expand_paths(patterns: list[str]) -> list[Path]:
    """Files, folders (their .txt/.html/.htm files) and globs, in a stable order."""
    found: list[Path] = []
    for pattern in patterns:
        matches = [Path(p) for p in sorted(glob.glob(pattern, recursive=True))] or [Path(pattern)]
        for path in matches:
            if path.is_dir():
                found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
            elif path.is_file():
                found.append(path)
            else:
                raise CommandError(f"{pattern}: no such file or folder")
    return list(dict.fromkeys(found))


class Command(BaseCommand):
    help = "Decode, restore, split, classify, store and index scraped pages. PATH may be a file, folder or glob."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or glob patterns")
        parser.add_argument(
            "--report", action="store_true", help="print what the pipeline would do; write nothing"
        )
        parser.add_argument(
            "--force", action="store_true", help="re-ingest files already in the archive (keeps public ids)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        paths = expand_paths(options["paths"])
        self.verbosity = options["verbosity"]
        if options["report"]:
            for path in paths:
                self.print_report(path)
            return
        failures = 0
        bar = tqdm(paths, unit="file", disable=options["no_progress"] or len(paths) < 2, file=self.stderr)
        for path in bar:
            bar.set_description(path.name[:30])
            result = ingest_bytes(path.read_bytes(), path.name, force=options["force"])
            failures += result.status == "failed"
            line = f"{path.name}: {result.status} — {result.speeches} speeches, {result.duplicates} duplicates · {result.message}"
            bar.write(self.style.ERROR(line) if result.status == "failed" else line, file=self.stdout, end="")
        if failures:
            raise CommandError(f"{failures} of {len(paths)} files failed")

    def print_report(self, path: Path) -> None:
        try:
            parsed = parse_document(path.read_bytes())
        except IngestError as error:
            self.stdout.write(f"{path.name}: failed — {error}")
            return
        self.stdout.write(f"== {path.name}: {len(parsed.speeches)} speeches, {parsed.encoding} ({parsed.confidence:.2f})")
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
