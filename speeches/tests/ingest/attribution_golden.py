"""Scoring the pipeline's speaker, office, date, place and meeting against the golden
set in golden/metadata/cases.json, written by reading the seed pages (its README).

Shared by test_attribution_golden.py (which holds the thresholds) and
bench/bench_attribution.py (which prints the table for bench/RESULTS.md).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from speeches.ingest.script import to_simplified
from speeches.ingest.types import INFERRED, STATED, UNKNOWN, ParsedSpeech

from .structure_seeds import GOLDEN, ROOT, han, parse_seed

CASES = GOLDEN / "metadata" / "cases.json"
FIELDS = ("speaker", "office", "date", "place", "occasion")


@cache
def load_cases() -> tuple[dict, ...]:
    return tuple(json.loads(CASES.read_text(encoding="utf-8")))


def seed_path(page: str) -> str:
    return str(next((ROOT / "corpus" / "seeds").glob(f"{page}_*.txt")).relative_to(ROOT))


def speech_for(case: dict) -> ParsedSpeech | None:
    """The canonical speech whose text holds the case's key (folded to simplified)."""
    key = han(to_simplified(case["key"]))
    document = parse_seed(seed_path(case["page"]))
    found = [s for s in document.speeches if s.duplicate_of is None and key in han(s.title + s.text)]
    return found[0] if found else None


def ours(speech: ParsedSpeech, name: str) -> tuple[str, str]:
    found = getattr(speech.attribution, name)
    return found.value, found.standing if found.value else UNKNOWN


def _years(value: str) -> tuple[int, int]:
    first, _, last = value.partition("/")
    return int(first[:4]), int((last or first)[:4])


def consistent(name: str, value: str, expected: str) -> bool:
    """Not the golden value but not wrong: a date range that holds it, a place above it."""
    if not value or not expected:
        return False
    if name == "date":
        (low, high), (first, last) = _years(value), _years(expected)
        return low <= first and last <= high
    if name == "place":
        return expected.startswith(value + "·")
    return False


def same(name: str, value: str, expected: str) -> bool:
    if name == "occasion":
        return han(value) == han(expected or "")
    return value == (expected or "")


@dataclass
class Score:
    cases: int = 0
    missing: list = field(default_factory=list)  # cases whose speech the archive does not have
    merged: list = field(default_factory=list)  # cases the archive holds with another in one speech
    # per field: golden stated → we state the same value
    stated_right: Counter = field(default_factory=Counter)
    stated_total: Counter = field(default_factory=Counter)
    # per field: we say stated where the golden says inferred or unknown (never allowed)
    overclaimed: Counter = field(default_factory=Counter)
    # per field: golden inferred → we give the same value, stated or inferred
    inferred_right: Counter = field(default_factory=Counter)
    inferred_total: Counter = field(default_factory=Counter)
    # per field: golden inferred or stated → ours holds it (a wider date range, a place above)
    consistent: Counter = field(default_factory=Counter)
    # per field: we give a value where the golden has none
    invented: Counter = field(default_factory=Counter)
    with_year: int = 0
    with_place: int = 0
    mistakes: list = field(default_factory=list)

    def stated_accuracy(self) -> float:
        right = sum(self.stated_right.values())
        total = sum(self.stated_total.values()) + sum(self.overclaimed.values())
        return right / total if total else 1.0


def score() -> Score:
    """Per field, over the golden speeches the archive holds as one speech each. Where the
    archive holds two golden speeches as one (a boundary the splitter missed, 004's
    社区工作者发言稿 and 000's 篇十五), whose speaker or place is asked is undefined: those
    are counted in `merged` and scored by the boundary tests instead."""
    result = Score()
    found = [(case, speech_for(case)) for case in load_cases()]
    holders = Counter(id(speech) for _, speech in found if speech is not None)
    for case, speech in found:
        if speech is None:
            result.missing.append((case["page"], case["key"]))
            continue
        if holders[id(speech)] > 1:
            result.merged.append((case["page"], case["marker"], case["key"]))
            continue
        result.cases += 1
        result.with_year += bool(speech.attribution.date.value)
        result.with_place += bool(speech.attribution.place.value)
        for name in FIELDS:
            value, standing = ours(speech, name)
            expected = case[name]
            label = f"{case['page']} {case['marker'] or case['key'][:8]} {name}: ours {value or '-'}({standing})"
            label += f" golden {expected['value'] or '-'}({expected['standing']})"
            if expected["standing"] == STATED:
                result.stated_total[name] += 1
                if standing == STATED and same(name, value, expected["value"]):
                    result.stated_right[name] += 1
                else:
                    result.mistakes.append(label)
            elif standing == STATED:
                result.overclaimed[name] += 1
                result.mistakes.append(label)
            if expected["standing"] == INFERRED:
                result.inferred_total[name] += 1
                if same(name, value, expected["value"]):
                    result.inferred_right[name] += 1
                else:
                    result.mistakes.append(label)
            if expected["standing"] != UNKNOWN and not same(name, value, expected["value"]):
                result.consistent[name] += consistent(name, value, expected["value"])
            if expected["standing"] == UNKNOWN and value and standing != STATED:
                result.invented[name] += 1
                result.mistakes.append(label)
    return result
