"""A search's matches counted per year and per topic, for the trends page
(speeches/trend_views.py) and its CSV.

Every number comes from the search service (service.py), never from matching of
its own: a term's counts are the year and topic facets of that term's own search
under the page's filters, so each series holds exactly the speeches the results
page lists for the term. The rates' denominators are the same facets of the same
search with no words: every canonical speech under the filters.

Facets are counted under the *other* filters (engine.py: drill-down), so a
year or topic filter would let values outside the result set in; only the
values the filter allows are kept, and their counts are then those of the result
set itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from .analysis import normalize
from .params import UNDATED, SearchParams
from .query import blank, parse_query, shown
from .service import Results, search_speeches
from .trends import Figure, pick_terms, topic_figure, topic_rows, year_figure, year_rows

YEAR_TITLES = {"count": "每年相符篇数", "rate": "每年每千篇讲话中的相符篇数"}
# The archive has dated speeches; none of those the terms find is.
NO_DATED_MATCH = "相符的讲话都没有标明年份，无法按年份作图。"
TOPIC_TITLES = {"count": "各主题相符篇数", "rate": "各主题每千篇讲话中的相符篇数"}


@dataclass(frozen=True)
class Tally:
    term: str
    count: int = 0
    years: dict[str, int] = field(default_factory=dict)  # a year or UNDATED -> speeches
    topics: dict[str, int] = field(default_factory=dict)  # a topic's slug -> speeches
    names: dict[str, str] = field(default_factory=dict)  # a topic's slug -> its name
    message: str = ""
    counted: bool = True  # False: no searchable word (the message says why)
    # The first and last year of the speeches under every filter but the years'.
    span: tuple[int, ...] = ()


def tally(params: SearchParams, browse_all: bool = False) -> Tally:
    """The result set's size and its speeches per year and per topic."""
    term = params.q.strip()
    parsed = parse_query(params.q)
    if not blank(params.q) and parsed.tree is None:
        # With filters, the search would list every speech they allow: not this term's.
        return Tally(term, message=parsed.message, counted=False)
    # Counts only: a sort that ranks nothing (relevance ranked every match for nothing).
    results = search_speeches(
        params=replace(params, page=1, sort="newest"), snippets=False, limit=1, browse_all=browse_all
    )
    topics = results.facets.get("topic", [])
    # The year facet is counted under the other filters (engine.py), a year range aside.
    dated = [int(f.value) for f in results.facets.get("year", []) if f.value != UNDATED and f.count]
    return Tally(
        term,
        results.count,
        years_found(results),
        {f.value: f.count for f in topics if not params.topic or f.value in params.topic},
        {f.value: f.label for f in topics},
        parsed.message or ("" if results.count else results.message),
        span=(min(dated), max(dated)) if dated else (),
    )


def years_found(results: Results) -> dict[str, int]:
    """The result set's speeches per year (and UNDATED): the year facet, kept to the
    years a year filter allows."""
    allowed = results.params.years() if results.params else None
    return {f.value: f.count for f in results.facets.get("year", []) if allowed is None or f.value in allowed}


@dataclass(frozen=True)
class Trends:
    params: SearchParams
    tallies: tuple[Tally, ...]
    refused: tuple[str, ...]
    measure: str
    years: Figure | None = None
    topics: Figure | None = None

    @property
    def terms(self) -> list[str]:
        return [t.term for t in self.tallies]

    def query(self, terms: list[str] | None = None, measure: str | None = None) -> str:
        """This page's query string, with other terms or another measure."""
        pairs = [*self.filter_pairs, *(("terms", t) for t in (self.terms if terms is None else terms))]
        measure = measure or self.measure
        return urlencode(pairs + ([("measure", measure)] if measure != "count" else []))

    @property
    def filter_pairs(self) -> list[tuple[str, str]]:
        """The filters, as the terms form's hidden fields."""
        return self.params.pairs(q="", sort="relevance", page=1)

    @property
    def count_query(self) -> str:
        return self.query(measure="count")

    @property
    def rate_query(self) -> str:
        return self.query(measure="rate")

    @property
    def entries(self) -> list[tuple[Tally, str, str]]:
        """Each term's tally, its search's query string, and this page's without it."""
        return [
            (t, urlencode(self.params.pairs(q=t.term, page=1)), self.query([u for u in self.terms if u != t.term]))
            for t in self.tallies
        ]


def asked_extent(params: SearchParams, span: tuple[int, ...]) -> list[int]:
    """The ends of the year range asked for, to be shown whole: 2010 on the axis though
    no matching speech is from 2010 (the seeds have none: a range from 2010 began at
    2011). Kept within the years the archive holds, so year_from=1900 does not draw a
    century of empty years."""
    if not span:
        return []
    first, last = span
    ends = [params.year_from, params.year_to]
    return [year for year in ends if year is not None and first <= year <= last]


def _series_key(term: str):
    """Terms that ask the same search are one series: 經濟發展 and 经济发展, “疫情” and 疫情
    (their query trees are equal); a term with nothing searchable, by its fold."""
    return parse_query(term).tree or normalize(term)


def count_trends(params: SearchParams, extra_terms: list[str], measure: str = "count") -> Trends:
    terms, refused = pick_terms(params.q, extra_terms, fold=_series_key)
    measure = measure if measure in ("count", "rate") else "count"
    tallies = tuple(tally(replace(params, q=term)) for term in terms)
    trends = Trends(params, tallies, tuple(refused), measure)
    counted = [t for t in tallies if t.counted]
    if not counted:
        return trends
    archive = tally(replace(params, q=""), browse_all=True)
    names = [shown(t.term) for t in counted]  # the legend: 会议上的讲话, not "会议上的讲话"
    years = year_rows([t.years for t in counted], archive.years, asked_extent(params, archive.span))
    topics = topic_rows([t.topics for t in counted], archive.topics, archive.names)
    return replace(
        trends,
        years=year_figure(YEAR_TITLES[measure], names, years, measure, "每年相符篇数与每千篇比率", NO_DATED_MATCH),
        topics=topic_figure(TOPIC_TITLES[measure], names, topics, measure, "各主题相符篇数与每千篇比率"),
    )
