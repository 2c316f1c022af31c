"""Charts worth citing: the trends page's counts are the search's own, its rates are
per 1,000 speeches of the archive under the same filters, its tables and CSV hold the
same numbers, and every chart has axes, values and labels in full
(speeches/search/trends.py, speeches/search/counts.py, speeches/trend_views.py)."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db.models import Q

from speeches.models import Speech
from speeches.search import SearchParams, search_speeches
from speeches.search.params import UNDATED
from speeches.search.trends import (
    NARROW,
    WIDE,
    Row,
    bar_layout,
    nice_ticks,
    per_thousand,
    pick_terms,
    text_width,
    time_layout,
    topic_figure,
    year_figure,
    year_rows,
)

# --- the pure part: no database ------------------------------------------------


@pytest.mark.parametrize("top", [1, 2, 3, 7, 10, 23, 99, 101, 250, 1000, 1234, 98765])
def test_count_ticks_are_whole_round_steps_from_zero_covering_the_largest_count(top):
    ticks = nice_ticks(top)
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert ticks[0] == 0 and ticks[-1] >= top > ticks[-2]
    assert round(mantissa, 9) in (1, 2, 2.5, 5) and step == int(step)
    assert all(math.isclose(b - a, step) for a, b in zip(ticks, ticks[1:], strict=False))
    assert 2 <= len(ticks) <= 6


@pytest.mark.parametrize("top", [0.4, 3.3, 333.3, 750.0, 1000.0])
def test_rate_ticks_may_be_fractions_but_stay_round(top):
    ticks = nice_ticks(top, whole=False)
    assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 6
    assert {f"{t:g}" for t in ticks} <= {f"{i * (ticks[1]):g}" for i in range(len(ticks))}


def test_a_rate_is_per_thousand_rounded_half_up_as_shown_and_none_without_speeches():
    assert per_thousand(1, 3) == Decimal("333.3")
    assert per_thousand(1, 32) == Decimal("31.3")  # 31.25: half up, not to even
    assert per_thousand(2, 2) == Decimal("1000.0") and per_thousand(0, 5) == Decimal("0.0")
    assert per_thousand(0, 0) is None and per_thousand(0, None) is None


def test_years_run_from_the_first_to_the_last_with_zeros_and_the_undated_last():
    rows = year_rows([{"2001": 2, "2004": 4, UNDATED: 3}], {"2001": 5, "2003": 1, "2004": 8, UNDATED: 30})
    assert [row.label for row in rows] == ["2001", "2002", "2003", "2004", "年份不确定"]
    assert [row.counts for row in rows] == [(2,), (0,), (0,), (4,), (3,)]
    assert [row.base for row in rows] == [5, 0, 1, 8, 30]
    assert [row.rates[0] for row in rows] == [
        Decimal("400.0"),
        None,
        Decimal("0.0"),
        Decimal("500.0"),
        Decimal("100.0"),
    ]


def test_four_terms_are_charted_a_fifth_refused_and_blanks_and_repeats_left_out():
    chosen, refused = pick_terms("疫情防控", ["", "安全生产", "  ", "疫情防控", "教育", "扶贫", "水利"])
    assert chosen == ["疫情防控", "安全生产", "教育", "扶贫"] and refused == ["水利"]


def shown_labels(layout, kind="label"):
    return [shape for shape in layout.shapes if shape.kind == "text" and shape.cls == kind]


@pytest.mark.parametrize("size", [WIDE, NARROW])
def test_year_labels_are_written_in_full_and_never_overlap(size):
    rows = year_rows([{str(year): year % 7 for year in range(1990, 2024)}])
    layout = time_layout(rows, "count", size)
    labels = shown_labels(layout)
    assert labels and all(label.text.isdigit() and len(label.text) == 4 for label in labels)
    step = int(labels[1].text) - int(labels[0].text)
    assert all(int(label.text) % step == 0 for label in labels)
    gaps = [b.x - a.x for a, b in zip(labels, labels[1:], strict=False)]
    assert min(gaps) >= text_width("2020", size.font)


def test_every_count_is_written_on_its_bar_so_no_tooltip_is_needed():
    rows = year_rows([{"2016": 3, "2018": 12, "2020": 7}])
    for size in (WIDE, NARROW):
        layout = time_layout(rows, "count", size)
        assert [v.text for v in shown_labels(layout, "value")] == ["3", "0", "12", "0", "7"]
        assert layout.all_values_written
        assert len([s for s in layout.shapes if s.kind == "rect"]) == 5


def test_values_too_wide_for_their_bars_read_upwards_and_the_page_says_when_none_fit():
    crowded = year_rows([{str(year): 100 + year % 50 for year in range(1995, 2024)}])
    layout = time_layout(crowded, "count", NARROW)
    values = shown_labels(layout, "value")
    assert len(values) == 29 and all(v.angle == -90 for v in values) and layout.all_values_written
    packed = year_rows([{str(year): 100 for year in range(1900, 2024)}])
    figure = year_figure("每年", ["词"], packed)
    assert not shown_labels(figure.layouts[1], "value") and "图上放不下的数值见数据表。" in figure.notes


def test_a_long_topic_name_is_written_in_full_over_several_lines():
    name = "全国文明城市创建与城乡环境综合整治"
    rows = [Row("a", name, (3,), 10), Row("b", "教育", (1,), 4)]
    layout = bar_layout(rows, "count", NARROW)
    lines = [label.text for label in shown_labels(layout)]
    assert "".join(lines) == name + "教育" and len(lines) > 2
    assert all(text_width(line, NARROW.font) <= NARROW.width * 0.3 for line in lines)


def test_a_year_without_speeches_has_no_rate_and_no_bar_but_a_dash_in_the_table():
    rows = year_rows([{"2001": 1, "2003": 2}], {"2001": 4, "2003": 8})
    figure = year_figure("每年", ["词"], rows, "rate")
    assert figure.table.rows[1] == ("2002", "0", "—", "0")
    assert figure.table.csv_rows()[2] == ("2002", "0", "", "0")
    bars = [s for s in figure.layouts[0].shapes if s.kind == "rect"]
    assert len(bars) == 2 and [v.text for v in shown_labels(figure.layouts[0], "value")] == ["250.0", "250.0"]


def test_all_zero_counts_give_a_sentence_and_no_chart():
    rows = year_rows([{"2001": 0, UNDATED: 2}], {"2001": 3, "2002": 1, UNDATED: 5})
    figure = year_figure("每年", ["词"], rows)
    assert figure.layouts == () and "无法按年份作图" in figure.empty
    assert "另有 2 篇年份不确定" in " ".join(figure.notes)
    assert topic_figure("各主题", ["词"], []).layouts == ()


def test_several_terms_are_lines_told_apart_by_colour_dash_and_marker():
    rows = year_rows([{"2001": 1, "2002": 3}, {"2001": 2, "2002": 0}, {"2002": 5}])
    figure = year_figure("每年", ["甲", "乙", "丙"], rows)
    layout = figure.layouts[0]
    lines = [s.cls for s in layout.shapes if s.kind == "path" and s.cls.startswith("line")]
    assert lines == ["line series-0", "line series-1", "line series-2"]
    assert len({path for _, _, path in figure.legend}) == 3  # circle, square, triangle
    assert [name for _, name, _ in figure.legend] == ["甲", "乙", "丙"]
    values = sorted(v.text for v in shown_labels(layout, "value"))
    assert values == ["1", "2", "3", "5"]  # zeros lie on the axis


def test_no_coordinate_is_ever_not_a_number():
    for counts in ([{"2001": 0, "2002": 1}], [{"2001": 1}], [{"1949": 1, "2024": 1}]):
        for size in (WIDE, NARROW):
            layout = time_layout(year_rows(counts), "count", size)
            numbers = [v for s in layout.shapes for v in vars(s).values() if isinstance(v, float)]
            assert not any(math.isnan(v) or math.isinf(v) for v in numbers)


# --- the page: counts from the search service, over the cast -------------------
# (speeches/tests/cast.py: 疫情防控 is in epidemic and resumption, 2020, the only two
# speeches of that year; in exam, 2021, the only one of its year; and in cppcc, undated,
# one of three undated speeches. 14 distinct speeches in all.)

db = pytest.mark.django_db


class Tables(HTMLParser):
    """The body and foot rows of each data table, cell texts as shown."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self.row, self.cell, self.body = [], None, None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "data-table") in attrs:
            self.tables.append([])
        elif tag in ("tbody", "tfoot"):
            self.body = True
        elif tag == "tr" and self.body:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1].append(tuple(self.row))
            self.row = None
        elif tag in ("tbody", "tfoot"):
            self.body = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def year_counts(term: str, **filters) -> dict[str, int]:
    results = search_speeches(params=SearchParams(q=term, **filters), snippets=False)
    return {f.value: f.count for f in results.facets["year"] if f.count}


