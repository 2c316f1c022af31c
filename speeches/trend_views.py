"""The trends page: a search's matches per year and per topic, with rates, up to four
terms compared, and the tables as CSV (speeches/search/counts.py counts them)."""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Count, Q
from django.shortcuts import render

from .alerts import describe
from .models import LIVE_STATUSES, Speech
from .search import SearchParams
from .search.counts import count_trends
from .search.service import INDEX_BUSY
from .search.trends import MAX_SERIES
from .spreadsheets import busy_response, csv_response


def _trends(request):
    params = SearchParams.from_querydict(request.GET)
    return count_trends(params, request.GET.getlist("terms"), request.GET.get("measure", "count"))


def search_trends(request):
    trends = _trends(request)
    filters = describe(replace(trends.params, q=""))
    blanks = range(len(trends.terms) + 1, MAX_SERIES + 1)
    context = {
        "trends": trends,
        "filters": filters,
        "blanks": blanks,
        "max_series": MAX_SERIES,
        "years_known": _years_known() if trends.years else None,
    }
    return render(request, "speeches/trends.html", context)


def _years_known() -> dict[str, int]:
    """How the archive's speeches got the year they are counted under: a reader of a
    trend must know that most years are the archive's deduction, not the source's."""
    dated = Speech.objects.canonical().filter(year__isnull=False, document__status__in=LIVE_STATUSES)
    counts = dated.aggregate(total=Count("pk"), inferred=Count("pk", filter=Q(attribution__date__standing="inferred")))
    return {**counts, "stated": counts["total"] - counts["inferred"]}


def search_trends_csv(request):
    trends = _trends(request)
    if any(tally.message == INDEX_BUSY for tally in trends.tallies):
        return busy_response(INDEX_BUSY)
    figure = trends.topics if request.GET.get("table") == "topic" else trends.years
    name = "trends-topics.csv" if request.GET.get("table") == "topic" else "trends-years.csv"
    return csv_response(name, figure.table.csv_rows() if figure is not None else [])
