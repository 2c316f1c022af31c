"""Search latency and index build on a synthetic corpus, against raw Whoosh and SQLite FTS5.

Run by hand:  .venv/bin/python bench/bench_search.py [--speeches 20000] [--no-write]

Builds, in a temporary folder, a SQLite database of N speeches made of the sample
corpus's paragraphs (shuffled, 3-14 a speech, about 5 kB each: 20,000 ≈ 100 MB),
indexes it with speeches.indexing.rebuild_index (the real build), then times:
- our JSON API (/api/search through Django's test client: view, search, facets,
  snippets, JSON) for single words, two words, phrases, and filtered queries;
- raw Whoosh on the same index: the same compiled query, one reused searcher,
  top 20, no facets, no snippets;
- SQLite FTS5 with the trigram tokenizer over the same texts (`instr()` for
  two-character terms, which the trigram index cannot answer).
Figures and the machine go to bench/RESULTS.md, section "search".
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe_machine, write_section  # noqa: E402

QUERIES = {
    "single word": ["发展", "安全", "教育", "干部", "群众", "改革", "城市", "农村", "疫情", "信息化"],
    "two words": ["经济 发展", "安全 生产", "教育 改革", "城市 管理", "疫情 防控", "干部 作风"],
    "phrase": ['"疫情防控"', '"安全生产"', '"高质量发展"', '"同志们"', '"城市管理"', '"全面从严治党"'],
    "filtered + facets": [
        ("发展", {"topic": "economy"}),
        ("安全", {"year_from": "2010", "year_to": "2015"}),
        ("干部", {"level": "省", "sort": "year"}),
        ('"城市管理"', {"topic": "urban-management", "year_from": "2005"}),
    ],
}
REPEAT = 20


def setup_django(scratch: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ["SEARCH_INDEX_DIR"] = str(scratch / "index")
    os.environ["MEDIA_ROOT"] = str(scratch / "media")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django
    from django.core.management import call_command

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
    topics = [Topic.objects.get_or_create(slug=t["slug"], defaults={"name": t["name"]})[0] for t in _topic_list(topic_data)]
    documents = Document.objects.bulk_create(
        Document(original_name=f"bench_{i:03}.txt", sha256=f"{i:064x}", raw=b"", status="ingested", title=f"合成文件 {i}")
        for i in range(200)
    )
    size, speeches = 0, []
    for i in range(n):
        text = "\n".join(rng.sample(paragraphs, rng.randint(3, 14)))
        title = rng.choice(titles)
        size += len(title.encode()) + len(text.encode()) + 1
        speeches.append(Speech(
            document=documents[i % 200], ordinal=i // 200 + 1, public_id=f"b{i:08}", title=title, text=text,
            original_text="", year=rng.randint(2000, 2023), char_count=len(text),
            speaker_level=rng.choice(["省", "市", "县", "区", "企业", ""]), genre="讲话",
        ))
    speeches = Speech.objects.bulk_create(speeches, batch_size=1000)
    SpeechTopic.objects.bulk_create(
        (SpeechTopic(speech=s, topic=t, score=1.0) for s in speeches for t in rng.sample(topics, rng.randint(1, 3))),
        batch_size=2000,
    )
    return size


def _topic_list(data) -> list[dict]:
    items = data if isinstance(data, list) else data.get("topics", data)
    if isinstance(items, dict):
        items = [{"slug": k, **(v if isinstance(v, dict) else {"name": v})} for k, v in items.items()]
    return [{"slug": t["slug"], "name": t.get("name", t["slug"])} for t in items]


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def time_api(queries) -> list[float]:
    from django.test import Client
    from haystack import connections

    client, out = Client(), []
    backend = connections["default"].get_backend()
    for _ in range(REPEAT):
        for item in queries:
            q, extra = item if isinstance(item, tuple) else (item, {})
            # Cold: the index view keeps the document sets of recent terms and
            # phrases (paging and facet clicks repeat a query); a benchmark that
            # repeats each query must not time those hits.
            backend.forget_cached_results()
            t0 = time.perf_counter()
            response = client.get("/api/search", {"q": q, **extra})
            out.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200 and "facets" in response.json(), response.content[:200]
    return out


def time_raw_whoosh(searcher, queries) -> list[float]:
    from speeches.search import parse_query
    from speeches.search.index_view import compile_query

    out = []
    for _ in range(REPEAT):
        for item in queries:
            q = item[0] if isinstance(item, tuple) else item
            t0 = time.perf_counter()
            results = searcher.search(compile_query(parse_query(q).tree), limit=20)
            [results.fields(i) for i in range(len(results.top_n))]
            out.append((time.perf_counter() - t0) * 1000)
    return out


def fts5(scratch: Path) -> tuple[sqlite3.Connection, float]:
    from speeches.models import Speech

    con = sqlite3.connect(scratch / "fts.sqlite3")
    con.execute("DROP TABLE IF EXISTS t")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='trigram')")
    t0 = time.perf_counter()
    rows = Speech.objects.values_list("title", "text").iterator(chunk_size=2000)
    con.executemany("INSERT INTO t(body) VALUES (?)", ((f"{a}\n{b}",) for a, b in rows))
    con.commit()
    return con, time.perf_counter() - t0


def time_fts5(con, queries) -> list[float]:
    out = []
    for _ in range(REPEAT):
        for item in queries:
            q = (item[0] if isinstance(item, tuple) else item).strip('"')
            words = q.split()
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


def run(n: int, scratch: Path, reuse: bool = False) -> dict:
    setup_django(scratch)
    from speeches.indexing import rebuild_index
    from speeches.search_backend import warm_up

    warm_up()
    if reuse:
        from speeches.models import Speech

        size = sum(len(t.encode()) + len(x.encode()) + 1 for t, x in Speech.objects.values_list("title", "text"))
        n, corpus_s, build_s = Speech.objects.count(), 0.0, 0.0
        indexed = n
        log(f"reusing {scratch}: {n} speeches, {size / 1e6:.1f} MB; build time not measured")
    else:
        t0 = time.perf_counter()
        size = build_corpus(n)
        corpus_s = time.perf_counter() - t0
        log(f"corpus: {n} speeches, {size / 1e6:.1f} MB in {corpus_s:.0f} s")
        t0 = time.perf_counter()
        indexed = rebuild_index()
        build_s = time.perf_counter() - t0
        log(f"index: {indexed} in {build_s:.0f} s")
    index_bytes = sum(f.stat().st_size for f in (scratch / "index").iterdir())
    from haystack import connections

    backend = connections["default"].get_backend()
    if not backend.setup_complete:
        backend.setup()
    searcher = backend.index.refresh().searcher()
    con, fts_build_s = fts5(scratch)
    time_api(["预热"])  # first request: URL resolver, template tags, the searcher's caches
    rows = {}
    for kind, queries in QUERIES.items():
        log(f"timing {kind}")
        rows[kind] = {
            "api": percentiles(time_api(queries)),
            "whoosh": percentiles(time_raw_whoosh(searcher, queries)),
            "fts5": percentiles(time_fts5(con, queries)),
        }
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    return {"load": load, "n": n, "mb": size / 1e6, "corpus_s": corpus_s, "indexed": indexed, "build_s": build_s,
            "index_mb": index_bytes / 1e6, "fts_build_s": fts_build_s, "rows": rows}


def report(r: dict) -> str:
    lines = [
        describe_machine(),
        f"Load average of the shared machine (1/5/15 min) when the timings ended: {r['load']}.",
        "",
        f"Corpus: {r['n']:,} synthetic speeches ({r['mb']:.1f} MB of UTF-8 text) from the sample paragraphs; "
        f"{r['indexed']:,} indexed. Each figure: {REPEAT} rounds of each query, milliseconds.",
        "",
        (f"- Index build (`rebuild_index`: speeches.search.segments on {os.cpu_count()} forked processes): {r['build_s']:.0f} s = "
         f"**{r['mb'] / r['build_s']:.2f} MB/s**; index {r['index_mb']:.0f} MB on disk.")
        if r["build_s"] else f"- Index build: not measured in this run (a kept build); index {r['index_mb']:.0f} MB on disk.",
        f"- SQLite FTS5 trigram build over the same texts: {r['fts_build_s']:.0f} s.",
        "",
        "| queries | our API p50 | API p95 | raw Whoosh p50 | Whoosh p95 | API p95 / Whoosh p95 | FTS5 trigram p50 | FTS5 p95 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, row in r["rows"].items():
        (a50, a95), (w50, w95), (f50, f95) = row["api"], row["whoosh"], row["fts5"]
        lines.append(f"| {kind} | {a50:.1f} | {a95:.1f} | {w50:.1f} | {w95:.1f} | {a95 / w95:.1f}× | {f50:.1f} | {f95:.1f} |")
    lines += [
        "",
        "Every API figure is a cold query: the view's cache of term and phrase document sets is emptied before each.",
        "Our API answers with one page of 20 hits, up to three snippets each, exact facet counts for topic, year,",
        "document, level and genre, and the total; raw Whoosh only fetches the top 20 stored ids, so the ratio",
        "is the price of facets, snippets (database fetch of 20 texts) and the Django request.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--speeches", type=int, default=20000)
    parser.add_argument("--no-write", action="store_true", help="print only; do not update RESULTS.md")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it; if DIR already holds a build, "
                        "reuse it and only time the queries (printed, never written)")
    args = parser.parse_args()
    if args.keep:
        # Timing the queries again after a change to the searching code, without
        # the build: the figures printed then have no build time.
        keep = Path(args.keep)
        reuse = (keep / "bench.sqlite3").exists()
        keep.mkdir(parents=True, exist_ok=True)
        result = run(args.speeches, keep, reuse=reuse)
        if reuse:
            print(report(result))
            return
    else:
        with tempfile.TemporaryDirectory() as scratch:
            result = run(args.speeches, Path(scratch))
    text = report(result)
    print(text)
    if not args.no_write:
        write_section("search", "Search (bench/bench_search.py)", text)


if __name__ == "__main__":
    main()