def charted(client, **query) -> dict[str, tuple[str, ...]]:
    response = client.get("/search/trends/", query)
    assert response.status_code == 200
    return {row[0]: row[1:] for row in Tables(response.content.decode()).tables[0]}


@db
@pytest.mark.usefixtures("search_engine")
def test_the_years_on_the_chart_page_are_the_searchs_year_facets_and_add_up_to_its_total(client, cast):
    table = charted(client, q="疫情防控")
    facets = year_counts("疫情防控")
    shown = {
        ("unknown" if year == "年份不确定" else year): int(cells[0]) for year, cells in table.items() if year != "合计"
    }
    assert {year: n for year, n in shown.items() if n} == facets
    total = search_speeches("疫情防控").count
    assert sum(shown.values()) == int(table["合计"][0]) == total == 4


@db
@pytest.mark.usefixtures("search_engine")
def test_each_years_count_is_the_number_of_speeches_holding_the_string(client, cast):
    # The seed texts hold 疫情防控 in simplified characters and no copy holds it alone,
    # so a plain substring test over canonical speeches is the search's own answer.
    holding = Speech.objects.canonical().filter(Q(title__contains="疫情防控") | Q(text__contains="疫情防控"))
    expected = Counter("年份不确定" if s.year is None else str(s.year) for s in holding)
    table = charted(client, q="疫情防控")
    assert {year: int(cells[0]) for year, cells in table.items() if year != "合计" and cells[0] != "0"} == expected
    assert expected == {"2020": 2, "2021": 1, "年份不确定": 1}


