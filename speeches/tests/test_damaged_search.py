"""Possible matches in damaged text: a word of the query with one character shown as 〓.

The cast (speeches/tests/cast.py) has such words, as the mojibake step leaves them on
the seed pages: its `exam` speech writes “一防三〓” twice, “村不〓” and “一院多〓” (beside
“一院多校” in clear), its `roads` speech “政府对〓〓建设” (beside 公路建设 in clear). The
tests name those speeches and compare the listed speeches with a scan of the database.
"""

import pytest

from speeches.models import Speech
from speeches.search import SearchParams, parse_query, search_speeches
from speeches.search import query as q
from speeches.search.damaged import MARKER, variants, widened_query

pytestmark = pytest.mark.usefixtures("search_engine")

WORD = "一防三保"


def canonical_holding(texts) -> set[str]:
    return {s.public_id for s in Speech.objects.canonical() if any(t in s.text for t in texts)}


def damaged_ids(results) -> set[str]:
    return {item.hit.speech.public_id for item in results.damaged.hits} if results.damaged else set()


def test_each_character_of_a_word_of_three_or_more_is_replaced_in_turn():
    assert variants("村不漏") == ("〓不漏", "村〓漏", "村不〓")


def test_a_word_of_four_or_more_may_also_have_two_neighbouring_characters_lost():
    assert variants("一防三保") == (
        "〓防三保",
        "一〓三保",
        "一防〓保",
        "一防三〓",
        "〓〓三保",
        "一〓〓保",
        "一防〓〓",
    )


@pytest.mark.parametrize("text", ["六保", "保", "", "covid", "一防3保", "中" * 13])
def test_short_words_and_non_chinese_text_are_not_widened(text):
    assert variants(text) == ()


def test_an_excluded_word_is_not_widened_and_the_query_itself_is_subtracted():
    tree = parse_query("一防三保 -疫情防控").tree
    widened, stands_for = widened_query(tree)
    assert set(stands_for) == set(variants("一防三保"))
    assert isinstance(widened, q.All) and widened.children[1] == q.Not(tree)
    # The exclusion still holds inside the widened query.
    assert any(isinstance(child, q.Not) for child in widened.children[0].children)


def test_the_first_four_words_long_enough_are_widened_whatever_comes_before_them():
    tree = parse_query("六保 防控 发展 安全 一防三保 村不漏 工作会议 高质量发展 全面从严治党").tree
    _, stands_for = widened_query(tree)
    assert set(stands_for.values()) == {"一防三保", "村不漏", "工作会议", "高质量发展"}


def test_a_query_without_a_long_enough_word_is_not_widened():
    assert widened_query(parse_query("六保 防控").tree) == (None, {})
    assert widened_query(None) == (None, {})


def test_a_repeated_word_is_widened_one_occurrence_at_a_time():
    tree = parse_query("一防三保 一防三保").tree
    widened, _ = widened_query(tree)
    alternatives = widened.children[0].children
    assert len(alternatives) == 2
    # In each alternative one occurrence is widened and the other is kept as it was.
    for alternative in alternatives:
        kinds = sorted(type(child).__name__ for child in alternative.children)
        assert kinds == ["Any", "Term"]


def test_a_word_lost_to_a_marker_is_offered_as_a_possible_match(cast):
    marked = canonical_holding(variants(WORD))
    assert marked == cast.ids("exam")
    results = search_speeches(WORD)
    assert results.count == 0
    assert results.damaged.count == len(marked)
    assert damaged_ids(results) == marked
    for item in results.damaged.hits:
        assert item.word == WORD and item.variant in variants(WORD)
        assert item.variant in item.hit.speech.text
        assert any(f"<mark>{item.variant}</mark>" in snippet for snippet in item.hit.snippets)


def test_two_characters_lost_together_are_found_from_a_longer_word(cast):
    # roads writes 政府对〓〓建设 (as 003 does where two byte pairs in a row were dropped).
    # (公路建设 itself occurs in clear elsewhere in that speech, so it is a plain result.)
    marked = canonical_holding(["政府对〓〓建设"])
    assert marked == cast.ids("roads")
    results = search_speeches('"政府对公路建设"')
    assert results.count == 0
    assert damaged_ids(results) == marked
    assert {(item.variant, item.word) for item in results.damaged.hits} == {("政府对〓〓建设", "政府对公路建设")}


