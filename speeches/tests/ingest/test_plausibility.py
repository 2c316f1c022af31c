"""Plausibility: how a decoded text is judged, on what a reader sees of it."""

from __future__ import annotations

import pytest

from speeches.ingest.plausibility import garbage_share


def test_a_broken_character_counts_once_among_the_bad_characters_and_once_among_all():
    # Ten characters broken into three replaced bytes each, between twenty common ones:
    # ten bad of thirty characters (counted three times among all, it was 10 of 50).
    assert garbage_share("中国\ufffd\ufffd\ufffd" * 10) == pytest.approx(10 / 30)
