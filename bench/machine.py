"""Shared by the benchmarks: what machine they ran on, and writing a section of RESULTS.md."""

from __future__ import annotations

import datetime
import os
import platform
import re
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def describe_machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        info = Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"model name\s*:\s*(.+)", info).group(1).strip()
    except (OSError, AttributeError):
        pass
    try:
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        mem = "unknown memory"
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores, {mem}; Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; run {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M')} UTC."
    )


# This machine is shared: the loop below took 0.16 to 0.24 s within a few minutes while
# nothing of ours ran (and an older form of it up to twice its quiet time). Each run
# records it beside its figures, as context: taken only before and after, it misses what
# happens during the run (over 8 parses of the sample, it hardly tracked their times), so
# it says when a run was likely slowed, not by how much.
QUIET_LOOP_SECONDS = 0.16


def loop_seconds() -> float:
    """Seconds for a fixed pure-Python loop (3 million multiply-adds), best of three."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(3_000_000):
            total += i * i
        best = min(best, time.perf_counter() - start)
    return best


def describe_speed(before: float, after: float) -> str:
    return (
        f"Speed of the machine: a fixed pure-Python loop took {before:.2f} s before the run and "
        f"{after:.2f} s after it ({QUIET_LOOP_SECONDS:.2f} s when the machine is quiet). A slow loop "
        "means a busy machine; the loop does not see the run itself, so it does not correct the figures."
    )


def write_section(key: str, title: str, body: str) -> None:
    """Replace the section between <!-- key --> markers, or append it."""
    start, end = f"<!-- {key} -->", f"<!-- /{key} -->"
    block = f"{start}\n## {title}\n\n{body.strip()}\n{end}"
    text = (
        RESULTS.read_text(encoding="utf-8")
        if RESULTS.exists()
        else "# Benchmark results\n\nFigures written by the scripts in bench/, run by hand.\n"
    )
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def p95(samples: list[float]) -> float:
    """The 95th percentile, as every bench reports it (nan for no samples)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else float("nan")


def server_connection(url: str):
    """An autocommit connection to the maintenance database of the PostgreSQL server a
    URL names (postgres://user@/name?host=/socket/dir), for making bench databases."""
    import urllib.parse

    import psycopg2

    base = urllib.parse.urlsplit(url)
    params = dict(urllib.parse.parse_qsl(base.query))
    connection = psycopg2.connect(
        dbname="postgres",
        user=base.username or "postgres",
        host=params.get("host", base.hostname),
        port=base.port,
        password=base.password,
    )
    connection.autocommit = True
    return connection


def with_database(url: str, name: str) -> str:
    """The same server's URL, naming database `name`."""
    import urllib.parse

    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{name}"))
