"""The Whoosh engine's searching side on small indexes built in the test: terms as
strings by bigram positions, copies collapsed onto their speech, ranking, facets,
and the codec's lengths reader."""

from __future__ import annotations

import pickle
from array import array

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from whoosh import sorting
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.fields import ID, KEYWORD, NUMERIC, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Every, Term

from speeches.search import query as q
from speeches.search.analysis import gram_text
from speeches.search.engine import SORT_COLUMNS
from speeches.search.whoosh import internals
from speeches.search.whoosh import view as view_module
from speeches.search.whoosh.fields import GramField, WordField, decode_positions
from speeches.search.whoosh.internals import ArchiveCodec, GroupingWriter, PackedGaps, PackedValues
from speeches.search.whoosh.view import IndexView


def schema() -> Schema:
    return Schema(
        django_id=ID(stored=True, unique=True),
        public_id=ID(stored=True),
        canonical=ID,
        copy_of=ID(stored=True),
        year=NUMERIC(int, sortable=True),
        length=NUMERIC(int, sortable=True, stored=True),
        speech_pk=NUMERIC(int, sortable=True, stored=True),
        text=WordField(),
        title=WordField(field_boost=2.0),
        grams=GramField(),
        title_grams=GramField(),
    )


def doc(number: int, text: str, title: str = "", copy_of: int | None = None, year: int | None = None) -> dict:
    fields = {
        "django_id": str(number),
        "speech_pk": number,
        "public_id": f"s{number}",
        "canonical": "false" if copy_of is not None else "true",
        "year": 2000 + number if year is None else year,
        "length": len(text),
        "text": f"{title}\n{text}",
        "grams": f"{title}\n{text}",
        "title": title,
        "title_grams": title,
    }
    if copy_of is not None:
        fields["copy_of"] = f"s{copy_of}"
    return fields


def make_view(
    texts: list[str], titles: dict[int, str] | None = None, copies: dict[int, int] | None = None
) -> IndexView:
    index = RamStorage().create_index(schema())
    writer = index.writer(codec=ArchiveCodec())
    for number, text in enumerate(texts):
        writer.add_document(**doc(number, text, (titles or {}).get(number, ""), (copies or {}).get(number)))
    writer.commit()
    return IndexView(index.searcher(), 1)


def numbers(view: IndexView, docs) -> set[int]:
    return {view.django_id(d) for d in docs}


def found(view: IndexView, text: str) -> set[int]:
    return numbers(view, view.evaluate(q.Term(text)))


def ranked(view: IndexView, tree) -> list[int]:
    return [pk for pk, _ in view.page(tree, view.evaluate(tree), "relevance", 0, 50)]


def test_a_term_whose_bigrams_occur_only_apart_is_not_found():
    view = make_view(["经济发动，发展", "加快经济发展", "经济。发展"])
    # 济发 and 发展 are both in the first text, but never as 济发展.
    assert found(view, "济发展") == {1}
    assert found(view, "经济发展") == {1}
    assert found(view, "济。发") == {2}
    assert found(view, "展经") == set()


def test_a_long_term_checks_every_character_not_only_its_ends():
    # 一二三四五 vs 一二X四五: same first and last bigrams, different middle.
    view = make_view(["一二三四五", "一二X四五 一二 二三 三四 四五"])
    assert found(view, "一二三四五") == {0}


def test_a_one_character_term_is_found_anywhere_even_last():
    view = make_view(["甲乙", "丙", "丁"])
    assert found(view, "乙") == {0}
    assert found(view, "丙") == {1}


def test_a_term_inside_a_longer_jieba_word_is_found():
    # 讲话稿 is one jieba word; 议上 sits inside 会议上.
    view = make_view(["这是讲话稿", "在会议上", "无关"])
    assert found(view, "讲话") == {0}
    assert found(view, "议上") == {1}


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="发展经济会议上的 。", min_size=0, max_size=30), min_size=1, max_size=6),
    term=st.text(alphabet="发展经济会议上的", min_size=1, max_size=5),
)
def test_term_matching_equals_a_substring_scan(texts, term):
    view = make_view(texts)
    expected = {number for number, text in enumerate(texts) if term in gram_text(text)}
    assert found(view, term) == expected


