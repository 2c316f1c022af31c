"""Keyword-in-context snippets (speeches/search/snippets.py): pure functions, no database,
except the last test, which measures the snippets of real searches over the sample corpus."""

import html
import re
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from speeches.search import SearchParams, kwic, search_speeches
from speeches.search.analysis import normalize

# A paragraph of seed 001 (traditional, ASCII commas), as the pipeline cleans it.
SAMPLE = (
    "新冠疫情發生至今已有近三年時間。三年來,在廣大干群的共同努力下,我們堅決打好疫情防控阻擊戰,"
    "集團公司范圍內未發生一起確診病例,疫情防控工作取得了階段性勝利。當前國際疫情仍在擴散蔓延,"
    "國內疫情多發頻發,為此,我們在這里召開疫情防控工作視頻會議,主要目的就是動員集團上下進一步"
    "統一思想、認清形勢,強化舉措、嚴防死守,堅決阻斷疫情傳播,切實鞏固來之不易的防控成果,"
    "全力保障企業安全穩定的生產經營秩序。"
)
MARK = re.compile(r"<mark>(.*?)</mark>")


def visible(snippet: str) -> str:
    """The snippet's text as a reader sees it, without marks and elisions."""
    return html.unescape(re.sub(r"</?mark>", "", snippet)).strip("…")


def marks(snippet: str) -> list[str]:
    return [html.unescape(m) for m in MARK.findall(snippet)]


def shares_a_run(a: str, b: str, length: int) -> bool:
    return any(a[i : i + length] in b for i in range(len(a) - length + 1))


