"""pipeline.parse_many: parallel parsing gives what parse_document gives."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from speeches.ingest import IngestError, mojibake, parse_document, pipeline, restore
from speeches.ingest.decode import decode_bytes
from speeches.ingest.mojibake import MojibakeStats
from speeches.ingest.pipeline import parse_many

SEEDS = Path(__file__).resolve().parents[3] / "corpus" / "seeds"


def small_pages() -> list[bytes]:
    """Two pages, one per worker, quick to parse: the smallest seed and the opening
    speeches of 000 (its first 40 KB, cut at a line end)."""
    opening = (SEEDS / "000_e3c50620afa4a9e1.txt").read_bytes()[:40_000]
    return [(SEEDS / "002_5507ae1777cd8619.txt").read_bytes(), opening[: opening.rindex(b"\n")]]


def test_parse_many_on_two_processes_gives_what_parse_document_gives_in_order():
    pages = small_pages()
    assert list(parse_many(pages, 2)) == [parse_document(raw) for raw in pages]


def recording_start_methods(set_attribute) -> list[str]:
    """The start method of every pool parse_many makes from now on. `set_attribute` is
    monkeypatch.setattr in a test, the builtin setattr in a fresh interpreter."""
    started: list[str] = []
    real_pool = pipeline.ProcessPoolExecutor

    def recording_pool(*args, **kwargs):
        started.append(kwargs["mp_context"].get_start_method())
        return real_pool(*args, **kwargs)

    set_attribute(pipeline, "ProcessPoolExecutor", recording_pool)
    return started


def test_a_caller_running_other_threads_gets_fresh_workers_that_parse_the_same(monkeypatch):
    # Forking a process with other threads can copy a lock one of them holds, so
    # parse_many starts fresh interpreters then; this checks that path gives the same.
    started = recording_start_methods(monkeypatch.setattr)
    pages = small_pages()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert list(parse_many(pages, 2)) == [parse_document(raw) for raw in pages]
    finally:
        stop.set()
        other.join()
    assert started == ["spawn"]


FORKED_PARSE = """
from speeches.ingest import pipeline
from speeches.tests.ingest.test_pipeline_parallel import recording_start_methods, small_pages
started = recording_start_methods(setattr)
pages = small_pages()
expected = [pipeline.parse_document(raw) for raw in pages]
same = [list(pipeline.parse_many(pages, 2)) == expected for _ in range(2)]
print(started, same)
"""


def test_a_single_threaded_caller_forks_its_workers_and_they_parse_the_same():
    # In a fresh interpreter: this test process may run threads left by other tests.
    # Twice: the first pool must be gone when the second starts (a pool left to exit in
    # the background kept a thread alive, and the second call took the slow spawn path).
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", FORKED_PARSE], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "['fork', 'fork'] [True, True]"


def test_parse_many_returns_a_page_that_fails_in_place_of_its_document():
    results = list(parse_many([b"", small_pages()[0]], 1))
    assert isinstance(results[0], IngestError)
    assert results[1] == parse_document(small_pages()[0])


def test_parse_many_on_two_processes_returns_failures_in_place_too():
    results = list(parse_many([small_pages()[0], b"", small_pages()[0]], 2))
    assert isinstance(results[1], IngestError) and results[0] == results[2]


def test_parse_many_of_nothing_starts_nothing():
    assert list(parse_many([], 2)) == []


def test_the_lines_repaired_before_parsing_are_all_the_mojibake_step_is_asked_about(monkeypatch):
    # parse_many works these out on all workers before the pages are parsed; a line
    # missed here would be searched again in its page's task (slower, never wrong).
    raw = (SEEDS / "002_5507ae1777cd8619.txt").read_bytes()
    found = restore.damaged_lines(decode_bytes(raw).text)
    ahead = restore.line_repairs(found)
    handed: set[str] = set()
    repairer = mojibake.default_repairer()
    real = repairer.repair_line_cached

    def recording(line):
        handed.add(line)
        return real(line)

    monkeypatch.setattr(repairer, "repair_line_cached", recording)
    mojibake.given_repairs({})
    restore.restore(decode_bytes(raw).text)
    assert len(found) > 20
    assert handed == set().union(*ahead.values())
    # A damaged line's chain holds the lines simplifying made of it, when there are any.
    assert any(len(chain) > 1 for chain in ahead.values())


def test_a_given_repair_is_used_instead_of_searching_again():
    line = "確??荚嚢踩?。"
    assert mojibake.repair_line_cached(line)[0] == "確保考試安全。"
    try:
        mojibake.given_repairs({line: ("given", MojibakeStats(found=1, repaired=1))})
        assert mojibake.repair_mojibake(f"前文\n{line}") == ("前文\ngiven", MojibakeStats(found=1, repaired=1))
    finally:
        mojibake.given_repairs({})
    assert mojibake.repair_mojibake(line)[0] == "確保考試安全。"


def test_a_window_of_pages_sharing_damaged_lines_parses_as_each_page_alone():
    # Three pages, two with the same damaged lines, one window: the repairs are worked
    # out once, on both workers, and each page gets those of its own lines.
    pages = [*small_pages(), small_pages()[1] + "\n扩展：確??荚嚢踩?。".encode()]
    assert list(parse_many(pages, 2)) == [parse_document(raw) for raw in pages]
