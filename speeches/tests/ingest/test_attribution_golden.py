"""The pipeline's speaker, office, date, place and meeting against the hand-checked
golden set (golden/metadata/README.md): stated values right, nothing inferred claimed
as stated. The figures go to bench/RESULTS.md through bench/bench_attribution.py."""

import pytest

from .attribution_golden import FIELDS, load_cases, score

# At least this share of the values the sources state are found, and stated, as the
# golden set has them (and counting every value we call stated that the source does not).
STATED_ACCURACY = 0.95


@pytest.fixture(scope="module")
def result():
    return score()


def test_the_golden_set_covers_at_least_80_speeches_of_the_seed_pages():
    cases = load_cases()
    assert len(cases) >= 80
    assert len({(c["page"], c["key"]) for c in cases}) == len(cases)
    for case in cases:
        for name in FIELDS:
            found = case[name]
            assert found["standing"] in ("stated", "inferred", "unknown")
            assert (found["value"] is None) == (found["standing"] == "unknown"), (case["key"], name)


def test_every_golden_speech_is_in_the_archive(result):
    assert result.missing == []


def test_stated_fields_are_right(result):
    assert result.stated_accuracy() >= STATED_ACCURACY, "\n".join(result.mistakes)


def test_no_inferred_or_unknown_value_is_claimed_as_stated(result):
    assert sum(result.overclaimed.values()) == 0, "\n".join(m for m in result.mistakes if "(stated) golden" in m)