def test_exclusions_and_alternatives_are_evaluated_as_sets_of_speeches():
    view = make_view(["疫情防控", "防汛抗旱", "疫情 防汛"])
    epidemic, flood = q.Term("疫情"), q.Term("防汛")
    assert numbers(view, view.evaluate(q.Any((epidemic, flood)))) == {0, 1, 2}
    assert numbers(view, view.evaluate(q.All((epidemic, q.Not(flood))))) == {0}


def test_a_term_only_a_copy_holds_finds_the_speech_it_copies():
    # 1 is an edited copy of 0 that added 新增内容; 2 copies 0 word for word.
    view = make_view(["原有讲话内容", "原有讲话内容，新增内容", "原有讲话内容"], copies={1: 0, 2: 0})
    assert found(view, "新增内容") == {0}
    assert found(view, "讲话") == {0}
    # AND across the speech's versions, and exclusion of any version's text.
    assert numbers(view, view.evaluate(q.All((q.Term("新增"), q.Term("原有"))))) == {0}
    assert numbers(view, view.evaluate(q.All((q.Term("讲话"), q.Not(q.Term("新增")))))) == set()


def test_a_copy_whose_speech_is_not_indexed_finds_nothing():
    view = make_view(["无主的副本"], copies={0: 7})
    assert found(view, "副本") == set()


def test_the_speech_that_repeats_a_term_ranks_first():
    view = make_view(["疫情防控工作，疫情", "疫情防控，疫情防控，疫情防控", "防控疫情"])
    tree = q.Term("疫情防控")
    hits = view.page(tree, view.evaluate(tree), "relevance", 0, 20)
    assert [pk for pk, _ in hits] == [1, 0]
    assert hits[0][1] > hits[1][1] > 0


def test_a_match_in_the_title_ranks_first():
    view = make_view(["教育教育教育教育", "今天谈教育"], titles={1: "教育工作会议"})
    assert ranked(view, q.Term("教育")) == [1, 0]


def test_a_term_standing_as_a_whole_word_ranks_above_one_inside_a_longer_word():
    # jieba segments 开发展示 as 开发 / 展示: 发展 there is no word of the text.
    view = make_view(["我们开发展示平台", "我们推动发展平台"])
    assert ranked(view, q.Term("发展")) == [1, 0]


def test_a_term_inside_a_longer_dictionary_word_is_not_counted_as_a_whole_word():
    # 网络安全 is one word of jieba's dictionary: search mode also gives 网络 and 安全,
    # which counted 安全 there as a whole word (45 of 安全's 45 in a sample speech that
    # has it alone 4 times).
    view = make_view(["加强网络安全管理工作", "加强安全管理工作要求"])
    assert ranked(view, q.Term("安全")) == [1, 0]


def test_several_terms_standing_close_together_rank_first():
    apart = "疫情" + "，这里说的是别的事情" * 6 + "防控"
    near = "疫情" + "，这里说的是别的事情" * 6 + "疫情防控"
    view = make_view([apart, near])
    assert ranked(view, q.All((q.Term("疫情"), q.Term("防控")))) == [1, 0]
    far = "会议" + "，另外一件事" * 10 + "部署" + "，再说别的" * 3
    close = "会议部署" + "，另外一件事" * 10 + "，再说别的" * 3
    view = make_view([far, close])
    assert ranked(view, q.All((q.Term("会议"), q.Term("部署")))) == [1, 0]


def test_pages_of_a_ranking_never_overlap_and_cover_every_match():
    texts = [("工作" * (n % 7 + 1)) + "，会议" * (n % 5) for n in range(60)]
    view = make_view(texts)
    tree = q.All((q.Term("工作"), q.Term("会议")))
    matches = view.evaluate(tree)
    pages = [view.page(tree, matches, "relevance", offset, 7) for offset in range(0, 70, 7)]
    listed = [pk for page in pages for pk, _ in page]
    assert len(listed) == len(set(listed)) == len(matches)


@pytest.mark.parametrize("field", ["text", "grams"])
def test_the_lengths_reader_answers_as_whooshs_own(field):
    view = make_view(["疫情防控工作会议", "", "发展", "同志们，同志们"])
    reader = view.searcher.reader()
    segment = reader.segment()
    ours = ArchiveCodec().per_document_reader(reader.storage(), segment)
    stock = W3PerDocReader(reader.storage(), segment)
    for number in range(4):
        assert ours.doc_field_length(number, field) == stock.doc_field_length(number, field)


