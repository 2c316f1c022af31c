"""Pinyin annotations: removed only when they are a reading of the character before them."""

from __future__ import annotations

import pytest

from speeches.ingest.annotations import strip_pinyin_annotations


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("實(shí)用性", "實用性"),  # 002
        ("內(nèi)容", "內容"),  # 000
        ("總結(jié)", "總結"),  # 001
        ("強(qiáng)調(diào)", "強調"),  # 002: two in a row
        ("規（guī）劃", "規劃"),  # full-width brackets
        ("綠(lǜ)化", "綠化"),
    ],
)
def test_it_removes_a_reading_of_the_character_before(raw, expected):
    assert strip_pinyin_annotations(raw)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "企業資源計劃(erp)",  # 003: an acronym, not a reading
        "管理(crm)",
        "(一)城市品質顯著提升",  # 000: a list number
        "x個村(社區)",  # 000: a real parenthesis
        "杭(州)",  # a character, not pinyin
        "同志們(shi)",  # a syllable that is not a reading of 們
    ],
)
def test_it_keeps_parentheses_that_are_not_readings(text):
    assert strip_pinyin_annotations(text) == (text, 0)


def test_it_counts_what_it_removed():
    assert strip_pinyin_annotations("實(shí)施和內(nèi)容")[1] == 2


def test_a_doubled_annotation_goes_in_one_call():
    assert strip_pinyin_annotations("實(shí)(shí)")[0] == "實"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("确保考〓（shì）安全", "确保考〓安全"),  # an audit's page: the character lost, its reading left
        ("考〓é）工作", "考〓工作"),  # the bracket and first letters went into the repaired run
        ("第〓(a)项", "第〓(a)项"),  # no tone mark: no reading
        ("实(shí)事", "实(shí)事"),  # after a character, strip_pinyin_annotations decides
    ],
)
def test_a_reading_left_after_a_marked_character_goes_with_the_character(text, expected):
    from speeches.ingest.annotations import strip_readings_after_marks

    assert strip_readings_after_marks(text)[0] == expected


def test_restoration_leaves_no_reading_after_a_marked_character():
    from speeches.ingest.restore import restore_text

    assert "shì" not in restore_text("二、確保考〓(shì)安全。考試是教育工作的重要環節。")
