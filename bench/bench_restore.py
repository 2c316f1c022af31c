"""Throughput of the restoration steps (decode, markup, pinyin, mojibake, script, clean)
and of the whole pipeline before indexing, on the sample corpus and a synthetic corpus,
in one process and on `--jobs` worker processes (pipeline.parse_many).

Run by hand:  .venv/bin/python bench/bench_restore.py [--synthetic-mb 50] [--jobs 2] [--no-write]
Writes its figures into bench/RESULTS.md (section "restore"), with the machine.

The synthetic corpus is the seed pages' lines reshuffled (fixed seed) into pages of
~300 KB until it reaches the asked size. It keeps the seeds' damage density (about one
mojibake run per 6 KB and a pinyin annotation per 65 bytes), so it is a worst case: real
uploads are mostly clean. Each line with a `?` gets a distinct number at its end, so no
damaged line is repeated and the mojibake step's cache of repeated lines cannot flatter the figure.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe_machine, describe_speed, loop_seconds, write_section  # noqa: E402

PAGE_BYTES = 300_000
# Corpora smaller than this get their parse_many figure from REPEATS runs (see report).
SHORT_CORPUS_MB = 5
REPEATS = 7
# A page that parses in a millisecond, to time a worker pool's start-up alone.
TINY_PAGE = "同志们：今天我们召开全市工作会议。".encode()
READING = """Reading the figures: `processes 1` is parse_document page after page in one
warmed-up process; `processes 2` is pipeline.parse_many with two worker processes, timed
in a fresh interpreter that first loads everything once (the one-off start-up above, as
any ingest pays it) and whose workers are forked from it, tables loaded. Its first MB/s
leaves the pool's start-up (the fork, measured apart) out, the second counts it; neither
counts the one-off start-up (warm_up, before the pool is forked). In one process, cold,
the mojibake step (a lattice search in pure Python per damaged run, a run every ~6 KB in
the seeds) is half the time, a fifth of that the character model's first look-ups;
then the segmentation of each speech's sample for keywords and the speaker, date and
place of each speech (~1/12 each), OpenCC (~1/15), topic patterns, pinyin, dedupe's
MinHash, splitting and cleaning (~1/25 each).
parse_many takes pages in windows and spreads each window's damaged lines evenly over
the workers before it hands out the pages (largest first) for the rest, so pages of very
uneven size (the sample's: 48 to 530 KB) no longer leave a worker idle during the
mojibake search; the page-size bound above now holds for the rest of the pipeline only.
On 2 cores the second process can at best double the one-process figure, and only on an
idle machine: with other work on the machine (load above 2) two processes gain nothing.
Each worker also starts with cold memos of the model's scores (the one-process figure has
them warm after the first pages).
Caches flatter two figures: the sample's `restore+clean` (its speeches repeat, so a damaged
line is often searched once, and the per-step pass just before it warmed the model's
memo) and the synthetic `mojibake` (its runs are the seeds' ~270 runs over and over, so
the model's memo of scores is warm; the lines themselves are made unique). The sample's
`mojibake` figure, measured first and cold, is the honest one for new damage. The
parse_many figures start cold: their fresh interpreter carries no cache from the steps
measured before."""


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
    """parse_document page after page in this (warmed-up) process."""
    from speeches.ingest import parse_document
    from speeches.ingest.mojibake import forget_repairs

    forget_repairs()
    t = time.perf_counter()
    for raw in pages:
        parse_document(raw)
    return time.perf_counter() - t


def time_parallel(pages: list[bytes], jobs: int) -> float:
    """Wall time of parse_many, forking its pool included."""
    from speeches.ingest.pipeline import parse_many

    t = time.perf_counter()
    for result in parse_many(pages, jobs):
        if isinstance(result, Exception):
            raise result
    return time.perf_counter() - t


def _fresh_parallel(pages: list[bytes], jobs: int) -> tuple[float, float]:
    """In a new interpreter, as `manage.py ingest --jobs` starts: load everything once
    (warm_up, reported apart), then time a pool doing nothing but start (tiny pages),
    then parse_many over the pages. parse_many forks its workers from this warmed-up
    process, so they would inherit any cache the measurements before had warmed: a
    fresh interpreter keeps the figure cold."""
    warm_up()
    startup = time_parallel([TINY_PAGE] * (jobs + 1), jobs)
    return startup, time_parallel(pages, jobs)


def parallel_in_fresh_process(pages: list[bytes], jobs: int) -> tuple[float, float]:
    """(pool start-up, wall time of parse_many) measured by _fresh_parallel."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as runner:
        return runner.submit(_fresh_parallel, pages, jobs).result()


def best_speedup(pages: list[bytes], jobs: int) -> float:
    """What the page sizes allow at most: pages go, in order, to whichever worker is free
    first, so the corpus takes at least as long as the busiest worker's bytes."""
    busy = [0] * jobs
    for raw in pages:
        busy[busy.index(min(busy))] += len(raw)
    return sum(busy) / max(busy)


def warm_up() -> float:
    """Everything loaded once per process (pipeline.warm_up): reported apart from throughput."""
    from speeches.ingest.mojibake import forget_repairs
    from speeches.ingest.pipeline import warm_up as load_everything

    t = time.perf_counter()
    load_everything()
    forget_repairs()
    return time.perf_counter() - t


def _load() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3]) + " (1/5/15 min)"
    except OSError:
        return "unknown"