def test_several_segments_many_blocks_and_deleted_documents_read_as_whoosh_reads_them():
    index = RamStorage().create_index(schema())
    texts = {}
    for batch in range(3):  # three commits: three segments, each with lists longer than one 128-posting block
        writer = index.writer(codec=ArchiveCodec())
        for n in range(300):
            number = batch * 300 + n
            texts[number] = "经济发展" if number % 3 else ("发展经济" if number % 2 else "经济。发展")
            writer.add_document(**doc(number, texts[number]))
        writer.commit(merge=False)
    writer = index.writer(codec=ArchiveCodec())
    for number in range(0, 900, 7):  # deletions inside every segment
        writer.delete_by_term("django_id", str(number))
        del texts[number]
    writer.commit(merge=False)
    view = IndexView(index.searcher(), 1)
    assert len(view.searcher.leaf_searchers()) == 3
    assert numbers(view, view.term_docs("text", "发展")) == set(texts)
    assert view.term_docs("grams", "发展").tolist() == sorted(view.searcher.docs_for_query(Term("grams", "发展")))
    for term in ("济发展", "展经", "济。发", "经济发展", "发展"):
        assert found(view, term) == {n for n, t in texts.items() if term in t}, term
    # Ranking reads the same blocks: every match is ranked, once.
    tree = q.Term("经济发展")
    listed = [pk for pk, _ in view.page(tree, view.evaluate(tree), "relevance", 0, 1000)]
    assert sorted(listed) == sorted(n for n, t in texts.items() if "经济发展" in t)


def make_segments(batches: list[list[str]], deleted: set[int], blocklimit: int) -> tuple[IndexView, dict[int, str]]:
    """An index of one segment per batch, blocks of `blocklimit` postings, and the
    documents numbered in `deleted` deleted; with the texts still indexed."""
    index = RamStorage().create_index(schema())
    texts, number = {}, 0
    for batch in batches:
        writer = index.writer(codec=ArchiveCodec(blocklimit=blocklimit))
        for text in batch:
            writer.add_document(**doc(number, text))
            texts[number] = text
            number += 1
        writer.commit(merge=False)
    if deleted & set(texts):
        writer = index.writer(codec=ArchiveCodec(blocklimit=blocklimit))
        for number in deleted & set(texts):
            writer.delete_by_term("django_id", str(number))
            del texts[number]
        writer.commit(merge=False)
    return IndexView(index.searcher(), 1), texts


@settings(max_examples=40, deadline=None)
@given(
    batches=st.lists(
        st.lists(
            st.sampled_from(
                ["经济发展", "发展经济", "会议上的讲话", "讲话", "的讲话", "稀有", "稀有的讲", "稀有的讲话", "经济"]
            ),
            max_size=40,
        ),
        min_size=1,
        max_size=3,
    ),
    deleted=st.sets(st.integers(0, 120), max_size=10),
    term=st.sampled_from(["稀有的讲话", "有的讲", "的讲话", "经济发展", "济发", "有的", "稀有"]),
)
# Every block of 讲话 skipped: the one candidate (holding 稀有 and 的讲) comes after them.
@example(batches=[["讲话", "讲话", "稀有的讲"]], deleted=set(), term="稀有的讲话")
def test_a_string_read_through_skipped_blocks_equals_a_substring_scan(batches, deleted, term):
    # Blocks of 2 postings: a rare bigram's few candidates skip most blocks of a common one.
    view, texts = make_segments(batches, deleted, blocklimit=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(view_module, "SKIPS", 1)
        assert found(view, term) == {n for n, t in texts.items() if term in t}


def test_a_rare_string_reads_only_the_blocks_of_a_common_bigram_that_hold_its_candidates(monkeypatch):
    texts = ["会议上的讲话"] * 200
    texts[37] = texts[150] = "稀有的讲话"
    view, _ = make_segments([texts[:100], texts[100:]], set(), blocklimit=4)
    view.canonical()  # read before counting: every search reads it once per view
    read = []
    monkeypatch.setattr(internals._ReadBlock, "ids", _counting(internals._ReadBlock.ids, read))
    assert found(view, "稀有的讲话") == {37, 150}
    # 稀有 first (one block per segment), then of the 50 blocks of each of 的讲 and 讲话
    # the one holding 37 and the one holding 150.
    assert sorted(block.matcher._term[1].decode() for block in read) == ["的讲"] * 2 + ["稀有"] * 2 + ["讲话"] * 2
    read.clear()
    assert len(found(view, "的讲话")) == 200
    assert len(read) == 2 * 50


def _counting(method, calls: list):
    def counted(self):
        calls.append(self)
        return method(self)

    return counted


def test_facet_counts_are_the_sizes_of_the_intersections():
    index = RamStorage().create_index(
        Schema(django_id=ID(stored=True), kind=ID, tags=KEYWORD(commas=True), grams=GramField())
    )
    writer = index.writer(codec=ArchiveCodec())
    kinds = ["讲话", "报告", "致辞"]
    for number in range(60):
        tags = ",".join(tag for tag, every in (("经济", 2), ("教育", 3), ("城市", 5)) if number % every == 0)
        writer.add_document(
            django_id=str(number), kind=kinds[number % 3] if number % 7 else "", tags=tags, grams="发展"
        )
    writer.commit()
    with index.writer(codec=ArchiveCodec()) as writer:  # a deleted document is counted nowhere
        writer.delete_by_term("django_id", "3")
    view = IndexView(index.searcher(), 2)
    everyone = view.term_docs("grams", "发展")
    for pool in (everyone, everyone[everyone % 2 == 1], everyone[:0]):
        expected = {kind: len(set(view.term_docs("kind", kind).tolist()) & set(pool.tolist())) for kind in kinds}
        assert view.counts("kind", pool) == {kind: n for kind, n in expected.items() if n}
    assert view.counts("kind", everyone) == {"讲话": 16, "报告": 17, "致辞": 17}
    # A field of several values per document counts a document once under each:
    # 0–58 even, 30; multiples of 3, 20 less the deleted 3; of 5, 12. Odd ones: 3, 9 …
    # 57 less 3, and 5, 15 … 55.
    odd = everyone[everyone % 2 == 1]
    assert view.counts("tags", odd) == {"教育": 9, "城市": 6}
    assert view.counts("tags", everyone) == {"经济": 30, "教育": 19, "城市": 12}
    assert view.counts("absent", everyone) == {}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 300_000), min_size=1, max_size=40, unique=True).map(sorted))