@db
def test_rates_are_per_thousand_speeches_of_that_year_in_the_whole_archive(client, cast):
    table = charted(client, q="疫情防控")
    archive = Counter(
        str(year) if year else "年份不确定" for year in Speech.objects.canonical().values_list("year", flat=True)
    )
    for year, (count, rate, base) in table.items():
        if year == "合计":
            assert int(base) == Speech.objects.canonical().count()
            continue
        assert int(base) == archive.get(year, 0)
        expected = per_thousand(int(count), int(base))
        assert rate == ("—" if expected is None else str(expected))
    assert table["2020"] == ("2", "1000.0", "2") and table["2021"] == ("1", "1000.0", "1")
    assert table["年份不确定"] == ("1", "333.3", "3") and table["合计"][2] == "14"
    # 工作 runs from 2001 to 2021: a year without speeches has no rate.
    assert charted(client, q="工作")["2003"] == ("0", "—", "0")


@db
@pytest.mark.usefixtures("search_engine")
def test_rates_under_a_filter_divide_by_the_speeches_that_filter_allows(client, cast):
    table = charted(client, q="工作", topic="epidemic")
    archive = year_counts("", topic=("epidemic",))
    matches = year_counts("工作", topic=("epidemic",))
    for year, (count, _, base) in table.items():
        key = "unknown" if year == "年份不确定" else year
        if year != "合计":
            assert int(count) == matches.get(key, 0) and int(base) == archive.get(key, 0)
    # epidemic, resumption (2020) and cppcc (undated) are the topic's speeches, and say 工作.
    assert table["2020"] == ("2", "1000.0", "2") and table["年份不确定"] == ("1", "1000.0", "1")


