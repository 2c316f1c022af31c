"""The index's segmenter must give jieba's search-mode words exactly: the query side
still asks jieba itself, and a word segmented differently would never be found."""

from __future__ import annotations

from pathlib import Path

import jieba
from hypothesis import given, settings
from hypothesis import strategies as st

from speeches.ingest.decode import decode_bytes
from speeches.search.analysis import _tokenizer, normalize
from speeches.search.segmenter import SearchSegmenter

SEEDS = Path(__file__).resolve().parents[2] / "corpus" / "seeds"
SEGMENTER = SearchSegmenter(_tokenizer())


def jiebas(text: str) -> list[tuple[str, int, int]]:
    return list(jieba.dt.tokenize(text, mode="search"))


def test_every_seed_page_is_segmented_as_jieba_segments_it():
    for path in sorted(SEEDS.glob("*.txt")):
        text = decode_bytes(path.read_bytes()).text
        for version in (text, normalize(text)):
            ours = list(SEGMENTER.tokenize(version))
            assert ours == jiebas(version), path.name
            assert len(ours) > 1000


def test_unknown_names_go_through_jiebas_hmm_as_in_jieba():
    text = "雨山区区长李明华同志和马鞍山市的王晓红、ERP系统2024年12%增长……"
    assert list(SEGMENTER.tokenize(text)) == jiebas(text)
    assert list(SEGMENTER.cut(text)) == list(jieba.dt.cut(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="发展经济会议上的区长李明华同志们中华人民共和国国务院abcERP 12%.-\n\t，。、（）《》?", max_size=60))
def test_generated_text_is_segmented_as_jieba_segments_it(text):
    assert list(SEGMENTER.tokenize(text)) == jiebas(text)