def test_positions_are_encoded_so_that_their_count_shows_in_the_length(positions):
    import numpy as np

    from speeches.search.whoosh.fields import count_lengths, count_positions, decode_positions, encode_positions

    value = encode_positions(positions)
    assert decode_positions(value) == positions
    assert count_positions(value) == len(positions) == count_lengths(np.array([len(value)]))[0]


def test_whole_word_counts_are_frequencies_in_a_boosted_field_too():
    # The title's word field is boosted 2×; a title that says 教育 once counts once.
    view = make_view(["正文", "正文"], titles={0: "教育工作", 1: "教育，教育"})
    ids, counts = view.word_counts("title", "教育")
    assert dict(zip(map(view.django_id, ids), counts, strict=True)) == {0: 1.0, 1: 2.0}


def test_whole_word_counts_are_kept_for_the_next_search_and_read_again_after_forget(monkeypatch):
    view = make_view(["教育工作", "教育，教育"])
    first = view.word_counts("text", "教育")
    reads = []
    read = view._blocks
    monkeypatch.setattr(view, "_blocks", lambda *args: reads.append(args) or read(*args))
    assert view.word_counts("text", "教育") is first and reads == []
    view.forget()
    again = view.word_counts("text", "教育")
    assert reads == [("text", "教育")] and again is not first
    assert dict(zip(map(view.django_id, again[0]), again[1], strict=True)) == {0: 1.0, 1: 2.0}


position_lists = st.lists(st.integers(0, 300_000), min_size=1, max_size=20, unique=True).map(sorted)


@settings(max_examples=200, deadline=None)
@given(st.lists(position_lists, min_size=1, max_size=12), st.integers(0, 5))
def test_start_keys_are_every_document_and_position_less_the_offset(lists, offset):
    # Gaps past 65,535 characters take the four-byte code, which start_keys reads apart.
    import numpy as np

    from speeches.search.whoosh.fields import KEY_SHIFT, encode_positions, start_keys

    docs = np.arange(0, 3 * len(lists), 3, dtype=np.int64)
    values = [encode_positions(where) for where in lists]
    keys = start_keys(docs, b"".join(values), np.array([len(v) for v in values]), offset)
    expected = [(int(doc), p - offset) for doc, where in zip(docs, lists, strict=True) for p in where if p >= offset]
    assert [(int(k) >> KEY_SHIFT, int(k) & ((1 << KEY_SHIFT) - 1)) for k in keys] == expected