@db
@pytest.mark.usefixtures("search_engine")
def test_a_year_filter_keeps_the_chart_to_the_years_it_allows(client, cast):
    table = charted(client, q="工作", year_from="2016", year_to="2021")
    assert [year for year in table if year != "合计"] == ["2016", "2017", "2018", "2019", "2020", "2021"]
    assert int(table["合计"][0]) == search_speeches(params=SearchParams(q="工作", year_from=2016, year_to=2021)).count
    assert table["合计"][0] == "8" and table["2019"][0] == "2"  # yushan and style


@db
@pytest.mark.usefixtures("search_engine")
def test_each_compared_term_is_its_own_searchs_count_per_year(client, cast):
    terms = ["疫情防控", "安全生产", "教育信息化", "雨山区"]
    response = client.get("/search/trends/", {"terms": terms})
    html = response.content.decode()
    table = {row[0]: row[1:] for row in Tables(html).tables[0]}
    for i, term in enumerate(terms):
        counts = year_counts(term)
        shown = {
            ("unknown" if y == "年份不确定" else y): int(cells[2 * i]) for y, cells in table.items() if y != "合计"
        }
        assert {y: n for y, n in shown.items() if n} == counts, term
    assert year_counts("安全生产") == {"2016": 1, "2020": 1}  # safety, resumption
    assert all(f'line series-{i}"' in html for i in range(4)) and 'class="chart-legend"' in html


@db
def test_a_fifth_term_is_refused_with_a_message_and_an_empty_term_ignored(client, cast):
    terms = ["疫情防控", "", "安全生产", "教育信息化", "雨山区", "扶贫"]
    response = client.get("/search/trends/", {"terms": terms})
    trends = response.context["trends"]
    assert trends.terms == ["疫情防控", "安全生产", "教育信息化", "雨山区"] and trends.refused == ("扶贫",)
    assert "最多比较 4 个检索词" in response.content.decode() and "“扶贫”未计入" in response.content.decode()


@db
def test_a_term_with_no_searchable_word_is_not_counted_as_the_whole_archive(client, cast):
    response = client.get("/search/trends/", {"q": "OR", "topic": "epidemic"})
    html = response.content.decode()
    assert response.context["trends"].years is None and "无法计数" in html and "<svg" not in html


@db
def test_the_undated_matches_are_stated_in_words(client, cast):
    html = client.get("/search/trends/", {"q": "疫情防控"}).content.decode()
    assert "另有 1 篇年份不确定" in html  # cppcc


@db
@pytest.mark.parametrize("table, index", [("year", 0), ("topic", 1)])
def test_the_csv_is_the_tables_data_with_a_header_row_and_a_bom(client, cast, table, index):
    query = {"terms": ["疫情防控", "安全生产"], "table": table}
    response = client.get("/search/trends.csv", query)
    assert response["Content-Type"] == "text/csv; charset=utf-8" and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    shown = Tables(client.get("/search/trends/", query).content.decode()).tables[index]
    assert rows[1:] == [["" if cell == "—" else cell for cell in row] for row in shown]
    first = "年份" if table == "year" else "主题"
    assert rows[0] == [
        first,
        "疫情防控：篇数",
        "疫情防控：每千篇",
        "安全生产：篇数",
        "安全生产：每千篇",
        "全部讲话：篇数",
    ]


