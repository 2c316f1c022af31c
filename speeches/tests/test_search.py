"""Search through haystack + Whoosh + jieba over the ingested sample corpus."""

import pytest

from speeches.models import Speech
from speeches.search import kwic, parse_query, search_speeches

pytestmark = pytest.mark.django_db


def ids(query: str) -> set[str]:
    return {hit.speech.public_id for hit in search_speeches(query, page_size=100).hits}


def test_a_chinese_query_finds_speeches_whose_text_jieba_segments_differently(corpus):
    results = search_speeches("疫情防控")
    assert results.count >= 10
    for hit in results.hits:
        text = hit.speech.text
        assert "疫情" in text and "防控" in text


def test_a_traditional_query_finds_the_same_speeches_as_its_simplified_form(corpus):
    assert ids("雨山區") == ids("雨山区") != set()
    assert ids("國土資源") == ids("国土资源") != set()


def test_a_query_finds_a_speech_from_every_sample_page(corpus):
    found = {hit.speech.document.original_name for hit in search_speeches("同志们", page_size=100).hits}
    # Duplicates are collapsed, so 003 shows its canonical speeches.
    assert len(found) == 5


def test_results_show_each_speech_once(corpus):
    hits = search_speeches("信息化", page_size=100).hits
    assert all(hit.speech.duplicate_of_id is None for hit in hits)
    assert len({hit.speech.pk for hit in hits}) == len(hits)


def test_pages_do_not_overlap_and_add_up_to_the_count(corpus):
    first = search_speeches("工作", page=1, page_size=10)
    second = search_speeches("工作", page=2, page_size=10)
    assert first.count == second.count > 20
    assert not {h.speech.pk for h in first.hits} & {h.speech.pk for h in second.hits}


def test_a_hit_links_to_the_paragraph_where_the_query_occurs(corpus):
    hit = search_speeches("雨山区").hits[0]
    number = int(hit.paragraph.lstrip("p"))
    assert "雨山" in hit.speech.paragraphs()[number - 1]


@pytest.mark.parametrize("query", ['"unbalanced', "(((", "OR", "-", "AND NOT", "😀", "<b>x</b>", "'; DROP TABLE x;--", "疫" * 2000])
def test_a_malformed_query_answers_with_results_or_a_message(corpus, query):
    results = search_speeches(query)
    assert results.count >= 0
    assert results.hits or results.message or results.count == 0


def test_snippets_escape_markup_from_the_source_text():
    snippets = kwic("前文<script>alert(1)</script>确保考试安全后文", ("考试",))
    assert "<script>" not in snippets[0]
    assert "&lt;script&gt;" in snippets[0]
    assert "<mark>考试</mark>" in snippets[0]


def test_the_query_parser_splits_compound_words_into_dictionary_pieces():
    assert set(parse_query("疫情防控").terms) == {"疫情", "防控"}
    assert parse_query("  ").whoosh == ""


def test_a_search_never_returns_a_speech_missing_from_the_database(corpus):
    pk = search_speeches("雨山区").hits[0].speech.pk
    Speech.objects.filter(pk=pk).delete()
    assert pk not in {h.speech.pk for h in search_speeches("雨山区").hits}