def test_a_term_repeated_in_a_speech_has_every_start_and_its_count():
    view = make_view(["会议上的讲话，会议上的讲话；会议", "会议上的讲"])
    occurrences = view.occurrences(q.Term("会议上的讲话"))
    (doc,) = occurrences.docs
    assert view.django_id(doc) == 0
    # gram_text strips the empty title's line: the text starts at 0.
    assert occurrences.starts([doc]) == {doc: [0, 7]}
    assert dict(zip(*occurrences.counted, strict=True)) == {doc: 2}


@pytest.mark.parametrize("packed", [True, False], ids=["packed blocks", "blocks as Whoosh writes them"])
def test_an_index_reads_the_same_whether_its_blocks_are_packed_or_not(monkeypatch, packed):
    # Indexes written before the values and the document numbers were packed keep their
    # tuples and must answer as before. 200 speeches: the common bigrams' lists run over
    # several blocks.
    monkeypatch.setattr(internals, "PACKED", packed)
    texts = [("经济发展，发展经济。" * (n % 4 + 1)) + ("会议上的讲话" if n % 3 else "") for n in range(200)]
    index = RamStorage().create_index(schema())
    writer = GroupingWriter(index, codec=ArchiveCodec())
    for number, text in enumerate(texts):
        writer.add_document(**doc(number, text))
    writer.commit()
    view = IndexView(index.searcher(), 1)
    reader = view.searcher.reader()
    matcher = reader.postings("grams", "发展")
    matcher._read_values()
    assert isinstance(matcher._values, PackedValues) == packed
    assert isinstance(matcher._data[0], array) == packed
    if packed:  # a block of positions: its parts compressed apart, its values inflated when read
        assert matcher._compression == 0 and matcher._values._blob is None
        assert decode_positions(matcher.value()) and matcher._values._blob is not None
    # Whoosh's own matcher and ours read the same positions.
    stock = dict(reader.postings("grams", "发展").all_items())
    ours = view.positions(q.Term("发展"), list(stock))
    assert {doc: decode_positions(value) for doc, value in stock.items()} == ours and len(ours) == 200
    # Whoosh's own matcher reads the packed numbers and weights as its tuples.
    assert view.term_docs("grams", "发展").tolist() == sorted(view.searcher.docs_for_query(Term("grams", "发展")))
    assert len(view.term_docs("grams", "发展")) == 200
    ids, counts = view.word_counts("text", "发展")
    assert dict(zip(map(view.django_id, ids.tolist()), counts.tolist(), strict=True)) == {
        n: 2.0 * (n % 4 + 1) for n in range(200)
    }
    assert dict(reader.postings("text", "发展").items_as("weight")) == dict(
        zip(ids.tolist(), counts.tolist(), strict=True)
    )
    for term in ("发展", "会议上的讲话", "展经济。", "济"):
        assert found(view, term) == {n for n, t in enumerate(texts) if term in gram_text(t)}, term
    holding = view.evaluate(q.Term("经济发展"))
    ids, counts = view.occurrences(q.Term("经济发展")).counted
    assert dict(zip(map(view.django_id, ids), counts.tolist(), strict=True)) == {
        n: float(n % 4 + 1) for n in range(200)
    }
    assert len(holding) == 200


@pytest.mark.parametrize(
    "gaps, typecode", [([3, 1, 1], "B"), ([300, 2, 255], "H"), ([70_000, 1, 65_536], "I")], ids=["B", "H", "I"]
)
def test_packed_gaps_unpickle_as_an_array_of_the_same_numbers_in_the_smallest_type(gaps, typecode):
    loaded = pickle.loads(pickle.dumps((PackedGaps.of(gaps), None), 2))[0]
    assert type(loaded) is array
    assert loaded.typecode == typecode
    assert loaded.tolist() == gaps


def test_equal_scores_and_equal_years_are_ordered_by_the_speech_not_by_where_the_index_put_it():
    # Four speeches equal in every way but their primary key, written to the index in
    # the opposite order (as a parallel rebuild or a re-upload may), in two segments.
    index = RamStorage().create_index(schema())
    for batch in ([40, 30], [20, 10]):
        writer = index.writer(codec=ArchiveCodec())
        for number in batch:
            writer.add_document(**doc(number, "经济发展，发展经济。", year=2019))
        writer.commit(merge=False)
    view = IndexView(index.searcher(), 1)
    tree = q.Term("经济发展")
    matches = view.evaluate(tree)
    ranked = view.page(tree, matches, "relevance", 0, 10)
    assert len({score for _, score in ranked}) == 1
    assert [pk for pk, _ in ranked] == [10, 20, 30, 40]
    for sort in ("year", "year_asc", "length"):
        assert [pk for pk, _ in view.page(tree, matches, sort, 0, 10)] == [10, 20, 30, 40], sort
    assert [pk for pk, _ in view.page(tree, matches, "relevance", 1, 2)] == [20, 30]