def report(name: str, pages: list[bytes], jobs: int) -> tuple[list[str], float | None]:
    """The corpus's line and table rows, and the pool start-up measured with them."""
    size = sum(len(p) for p in pages) / 1e6
    steps = time_steps(pages)
    rows = [f"| {name} | {step} | 1 | {size / s:.2f} | |" for step, s in steps.items() if s > 0]
    rows.append(f"| {name} | whole pipeline (parse_document) | 1 | {size / time_pipeline(pages):.2f} | |")
    startup = None
    spread = ""
    if jobs > 1:
        # A corpus parsed in about a second gives a figure that varies by a third from run
        # to run on this shared machine (1.15 to 1.71 MB/s for the sample, same code): it
        # is run several times, each in its own fresh interpreter, and the median shown.
        runs = sorted(
            (parallel_in_fresh_process(pages, jobs) for _ in range(REPEATS if size < SHORT_CORPUS_MB else 1)),
            key=lambda run: run[1],
        )
        startup, wall = runs[len(runs) // 2]
        rows.append(
            f"| {name} | whole pipeline (parse_many) | {jobs} | {size / max(wall - startup, 1e-9):.2f} "
            f"| {size / wall:.2f} |"
        )
        if len(runs) > 1:
            spread = (
                f" Its parse_many figure is the median of {len(runs)} runs, each in a fresh interpreter "
                f"(counting start-up: {size / runs[-1][1]:.2f} to {size / runs[0][1]:.2f} MB/s)."
            )
    bound = (
        f" Handing out whole pages, their sizes would allow at most {best_speedup(pages, jobs):.2f}× on {jobs} processes."
        if jobs > 1
        else ""
    )
    return [f"{name}: {size:.1f} MB in {len(pages)} pages.{bound}{spread}", *rows], startup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic-mb", type=float, default=50.0, help="size of the synthetic corpus")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the parse_many figure")
    parser.add_argument("--no-write", action="store_true", help="print only; do not update RESULTS.md")
    args = parser.parse_args()
    load = _load()
    speed_before = loop_seconds()
    startup = warm_up()
    sample, sample_pool = report("sample corpus", seed_pages(), args.jobs)
    synthetic, synthetic_pool = report(
        f"synthetic {args.synthetic_mb:g} MB", synthetic_pages(args.synthetic_mb), args.jobs
    )
    pool_line = (
        [
            f"Start-up of a pool of {args.jobs} workers, forked by parse_many from the warmed-up process: "
            + ", ".join(f"{s * 1000:.0f} ms" for s in (sample_pool, synthetic_pool))
            + " (one per parse_many figure below, each in its own fresh process)."
        ]
        if args.jobs > 1
        else []
    )
    body = "\n".join(
        [
            describe_machine(),
            describe_speed(speed_before, loop_seconds()),
            "",
            f"One-off start-up of a process (jieba's dictionary and IDF table, character model, GBK tables, "
            f"reading index, OpenCC, the county names' pattern): {startup:.1f} s.",
            *pool_line,
            f"Load on the machine when the run started: {load}; when it ended: {_load()}. "
            "The machine is shared; under load every figure drops.",
            "",
            sample[0],
            synthetic[0],
            "",
            "| corpus | step | processes | MB/s (start-up apart) | MB/s counting the pool's start-up |",
            "|---|---|---|---|---|",
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
