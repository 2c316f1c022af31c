"""Time `ingest` of the whole sample corpus, indexing included, on a scratch database.

Run by hand:  .venv/bin/python bench/bench_ingest.py [--repeat 3]
Writes its figures into bench/RESULTS.md (section "ingest"), with the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe_machine, write_section  # noqa: E402


def run_once(scratch: Path) -> dict:
    import django
    from django.core.management import call_command

    os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ["SEARCH_INDEX_DIR"] = str(scratch / "index")
    os.environ["MEDIA_ROOT"] = str(scratch / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    django.setup()
    call_command("migrate", verbosity=0)
    from speeches.indexing import indexed_count
    from speeches.ingest import parse_document
    from speeches.loading import ingest_bytes
    from speeches.search_backend import warm_up

    warm_up()  # jieba's dictionary load is start-up cost, not ingest cost
    files = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))
    size = sum(f.stat().st_size for f in files)
    t0 = time.perf_counter()
    for f in files:
        parse_document(f.read_bytes())
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for f in files:
        result = ingest_bytes(f.read_bytes(), f.name)
        assert result.status == "ingested", result
    total_s = time.perf_counter() - t0
    return {"files": len(files), "bytes": size, "parse_s": parse_s, "total_s": total_s, "indexed": indexed_count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true", help="print only; do not update RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        r = run_once(Path(scratch))
    mb = r["bytes"] / 1e6
    lines = [
        f"Sample corpus: {r['files']} files, {mb:.2f} MB, {r['indexed']} speeches indexed.",
        "",
        "| step | seconds | MB/s |",
        "|---|---|---|",
        f"| pipeline only (decode → … → classify) | {r['parse_s']:.2f} | {mb / r['parse_s']:.2f} |",
        f"| full ingest (pipeline + database + index) | {r['total_s']:.2f} | {mb / r['total_s']:.2f} |",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("ingest", "Ingest of the sample corpus (`bench/bench_ingest.py`)", text + "\n\n" + describe_machine())


if __name__ == "__main__":
    main()
