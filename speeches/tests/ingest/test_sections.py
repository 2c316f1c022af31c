import pytest
from hypothesis import given
from hypothesis import strategies as st

from speeches.ingest.sections import heading_kind, heading_number, heading_text, split_sections

from .structure_seeds import parse_seed


@pytest.mark.parametrize(
    ("paragraph", "kind"),
    [
        ("一、肯定成绩,找准短板,进一步坚定创建全国文明城市的信心和决心。", "chapter"),
        ("(一)城市品质显著提升。", "part"),
        ("(二)、深化“四小警务”活动。", "part"),
        ("第一,要强化学习教育,在深化认识、聚焦问题上下功夫。", "ordinal"),
        ("第一、生动活泼的基层工作实践,是共青团调研信息工作生生不息的源泉所在。", "ordinal"),
        ("——努力提升保发展的能力。", "dash"),
        ("----公路建设。", "dash"),  # 003, line 426: the dashes written in ASCII
        ("--公路养护。", "dash"),
        ("-5.88公里", ""),
        ("1、实施制造业信息化工程是应对经济全球化与信息化的必然选择", "item"),
        ("3.必须适应教育领域综合改革要求。", "item"),
        ("一是气候条件十分不利。受全球气候变暖影响,近年来我市灾害多发。", "point"),
        ("一要加大宣传教育。各县区要充分利用电视、广播、报刊。", "point"),
        ("第一时间启动应急机制。", ""),
        ("1.4万个基层党组织", ""),
        ("2021年全市机关事务管理服务单位在市委市政府的坚强领导下", ""),
        ("今天我们在这里召开大会。", ""),
    ],
)
def test_it_knows_the_heading_kinds_of_official_speeches(paragraph, kind):
    assert heading_kind(paragraph) == kind


def test_it_reads_heading_numbers():
    assert [heading_number(p) for p in ("十二、甲", "(三)乙", "第四,丙", "11.丁", "六要戊", "——己")] == [
        12,
        3,
        4,
        11,
        6,
        None,
    ]


def test_a_run_in_heading_keeps_its_first_sentence():
    assert heading_text("一是气候条件十分不利。受全球气候变暖影响。") == "一是气候条件十分不利。"
    assert heading_text("一" * 100).endswith("…")


def test_levels_are_the_ranks_a_speech_uses_renumbered_from_one():
    # 001 篇六: "第一," with "一要" points under it, and no "一、" at all.
    sections = split_sections(
        ("引言。", "第一,著力推动实体经济发展。", "一要切实提高认识。", "正文。", "第二,著力推动园区发展。")
    )
    assert [(s.heading[:3], s.level) for s in sections] == [("", 0), ("第一,", 1), ("一要切", 2), ("第二,", 1)]


def test_the_three_levels_of_000s_first_speech():
    sections = split_sections(("同志们:", "一、肯定成绩。", "(一)城市品质显著提升。", "正文。", "一要对标建设标准。"))
    assert [s.level for s in sections] == [0, 1, 2, 3]


def test_a_heading_paragraph_opens_its_section():
    sections = split_sections(("一、甲。", "正文一。", "二、乙。", "正文二。"))
    assert [s.paragraphs for s in sections] == [("一、甲。", "正文一。"), ("二、乙。", "正文二。")]
    assert [s.ordinal for s in sections] == [1, 2]


@given(
    st.lists(
        st.sampled_from(["一、甲。", "(二)乙。", "第三,丙。", "4.丁。", "五是戊。", "——己。", "正文。", "同志们:"]),
        max_size=40,
    )
)
def test_every_paragraph_is_in_exactly_one_section_in_order(paragraphs):
    sections = split_sections(tuple(paragraphs))
    assert [p for s in sections for p in s.paragraphs] == paragraphs
    assert all(s.paragraphs for s in sections)


def test_the_seed_speeches_keep_every_paragraph_in_their_sections():
    for speech in parse_seed("corpus/seeds/000_e3c50620afa4a9e1.txt").speeches:
        assert [p for s in speech.sections for p in s.paragraphs] == list(speech.paragraphs)
