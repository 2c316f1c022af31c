"""Worker processes end with the process that started them, and one that dies costs only its own file."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from speeches.ingest import IngestError
from speeches.tests import process_helpers

STARTS_A_POOL = """
import multiprocessing, os, time
from concurrent.futures import ProcessPoolExecutor
from speeches.ingest.pipeline import die_with_parent
pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent,
                           initargs=(os.getpid(),))
print(pool.submit(os.getpid).result(), flush=True)
time.sleep(120)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its parent (init, here) may reap it


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_parse_worker_ends_when_the_process_that_started_it_is_killed():
    # Killed (SIGKILL, gunicorn's timeout), `ingest --jobs 2` left two workers of ≈480 MB
    # asleep for good, adopted by init.
    parent = subprocess.Popen(
        [sys.executable, "-c", STARTS_A_POOL], cwd=settings.BASE_DIR, stdout=subprocess.PIPE, text=True
    )
    try:
        child = int(parent.stdout.readline())
        assert _running(child)
        parent.kill()
        parent.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _running(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(child)
    finally:
        parent.kill()


def test_a_parse_child_that_dies_fails_its_own_file_and_the_next_file_gets_a_new_child(monkeypatch):
    from speeches import loading

    # The OOM killer ending the child failed every later file of the admin's upload
    # (BrokenProcessPool), though they were fine.
    with loading.child_parser() as parse:
        monkeypatch.setattr(loading, "parse_with_pid", process_helpers.die)
        with pytest.raises(IngestError, match="解析进程意外终止"):
            parse(b"first")
        monkeypatch.setattr(loading, "parse_with_pid", process_helpers.echo_with_pid)
        assert parse(b"second") == b"second"
