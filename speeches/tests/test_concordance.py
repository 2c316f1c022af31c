"""The concordance: every occurrence of the terms in the search's speeches, one line
each, sorted as asked, linked to its paragraph, exportable as CSV (over the cast,
speeches/tests/cast.py: 安全生产 stands three times in safety's text, twice in resumption's)."""

from __future__ import annotations

import csv
import io

import pytest

from speeches.models import Speech
from speeches.search import SearchParams, search_speeches
from speeches.search.analysis import normalize
from speeches.search.concordance import lines_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_engine")]


def occurrences(term: str, overlapping: bool = False) -> int:
    """Counted here from the speeches' paragraphs as a reader counts: left to right,
    the next one looked for after the end of the last (xxx holds xx once); with
    `overlapping`, from the next character instead (xxx holds xx twice)."""
    found = search_speeches(params=SearchParams(q=term), snippets=False, facets=False, limit=2000)
    total = 0
    for hit in found.hits:
        for paragraph in hit.speech.text.split("\n"):
            folded = normalize(paragraph)
            start = folded.find(term)
            while start != -1:
                total += 1
                start = folded.find(term, start + (1 if overlapping else len(term)))
    return total


def rows(client, **params) -> list[list[str]]:
    response = client.get("/search/concordance.csv", params)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


def test_every_occurrence_in_the_searchs_speeches_is_a_line(client, cast):
    lines = rows(client, q="安全生产")
    assert len(lines) == occurrences("安全生产") == 5  # more occurrences than the 2 speeches
    assert all(match == "安全生产" for _, match, _, *_ in lines)
    speeches = {public_id for _, _, _, public_id, *_ in lines}
    assert speeches == {h.speech.public_id for h in search_speeches("安全生产", page_size=100).hits}
    assert speeches == cast.ids("safety", "resumption")


def test_a_line_links_to_its_paragraph_where_its_context_stands(client, cast):
    left, match, right, public_id, _, paragraph, url = rows(client, q="安全生产")[0]
    text = Speech.objects.get(public_id=public_id).text.split("\n")[int(paragraph) - 1]
    assert left + match + right in text
    assert f"#p{paragraph}" in url and len(left) <= 15 and len(right) <= 15


@pytest.mark.parametrize("order, side", [("left", 0), ("right", 2)])
def test_lines_sort_by_the_words_nearest_the_term(client, cast, order, side):
    lines = rows(client, q="工作", order=order)
    keys = [normalize(line[side])[::-1] if side == 0 else normalize(line[side]) for line in lines]
    assert keys == sorted(keys) and len(set(keys)) > 10


def test_the_page_shows_aligned_lines_and_keeps_the_filters(client, cast):
    year = search_speeches("安全生产").facets["year"][0].value
    html = client.get("/search/concordance/", {"q": "安全生产", "year": year}).content.decode()
    assert '<td class="match"><mark>安全生产</mark></td>' in html
    assert f"year={year}" in html and "下载 CSV" in html
    narrowed = rows(client, q="安全生产", year=year)
    assert 0 < len(narrowed) < len(rows(client, q="安全生产"))
    assert year == "2020" and len(narrowed) == 2  # resumption
    results_page = client.get("/search/", {"q": "安全生产"}).content.decode()
    assert "/search/concordance/?q=" in results_page


def test_a_csv_of_the_first_speeches_only_says_so_in_its_name_and_gives_the_total(client, cast, monkeypatch):
    # The page said "只看前 2000 篇"; a file saved alone said nothing of the speeches left out.
    monkeypatch.setattr("speeches.views.EXPORT_LIMIT", 2)
    response = client.get("/search/concordance.csv", {"q": "工作"})
    count = int(response["X-Total-Count"])
    assert count > 2 and f"concordance-first-2-of-{count}-speeches.csv" in response["Content-Disposition"]
    whole = client.get("/search/concordance.csv", {"q": "考试"})
    assert "-of-" not in whole["Content-Disposition"] and whole["X-Total-Count"] == "1"


@pytest.mark.parametrize("term", ["安全生产", "讲话稿"])
def test_the_page_counts_the_speeches_whose_text_holds_a_line(client, cast, term):
    # 讲话稿 stands in two speeches' titles (cast.py), which the lines leave out.
    in_text = len({public_id for _, _, _, public_id, *_ in rows(client, q=term)})
    found = search_speeches(term).count
    html = client.get("/search/concordance/", {"q": term}).content.decode()
    if in_text:
        assert f"见于 {in_text} 篇讲话的正文" in html
    else:  # a sentence, not an empty table
        assert f"正文中没有“{term}”（{found} 篇只在标题或另一版本中相符）" in html
    if found > in_text and in_text:
        assert f"另有 {found - in_text} 篇只在标题或另一版本中相符" in html
    elif found == in_text:
        assert "只在标题" not in html
    assert (term == "讲话稿") == (found > in_text)


def test_a_term_the_text_never_holds_gets_a_sentence_not_an_empty_table(client, cast):
    html = client.get("/search/concordance/", {"q": "火星移民"}).content.decode()
    assert "正文中没有“火星移民”" in html
    assert '<table class="concordance">' not in html and "下载 CSV" not in html and "按左侧语境" not in html