def term_runs(paragraph: str, terms: tuple[str, ...]) -> set[tuple[int, int]]:
    """Maximal runs of characters covered by some term: what a mark must hold whole."""
    folded, covered = normalize(paragraph), [False] * len(paragraph)
    for term in map(normalize, terms):
        for start in (m.start() for m in re.finditer(f"(?={re.escape(term)})", folded)):
            covered[start : start + len(term)] = [True] * len(term)
    runs, start = set(), None
    for i, flag in enumerate([*covered, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.add((start, i))
            start = None
    return runs


def marks_are_whole_terms(snippet: str, paragraph: str, terms: tuple[str, ...]) -> bool:
    """Whether, where the snippet stands in the paragraph, its marks are exactly the
    term runs it shows: none cut at an edge, none missing."""
    text, spans, pos = "", [], 0
    for piece in re.split(r"(<mark>.*?</mark>)", snippet.strip("…")):
        plain = html.unescape(piece.removeprefix("<mark>").removesuffix("</mark>"))
        if piece.startswith("<mark>"):
            spans.append((len(text), len(text) + len(plain)))
        text += plain
    runs = term_runs(paragraph, terms)
    while (offset := paragraph.find(text, pos)) != -1:
        shown = {(s - offset, e - offset) for s, e in runs if s < offset + len(text) and e > offset}
        if shown == set(spans):
            return True
        pos = offset + 1
    return False


def test_three_windows_come_from_three_different_paragraphs():
    # Each paragraph its own filler: paragraphs that repeat one another show once.
    paragraphs = [c * 40 + "安全生产" + c * 10 + "安全生产" + c * 40 for c in "甲乙丙丁戊"]
    snippets = kwic("\n".join(paragraphs), ("安全生产",))
    assert len(snippets) == 3
    holders = [next(n for n, p in enumerate(paragraphs) if visible(s) in p) for s in snippets]
    assert len(set(holders)) == 3


def test_a_paragraph_gives_at_most_one_window_however_often_it_holds_the_term():
    text = "\n".join(
        ["安全生产" + "一" * 60 + "安全生产" + "二" * 60 + "安全生产", "无关的一段。", "只此一处：安全生产。"]
    )
    snippets = kwic(text, ("安全生产",))
    assert len(snippets) == 2 and visible(snippets[1]) == "只此一处：安全生产。"


@settings(max_examples=300, deadline=None)
@given(
    cut=st.tuples(st.integers(0, len(SAMPLE)), st.integers(0, len(SAMPLE))),
    picks=st.lists(
        st.one_of(
            st.sampled_from(["疫情防控", "防控工作", "疫情", "工作视频会议", "安全稳定", "集团"]),
            st.tuples(st.integers(0, len(SAMPLE) - 2), st.integers(2, 6)),
        ),
        min_size=1,
        max_size=3,
    ),
    width=st.integers(0, 80),
)
def test_a_window_never_cuts_a_marked_term_wherever_it_falls(cut, picks, width):
    paragraph = SAMPLE[min(cut) : max(cut)]
    terms = tuple(p if isinstance(p, str) else normalize(SAMPLE)[p[0] : p[0] + p[1]] for p in picks)
    for snippet in kwic(paragraph, terms, width=width):
        assert marks_are_whole_terms(snippet, paragraph, terms), (snippet, terms)


def test_a_snippet_never_cuts_a_marked_term_at_its_edges():
    for gap in range(30, 50):
        text = "安全生产" + "一" * gap + "安全生产" + "二" * gap + "安全生产" + "三" * 60
        for snippet in kwic(text, ("安全生产",)):
            assert marks(snippet) == ["安全生产"] * snippet.count("<mark>"), snippet


def test_a_sentence_the_speech_repeats_is_shown_once():
    said = "安全生产是头等大事，必须常抓不懈，决不能有丝毫松懈。"
    text = "\n".join([said, said, "会上再次强调：" + said + "各单位要落实。", "另一段：安全生产责任要落实到人。"])
    shown = [visible(s) for s in kwic(text, ("安全生产",))]
    assert shown == [said, "另一段：安全生产责任要落实到人。"]


def test_a_passage_shared_by_paragraphs_that_differ_around_it_is_shown_once():
    said = "全市疫情防控指挥部第三次全体会议"
    text = "\n".join(f"第{n}次提到：按照{said}的要求，做好第{n}项工作。" for n in range(1, 5))
    shown = [visible(s) for s in kwic(text, ("疫情防控",))]
    assert len(shown) == 1


def test_windows_show_each_term_before_showing_one_again():
    text = "\n".join(
        [
            "安全生产要讲，安全生产要抓，安全生产要落实。",
            "安全生产不能松懈。",
            "疫情防控要常态化。",
            "安全生产月活动开始。",
            "教育信息化有新进展。",
        ]
    )
    terms = ("安全生产", "疫情防控", "教育信息化")
    shown = {m for s in kwic(text, terms) for m in marks(s)}
    assert {"安全生产", "疫情防控", "教育信息化"} <= shown
    assert {m for s in kwic(text, terms[:2], limit=2) for m in marks(s)} == {"安全生产", "疫情防控"}


def test_a_window_showing_both_terms_comes_before_windows_showing_one():
    text = "\n".join(["安全生产在前。", "疫情防控在后。", "疫情防控和安全生产一起抓。"])
    snippets = kwic(text, ("安全生产", "疫情防控"), limit=1)
    assert visible(snippets[0]) == "疫情防控和安全生产一起抓。"


def test_windows_are_shown_in_the_order_of_the_text():
    text = "\n".join(["第一段说安全生产。", "第二段说安全生产，" + "再说安全生产" * 3 + "。", "第三段说安全生产。"])
    assert [visible(s)[:3] for s in kwic(text, ("安全生产",))] == ["第一段", "第二段", "第三段"]


def test_a_window_breaks_at_punctuation_near_its_edges_and_elides_only_cut_text():
    paragraph = "甲" * 25 + "，" + "乙" * 44 + "安全生产" + "丙" * 38 + "。" + "丁" * 40
    assert kwic(paragraph, ("安全生产",)) == ["…" + "乙" * 44 + "<mark>安全生产</mark>" + "丙" * 38 + "。…"]
    assert kwic("短段落说安全生产。", ("安全生产",)) == ["短段落说<mark>安全生产</mark>。"]


def test_a_term_is_marked_in_the_source_characters_where_the_folded_text_matched():
    (snippet,) = kwic(SAMPLE, ("视频会议",))
    assert "<mark>視頻會議</mark>" in snippet


def test_overlapping_terms_are_marked_as_one():
    assert kwic("马鞍山市雨山区召开会议。", ("雨山", "山区")) == ["马鞍山市<mark>雨山区</mark>召开会议。"]


def test_a_term_inside_a_longer_one_is_marked_once_with_it_and_alone_where_it_stands_alone():
    # Marks are spans, not counts: 疫情 疫情防控 marks each 疫情防控 once, as the
    # concordance lists it once (speeches/search/concordance.py), and the bare 疫情 too.
    # 哈哈哈 is marked whole, where the concordance lists one 哈哈: a mark shows every
    # character a term matched, so that it shows why the speech was found.
    assert kwic("疫情防控，疫情，哈哈哈。", ("疫情", "疫情防控", "哈哈")) == [
        "<mark>疫情防控</mark>，<mark>疫情</mark>，<mark>哈哈哈</mark>。"
    ]


def test_snippets_escape_markup_from_the_source_text():
    snippets = kwic("前文<script>alert(1)</script>确保考试安全后文", ("考试",))
    assert "<script>" not in snippets[0]
    assert "&lt;script&gt;" in snippets[0]
    assert "<mark>考试</mark>" in snippets[0]


def test_snippets_shown_beside_others_repeat_none_of_them():
    own = "第一段说安全生产要落实到人。\n第二段又说安全生产。"
    copy = own.replace("落实到人。", "落实到人。唯有副本才写的一句话")
    shown = kwic(copy, ("唯有副本才写",))
    assert kwic(own, ("安全生产",), limit=1, besides=shown) == ["第二段又说<mark>安全生产</mark>。"]


def test_a_text_without_the_terms_has_no_snippets():
    # The feed (speeches/feeds.py) then shows the speech's opening instead.
    assert kwic("这一段没有检索词。", ("安全生产",)) == []
    assert kwic("这一段没有检索词。", ()) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("search_engine")
@pytest.mark.parametrize("query", ["安全生产", "疫情防控", "教育信息化", "工作"])
def test_snippets_of_the_sample_corpus_repeat_nothing_and_cut_no_term(corpus, query):
    results = search_speeches(params=SearchParams(q=query, page_size=100))
    assert results.hits
    terms = [normalize(term) for term in results.terms]
    for hit in results.hits:
        texts = [visible(s) for s in hit.snippets]
        assert not any(shares_a_run(a, b, 15) for a, b in pairwise(texts)), texts
        for mark in (m for s in hit.snippets for m in marks(s)):
            assert any(term in normalize(mark) for term in terms), (hit.speech.title, mark)