def test_a_traditional_query_and_a_phrase_are_widened_alike(cast):
    assert damaged_ids(search_speeches("一防三保")) == damaged_ids(search_speeches('"一防三保"'))
    assert damaged_ids(search_speeches("村不漏")) == canonical_holding(variants("村不漏")) == cast.ids("exam")


@pytest.mark.parametrize("query, marked_text", [("一防三保 OR 疫情防控", "一防三〓"), ("一院多校", "一院多〓")])
def test_a_speech_the_query_finds_is_not_offered_again_as_a_possible_match(cast, query, marked_text):
    marked = canonical_holding([marked_text])
    assert marked == cast.ids("exam")  # which also says 疫情防控 and 一院多校
    results = search_speeches(params=SearchParams(q=query, page_size=100), limit=2000)
    found = {hit.speech.public_id for hit in results.hits}
    assert results.count == len(found)
    assert marked and marked <= found  # the query itself finds the marked speeches ...
    assert not marked & damaged_ids(results)  # ... so they are not listed again


@pytest.mark.parametrize("query", ["一防三保", "村不漏", '"政府对公路建设"'])
def test_every_possible_match_holds_a_marked_variant_of_the_query(cast, query):
    results = search_speeches(query)
    assert results.damaged is not None
    for item in results.damaged.hits:
        assert MARKER in item.variant and item.variant in item.hit.speech.text


@pytest.mark.parametrize("query", ["属地报建", "地报保"])
def test_a_marked_form_only_a_copy_holds_is_named_as_the_copy_writes_it(corpus, query):
    # 001: the speech reads 向属地报备 where its copy's damaged run reads 向属地报〓.
    results = search_speeches(query)
    assert results.damaged is not None and results.damaged.hits
    for item in results.damaged.hits:
        texts = [item.hit.speech.text] + ([item.hit.version.text] if item.hit.version else [])
        assert MARKER in item.variant and any(item.variant in text for text in texts), item.variant


def test_possible_matches_keep_the_filters_of_the_search(cast):
    own = cast["exam"].document_id
    other = cast.documents["city.txt"].pk
    assert search_speeches(params=SearchParams(q=WORD, document=(str(own),))).damaged.count >= 1
    assert search_speeches(params=SearchParams(q=WORD, document=(str(other),))).damaged is None


def test_possible_matches_are_listed_on_the_first_page_only_and_not_exported(cast):
    assert search_speeches(params=SearchParams(q=WORD, page=2)).damaged is None
    assert search_speeches(params=SearchParams(q=WORD), snippets=False).damaged is None


def test_the_search_page_lists_possible_matches_apart_and_links_to_the_marked_place(client, cast):
    html = client.get("/search/", {"q": WORD}).content.decode()
    assert "可能的匹配：残缺文字" in html
    # Nothing matched exactly, and the notice at the top says where to look instead.
    assert "没有找到完全相符的讲话；下方列出了可能的匹配" in html and "可以换个说法" not in html
    assert "“一防三〓”可能是“一防三保”" in html
    assert "?q=%22%E4%B8%80%E9%98%B2%E4%B8%89%E3%80%93%22" in html  # "一防三〓", quoted
    assert "可能的匹配" not in client.get("/search/", {"q": "六保"}).content.decode()


def test_the_speech_page_marks_the_damaged_word_it_was_opened_for(client, cast):
    speech = cast["exam"]
    html = client.get(speech.get_absolute_url(), {"q": '"一防三〓"'}).content.decode()
    # The page explains each marker with a span of its own, inside the mark.
    assert '<mark>一防三<span class="lost"' in html


def test_the_api_gives_possible_matches_beside_the_results(client, cast):
    data = client.get("/api/search", {"q": WORD}).json()
    assert data["count"] == 0
    damaged = data["damaged"]
    assert damaged["count"] == len(damaged["results"]) == 1
    first = damaged["results"][0]
    assert first["marked"] == "一防三〓" and first["may_be"] == WORD
    assert "<mark>一防三〓</mark>" in first["snippet"]
    assert client.get("/api/search", {"q": "六保"}).json()["damaged"] is None