@db
def test_rates_can_be_drawn_instead_of_counts(client, cast):
    response = client.get("/search/trends/", {"q": "疫情防控", "measure": "rate"})
    html = response.content.decode()
    assert (
        "每年每千篇讲话中的相符篇数" in html and ">1000.0</text>" in html and 'aria-current="true">每千篇比率' in html
    )


def chart_pages():
    office = Speech.objects.canonical().exclude(office="").exclude(year=None).values_list("office", flat=True)[0]
    return [
        "/search/trends/?q=疫情防控",
        "/search/trends/?terms=疫情防控&terms=安全生产&terms=教育信息化",
        "/search/?q=工作",
        "/topics/epidemic/",
        "/years/",
        "/places/安徽/",
        f"/offices/{office}/",
    ]


@db
def test_every_page_with_a_chart_draws_it_with_axes_full_labels_and_a_table(client, cast):
    for url in chart_pages():
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert 'class="chart-svg chart-wide"' in html and 'role="img" aria-label="' in html, url
        assert 'preserveAspectRatio="none"' not in html and 'class="data-table"' in html, url
        assert 'class="tick"' in html and 'class="axis"' in html, url
        assert " style=" not in html and "<style" not in html, url  # the Content-Security-Policy allows none


@db
def test_a_page_whose_speeches_are_all_undated_says_so_instead_of_drawing(client, cast):
    office = Speech.objects.canonical().exclude(office="").filter(year=None).values_list("office", flat=True)[0]
    html = client.get(f"/offices/{office}/").content.decode()
    assert "无法按年份作图" in html and "另有 1 篇年份不确定" in html and 'class="data-table"' in html


@db
def test_topic_names_and_years_are_written_in_full(client, cast):
    html = client.get("/search/trends/", {"q": "疫情防控"}).content.decode()
    assert 'class="label" x="' in html and ">全国文明城市创建</text>" in html and ">2020</text>" in html


@db
def test_the_search_page_links_to_the_trends_page_with_its_filters(client, cast):
    html = client.get("/search/", {"q": "工作", "level": "市"}).content.decode()
    assert "/search/trends/?q=%E5%B7%A5%E4%BD%9C&amp;level=%E5%B8%82" in html


@db
def test_the_terms_form_keeps_the_pages_filters(client, cast):
    html = client.get("/search/trends/", {"q": "工作", "level": "市"}).content.decode()
    assert '<input type="hidden" name="level" value="市">' in html and "筛选：讲话人级别：市" in html


@db
def test_the_search_pages_own_chart_keeps_to_the_years_its_filter_allows(client, cast):
    response = client.get("/search/", {"q": "工作", "year_from": "2016", "year_to": "2020"})
    table = response.context["year_chart"].table
    assert [row[0] for row in table.rows] == ["2016", "2017", "2018", "2019", "2020"]
    assert table.foot == ("合计", str(response.context["results"].count))


def test_the_charts_summary_names_every_year_tied_for_the_most():
    # 安全生产 in the sample: one speech in each of 2016, 2020, 2021 and 2022.
    rows = year_rows([{"2016": 1, "2020": 1, "2021": 1, "2022": 1}])
    assert "最多为2016等 4 项（各1 篇）" in year_figure("每年命中篇数", ["命中"], rows).description
    rows = year_rows([{"2016": 1, "2018": 3, "2020": 3}])
    assert "最多为2018、2020（各3 篇）" in year_figure("每年命中篇数", ["命中"], rows).description
    rows = year_rows([{"2016": 1, "2018": 3}])
    assert "最多为2018（3 篇）" in year_figure("每年命中篇数", ["命中"], rows).description


def test_the_charts_summary_says_a_term_found_nowhere_is_found_nowhere():
    rows = year_rows([{"2006": 2, "2011": 1}, {}], base={"2006": 10, "2011": 5})
    description = year_figure("每年命中篇数", ["疫情防控", "脱贫"], rows).description
    assert "脱贫：无一篇" in description and "脱贫：最多为" not in description
    assert "疫情防控：最多为2006（2 篇）" in description


