"""The word judge of a run's boundary characters (speeches/ingest/mojibake/word_judge.py)."""

from __future__ import annotations

import math

import pytest

from speeches.ingest.mojibake.constants import WORD_WEIGHT
from speeches.ingest.mojibake.word_judge import rerank, text_logp


def test_a_dictionary_word_scores_better_than_its_characters_apart():
    # 学校 is one word; 学 before a full stop is a rare single-character word and a sign.
    assert text_logp("占学校总数") > text_logp("占学。总数") + 3
    assert text_logp("分层培训") > text_logp("分层培育")


def test_signs_and_unknown_characters_never_break_the_segmentation():
    for text in ("", "。", "2022年", "〓〓", "abc", "“六保”"):
        assert math.isfinite(text_logp(text))


def test_the_word_judge_settles_an_ideograph_against_a_full_stop():
    # 000 "占學??倲?shù)": the character model has 校 only 1.2 nats ahead of 。 (。总 is
    # common); 学校 is a word, so the two judges together put 校 clearly ahead.
    chosen, lead = rerank({"校": -10.9, "。": -12.1, "保": -15.5, "模": -15.8}, "占学", "总数的8")
    assert chosen == "校" and lead > 2.5


def test_a_sign_gains_no_certainty_from_the_word_judge():
    # 000 “六保”: 六保 is no dictionary word, so to the word model 。 beats 保 by far; it
    # must not make 。 surer than the character model alone (0.3 nats ahead of 海).
    scores = {"。": -12.9, "海": -13.2, "牛": -13.8, "保": -14.1}
    chosen, lead = rerank(scores, "“六", "”工作")
    assert chosen == "。"
    assert lead <= 0.3 + 1e-9


def test_the_word_judge_adds_its_weighted_score_to_the_character_models():
    # Among ideographs the two scores add up, the word score at WORD_WEIGHT.
    scores = {"校": -10.9, "保": -15.5}
    word_gap = text_logp("占学校总数的8") - text_logp("占学保总数的8")
    assert rerank(scores, "占学", "总数的8") == ("校", pytest.approx(4.6 + WORD_WEIGHT * word_gap))
    # Where the words say nothing (no ideograph, so every window costs the same), the
    # character model decides alone; with one candidate there is nothing to weigh.
    assert rerank({"a": -1.0, "b": -3.0}, "xy", "zw") == ("a", pytest.approx(2.0))
    assert rerank({"校": -3.0}, "学", "长") == ("校", math.inf)
