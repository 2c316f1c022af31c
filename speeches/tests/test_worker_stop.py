"""The upload worker stopped by SIGTERM (docker stop) finishes the document it is
ingesting, claims no other, and exits cleanly: none is left half-done in "processing".

A real worker process on a SQLite database of its own (the test database lives in
the test's transaction, which another process cannot see)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))

QUEUE_TWO = """
from pathlib import Path
from speeches.loading import enqueue, store_upload
for path in {paths!r}:
    document, created = store_upload(Path(path).read_bytes(), Path(path).name)
    enqueue(document, created)
"""


def statuses(database: Path) -> dict[str, str]:
    with sqlite3.connect(database) as connection:
        return dict(connection.execute("SELECT original_name, status FROM speeches_document"))


def test_a_worker_stopped_while_ingesting_finishes_that_document_and_claims_no_other(tmp_path):
    database = tmp_path / "worker.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "1",
        "SEARCH_ENGINE": "whoosh",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    paths = [str(SEEDS[2]), str(SEEDS[4])]
    subprocess.run(
        [*manage, "shell", "-c", QUEUE_TWO.format(paths=paths)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert set(statuses(database).values()) == {"queued"}

    worker = subprocess.Popen(
        [*manage, "process_uploads", "--loop", "--interval", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while "processing" not in statuses(database).values():
            assert worker.poll() is None and time.monotonic() < deadline, "the worker never claimed a document"
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=240)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert "SIGTERM" in out
    assert sorted(statuses(database).values()) == ["ingested", "queued"]
