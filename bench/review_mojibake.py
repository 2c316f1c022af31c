"""List every mojibake repair in the seed pages, for a human to read and to diff.

A change to the mojibake model is judged on the whole seeds, not only on the golden
cases: a threshold that fixes one case can invent characters in runs nobody checked
(lowering CLEAR_LEAD to 1.75 turned three seed runs wrong). So before and after a
change, run

    .venv/bin/python bench/review_mojibake.py > /tmp/before.txt
    ... change ...
    .venv/bin/python bench/review_mojibake.py > /tmp/after.txt
    diff /tmp/before.txt /tmp/after.txt

and read every changed run. Each line is "seed:line  …found… → …restored…", the text
as the mojibake step sees it (markup and annotations stripped, simplified so that the
script step does not show up as a change) beside the fully restored text.

    .venv/bin/python bench/review_mojibake.py --time 3

instead times the mojibake step alone on the seeds, cold (fresh memo and line cache),
several times, and prints each pass's MB/s.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from speeches.ingest.annotations import strip_pinyin_annotations  # noqa: E402
from speeches.ingest.decode import decode_bytes  # noqa: E402
from speeches.ingest.markup import strip_markup  # noqa: E402
from speeches.ingest.restore import restore  # noqa: E402
from speeches.ingest.script import to_simplified  # noqa: E402

CONTEXT = 4


def seed_paths() -> list[Path]:
    return sorted((ROOT / "corpus" / "seeds").glob("*.txt"))


def _as_found(raw: bytes) -> str:
    stripped = strip_markup(decode_bytes(raw).text)[0]
    return strip_pinyin_annotations(stripped)[0]


def changed_runs(before: str, after: str) -> list[str]:
    """Each changed stretch of one line, with a few characters either side."""
    out = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        left = before[max(0, i1 - CONTEXT) : i1]
        out.append(
            f"{left}[{before[i1:i2]}]{before[i2 : i2 + CONTEXT]} → {left}[{after[j1:j2]}]{after[j2 : j2 + CONTEXT]}"
        )
    return out


def review() -> list[str]:
    rows = []
    for path in seed_paths():
        found = to_simplified(_as_found(path.read_bytes())).split("\n")
        restored = restore(decode_bytes(path.read_bytes()).text).text.split("\n")
        for number, (old, new) in enumerate(zip(found, restored, strict=True), start=1):
            if old != new and ("?" in old or "\ufffd" in old):
                rows.extend(f"{path.name[:3]}:{number}  {run}" for run in changed_runs(old, new))
    return rows


def time_step(passes: int) -> list[float]:
    from speeches.ingest.mojibake import forget_repairs, load_tables, repair_mojibake
    from speeches.ingest.mojibake.language_model import char_lm

    load_tables()
    texts = [_as_found(p.read_bytes()) for p in seed_paths()]
    size = sum(len(p.read_bytes()) for p in seed_paths()) / 1e6
    rates = []
    for _ in range(passes):
        forget_repairs()
        char_lm().memo.clear()
        t = time.perf_counter()
        for text in texts:
            repair_mojibake(text)
        rates.append(size / (time.perf_counter() - t))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time", type=int, default=0, metavar="N", help="time the step N times instead")
    args = parser.parse_args()
    if args.time:
        print(" ".join(f"{rate:.2f}" for rate in time_step(args.time)), "MB/s (mojibake step, seeds, cold)")
        return
    for row in review():
        print(row)


if __name__ == "__main__":
    main()
