"""Search over the cast (speeches/tests/cast.py): the speeches a query finds are named
from the cast, and compared with a scan of the database (substring scans, filtered
querysets). (Finding the words a seed page's mojibake restored is a golden test of the
seeds, in test_search_strings.)
"""

import pytest

from speeches.models import Speech
from speeches.search import SearchParams, parse_query, search_speeches
from speeches.search.analysis import gram_text, normalize

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_engine")]


def ids(query: str, **filters) -> set[str]:
    params = SearchParams(q=query, page_size=100, **filters)
    return {hit.speech.public_id for hit in search_speeches(params=params, limit=2000, snippets=False).hits}


def canonical_ids_where(predicate) -> set[str]:
    return {s.public_id for s in Speech.objects.canonical() if predicate(gram_text(f"{s.searched_title}\n{s.text}"))}


def test_an_unquoted_term_finds_exactly_what_the_quoted_string_finds(cast):
    results = search_speeches("疫情防控", page_size=100)
    assert results.count == 4
    assert ids("疫情防控") == cast.ids("epidemic", "resumption", "exam", "cppcc")
    for hit in results.hits:
        assert "疫情防控" in normalize(hit.speech.searched_title + hit.speech.text)
    assert ids("疫情防控") == ids('"疫情防控"') == canonical_ids_where(lambda text: "疫情防控" in text)


def test_a_traditional_query_finds_the_same_speeches_as_its_simplified_form(cast):
    assert ids("雨山區") == ids("雨山区") == cast.ids("yushan")
    assert ids("國土資源") == ids("国土资源") == cast.ids("land")
    # 發展 in a query finds the four speeches whose title or text says 发展.
    assert ids("發展") == ids("发展") == cast.ids("shaanxi", "land", "tourism", "safety")


def test_a_query_mixing_both_scripts_finds_the_same_speeches(cast):
    assert ids("國土资源") == ids("国土资源") == cast.ids("land")


def test_a_query_finds_a_speech_from_every_page_within_that_page(cast):
    expected = {"city.txt": ("城市管理", "yushan"), "province.txt": ("经济工作", "shaanxi")}
    expected |= {"county.txt": ("安全生产", "safety"), "reprint.txt": ("作风建设", "style")}
    for name, (word, key) in expected.items():
        document = cast.documents[name]
        found = {
            hit.speech.public_id
            for hit in search_speeches(params=SearchParams(q=word, document=(str(document.pk),))).hits
        }
        assert found == cast.ids(key), name


def test_results_show_each_speech_once(cast):
    # Both speeches holding 雨山区 are one: reprint.txt copies city.txt's.
    hits = search_speeches("雨山区", page_size=100).hits
    assert all(hit.speech.duplicate_of_id is None for hit in hits)
    assert len({hit.speech.pk for hit in hits}) == len(hits)
    assert [hit.speech.public_id for hit in hits] == [cast["yushan"].public_id]


def test_pages_do_not_overlap_and_add_up_to_the_count(cast):
    pages = [search_speeches("工作", page=n, page_size=5) for n in (1, 2, 3)]
    assert [page.count for page in pages] == [12, 12, 12] and [len(page.hits) for page in pages] == [5, 5, 2]
    found = [h.speech.pk for page in pages for h in page.hits]
    assert len(set(found)) == len(found) == 12


def test_a_hit_links_to_the_paragraph_where_the_query_occurs(cast):
    hit = search_speeches("雨山区").hits[0]
    # yushan: 同志们 / 今天召开 / the heading 一、 / 雨山区率先完成….
    assert hit.paragraph == "p4"
    number = int(hit.paragraph.lstrip("p"))
    assert "雨山" in hit.speech.paragraphs()[number - 1]


@pytest.mark.parametrize("phrase", ["疫情防控", "工作会议", "同志们", "高质量发展", "安全生产", "的"])
def test_a_phrase_finds_exactly_the_speeches_holding_that_contiguous_string(cast, phrase):
    assert ids(f'"{phrase}"') == canonical_ids_where(lambda text: phrase in text)


def test_a_phrase_across_jieba_word_boundaries_is_still_found(cast):
    # 会议上 is segmented 会议 / 上: a jieba-token phrase would not hold it.
    assert ids('"会议上的讲话"') == canonical_ids_where(lambda text: "会议上的讲话" in text) != set()


