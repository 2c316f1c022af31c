"""Search latency, throughput, memory and index build, against SQLite FTS5 and a scan.

Run by hand:  .venv/bin/python bench/bench_search.py [--speeches 20000,100000] [--no-write]
              [--keep DIR] [--clients 4 --seconds 30] [--postgres postgres://…]

For each size, builds in a temporary folder (or DIR, reused when it holds a build) a
SQLite database of N speeches made of the sample corpus's paragraphs (shuffled, 3-14 a
speech, about 5 kB each: 20,000 ≈ 100 MB), indexes it with the real rebuild
(speeches.search.engine), then times each class of query (QUERIES), side by side.
With --postgres (a server's URL; database bench_<N> is made there), the same speeches
are written to PostgreSQL instead, and both engines are built and timed on them:
Whoosh (an index folder) and postgres (search rows in the database).
- our JSON API: /api/search through Django's test client (view, search, exact facets,
  snippets of 20 hits, JSON), cold: the engine's cached term sets are dropped first;
- in-process: the engine's answer alone (total, one ranked page, exact facets);
- SQLite FTS5 with the trigram tokenizer over the same texts (count and top 20 by its
  rank; `instr()` scans for terms under 3 characters, which trigrams cannot answer);
- a brute-force scan: every speech's folded text in memory, `in` per term, count and
  the first 20.
Then, with --clients, gunicorn with 2 workers on loopback serves the API to that many
client threads for --seconds (bounded), and the workers' memory is read from /proc.
Figures go to bench/RESULTS.md, section "search".
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe_machine, p95, server_connection, with_database, write_section  # noqa: E402

QUERIES = {
    "2-character word": ["发展", "安全", "教育", "干部", "群众", "改革", "城市", "农村"],
    "word in every speech (工作)": ["工作"],
    "rare word": ["康振生", "雨山区", "黄垓中学", "春耕备耕", "一防三保"],
    "two terms": ["经济 发展", "安全 生产", "教育 改革", "城市 管理", "疫情 防控", "干部 作风"],
    "4-6-character term": ["疫情防控", "安全生产", "高质量发展", "城市管理", "全面从严治党", "确保考试安全"],
    "quoted phrase": ['"会议上的讲话"', '"确保考试安全"', '"全面从严治党"', '"同志们"'],
    "traditional query": ["國土資源", "講話", "確保考試安全", "疫情防控", "經濟 發展"],
    "filtered + facets": [
        ("发展", {"topic": "economy"}),
        ("安全", {"year_from": "2010", "year_to": "2015"}),
        ("干部", {"level": "省", "sort": "year"}),
        ("城市管理", {"topic": "urban-management", "year_from": "2005"}),
    ],
}
REPEAT = 10


def setup_django(scratch: Path, database_url: str | None = None) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ["SEARCH_INDEX_DIR"] = str(scratch / "index")
    os.environ["MEDIA_ROOT"] = str(scratch / "media")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")  # the test client's host
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "0123456789abcdefghijklmnopqrstuvwxyz")
    # Required in production mode; the benchmark sends no mail.
    os.environ.setdefault("SITE_URL", "http://127.0.0.1")
    os.environ.setdefault("EMAIL_HOST", "localhost")
    # Loopback over plain HTTP: without this, production mode redirects every request.
    os.environ.setdefault("HTTPS", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    if settings.configured and "bench" in str(settings.DATABASES["default"]["NAME"]):
        # A second size in the same process: point Django at the new folder.
        from django.db import connections as db

        db.close_all()
        # The URL's path, not its last "/": a unix socket's folder comes after it (?host=/tmp/…).
        settings.DATABASES["default"]["NAME"] = (
            urllib.parse.urlsplit(database_url).path.lstrip("/") if database_url else str(scratch / "bench.sqlite3")
        )
        settings.HAYSTACK_CONNECTIONS["default"]["PATH"] = str(scratch / "index")
        from haystack import connections

        connections.reload("default")  # the engine asks haystack for its backend on each call
    else:
        django.setup()
    call_command("migrate", verbosity=0)


def sample_paragraphs() -> tuple[list[str], list[str]]:
    from speeches.ingest import parse_document

    titles, paragraphs = [], []
    for path in sorted((ROOT / "corpus" / "seeds").glob("*.txt")):
        for speech in parse_document(path.read_bytes()).speeches:
            titles.append(speech.title)
            paragraphs.extend(p for p in speech.text.split("\n") if len(p.strip()) > 10)
    return titles, paragraphs


def build_corpus(n: int, seed: int = 7) -> int:
    """N speeches in 200 documents; returns the UTF-8 size of their titles and texts."""
    import json

    from speeches.models import Document, Speech, SpeechTopic, Topic

    rng = random.Random(seed)
    titles, paragraphs = sample_paragraphs()
    topic_data = json.loads((ROOT / "speeches/ingest/data/topics.json").read_text())
    topics = [
        Topic.objects.get_or_create(slug=t["slug"], defaults={"name": t["name"]})[0] for t in _topic_list(topic_data)
    ]
    documents = Document.objects.bulk_create(
        Document(original_name=f"bench_{i:03}.txt", sha256=f"{i:064x}", raw=b"", status="ingested", title=f"合成 {i}")
        for i in range(200)
    )
    size = 0
    for start in range(0, n, 5000):
        speeches = []
        for i in range(start, min(n, start + 5000)):
            text = "\n".join(rng.sample(paragraphs, rng.randint(3, 14)))
            title = rng.choice(titles)
            size += len(title.encode()) + len(text.encode()) + 1
            speeches.append(
                Speech(
                    document=documents[i % 200],
                    ordinal=i // 200 + 1,
                    public_id=f"b{i:08}",
                    title=title,
                    text=text,
                    original_text="",
                    year=rng.randint(2000, 2023),
                    char_count=len(text),
                    speaker_level=rng.choice(["省", "市", "县", "区", "企业", ""]),
                    genre="讲话",
                )
            )
        speeches = Speech.objects.bulk_create(speeches, batch_size=1000)
        SpeechTopic.objects.bulk_create(
            (
                SpeechTopic(speech=s, topic=t, score=1.0)
                for s in speeches
                for t in rng.sample(topics, rng.randint(1, 3))
            ),
            batch_size=2000,
        )
    return size


def _topic_list(data) -> list[dict]:
    items = data if isinstance(data, list) else data.get("topics", data)
    if isinstance(items, dict):
        items = [{"slug": k, **(v if isinstance(v, dict) else {"name": v})} for k, v in items.items()]
    return [{"slug": t["slug"], "name": t.get("name", t["slug"])} for t in items]


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {text}", file=sys.stderr, flush=True)


def percentiles(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), p95(samples)


def _split(item) -> tuple[str, dict]:
    return item if isinstance(item, tuple) else (item, {})


def on_postgres(url: str, n: int) -> str:
    """The URL of database bench_<n> on that server, made when missing."""
    name = f"bench_{n}"
    con = server_connection(url)
    with con.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f"CREATE DATABASE {name}")
    con.close()
    return with_database(url, name)


def time_api(queries) -> list[float]:
    from django.test import Client

    from speeches.search.engine import engine

    client, out = Client(), []
    for _ in range(REPEAT):
        for item in queries:
            q, extra = _split(item)
            engine().forget_cached_results()
            t0 = time.perf_counter()
            response = client.get("/api/search", {"q": q, **extra})
            out.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200 and "facets" in response.json(), response.content[:200]
    return out


def time_in_process(queries) -> list[float]:
    from django.http import QueryDict

    from speeches.search import SearchParams, parse_query
    from speeches.search.engine import FACETS, Query, engine

    out = []
    for _ in range(REPEAT):
        for item in queries:
            q, extra = _split(item)
            params = SearchParams.from_querydict(QueryDict(urllib.parse.urlencode({"q": q, **extra})))
            engine().forget_cached_results()
            t0 = time.perf_counter()
            engine().answer(Query(parse_query(q).tree, params.filters(), FACETS, sort=params.sort))
            out.append((time.perf_counter() - t0) * 1000)
    return out


def fts5(scratch: Path) -> tuple[sqlite3.Connection, float]:
    from speeches.models import Speech
    from speeches.search.analysis import gram_text

    con = sqlite3.connect(scratch / "fts.sqlite3")
    con.execute("DROP TABLE IF EXISTS t")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='trigram')")
    t0 = time.perf_counter()
    rows = Speech.objects.values_list("title", "text").iterator(chunk_size=2000)
    con.executemany("INSERT INTO t(body) VALUES (?)", ((gram_text(f"{a}\n{b}"),) for a, b in rows))
    con.commit()
    return con, time.perf_counter() - t0


def _terms(q: str) -> list[str]:
    from speeches.search.analysis import normalize

    return [normalize(word.strip('"')) for word in (q.split() if not q.startswith('"') else [q])]


def time_fts5(con, queries) -> list[float]:
    out = []
    for _ in range(REPEAT):
        for item in queries:
            words = _terms(_split(item)[0])
            t0 = time.perf_counter()
            if all(len(w) >= 3 for w in words):
                match = " AND ".join(f'"{w}"' for w in words)
                con.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 20", (match,)).fetchall()
                con.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone()
            else:  # the trigram index cannot answer 2-character terms: a scan
                where = " AND ".join("instr(body, ?) > 0" for _ in words)
                con.execute(f"SELECT rowid FROM t WHERE {where} LIMIT 20", words).fetchall()
                con.execute(f"SELECT count(*) FROM t WHERE {where}", words).fetchone()
            out.append((time.perf_counter() - t0) * 1000)
    return out


def scan_texts() -> list[str]:
    from speeches.models import Speech
    from speeches.search.analysis import gram_text

    return [gram_text(f"{a}\n{b}") for a, b in Speech.objects.values_list("title", "text").iterator(chunk_size=2000)]


def time_scan(texts: list[str], queries) -> list[float]:
    out = []
    for _ in range(REPEAT):
        for item in queries:
            words = _terms(_split(item)[0])
            t0 = time.perf_counter()
            found = [i for i, text in enumerate(texts) if all(w in text for w in words)]
            found[:20], len(found)
            out.append((time.perf_counter() - t0) * 1000)
    return out


def index_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def postgres_sizes() -> tuple[float, float]:
    """MB of the full-text index, and of the search rows table with its TOAST (bodies,
    words, tsvectors), of the postgres engine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('speeches_searchrow_grams'), pg_table_size('speeches_searchrow')")
        index, table = cursor.fetchone()
    return index / 1e6, table / 1e6


