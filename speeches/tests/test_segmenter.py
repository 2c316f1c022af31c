"""The index's segmenter must give jieba's words exactly (accurate mode): ranking counts a
term as a whole word where jieba cuts it as one, and keywords take jieba's dictionary words."""

from __future__ import annotations

from pathlib import Path

import jieba
from hypothesis import given, settings
from hypothesis import strategies as st

from speeches.ingest.decode import decode_bytes
from speeches.ingest.segmenter import SearchSegmenter, initialized_tokenizer
from speeches.search.analysis import normalize

SEEDS = Path(__file__).resolve().parents[2] / "corpus" / "seeds"
SEGMENTER = SearchSegmenter(initialized_tokenizer())


def jiebas(text: str) -> list[str]:
    return list(jieba.dt.cut(text))


def test_every_seed_page_is_segmented_as_jieba_segments_it():
    for path in sorted(SEEDS.glob("*.txt")):
        text = decode_bytes(path.read_bytes()).text
        for version in (text, normalize(text)):
            ours = SEGMENTER.whole_words(version)
            assert ours == jiebas(version), path.name
            assert len(ours) > 1000
            # The route search alone (the blocks jieba-rs would cut otherwise take it).
            assert list(SEGMENTER.cut(version)) == ours, path.name


def test_runs_that_jieba_rs_cuts_otherwise_are_cut_as_jieba_cuts_them():
    # 3-5 and a web address: jieba's HMM splits them, jieba-rs keeps them whole. 㐀 (a
    # CJK extension) is no Chinese character to jieba, which gives each alone; jieba-rs
    # joins two of them into a word.
    for text in ("今年3-5月发展经济", "见www.gov.cn/2020.html通知", "发展㐀㐀经济", "增长12.5%以上"):
        assert SEGMENTER.whole_words(text) == jiebas(text), text


def test_unknown_names_go_through_jiebas_hmm_as_in_jieba():
    text = "雨山区区长李明华同志和马鞍山市的王晓红、ERP系统2024年12%增长……"
    assert SEGMENTER.whole_words(text) == list(SEGMENTER.cut(text)) == jiebas(text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="发展经济会议上的区长李明华同志们中华人民共和国国务院abcERP 12%.-\n\t，。、（）《》?", max_size=60)
)
def test_generated_text_is_segmented_as_jieba_segments_it(text):
    assert SEGMENTER.whole_words(text) == list(SEGMENTER.cut(text)) == jiebas(text)


# Words of jieba's dictionary, so that generated text has long words, words inside
# words (which accurate mode gives once) and unknown runs between them (the HMM).
WORDS = ["中华人民共和国", "国务院", "发展改革委", "安全生产", "会议", "同志们", "李明华", "区长", "雨山区"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(WORDS) | st.text(alphabet="的是在了和经济建设展开放3D卡拉OK 12年㐀丽。，\n", max_size=6),
        max_size=12,
    ).map("".join)
)
def test_generated_words_and_runs_are_cut_as_jieba_cuts_them(text):
    assert SEGMENTER.whole_words(text) == jiebas(text)


def jiebas_chinese_words(text: str) -> list[str]:
    """What keywords.py counts: the words of jieba.cut without HMM made of two or more
    Chinese characters (`dictionary_words` may give more, never other Chinese words)."""
    return [w for w in jieba.dt.cut(text, HMM=False) if len(w) > 1 and all("\u4e00" <= c <= "\u9fff" for c in w)]


def chinese_only(words) -> list[str]:
    return [w for w in words if all("\u4e00" <= c <= "\u9fff" for c in w)]


def test_keywords_get_the_chinese_words_jieba_cuts_without_hmm_from_every_seed_page():
    for path in sorted(SEEDS.glob("*.txt")):
        text = normalize(decode_bytes(path.read_bytes()).text)
        ours = list(SEGMENTER.dictionary_words(text))
        assert chinese_only(ours) == jiebas_chinese_words(text), path.name
        assert len(ours) > 1000
        assert all(len(word) > 1 for word in ours)


def test_keywords_get_no_runs_of_latin_letters_or_digits_and_no_single_characters():
    text = "雨山区区长李明华同志和ERP系统2024年"
    assert list(jieba.dt.cut(text, HMM=False)) == [
        "雨山区",
        "区长",
        "李明华",
        "同志",
        "和",
        "ERP",
        "系统",
        "2024",
        "年",
    ]
    assert list(SEGMENTER.dictionary_words(text)) == ["雨山区", "区长", "李明华", "同志", "系统"]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="发展经济会议上的区长李明华同志们中华人民共和国国务院abcERP 12%.-\n\t，。、（）《》?", max_size=60)
)
def test_generated_text_gives_keywords_the_words_jieba_cuts_without_hmm(text):
    assert chinese_only(SEGMENTER.dictionary_words(text)) == jiebas_chinese_words(text)
