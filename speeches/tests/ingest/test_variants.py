"""Variant forms fold to the standard character in the canonical text and in queries;
the original keeps the source's form. Expected texts read from seed 000."""

from __future__ import annotations

from speeches.ingest.pipeline import parse_document
from speeches.ingest.script import simplify_chars, to_simplified, variant_table

SEED_000 = "000_e3c50620afa4a9e1.txt"


def test_the_variant_shaanxi_folds_to_the_standard_character_in_text_and_query():
    # 000: 政府“數(shù)字陜西.智慧城市”試點項目 — 陜 is a variant OpenCC's t2s leaves alone.
    assert to_simplified("數字陜西") == "数字陕西"
    assert simplify_chars("陜") == "陕"


def test_standard_simplified_characters_of_their_own_are_never_folded():
    # 甯 (a surname), 锺 and 馀 are in GB2312; 瞭 is the 1986 form of 瞭望 (000: 高山瞭望).
    assert to_simplified("甯锺馀") == "甯锺馀"
    assert to_simplified("充分運用高山瞭望、地面巡邏") == "充分运用高山瞭望、地面巡逻"
    assert all(ord(ch) not in variant_table() for ch in "甯锺馀瞭陕")


def test_a_seed_speech_says_shaanxi_in_standard_form_and_its_original_keeps_the_variant(seed_bytes):
    parsed = parse_document(seed_bytes[SEED_000])
    holding = [speech for speech in parsed.speeches if "宁陕中学" in speech.text]
    assert holding, "000: 寧陜中學的機器人項目多次…"
    assert all("陜" not in speech.text for speech in parsed.speeches)
    assert any("寧陜中學" in speech.original_text for speech in holding)
