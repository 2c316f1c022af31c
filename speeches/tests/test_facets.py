"""Facet counts are exact: each equals the count of the result set it leads to.

Over the cast (speeches/tests/cast.py): 工作 is in 12 distinct speeches, 6 of them
county-level, 4 city-level, 2 provincial; 2 of them undated."""

import pytest

from speeches.models import Speech
from speeches.search import SearchParams, search_speeches
from speeches.search.params import UNDATED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_engine")]

QUERY = "工作"


def search(**params):
    return search_speeches(params=SearchParams(q=QUERY, **params), snippets=False)


def test_each_facet_count_equals_the_count_of_the_filtered_results(cast):
    results = search()
    assert set(results.facets) == {"topic", "year", "document", "level", "genre", "office", "place", "occasion"}
    assert results.count == 12
    assert [(f.value, f.count) for f in results.facets["level"]] == [("县", 6), ("市", 4), ("省", 2)]
    for name, values in results.facets.items():
        for facet in values[:6]:
            value = int(facet.value) if name == "year" else facet.value
            assert search(**{name: (value,)}).count == facet.count, (name, facet.value)


def test_topic_counts_agree_with_the_database(cast):
    results = search_speeches(params=SearchParams(q=QUERY, page_size=100), snippets=False, limit=2000)
    pks = [hit.speech.pk for hit in results.hits]
    topics = {facet.value: facet.count for facet in results.facets["topic"]}
    assert topics["epidemic"] == 3 and topics["civilized-city"] == 3 and "tourism" not in topics
    for facet in results.facets["topic"]:
        expected = Speech.objects.filter(pk__in=pks, topics__slug=facet.value).count()
        assert facet.count == expected, facet.value


def test_a_province_counts_and_selects_its_cities_and_counties_too(cast):
    results = search_speeches(params=SearchParams(q=QUERY, page_size=100), snippets=False, limit=2000)
    canonical = Speech.objects.filter(pk__in=[hit.speech.pk for hit in results.hits])
    places = {facet.value: facet.count for facet in results.facets["place"]}
    assert places == {
        "安徽": 9,
        "安徽·马鞍山": 9,
        "安徽·马鞍山·含山县": 5,
        "安徽·马鞍山·雨山区": 1,
        "陕西": 2,
        "陕西·西安": 1,
    }
    provinces = [value for value in places if "·" not in value]
    assert any("·" in value for value in places) and provinces
    for province in provinces:
        expected = (
            canonical.filter(region=province).count() + canonical.filter(region__startswith=province + "·").count()
        )
        assert places[province] == expected == search(place=(province,)).count, province
        cities = [v for v in places if v.startswith(province + "·") and v.count("·") == 1]
        assert places[province] >= sum(places[city] for city in cities)


def test_office_and_meeting_filters_select_the_speeches_that_state_them(cast):
    speech = cast["yushan"]
    found = search_speeches(params=SearchParams(office=(speech.office,), occasion=(speech.occasion,)), snippets=False)
    assert speech.pk in [hit.speech.pk for hit in found.hits]
    assert [hit.speech.pk for hit in found.hits] == [speech.pk]
    assert search_speeches(params=SearchParams(office=("市长",), occasion=("全省经济工作会议",))).count == 0
    assert all(hit.speech.office == speech.office for hit in found.hits)


def test_facets_are_counted_under_the_other_selected_filters(cast):
    level = search().facets["level"][0].value
    narrowed = search(level=(level,))
    assert level == "县" and {f.value: f.count for f in narrowed.facets["topic"]}["epidemic"] == 2
    for facet in narrowed.facets["topic"][:6]:
        assert search(level=(level,), topic=(facet.value,)).count == facet.count
    # The level facet itself ignores its own selection, so other levels stay choosable.
    assert len(narrowed.facets["level"]) == len(search().facets["level"])


def test_a_selected_value_is_marked_and_its_link_unselects_it(cast):
    topic = search().facets["topic"][0]
    selected = next(f for f in search(topic=(topic.value,)).facets["topic"] if f.value == topic.value)
    assert selected.selected and "topic=" not in selected.url


