"""Accuracy of speaker, office, date, place and meeting against the golden set
(speeches/tests/ingest/golden/metadata/cases.json, written by reading the seed pages).

Run by hand:  .venv/bin/python bench/bench_attribution.py [--no-write]
Writes a per-field table into bench/RESULTS.md (section "attribution") and prints the
cases that disagree. Not a speed benchmark: accuracy, kept here beside the other figures
the issues ask for; the thresholds live in speeches/tests/ingest/test_attribution_golden.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import write_section  # noqa: E402

from speeches.tests.ingest.attribution_golden import FIELDS, score  # noqa: E402


def percent(right: int, total: int) -> str:
    return f"{right}/{total} ({100 * right / total:.0f} %)" if total else "–"


def table() -> tuple[str, list[str]]:
    result = score()
    rows = [
        "| field | stated in the source: right | claimed stated, source does not | inferred: right"
        " | not the golden value but holding it | value where the source has none |",
        "|---|---|---|---|---|---|",
    ]
    for name in FIELDS:
        rows.append(
            f"| {name} | {percent(result.stated_right[name], result.stated_total[name])}"
            f" | {result.overclaimed[name]} | {percent(result.inferred_right[name], result.inferred_total[name])}"
            f" | {result.consistent[name]} | {result.invented[name]} |"
        )
    rows.append("")
    rows.append(
        f"Stated values right, over all fields: {100 * result.stated_accuracy():.1f} % (target ≥ 95 %)."
        f" Speeches with a date (a year or a range), stated or inferred: {result.with_year} of {result.cases};"
        f" with a place: {result.with_place} of {result.cases}. Golden cases not found in the archive:"
        f" {len(result.missing)}; held with another golden speech in one archive speech (a missed"
        f" boundary, not scored): {len(result.merged)}."
    )
    return "\n".join(rows), result.mistakes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    body, mistakes = table()
    print(body)
    print("\n".join(mistakes))
    if not args.no_write:
        write_section("attribution", "Speaker, office, date, place, meeting against the golden set", body)


if __name__ == "__main__":
    main()
