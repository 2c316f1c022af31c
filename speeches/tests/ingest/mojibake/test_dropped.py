"""Readings across dropped pairs (speeches/ingest/mojibake/dropped.py)."""

from __future__ import annotations

from speeches.ingest.mojibake import default_repairer
from speeches.ingest.mojibake.pairs import is_dropped_pair


def test_the_dropped_pairs_are_gbks_unmapped_rows():
    assert is_dropped_pair(0xAE, 0xC6) and is_dropped_pair(0xFD, 0xB9)
    assert not is_dropped_pair(0xB1, 0xA3)  # 保


def _chars(slot) -> str:
    return "".join(cand.ch for cand in slot.cands)


def test_a_character_that_left_no_byte_is_offered_inside_a_word_with_a_neighbour():
    # 003 "地政府對公路建設": 對 8C A6, 公 B9 AB, 路 C2 B7 lost A6 B9 and AB C2, so 尫
    # (8C B7) is all that is left of 對公路; 公 comes back as half of the word 公路.
    dropped = default_repairer().model.dropped
    first, middle, third = dropped.hidden_triple(0x8C, 0xB7)
    assert "對" in _chars(first) and "公" in _chars(middle) and "路" in _chars(third)
    # 003 "地政府、上級": 政 D5 FE, 府 B8 AE, 、 A1 A2; 府 comes back with 政.
    first, middle, third = dropped.hidden_triple(0xD5, 0xA2)
    assert "政" in _chars(first) and "府" in _chars(middle) and "、" in _chars(third)