def test_the_charts_summary_names_a_single_year_once():
    rows = year_rows([{"2011": 3}], base={"2011": 9})
    description = year_figure("每年篇数", ["命中"], rows).description
    assert "每年篇数，2011 年；" in description and "2011–2011" not in description


def test_a_year_the_archive_holds_no_speech_of_is_a_gap_in_the_count_chart_not_a_zero():
    # 2008 holds speeches, none matching: a zero, drawn. 2007 holds none at all: nothing drawn.
    rows = year_rows([{"2006": 2, "2009": 1}], base={"2006": 10, "2008": 4, "2009": 5})
    by_year = {row.key: row.values("count") for row in rows}
    assert by_year == {"2006": (2.0,), "2007": (None,), "2008": (0.0,), "2009": (1.0,)}
    figure = year_figure("每年命中篇数", ["命中"], rows)
    assert "图上空缺的年份，本馆没有该年的讲话。" in figure.notes
    bars = [shape for shape in figure.layouts[0].shapes if getattr(shape, "cls", "").startswith("bar")]
    assert len(bars) == 3


def test_a_quoted_term_is_named_without_its_quotes_in_the_legend(client, cast):
    html = client.get("/search/trends/", {"q": '"安全生产"'}).content.decode()
    # Named once in Chinese quotes; the ASCII ones stay only in the form's field.
    assert "“安全生产”" in html and "“&quot;" not in html
    assert html.count("&quot;安全生产&quot;") == html.count('value="&quot;安全生产&quot;"') == 1


@db
@pytest.mark.usefixtures("search_engine")
def test_when_no_match_is_dated_the_page_says_the_matches_are_undated_not_the_archive(client, cast):
    html = client.get("/search/trends/", {"q": "政协"}).content.decode()  # cppcc alone, undated
    assert "相符的讲话都没有标明年份，无法按年份作图。" in html
    assert "没有标有年份的讲话" not in html


@db
def test_a_term_written_in_traditional_and_in_simplified_characters_is_one_series(client, cast):
    response = client.get("/search/trends/", {"terms": ["經濟發展", "经济发展", "安全生产"]})
    # The search folds 經濟發展 to 经济发展: the two would draw the same line twice.
    assert response.context["trends"].terms == ["經濟發展", "安全生产"]
    assert pick_terms("", ["經濟發展", "经济发展"]) == (["經濟發展", "经济发展"], [])
    # So are a term in quotation marks and without (瞭解 and 了解 are not: 瞭解 finds
    # either form, 了解 only its own).
    response = client.get("/search/trends/", {"terms": ["“疫情”", "疫情", "瞭解", "了解"]})
    assert response.context["trends"].terms == ["“疫情”", "瞭解", "了解"]


@db
@pytest.mark.usefixtures("search_engine")
def test_a_year_range_is_charted_whole_within_the_years_the_archive_holds(client, cast):
    # The cast has no speech from 2003 to 2015 (cast.py): a range from 2010 still starts
    # there, with zeros, as the reader asked, but one from 1990 starts at 2001, its first year.
    table = charted(client, q="工作", year_from="2010")
    assert [year for year in table if year != "合计"] == [str(year) for year in range(2010, 2022)]
    assert table["2010"][0] == "0" and table["2016"][0] == "1"  # safety
    table = charted(client, q="工作", year_from="1990", year_to="2002")
    assert [year for year in table if year != "合计"] == ["2001", "2002"]


def test_the_page_says_how_many_of_the_archives_years_are_stated_and_how_many_inferred(client, cast):
    # The cast (speeches/tests/cast.py): 14 distinct speeches, 3 undated; of the 11 dated,
    # `epidemic` and `style` have a year the archive inferred, the other 9 a stated one.
    html = client.get("/search/trends/", {"terms": "工作"}).content.decode()
    assert "档案中有年份的 11 篇讲话，原文写明 9 篇，推断 2 篇" in html