def test_a_traditional_phrase_equals_its_simplified_form(cast):
    assert ids('"國土資源"') == ids('"国土资源"')


def test_or_finds_either_word_and_minus_excludes(cast):
    either = ids("雨山区 OR 国土资源")
    assert either == ids("雨山区") | ids("国土资源") == cast.ids("yushan", "land")
    without = ids("工作 -疫情")
    assert without == ids("工作") - ids("疫情") != set()
    assert cast.ids("yushan", "land") <= without and not cast.ids("epidemic", "cppcc") & without


def test_title_limits_the_search_to_titles(cast):
    hits = search_speeches("title:讲话", page_size=100).hits
    assert hits and all("讲话" in normalize(h.speech.title) for h in hits)
    assert ids('title:"工作会议"') == {
        s.public_id for s in Speech.objects.canonical() if "工作会议" in gram_text(s.title)
    }
    # 煤 stands in safety's text only; 旅游 in tourism's title only.
    assert ids("title:煤") == set() and ids("煤") == cast.ids("safety")
    assert ids("title:旅游") == ids("旅游") == cast.ids("tourism")


def test_sorting_by_year_orders_the_hits_newest_first(cast):
    hits = search_speeches(params=SearchParams(q="工作", sort="year", page_size=100)).hits
    years = [h.speech.year for h in hits if h.speech.year]
    assert years == sorted(years, reverse=True) and len(years) > 1
    assert years == [2021, 2020, 2020, 2019, 2019, 2018, 2017, 2016, 2002, 2001]


def test_sorting_by_length_orders_the_hits_longest_first(cast):
    hits = search_speeches(params=SearchParams(q="工作", sort="length", page_size=100)).hits
    lengths = [h.speech.char_count for h in hits]
    assert lengths == sorted(lengths, reverse=True) and len(set(lengths)) > 5
    assert hits[0].speech == cast["yushan"]  # the longest, with its sections


MALFORMED = [
    '"unbalanced',
    "(((",
    ")))",
    "OR",
    "-",
    "AND NOT",
    "😀",
    "<b>x</b>",
    "'; DROP TABLE x;--",
    "疫" * 2000,
    "".join(chr(0x4E00 + i) for i in range(2000)),
    "(" * 1000 + "疫情",
    "title:",
    '""',
]


@pytest.mark.parametrize("query", MALFORMED)
def test_a_malformed_query_answers_with_results_or_a_message(cast, query):
    results = search_speeches(query)
    assert results.hits or results.message


def test_the_query_parser_keeps_a_compound_whole():
    assert parse_query("疫情防控").terms == ("疫情防控",)
    assert parse_query("  ").tree is None


def test_a_phrase_is_one_term_for_highlighting_on_the_speech_page():
    assert parse_query('"疫情防控" 工作').terms == ("疫情防控", "工作")


def test_a_search_never_returns_a_speech_missing_from_the_database(cast):
    pk = search_speeches("雨山区").hits[0].speech.pk
    assert pk == cast["yushan"].pk
    Speech.objects.filter(pk=pk).delete()
    assert pk not in {h.speech.pk for h in search_speeches("雨山区").hits}


def test_a_hit_names_the_section_of_the_paragraph_it_links_to(cast):
    def first_hit(q: str):
        (hit,) = [h for h in search_speeches(q).hits if h.speech == cast["yushan"]]
        return hit

    # cast.py's yushan: two opening paragraphs without a heading, then two headed sections
    # of two paragraphs each (the heading is its section's first paragraph).
    assert (first_hit("背街小巷").paragraph, first_hit("背街小巷").section) == (
        "p4",
        "一、充分肯定城市管理工作取得的成绩",
    )
    assert (first_hit("推广到全市").paragraph, first_hit("推广到全市").section) == ("p6", "二、扎实做好今年的重点工作")
    assert (first_hit("部署今年的任务").paragraph, first_hit("部署今年的任务").section) == ("p2", "")


def test_sorting_by_arrival_puts_the_speeches_stored_last_first_whatever_their_year(cast):
    hits = search_speeches(params=SearchParams(q="疫情防控", sort="newest", page_size=100)).hits
    # county.txt was stored after city.txt (cast.PAGES), and in it cppcc (undated) after
    # exam (2021); in city.txt resumption after epidemic.
    assert [hit.speech.public_id for hit in hits] == [
        cast[key].public_id for key in ("cppcc", "exam", "resumption", "epidemic")
    ]
