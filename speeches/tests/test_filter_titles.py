"""The filters' names come from one table (speeches/search/params.py FILTER_TITLES), and
changing one filter or page keeps the others and a page size asked for."""

from django.http import QueryDict

from speeches.alerts import canonical_query, describe
from speeches.search import SearchParams
from speeches.search.params import FILTER_TITLES


def test_the_year_range_form_keeps_every_other_filter_and_drops_the_years_it_replaces():
    params = SearchParams.from_querydict(
        QueryDict(
            "q=教育&place=湖南&office=副厅长&occasion=全省会议&level=省&genre=讲话&topic=jiaoyu&document=3&year=2019&year_from=2018&sort=year&page=2"
        )
    )
    assert params.kept_filters() == [
        ("topic", "jiaoyu"),
        ("document", "3"),
        ("level", "省"),
        ("genre", "讲话"),
        ("office", "副厅长"),
        ("place", "湖南"),
        ("occasion", "全省会议"),
    ]


def test_the_year_range_form_on_the_search_page_keeps_the_place_and_the_meeting(client, db):
    html = client.get("/search/", {"q": "教育", "place": "湖南", "occasion": "全省会议"}).content.decode()
    assert '<input type="hidden" name="place" value="湖南">' in html
    assert '<input type="hidden" name="occasion" value="全省会议">' in html
    assert f"<h2>{FILTER_TITLES['year']}</h2>" in html


def test_a_saved_searchs_label_names_its_filters_as_the_facets_do(db):
    params = SearchParams.from_querydict(QueryDict("q=教育&office=副厅长&place=湖南&year=2019"))
    assert describe(params) == "教育 · 年份：2019 · 地点：湖南 · 讲话人职务：副厅长"


def test_a_page_size_asked_for_by_hand_is_kept_by_the_page_links_but_not_by_a_saved_search():
    params = SearchParams.from_querydict(QueryDict("q=教育&page_size=3&page=2"))
    assert params.url(page=3) == "?q=%E6%95%99%E8%82%B2&page=3&page_size=3"
    assert SearchParams.from_querydict(QueryDict("q=教育")).url(page=2) == "?q=%E6%95%99%E8%82%B2&page=2"
    assert canonical_query(params) == "q=%E6%95%99%E8%82%B2"
