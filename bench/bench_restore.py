"""Throughput of the restoration steps (decode, markup, pinyin, mojibake, script, clean)
and of the whole pipeline before indexing, on the sample corpus and a synthetic corpus.

Run by hand:  .venv/bin/python bench/bench_restore.py [--synthetic-mb 50] [--no-write]
Writes its figures into bench/RESULTS.md (section "restore"), with the machine.

The synthetic corpus is the seed pages' lines reshuffled (fixed seed) into pages of
~300 KB until it reaches the asked size. It keeps the seeds' damage density (about one
mojibake run per 6 KB and a pinyin annotation per 65 bytes), so it is a worst case: real
uploads are mostly clean. Each line with a `?` gets a distinct number at its end, so no
damaged line is repeated and the mojibake step's cache of repeated lines cannot flatter the figure.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe_machine, write_section  # noqa: E402

PAGE_BYTES = 300_000
READING = """Reading the figures: the mojibake step is the restoration's bottleneck. Each `?`
that does not read as a question mark starts a lattice search in pure Python (a few ms
per run), and the seeds have a run every ~6 KB; a page without `?` costs the mojibake
step one `in` test, and restoration then runs at the speed of markup/pinyin/script
(10–40 MB/s). `restore+clean` is what this step hands to splitting; the gap between it
and `whole pipeline` is spent in the steps after cleaning (split, sections, metadata,
classify, dedupe), which belong to issue 2. Caches flatter two figures: the sample's
`restore+clean` (its speeches repeat, so a damaged line is often searched once, and the
per-step pass just before it warmed the model's memo) and the synthetic `mojibake` (its runs are the seeds' ~270 runs over and over, so
the model's memo of scores is warm; the lines themselves are made unique). The sample's
`mojibake` figure, measured first and cold, is the honest one for new damage."""


def seed_pages() -> list[bytes]:
    return [p.read_bytes() for p in sorted((ROOT / "corpus" / "seeds").glob("*.txt"))]


def synthetic_pages(megabytes: float, seed: int = 20261121) -> list[bytes]:
    rng = random.Random(seed)
    lines = [line for page in seed_pages() for line in page.split(b"\n")]
    pages, page, size, total = [], [], 0, 0
    while total < megabytes * 1e6:
        line = rng.choice(lines)
        if b"?" in line:  # see the module docstring: defeat the repeated-line cache
            line += b" #%d" % (total + size)
        page.append(line)
        size += len(line) + 1
        if size >= PAGE_BYTES:
            pages.append(b"\n".join(page))
            total += size
            page, size = [], 0
    return pages


def time_steps(pages: list[bytes]) -> dict[str, float]:
    from speeches.ingest.annotations import strip_pinyin_annotations
    from speeches.ingest.clean import clean_lines
    from speeches.ingest.decode import decode_bytes
    from speeches.ingest.markup import strip_markup
    from speeches.ingest.mojibake import forget_repairs, repair_mojibake
    from speeches.ingest.restore import restore_lines
    from speeches.ingest.script import to_simplified

    seconds = dict.fromkeys(("decode", "markup", "pinyin", "mojibake", "script", "restore+clean"), 0.0)
    for raw in pages:
        t = time.perf_counter()
        text = decode_bytes(raw).text
        seconds["decode"] += time.perf_counter() - t
        for step, fn in (("markup", strip_markup), ("pinyin", strip_pinyin_annotations), ("mojibake", repair_mojibake)):
            t = time.perf_counter()
            text = fn(text)[0]
            seconds[step] += time.perf_counter() - t
        t = time.perf_counter()
        to_simplified(text)
        seconds["script"] += time.perf_counter() - t
        forget_repairs()  # the mojibake pass above must not warm the one below
        t = time.perf_counter()
        clean_lines(restore_lines(decode_bytes(raw).text)[0])
        seconds["restore+clean"] += time.perf_counter() - t
    return seconds


def time_pipeline(pages: list[bytes]) -> float:
    from speeches.ingest import parse_document
    from speeches.ingest.mojibake import forget_repairs

    forget_repairs()
    t = time.perf_counter()
    for raw in pages:
        parse_document(raw)
    return time.perf_counter() - t


def warm_up() -> float:
    """Model and table loading, once per process: reported apart from throughput."""
    from speeches.ingest.mojibake import forget_repairs, load_tables

    t = time.perf_counter()
    load_tables()
    forget_repairs()
    return time.perf_counter() - t


def _load() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3]) + " (1/5/15 min)"
    except OSError:
        return "unknown"


def report(name: str, pages: list[bytes], with_pipeline: bool = True) -> list[str]:
    size = sum(len(p) for p in pages) / 1e6
    steps = time_steps(pages)
    rows = [f"| {name} | {step} | {size / s:.2f} |" for step, s in steps.items() if s > 0]
    if with_pipeline:
        rows.append(f"| {name} | whole pipeline (parse_document) | {size / time_pipeline(pages):.2f} |")
    return [f"{name}: {size:.1f} MB in {len(pages)} pages.", *rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic-mb", type=float, default=50.0)
    parser.add_argument("--no-write", action="store_true", help="print only; do not update RESULTS.md")
    args = parser.parse_args()
    load = _load()
    startup = warm_up()
    sample = report("sample corpus", seed_pages())
    synthetic = report(f"synthetic {args.synthetic_mb:g} MB", synthetic_pages(args.synthetic_mb))
    body = "\n".join(
        [
            describe_machine(),
            "",
            f"One-off start-up (character model from jieba's dictionary, GBK tables, reading index): {startup:.1f} s.",
            f"Load on the machine when the run started: {load}. The machine is shared; under load every figure drops.",
            "",
            sample[0],
            synthetic[0],
            "",
            "| corpus | step | MB/s |",
            "|---|---|---|",
            *sample[1:],
            *synthetic[1:],
            "",
            READING,
        ]
    )
    print(body)
    if not args.no_write:
        write_section("restore", "Restoration steps (bench_restore.py)", body)


if __name__ == "__main__":
    main()