def test_a_year_range_keeps_only_speeches_of_those_years(cast):
    years = sorted(int(f.value) for f in search().facets["year"] if f.value != UNDATED)
    assert years == [2001, 2002, 2016, 2017, 2018, 2019, 2020, 2021]
    low, high = years[0], years[len(years) // 2]
    # roads, informatization, safety, land and shaanxi (tourism, 2018, does not say 工作).
    assert search(year_from=low, year_to=high).count == 5
    hits = search_speeches(params=SearchParams(q=QUERY, year_from=low, year_to=high, page_size=100)).hits
    assert hits and all(low <= h.speech.year <= high for h in hits)
    expected = sum(f.count for f in search().facets["year"] if f.value != UNDATED and low <= int(f.value) <= high)
    assert search(year_from=low, year_to=high).count == expected


def test_filters_without_a_query_browse_the_archive(cast):
    topic = search().facets["topic"][0].value
    results = search_speeches(params=SearchParams(topic=(topic,)))
    assert results.count == Speech.objects.canonical().filter(topics__slug=topic).count()
    tourism = search_speeches(params=SearchParams(topic=("tourism",)))
    assert [hit.speech.pk for hit in tourism.hits] == [cast["tourism"].pk]  # 工作 is not in it


@pytest.mark.parametrize("sort", ["year", "year_asc"])
def test_sorting_by_date_puts_undated_speeches_last_in_either_direction(cast, sort):
    results = search_speeches(params=SearchParams(q="工作", sort=sort, page_size=100), limit=2000)
    years = [hit.speech.year for hit in results.hits]
    dated = [year for year in years if year is not None]
    assert dated and None in years, "the cast has dated and undated speeches holding 工作"
    assert len(years) == 12 and years.count(None) == 2  # retitled and cppcc
    assert years == dated + [None] * (len(years) - len(dated))
    assert dated == sorted(dated, reverse=sort == "year")


def test_undated_speeches_are_a_value_of_the_year_facet_listed_last_and_selectable(cast, client):
    results = search()
    years = results.facets["year"]
    undated = Speech.objects.canonical().filter(year=None, pk__in=[h.speech.pk for h in search_all().hits]).count()
    assert undated == 2
    assert years[-1].value == UNDATED and years[-1].label == "年份不确定" and years[-1].count == undated > 0
    assert sum(f.count for f in years) == results.count
    chosen = search_all(year=(UNDATED,))
    assert chosen.count == undated and all(h.speech.year is None for h in chosen.hits)
    both = search(year=(UNDATED, int(years[0].value)))
    assert both.count == undated + years[0].count
    # The page lists it, links it, and states it beside the chart of years (whose time
    # axis has no place for it) in words and as a row of the chart's table.
    html = client.get("/search/", {"q": QUERY}).content.decode()
    assert "年份不确定" in html and "year=unknown" in html
    assert f"另有 {undated} 篇年份不确定" in html and '<th scope="row">年份不确定</th>' in html
    # Named so because it holds the speeches dated only to a range (2020—2022年?), which the
    # value and the range filter once left unsaid: "年份不详" for a speech dated 2020—2022.
    assert "只知年份范围的讲话（如 2020—2022年?）计入“年份不确定”" in html


def search_all(**params):
    return search_speeches(params=SearchParams(q=QUERY, page_size=100, **params), snippets=False, limit=2000)


def test_a_facet_of_one_value_a_speech_says_how_many_of_the_speeches_found_it_leaves_out(cast, client):
    # On the sample, the level counts summed to 50 of 57 hits, with nothing saying where
    # the 7 were. In the cast, most speeches name no office and one no place.
    hits = search_all().hits
    no_office = sum(1 for hit in hits if not hit.speech.office)
    no_place = sum(1 for hit in hits if not hit.speech.region)
    assert 0 < no_office < len(hits) and 0 < no_place < len(hits)
    html = client.get("/search/", {"q": QUERY}).content.decode()
    assert f"另有 {no_office} 篇未注明讲话人职务" in html and f"另有 {no_place} 篇未注明地点" in html
    assert "未注明来源文件" not in html and "未注明主题" not in html  # every speech has its file