def test_a_lines_source_keeps_both_ends_of_a_long_title():
    from speeches.templatetags.speech_tags import ends

    # 001: ten speeches titled 在集团公司疫情防控工作视频会议上的讲话篇一…篇十一.
    seventh, eleventh = (f"在集团公司疫情防控工作视频会议上的讲话篇{n}" for n in ("七", "十一"))
    assert ends(seventh, 12) == "在集团公司…上的讲话篇七" and ends(eleventh, 12) == "在集团公司…的讲话篇十一"
    assert all(len(ends(title, 12)) == 12 for title in (seventh, eleventh))
    assert ends("安全生产讲话", 12) == "安全生产讲话"


def test_a_title_only_query_lists_no_lines_from_the_text(client, cast):
    # `epidemic` is the only speech titled with 疫情 (在全市疫情防控工作会议上的讲话); its
    # text holds 疫情 twice, which title:疫情 never asked for.
    assert search_speeches("title:疫情").count == 1 and cast["epidemic"].text.count("疫情") == 2
    assert rows(client, q="title:疫情") == []
    html = client.get("/search/concordance/", {"q": "title:疫情"}).content.decode()
    assert "正文中没有可列的语境：“title:疫情”只在标题中检索（1 篇讲话的标题相符）" in html
    assert '<table class="concordance">' not in html and "处，见于" not in html


def test_a_mixed_query_lists_only_the_terms_it_looks_for_in_the_text(client, cast):
    # title:疫情 防控 finds `epidemic`, whose two paragraphs each hold 疫情防控 once: the
    # lines are its two 防控, not its two 疫情.
    lines = rows(client, q="title:疫情 防控")
    assert [match for _, match, _, *_ in lines] == ["防控", "防控"]
    assert {public_id for _, _, _, public_id, *_ in lines} == cast.ids("epidemic")
    html = client.get("/search/concordance/", {"q": "title:疫情 防控"}).content.decode()
    assert "2 处，见于 1 篇讲话的正文" in html


def test_a_term_asked_for_anywhere_is_listed_even_when_also_asked_in_titles(client, cast):
    lines = rows(client, q="title:疫情 疫情")
    assert [match for _, match, _, *_ in lines] == ["疫情", "疫情"]


def shown(text: str, *terms: str) -> list[tuple[str, str, str]]:
    """The lines of a one-paragraph speech holding `text`, three characters each side."""
    return [(line.left, line.match, line.right) for line in lines_of(Speech(text=text), terms, width=3)]


def test_an_occurrence_is_counted_once_and_not_again_where_it_overlaps_itself():
    # 哈哈哈 holds 哈哈 once (then a 哈 left over), 哈哈哈哈 twice: as CCL and BCC count.
    assert shown("他说哈哈哈。", "哈哈") == [("他说", "哈哈", "哈。")]
    assert shown("哈哈哈哈", "哈哈") == [("", "哈哈", "哈哈"), ("哈哈", "哈哈", "")]


@pytest.mark.parametrize("terms", [("疫情", "疫情防控"), ("疫情防控", "疫情")])
def test_where_two_terms_start_together_the_longer_is_the_line_and_the_shorter_is_not_counted_again(terms):
    # The bare 疫情 after the comma is a line of its own.
    assert shown("疫情防控，疫情", *terms) == [("", "疫情防控", "，疫情"), ("防控，", "疫情", "")]


def test_a_term_inside_or_across_one_found_before_it_is_not_counted_again():
    assert shown("做好疫情防控", "疫情防控", "防控") == [("做好", "疫情防控", "")]
    # 雨山 and 山区 share 山 in 雨山区: the one read first, 雨山, is the line.
    assert shown("雨山区", "山区", "雨山") == [("", "雨山", "区")]


def test_a_query_of_a_term_and_a_longer_one_holding_it_lists_each_position_once(client, cast):
    # 疫情 stands in the cast's texts only inside 疫情防控 (cast.py): twice in `epidemic`,
    # once each in `resumption`, `exam` and `cppcc`.
    lines = rows(client, q="疫情 疫情防控")
    assert [match for _, match, _, *_ in lines] == ["疫情防控"] * 5
    assert {public_id for _, _, _, public_id, *_ in lines} == cast.ids("epidemic", "resumption", "exam", "cppcc")
    html = client.get("/search/concordance/", {"q": "疫情 疫情防控"}).content.decode()
    assert "5 处，见于 4 篇讲话的正文" in html


def test_a_term_that_overlaps_itself_in_the_seeds_is_counted_as_a_reader_counts_it(client, corpus):
    # Seed 001 writes its placeholder name as xxx, which holds xx once, not twice.
    counted = occurrences("xx")
    assert counted < occurrences("xx", overlapping=True)
    assert len(rows(client, q="xx")) == counted
    html = client.get("/search/concordance/", {"q": "xx"}).content.decode()
    assert f"{counted} 处，见于" in html
