"""Searches while uploads commit, on each engine: errors, documents left out of the
index, and search latency during the uploads against idle.

Run by hand:  .venv/bin/python bench/bench_concurrency.py --postgres postgres://…?host=/socket/dir
              [--seconds 60] [--uploads 10] [--no-write]

Makes database bench_concurrency on that server (dropped first), ingests the sample
corpus, and for each engine (whoosh, postgres): builds its index, starts gunicorn with
2 workers on loopback, runs 4 searching clients through /api/search for --seconds
(bounded), and after a third of that time commits --uploads uploads (the seed pages,
each with a line added so its bytes are new) in a separate process, as the worker does.
At the end `manage.py check_index` says whether the index agrees with the database.
Figures go to bench/RESULTS.md, section "concurrency".
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe_machine, p95, server_connection, with_database, write_section  # noqa: E402

QUERIES = ["安全生产", "工作", "疫情 防控", "教育信息化", '"会议上的讲话"', "煤", "講話", "干部 作风"]
CLIENTS = 4
PYTHON = str(ROOT / ".venv/bin/python")


def database_url(server: str) -> str:
    con = server_connection(server)
    with con.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS bench_concurrency")
        cursor.execute("CREATE DATABASE bench_concurrency")
    con.close()
    return with_database(server, "bench_concurrency")


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)


def uploads(folder: Path, count: int, run: str) -> Path:
    seeds = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))
    out = folder / f"uploads-{run}"
    out.mkdir()
    for number in range(count):
        seed = seeds[number % len(seeds)]
        (out / f"{number:02}_{seed.name}").write_bytes(
            seed.read_bytes() + f"\n附注：第{number}次上传（{run}）\n".encode()
        )
    return out


def measure(env: dict, folder: Path, seconds: float, count: int, engine: str) -> dict:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "archive.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "120"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/search?"
    samples: list[tuple[float, float]] = []  # (start, ms)
    errors = [0]
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + urllib.parse.urlencode({"q": "预热"}), timeout=30).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit(f"gunicorn on the {engine} engine never answered /api/search")
        started = time.monotonic()
        stop = started + seconds

        def client(number: int) -> None:
            rng = random.Random(number)
            while time.monotonic() < stop:
                t0 = time.monotonic()
                try:
                    query = urllib.parse.urlencode({"q": rng.choice(QUERIES)})
                    urllib.request.urlopen(base + query, timeout=120).read()
                    samples.append((t0, (time.monotonic() - t0) * 1000))
                except OSError:
                    errors[0] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(seconds / 3)
        upload_start = time.monotonic()
        ingest = manage(env, "ingest", str(uploads(folder, count, engine)))
        upload_end = time.monotonic()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    check = manage(env, "check_index")
    idle = [ms for t, ms in samples if t < upload_start]
    busy = [ms for t, ms in samples if upload_start <= t < upload_end]
    return {
        "engine": engine,
        "errors": errors[0],
        "ingest_ok": ingest.returncode == 0,
        "upload_s": upload_end - upload_start,
        "agrees": check.returncode == 0,
        "check": check.stdout.strip().splitlines()[-1] if check.stdout else check.stderr[-200:],
        "idle": p95(idle),
        "busy": p95(busy),
        "n_idle": len(idle),
        "n_busy": len(busy),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgres", metavar="URL", required=True, help="a PostgreSQL server (bench_concurrency is made there)"
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="searching time per engine (at most 300)")
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    seconds = min(args.seconds, 300.0)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        env = {
            **os.environ,
            "DATABASE_URL": database_url(args.postgres),
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "MEDIA_ROOT": str(folder / "media"),
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-not-secret-" + "0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "HTTPS": "0",
            "STATIC_ROOT": str(folder / "static"),
            # Required in production mode; the benchmark sends no mail.
            "SITE_URL": "http://127.0.0.1",
            "EMAIL_HOST": "localhost",
        }
        # Production mode (DEBUG=0) starts only with collected static files (archive/wsgi.py).
        assert manage(env, "collectstatic", "--noinput").returncode == 0
        assert manage(env, "migrate", "--noinput").returncode == 0
        assert manage(env, "ingest", "corpus/seeds").returncode == 0
        results = []
        for engine in ("whoosh", "postgres"):
            engine_env = {**env, "SEARCH_ENGINE": engine}
            assert manage(engine_env, "reindex").returncode == 0
            print(
                f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {engine}: {seconds:.0f} s",
                file=sys.stderr,
                flush=True,
            )
            results.append(measure(engine_env, folder, seconds, args.uploads, engine))
    lines = [
        describe_machine(),
        "",
        f"gunicorn with 2 workers, {CLIENTS} clients searching /api/search for {seconds:.0f} s; after a third of it,"
        f" {args.uploads} uploads (`manage.py ingest`, one process) commit. Search p95 in ms.",
        "",
        "| engine | errors | uploads took | index agrees at the end | p95 idle | p95 during uploads | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['engine']} | {r['errors']} | {r['upload_s']:.0f} s{'' if r['ingest_ok'] else ' (failed)'} |"
            f" {'yes' if r['agrees'] else 'no: ' + r['check']} | {r['idle']:.0f} ({r['n_idle']}) |"
            f" {r['busy']:.0f} ({r['n_busy']}) | {r['busy'] / r['idle']:.2f}× |"
        )
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("concurrency", "Searches while uploads commit (bench/bench_concurrency.py)", text)


if __name__ == "__main__":
    main()
