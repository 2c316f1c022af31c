"""Golden-file tests: each seed page's distinct speeches, titles, headings and copies.

Expected files live in golden/structure/<seed>.json and were checked by reading the
seed. To propose new ones after a change, run

    .venv/bin/python -m speeches.tests.ingest.test_structure_golden

which writes <seed>.proposed.json beside them; read the source, then rename.

Speeches are compared by opening words, title, marker, top-level headings (by their
first characters, so repaired characters do not break them) and what they are copies of.
Fragments under 200 characters are left out on both sides: the cleaner (another
step) decides whether 000 篇十二 keeps its one closing sentence.
"""

from __future__ import annotations

import difflib
import json
import sys

import pytest

from speeches.ingest import ParsedDocument, ParsedSpeech, parse_document

from .structure_seeds import GOLDEN, ROOT, han, opening_matches, parse_seed

EXPECTED_DIR = GOLDEN / "structure"
SEEDS = (
    "corpus/seeds/000_e3c50620afa4a9e1.txt",
    "corpus/seeds/001_1ede3f202e9dcf26.txt",
    "corpus/seeds/002_5507ae1777cd8619.txt",
    "corpus/seeds/003_2b7a5b5f4b6eab26.txt",
    "corpus/seeds/004_d07954890cd01a7b.txt",
)
MIN_GOLDEN_CHARS = 200
HEADINGS_SIMILARITY = 0.8
HEADING_KEY_CHARS = 12


def golden_speeches(document: ParsedDocument) -> list[ParsedSpeech]:
    return [s for s in document.speeches if len(s.text) >= MIN_GOLDEN_CHARS]


def opening_of(speech: ParsedSpeech) -> str:
    """The first words of the speech's first real paragraph (not its salutation)."""
    first = next((p for p in speech.paragraphs if len(p) > 25), speech.paragraphs[0])
    return first[:20]


def describe(document: ParsedDocument) -> dict:
    by_ordinal = {s.ordinal: s for s in document.speeches}
    speeches = golden_speeches(document)
    return {
        "title": document.title,
        "distinct": sum(1 for s in speeches if s.duplicate_of is None),
        "duplicates": sum(1 for s in speeches if s.duplicate_of is not None),
        "speeches": [
            {
                "marker": s.marker,
                "title": s.title,
                "opening": opening_of(s),
                "headings": [sec.heading for sec in s.sections if sec.level == 1],
                "duplicate_of": opening_of(by_ordinal[s.duplicate_of]) if s.duplicate_of else None,
            }
            for s in speeches
        ],
    }


def expected_path(seed: str, suffix: str = ".json"):
    return EXPECTED_DIR / (seed.rsplit("/", 1)[-1].removesuffix(".txt") + suffix)


def load_expected(seed: str) -> dict:
    return json.loads(expected_path(seed).read_text(encoding="utf-8"))


def headings_similarity(expected: list[str], actual: list[str]) -> float:
    """Share of headings found on both sides, in order. Two headings are the same when
    their first Han characters mostly agree, so repairs ("防线长〓县东…" → "防线长。",
    "著力" → "着力") change nothing."""
    want = [han(h)[:HEADING_KEY_CHARS] for h in expected]
    got = [han(h)[:HEADING_KEY_CHARS] for h in actual]
    if not want and not got:
        return 1.0
    matcher = difflib.SequenceMatcher(None, want, got)
    same = [(w, g) for w, g in zip(want, got, strict=False) if difflib.SequenceMatcher(None, w, g).ratio() >= 0.6]
    found = max(len(same), sum(block.size for block in matcher.get_matching_blocks()))
    return found / max(len(want), len(got))


@pytest.mark.parametrize("seed", SEEDS)
def test_each_seed_yields_its_distinct_speeches_and_copies(seed):
    expected, actual = load_expected(seed), describe(parse_seed(seed))
    assert (actual["distinct"], actual["duplicates"]) == (expected["distinct"], expected["duplicates"])
    assert actual["title"] == expected["title"]


@pytest.mark.parametrize("seed", SEEDS)
def test_each_speech_opens_with_its_golden_words_and_title(seed):
    expected = load_expected(seed)["speeches"]
    actual = golden_speeches(parse_seed(seed))
    assert len(actual) == len(expected)
    for want, got in zip(expected, actual, strict=True):
        assert opening_matches(got, want["opening"]), (want["opening"], got.text[:60])
        assert (got.marker, got.title) == (want["marker"], want["title"])


@pytest.mark.parametrize("seed", SEEDS)
def test_each_speech_keeps_its_golden_top_level_headings(seed):
    expected = load_expected(seed)["speeches"]
    for want, got in zip(expected, describe(parse_seed(seed))["speeches"], strict=True):
        assert headings_similarity(want["headings"], got["headings"]) >= HEADINGS_SIMILARITY, (
            want["opening"],
            got["headings"],
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_each_copy_points_at_its_golden_original(seed):
    document = parse_seed(seed)
    by_ordinal = {s.ordinal: s for s in document.speeches}
    for want, got in zip(load_expected(seed)["speeches"], golden_speeches(document), strict=True):
        if want["duplicate_of"] is None:
            assert got.duplicate_of is None, want["opening"]
        else:
            assert got.duplicate_of is not None and opening_matches(by_ordinal[got.duplicate_of], want["duplicate_of"])


def test_parsing_the_same_bytes_twice_gives_the_same_speeches_in_the_same_order():
    # Public ids derive from (document sha256, ordinal): ordinals must be deterministic.
    raw = (ROOT / SEEDS[3]).read_bytes()
    first, second = parse_document(raw), parse_seed(SEEDS[3])
    assert [(s.ordinal, s.fingerprint, s.signature, s.duplicate_of) for s in first.speeches] == [
        (s.ordinal, s.fingerprint, s.signature, s.duplicate_of) for s in second.speeches
    ]


def propose() -> None:
    for seed in SEEDS:
        path = expected_path(seed, ".proposed.json")
        path.write_text(json.dumps(describe(parse_seed(seed)), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    propose()