def test_numeric_columns_read_as_arrays_give_what_whooshs_column_reader_gives():
    fields = {"small": NUMERIC(int, sortable=True), "big": NUMERIC(int, bits=64, sortable=True)}
    index = RamStorage().create_index(Schema(django_id=ID(stored=True), **fields))
    batches = [
        [{"small": -5, "big": 2**40}, {}, {"small": 2**31 - 2, "big": -3}],  # a gap, the extremes
        [{}, {}],  # a segment without either column
        [{"small": 0}, {"small": 7, "big": 1}, {}],  # the last document without a value
    ]
    number = 0
    for batch in batches:
        writer = index.writer(codec=ArchiveCodec())
        for values in batch:
            writer.add_document(django_id=str(number), **values)
            number += 1
        writer.commit(merge=False)
    with index.writer(codec=ArchiveCodec()) as writer:
        writer.delete_by_term("django_id", "1")
    searcher = index.searcher()
    assert len(searcher.leaf_searchers()) == 3
    for name in fields:
        # Segment by segment: Whoosh's reader of the whole index leaves out a segment
        # without the column, so its values no longer line up with document numbers.
        expected = [value for leaf, _ in searcher.leaf_searchers() for value in leaf.reader().column_reader(name)]
        assert internals.numeric_column(searcher, name).tolist() == expected, name
    missing = 2**31 - 1  # the default a 32-bit NUMERIC reads back where a document has none
    assert internals.numeric_column(searcher, "small").tolist() == [
        -5,
        missing,
        2**31 - 2,
        missing,
        missing,
        0,
        7,
        missing,
    ]


@pytest.mark.parametrize("sort", ["year", "year_asc", "length", "length_asc"])
def test_sorting_by_a_column_gives_the_page_whooshs_sorting_gives(sort):
    # Years and lengths that tie, speeches without a year, two segments and a deleted
    # speech: page() sorts in numpy what Whoosh sorted visiting every document.
    index = RamStorage().create_index(Schema(year_key=ID, **schema()._fields))
    for segment in range(2):
        writer = index.writer(codec=ArchiveCodec())
        for number in range(30 * segment, 30 * segment + 30):
            fields = doc(number, "发展" * (1 + number % 4))
            if number % 5 == 0:
                del fields["year"]  # undated
            else:
                fields["year"] = 2000 + number % 3
                fields["year_key"] = str(fields["year"])
            writer.add_document(**fields)
        writer.commit(merge=False)
    writer = index.writer(codec=ArchiveCodec())
    writer.delete_by_term("django_id", "7")
    writer.commit(merge=False)
    view = IndexView(index.searcher(), 1)
    assert len(view.searcher.reader().leaf_readers()) == 2
    for tree in (None, q.Term("发展发展")):
        matches = view.evaluate(tree) if tree is not None else view.canonical()
        assert len(matches) > 20
        for offset, limit in ((0, 50), (0, 10), (13, 7)):
            expected = whooshs_sorted_page(view, matches, sort, offset, limit)
            assert view.page(tree, matches, sort, offset, limit) == expected
            assert len(expected) == min(limit, len(matches) - offset)


def whooshs_sorted_page(view: IndexView, matches, sort: str, offset: int, limit: int) -> list[tuple[int, float]]:
    """A page sorted by a column through Whoosh's own sorting, as view.page did before."""
    column, reverse = SORT_COLUMNS[sort]
    order = sorting.FieldFacet(column, reverse=reverse)
    if column == "year":
        dated_first = sorting.QueryFacet({0: Every("year_key")}, other=1)
        order = sorting.MultiFacet([dated_first, order])
    results = view.searcher.search(Every(), filter=set(matches.tolist()), limit=offset + limit, sortedby=order)
    return [(int(results.fields(i)["django_id"]), 0.0) for i in range(offset, min(len(results.top_n), offset + limit))]