def throughput(scratch: Path, clients: int, seconds: float, engine_name: str = "whoosh") -> dict:
    """gunicorn with 2 workers on a loopback port; `clients` threads request the API for
    `seconds` (bounded); requests per second, errors, and the workers' memory."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
        "HTTPS": "0",
        "SEARCH_ENGINE": engine_name,
        # Production mode will not start without collected static files (archive/wsgi.py).
        "STATIC_ROOT": str(scratch / "static"),
    }
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env, capture_output=True
    )
    assert collected.returncode == 0, collected.stderr[-2000:]
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "archive.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "120"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    mix = [_split(item) for queries in QUERIES.values() for item in queries]
    base = f"http://127.0.0.1:{port}/api/search?"
    try:
        for _ in range(120):  # up to a minute for the workers to load
            try:
                urllib.request.urlopen(base + urllib.parse.urlencode({"q": "预热"}), timeout=30).read()
                break
            except OSError:
                time.sleep(0.5)
        counts, errors, stop = [0] * clients, [0] * clients, time.monotonic() + seconds

        def client(number: int) -> None:
            rng = random.Random(number)
            while time.monotonic() < stop:
                q, extra = rng.choice(mix)
                try:
                    urllib.request.urlopen(base + urllib.parse.urlencode({"q": q, **extra}), timeout=60).read()
                    counts[number] += 1
                except OSError:
                    errors[number] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        rss = [_rss_mb(int(pid)) for pid in workers]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"rps": sum(counts) / elapsed, "errors": sum(errors), "rss": rss}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(n: int, scratch: Path, clients: int, seconds: float, postgres: str | None = None) -> dict:
    setup_django(scratch, on_postgres(postgres, n) if postgres else None)
    from django.test import override_settings

    from speeches.indexing import rebuild_index
    from speeches.models import Speech
    from speeches.search.analysis import warm_up_analysis

    engines = ["whoosh", "postgres"] if postgres else ["whoosh"]
    warm_up_analysis()
    reuse = Speech.objects.exists()
    builds = {}
    if reuse:
        size = sum(len(t.encode()) + len(x.encode()) + 1 for t, x in Speech.objects.values_list("title", "text"))
        n = Speech.objects.count()
        log(f"reusing {scratch}: {n} speeches, {size / 1e6:.1f} MB")
    else:
        t0 = time.perf_counter()
        size = build_corpus(n)
        log(f"corpus: {n} speeches, {size / 1e6:.1f} MB in {time.perf_counter() - t0:.0f} s")
    for name in engines:
        with override_settings(SEARCH_ENGINE=name):
            # A kept Whoosh build is one with a table of contents (a killed build leaves none).
            whoosh_built = any((scratch / "index").glob("*.toc"))
            if reuse and (name == "whoosh" and whoosh_built or name == "postgres" and _has_rows()):
                builds[name] = 0.0
                continue
            t0 = time.perf_counter()
            rebuild_index()
            builds[name] = time.perf_counter() - t0
            log(f"{name} index built in {builds[name]:.0f} s")
    con, fts_build_s = fts5(scratch)
    texts = scan_texts()
    # As archive/wsgi.py does in a web worker: what is loaded so far (here also the
    # corpus build's jieba and character model, which a web worker never loads) is
    # left out of garbage collection, whose full passes otherwise land in single
    # timed requests (pauses of 50-90 ms in this process).
    gc.collect()
    gc.freeze()
    rows = {}
    for kind, queries in QUERIES.items():
        log(f"timing {kind}")
        rows[kind] = {"fts5": percentiles(time_fts5(con, queries)), "scan": percentiles(time_scan(texts, queries))}
        for name in engines:
            with override_settings(SEARCH_ENGINE=name):
                time_api(["预热"])  # first request: URL resolver, template tags, the searcher's caches
                rows[kind][f"api:{name}"] = percentiles(time_api(queries))
                rows[kind][f"engine:{name}"] = percentiles(time_in_process(queries))
    del texts
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    result = {
        "load": load,
        "n": n,
        "mb": size / 1e6,
        "builds": builds,
        "engines": engines,
        "index_mb": {"whoosh": index_size(scratch / "index") / 1e6},
        "fts_build_s": fts_build_s,
        "fts_mb": (scratch / "fts.sqlite3").stat().st_size / 1e6,
        "rows": rows,
    }
    if postgres:
        result["index_mb"]["postgres"], result["pg_table_mb"] = postgres_sizes()
    if clients:
        result["load_test"] = {}
        for name in engines:
            log(f"throughput of {name}: {clients} clients for {seconds:.0f} s")
            result["load_test"][name] = throughput(scratch, clients, seconds, name)
    return result


def _has_rows() -> bool:
    from speeches.models import SearchRow

    return SearchRow.objects.exists()


def report(results: list[dict], clients: int, seconds: float) -> str:
    lines = [describe_machine(), ""]
    for r in results:
        engines = r["engines"]
        lines += [
            f"### {r['n']:,} speeches ({r['mb']:.0f} MB of UTF-8 text); load (1/5/15 min) at the end: {r['load']}",
            "",
        ]
        for name in engines:
            built = r["builds"].get(name)
            lines.append(
                (
                    f"- {name}: index build on {os.cpu_count()} processes {built:.0f} s = "
                    f"**{r['mb'] / built:.2f} MB/s**"
                    if built
                    else f"- {name}: index build not measured (kept)"
                )
                + f"; index {r['index_mb'][name]:.0f} MB = **{r['index_mb'][name] / r['mb']:.2f}× the text**"
                + (
                    f" (its rows table, which the index points into: {r['pg_table_mb']:.0f} MB ="
                    f" {r['pg_table_mb'] / r['mb']:.2f}×)"
                    if name == "postgres"
                    else ""
                )
                + "."
            )
        lines.append(
            f"- SQLite FTS5 trigram over the same folded texts: {r['fts_build_s']:.0f} s, {r['fts_mb']:.0f} MB."
        )
        for name, t in r.get("load_test", {}).items():
            lines.append(
                f"- {name}: gunicorn, 2 workers, {clients} clients for {seconds:.0f} s: **{t['rps']:.1f} req/s**, "
                f"{t['errors']} errors; workers' memory (RSS) {', '.join(f'{m:.0f}' for m in t['rss'])} MB."
            )
        head = " | ".join(f"{name} API p50 | {name} API p95 | {name} engine p95" for name in engines)
        lines += [
            "",
            f"| class | {head} | FTS5 p50 | FTS5 p95 | scan p50 | scan p95 | scan p95 / {engines[-1]} API p95 |",
            "|---|" + "---|" * (3 * len(engines) + 5),
        ]
        for kind, row in r["rows"].items():
            cells = " | ".join(
                f"{row[f'api:{n}'][0]:.1f} | {row[f'api:{n}'][1]:.1f} | {row[f'engine:{n}'][1]:.1f}" for n in engines
            )
            (f50, f95), (s50, s95) = row["fts5"], row["scan"]
            lines.append(
                f"| {kind} | {cells} | {f50:.1f} | {f95:.1f} | {s50:.1f} | {s95:.1f} | "
                f"{s95 / row[f'api:{engines[-1]}'][1]:.1f}× |"
            )
        lines.append("")
    if len(results) > 1:
        small, large = results[0], results[-1]
        for name in small["engines"]:
            lines += [
                f"Growth of {name}'s API p95 from {small['n']:,} to {large['n']:,} speeches "
                f"({large['n'] / small['n']:.0f}× the speeches):",
                "",
            ]
            lines += [
                f"- {kind}: {large['rows'][kind][f'api:{name}'][1] / small['rows'][kind][f'api:{name}'][1]:.1f}×"
                for kind in small["rows"]
            ]
            lines.append("")
    lines += [
        f"Milliseconds, {REPEAT} rounds of each query of a class; every API and engine figure is cold (the engine's",
        "cached term sets are dropped before each query; PostgreSQL's own buffers stay warm). The API answers one",
        "page of 20 hits with snippets, exact facets (topic, year, document, level, genre) and the total; the engine",
        "figure is the same answer without the page's database fetch, snippets and JSON. FTS5 and the scan count",
        "matches and fetch 20, no facets.",
    ]
    return "\n".join(lines)


def main() -> None:
    global REPEAT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speeches", default="20000", help="sizes, comma-separated (default 20000)")
    parser.add_argument("--no-write", action="store_true", help="print only; do not update RESULTS.md")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR/<size> and keep it; reuse a build found there")
    parser.add_argument("--clients", type=int, default=0, help="searching clients of the load test (0: none)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the load test (at most 120)")
    parser.add_argument("--postgres", metavar="URL", help="write the speeches to PostgreSQL and time both engines")
    parser.add_argument("--repeat", type=int, default=REPEAT, help=f"rounds of each query (default {REPEAT})")
    args = parser.parse_args()
    REPEAT = args.repeat
    seconds = min(args.seconds, 120.0)
    results = []
    for n in (int(size) for size in args.speeches.split(",")):
        if args.keep:
            folder = Path(args.keep) / str(n)
            folder.mkdir(parents=True, exist_ok=True)
            results.append(run(n, folder, args.clients, seconds, args.postgres))
        else:
            with tempfile.TemporaryDirectory() as scratch:
                results.append(run(n, Path(scratch), args.clients, seconds, args.postgres))
    text = report(results, args.clients, seconds)
    print(text)
    if not args.no_write:
        write_section("search", "Search (bench/bench_search.py)", text)


if __name__ == "__main__":
    main()
