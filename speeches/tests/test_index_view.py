"""The searching side of the index on small Whoosh indexes built in the test:
exact phrases by bigram positions, and the codec's lengths reader."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Term

from speeches.search import query as q
from speeches.search.analysis import ChineseAnalyzer, GramField, gram_text
from speeches.search.index_view import IndexView, compile_query
from speeches.search_backend import ArchiveCodec


def make_view(texts: list[str]) -> IndexView:
    schema = Schema(
        django_id=ID(stored=True), canonical=ID, year=NUMERIC(int, sortable=True),
        text=TEXT(analyzer=ChineseAnalyzer()), grams=GramField(),
    )
    index = RamStorage().create_index(schema)
    writer = index.writer(codec=ArchiveCodec())
    for number, text in enumerate(texts):
        writer.add_document(django_id=str(number), canonical="true", year=2000 + number, text=text, grams=text)
    writer.commit()
    return IndexView(index.searcher(), 1)


def found(view: IndexView, phrase: str) -> set[int]:
    return {int(view.searcher.stored_fields(doc)["django_id"]) for doc in view.phrase_docs("grams", phrase)}


def test_a_phrase_whose_bigrams_occur_only_apart_is_not_found():
    view = make_view(["经济发动，发展", "加快经济发展", "经济。发展"])
    # 济发 and 发展 are both in the first text, but never as 济发展.
    assert found(view, "济发展") == {1}
    assert found(view, "经济发展") == {1}
    assert found(view, "济。发") == {2}
    assert found(view, "展经") == set()


def test_a_long_phrase_checks_every_character_not_only_its_ends():
    # 一二三四五 vs 一二X四五: same first and last bigrams, different middle.
    view = make_view(["一二三四五", "一二X四五 一二 二三 三四 四五"])
    assert found(view, "一二三四五") == {0}


def test_a_one_character_phrase_finds_it_anywhere_even_last():
    view = make_view(["甲乙", "丙", "丁"])
    assert found(view, "乙") == {0}
    assert found(view, "丙") == {1}


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="发展经济会议上的 。", min_size=0, max_size=30), min_size=1, max_size=6),
    phrase=st.text(alphabet="发展经济会议上的", min_size=1, max_size=5),
)
def test_phrase_matching_equals_a_substring_scan(texts, phrase):
    view = make_view(texts)
    expected = {number for number, text in enumerate(texts) if phrase in gram_text(text)}
    assert found(view, phrase) == expected


def test_a_document_only_a_phrase_reaches_is_still_on_a_page():
    # 议上 sits inside the jieba word 会议上, so ranking by words cannot reach it.
    view = make_view(["在会议上讲话", "议上"])
    tree = q.Phrase("议上")
    matches = view.canonical() & view.evaluate(tree)
    assert len(matches) == 2
    hits = view.page(tree, matches, "", 0, 20)
    assert sorted(pk for pk, _ in hits) == [0, 1]


def test_exclusions_and_alternatives_are_evaluated_as_sets():
    view = make_view(["疫情防控", "防汛抗旱", "疫情 防汛"])
    epidemic = q.Word("疫情", ("疫情",))
    flood = q.Word("防汛", ("防汛",))
    assert view.evaluate(q.Any((epidemic, flood))) == {0, 1, 2}
    assert view.evaluate(q.All((epidemic, q.Not(flood)))) == {0}


@pytest.mark.parametrize("field", ["text", "grams"])
def test_the_lengths_reader_answers_as_whooshs_own(field):
    view = make_view(["疫情防控工作会议", "", "发展", "同志们，同志们"])
    reader = view.searcher.reader()
    segment = reader.segment()
    ours = ArchiveCodec().per_document_reader(reader.storage(), segment)
    stock = W3PerDocReader(reader.storage(), segment)
    for doc in range(4):
        assert ours.doc_field_length(doc, field) == stock.doc_field_length(doc, field)


def test_several_segments_many_blocks_and_deleted_documents_read_as_whoosh_reads_them():
    schema = Schema(django_id=ID(stored=True, unique=True), canonical=ID, text=TEXT(analyzer=ChineseAnalyzer()),
                    grams=GramField())
    index = RamStorage().create_index(schema)
    texts = {}
    for batch in range(3):  # three commits: three segments, each with lists longer than one 128-posting block
        writer = index.writer(codec=ArchiveCodec())
        for n in range(300):
            number = batch * 300 + n
            texts[number] = "经济发展" if number % 3 else ("发展经济" if number % 2 else "经济。发展")
            writer.add_document(django_id=str(number), canonical="true", text=texts[number], grams=texts[number])
        writer.commit(merge=False)
    writer = index.writer(codec=ArchiveCodec())
    for number in range(0, 900, 7):  # deletions inside every segment
        writer.delete_by_term("django_id", str(number))
        del texts[number]
    writer.commit(merge=False)
    view = IndexView(index.searcher(), 1)
    assert len(view.searcher.leaf_searchers()) == 3

    def numbers(docs):
        return {int(view.searcher.stored_fields(doc)["django_id"]) for doc in docs}

    assert numbers(view.term_docs("text", "发展")) == set(texts)
    assert view.term_docs("grams", "发展") == frozenset(view.searcher.docs_for_query(Term("grams", "发展")))
    for phrase in ("济发展", "展经", "济。发", "经济发展"):
        assert numbers(view.phrase_docs("grams", phrase)) == {n for n, t in texts.items() if phrase in t}, phrase


def test_a_phrase_query_ranks_the_speech_that_repeats_the_phrase_first():
    view = make_view(["疫情防控工作，疫情", "疫情防控，疫情防控，疫情防控", "防控疫情"])
    tree = q.Phrase("疫情防控")
    matches = view.canonical() & view.evaluate(tree)
    hits = view.page(tree, matches, "", 0, 20)
    assert [pk for pk, _ in hits] == [1, 0]
    assert hits[0][1] > hits[1][1] > 0


@pytest.mark.parametrize("gain", [0, 10**9], ids=["as sets", "as bitmaps"])
def test_facet_counts_are_the_sizes_of_the_intersections_either_way(monkeypatch, gain):
    from speeches.search import index_view

    monkeypatch.setattr(index_view, "BITMAP_GAIN", gain)
    schema = Schema(django_id=ID(stored=True), kind=ID, text=TEXT(analyzer=ChineseAnalyzer()))
    index = RamStorage().create_index(schema)
    writer = index.writer(codec=ArchiveCodec())
    kinds = ["讲话", "报告", "致辞"]
    for number in range(60):
        writer.add_document(django_id=str(number), kind=kinds[number % 3] if number % 7 else "", text="发展")
    writer.commit()
    with index.writer(codec=ArchiveCodec()) as writer:  # a deleted document is counted nowhere
        writer.delete_by_term("django_id", "3")
    view = IndexView(index.searcher(), 2)
    everyone = view.every()
    for pool in (everyone, frozenset(d for d in everyone if d % 2), frozenset()):
        expected = {kind: len(view.term_docs("kind", kind) & pool) for kind in kinds}
        assert view.counts("kind", pool) == {kind: n for kind, n in expected.items() if n}
    assert view.counts("kind", everyone) == {"讲话": 16, "报告": 17, "致辞": 17}
    assert (view._bits["kind"] is None) == (gain == 0)


def test_one_or_two_words_are_ranked_exactly_as_whoosh_ranks_them():
    # Several segments, deleted documents, ties (equal texts) and unequal lengths.
    schema = Schema(django_id=ID(stored=True), text=TEXT(analyzer=ChineseAnalyzer()), grams=GramField())
    index = RamStorage().create_index(schema)
    texts = ["发展经济", "发展发展，经济发展", "经济", "我们要发展", "发展" * 5 + "，" + "改革" * 40, "发展经济改革"]
    for start in (0, 100, 200):
        writer = index.writer(codec=ArchiveCodec())
        for number in range(start, start + 90):
            writer.add_document(django_id=str(number), text=texts[number % len(texts)], grams="")
        writer.commit(merge=False)
    with index.writer(codec=ArchiveCodec()) as writer:
        writer.delete_by_term("django_id", "104")
        writer.delete_by_term("django_id", "7")
    view = IndexView(index.searcher(), 2)
    assert len(view.searcher.leaf_searchers()) == 3
    for words in (("发展",), ("经济",), ("改革",), ("发展", "经济"), ("改革", "发展")):
        tree = q.All(tuple(q.Word(word, (word,)) for word in words))
        matches = view.evaluate(tree)
        assert matches
        for offset, limit in ((0, 20), (20, 20), (0, 500)):
            ours = view.ranking.by_bm25("text", words, matches, offset, limit)
            whooshs = view._fetch(compile_query(tree, scoring=True), None, offset, limit)
            assert ours == whooshs and len(ours) == min(limit, max(0, len(matches) - offset))
        # Only the given documents are ranked.
        some = frozenset(sorted(matches)[::3])
        assert {pk for pk, _ in view.ranking.by_bm25("text", words, some, 0, 500)} == {
            int(view.searcher.stored_fields(doc)["django_id"]) for doc in some
        }
    assert view.ranking.by_bm25("text", ("发展", "经济", "改革"), matches, 0, 20) is None
