"""Golden cases for the restoration steps: real seed excerpts beside hand-checked clean text.

`golden/restore/cases.json` holds one case per excerpt: id, kind, raw (cut from a seed
page), expected (clean simplified text, written by reading the excerpt; for mojibake,
checked by GBK-encoding the expected traditional text and decoding it one byte off).
Nothing in it was copied from the pipeline's output.

The mojibake cases come in two sets. The first 73 ("tuned") are the ones the model's
constants were chosen on, so their figure is optimistic. The "held-out" ones (`"set":
"held-out"`) are further runs of the seed pages, written and checked before the model
was changed and never used to choose a constant; each keeps, under `check`, the run's
traditional text and its garbled form, and a test below re-does the GBK check on them.

Review helper (never touches `expected`):
    .venv/bin/python -m speeches.tests.ingest.test_restore_golden
writes golden/restore/actual.json with each case's current output and verdict, and prints
right/marked/wrong for each set. `bench/review_mojibake.py` lists every repair in the
whole seeds, for the before/after reading a model change needs.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from speeches.ingest.clean import clean_lines
from speeches.ingest.decode import decode_bytes
from speeches.ingest.mojibake import MARKER
from speeches.ingest.restore import restore_lines
from speeches.ingest.script import to_simplified

GOLDEN = Path(__file__).parent / "golden" / "restore"
CASES = json.loads((GOLDEN / "cases.json").read_text(encoding="utf-8"))
# Kinds judged on the restored text alone; every other kind also goes through clean_lines.
RESTORE_KINDS = {"mojibake", "question", "title-dot", "pinyin", "legit-parens"}
# Runs the model reads wrongly today, with why. The aggregate test keeps this list exact
# (a case that comes out right or marked must leave it); the report in bench/RESULTS.md
# gives the numbers. All eight get the number of characters wrong: a dropped pair read in
# step, or two dropped pairs in a row read as fewer. A marker stands for one character,
# so no doubt measure can turn these into marked cases; they need the right reading.
# (Two dropped pairs in a row are modelled since h77 left this list, but only looked for
# where the first reading is in doubt, and adopted only when clearly ahead.)
KNOWN_WRONG = {
    "mojibake-19": "要到位 comes out 医务: 医 (D2 BD) reads plausibly after 惩, so the dropped "
    "pair (AA B5) between 要 and 到 is never offered",
    "mojibake-25": "政府引导: 府 lost both bytes to two dropped pairs, but 正 (D5 FD, in step) reads "
    "plausibly after “, so no dropped pair is offered. (The expected text said 主导 until the "
    "bytes were checked: the garbled 龑 is FD 8C, so the character before 導 ends in FD, 引 = "
    "D2 FD, where 主 = D6 F7 would have given 鲗.)",
    "mojibake-h43": "公共服务: 公 lost its trail and 共 its lead to one dropped pair, but the in-step 共 "
    "reads well after ）(共服务方 about as well as 公共服务方 before the pair's prior), so the "
    "pair is never considered",
    "mojibake-h48": "公共服务: as mojibake-h43",
    "mojibake-h51": "规模化或: 模化 is one in-step pair and a dropped one; 模 is read (now clearly, "
    "by the word 规模), 化 lost with it",
    "mojibake-h70": "家校互动: 互动 is offered across the dropped pair, but the model reads 家。挥、 "
    "4 nats better than 家校互动、",
    "mojibake-h76": "勇担重任，做到自警: 擔 lost its trail in the inserted annotation and 重 its lead to "
    "a dropped pair; the run comes out 勇彻任〓到自觉 (ｖ before a repair could write only Han, "
    "punctuation and digits)",
    "mojibake-h79": "政府、: two dropped pairs in a row (FE B8, AE A1). Read as one dropped pair it "
    "comes out 政〓 (one marker for the two characters 府、); a character is in doubt, so the reading "
    "through two dropped pairs is looked for, but it is not adopted",
}
# The share of mojibake cases, both sets together, that must come out exactly right (the
# rest marked or known wrong). The target is 0.95 with none wrong (bench/RESULTS.md); we are short
# (136 of 155 with the news n-grams, the word judge and the year digit).
MIN_RIGHT = 0.87
SEEDS = Path(__file__).resolve().parents[3] / "corpus" / "seeds"
# 001's decoder turned GBK's user-defined rows into private-use characters instead of
# dropping them (see runs.encode), so its garbled text keeps those pairs.
PRIVATE_USE_SOURCES = {"001"}


def run_case(case: dict) -> str:
    lines, _ = restore_lines(case["raw"])
    if case["kind"] not in RESTORE_KINDS:
        lines, _ = clean_lines(lines)
    return "\n".join(line.text for line in lines if line.text)


def verdict(actual: str, expected: str) -> str:
    """right, marked (every MARKER stands for one character and the rest matches), or wrong."""
    if actual == expected:
        return "right"
    if MARKER in actual:
        pattern = ".".join(re.escape(part) for part in actual.split(MARKER))
        if re.fullmatch(pattern, expected, re.S):
            return "marked"
    return "wrong"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_each_golden_case_restores_to_its_checked_text(case):
    actual = run_case(case)
    if case["id"] in KNOWN_WRONG and verdict(actual, case["expected"]) == "wrong":
        pytest.xfail(KNOWN_WRONG[case["id"]])
    assert verdict(actual, case["expected"]) in ("right", "marked"), (actual, case["expected"])


def test_the_golden_set_covers_every_kind_with_enough_mojibake():
    kinds = {case["kind"] for case in CASES}
    assert len(CASES) >= 60
    assert sum(case["kind"] == "mojibake" for case in CASES) >= 30
    for kind in ("mojibake", "question", "pinyin", "legit-parens", "html-entities", "html-tags", "seo-html-chrome"):
        assert kind in kinds
    for kind in ("pagination", "link-word-rejoin", "thanks-kept", "editor-boilerplate", "title-dot"):
        assert kind in kinds


def test_mojibake_accuracy_does_not_fall_below_the_recorded_level():
    verdicts = {c["id"]: verdict(run_case(c), c["expected"]) for c in CASES if c["kind"] == "mojibake"}
    wrong = {case_id for case_id, found in verdicts.items() if found == "wrong"}
    assert list(verdicts.values()).count("right") / len(verdicts) >= MIN_RIGHT
    # Exact, so that a case leaves KNOWN_WRONG as soon as it comes out right or marked.
    assert wrong == set(KNOWN_WRONG), wrong ^ set(KNOWN_WRONG)


def test_the_held_out_set_is_large_and_shares_no_run_with_the_tuned_one():
    held_out = [c for c in CASES if c.get("set") == "held-out"]
    tuned_raw = " ".join(c["raw"] for c in CASES if c["kind"] == "mojibake" and "set" not in c)
    assert len(held_out) >= 30
    assert all(c["kind"] == "mojibake" for c in held_out)
    assert not [c["id"] for c in held_out if len(c["check"]["garbled"]) > 2 and c["check"]["garbled"] in tuned_raw]


def shift_decode(data: bytes, private_use: bool) -> str:
    """Read bytes the way the seeds' decoder did once it was one byte off: a lead byte
    before an ASCII byte gives one `?` and swallows both, a pair it cannot map vanishes
    (or, in 001, becomes a private-use character), full-width signs come out as ASCII."""
    out, i = [], 0
    while i < len(data):
        if data[i] < 0x80:
            out.append(chr(data[i]))
            i += 1
            continue
        if i + 1 == len(data):  # a lone last byte: a trail the page's next byte swallowed
            out.append("€" if data[i] == 0x80 else "?")
            break
        pair = data[i : i + 2]
        i += 2
        if pair[1] < 0x40 or pair[1] == 0x7F:
            out.append("?")
            continue
        try:
            ch = pair.decode("gbk")
        except UnicodeDecodeError:
            ch = pair.decode("gb18030", errors="ignore") if private_use else ""
            ch = ch if ch and "\ue000" <= ch <= "\uf8ff" else ""
        if ch and "\uff01" <= ch <= "\uff5e":
            ch = chr(ord(ch) - 0xFEE0)
        out.append(ch)
    return "".join(out)


@pytest.mark.parametrize("case", [c for c in CASES if c.get("set") == "held-out"], ids=lambda c: c["id"])
def test_each_held_out_case_is_the_gbk_shift_of_its_expected_text(case):
    # The run's traditional text, encoded and read from its second byte (the first is the
    # lead byte the opening `?` hides), must give the garbled text found in the page.
    check = case["check"]
    shifted = shift_decode(check["traditional"].encode("gbk")[1:], case["source"] in PRIVATE_USE_SOURCES)
    assert "?" + shifted == check["garbled"]
    (seed,) = SEEDS.glob(case["source"] + "_*.txt")
    assert case["raw"] in decode_bytes(seed.read_bytes()).text
    # A line's ideographic-space indent is part of the bytes but not of the clean text.
    assert to_simplified(check["traditional"]).lstrip("\u3000") in case["expected"]


def test_a_marker_never_appears_outside_mojibake_cases():
    for case in CASES:
        if case["kind"] != "mojibake":
            assert MARKER not in run_case(case), case["id"]


def write_review_file() -> tuple[Path, dict[str, Counter]]:
    """Write each case's current output beside its expected text, for a human to read,
    and count the mojibake verdicts of each set."""
    review = []
    counts: dict[str, Counter] = {"tuned": Counter(), "held-out": Counter()}
    for case in CASES:
        actual = run_case(case)
        found = verdict(actual, case["expected"])
        review.append({**case, "actual": actual, "verdict": found})
        if case["kind"] == "mojibake":
            counts[case.get("set", "tuned")][found] += 1
    out = GOLDEN / "actual.json"
    out.write_text(json.dumps(review, ensure_ascii=False, indent=1), encoding="utf-8")
    return out, counts


if __name__ == "__main__":  # pragma: no cover
    path, counts = write_review_file()
    print(path)
    for name, count in [*counts.items(), ("all", counts["tuned"] + counts["held-out"])]:
        print(f"{name}: " + ", ".join(f"{v} {count[v]}" for v in ("right", "marked", "wrong")))
