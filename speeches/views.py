"""Pages. Each view parses the request, asks a QuerySet or the search package, renders one template."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePosixPath
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .alerts import canonical_query, saved_search_for
from .models import Document, Speech, Topic, place_keys, years_held
from .search import EXPORT_LIMIT, SearchParams, concordance, search_speeches
from .search.counts import years_found
from .search.params import FILTER_TITLES, SORTS, UNDATED
from .search.query import blank
from .search.service import INDEX_BUSY
from .search.trends import year_figure, year_rows
from .spreadsheets import busy_response, csv_response
from .uploads import step_rows

CANONICAL = Q(speeches__duplicate_of__isnull=True)
COPIES = Q(speeches__duplicate_of__isnull=False)


def int_param(request, name: str, default: int) -> int:
    try:
        return max(1, int(request.GET.get(name, default)))
    except (TypeError, ValueError):
        return default


def _topics_with_counts():
    return Topic.objects.annotate(n=Count("speeches", filter=CANONICAL)).filter(n__gt=0).order_by("-n", "name")


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """The first page, the pages around the current one, the last; None where pages are
    left out (shown as …)."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def home(request):
    context = {
        "speech_count": Speech.objects.canonical().count(),
        # Copies (the same speech in another file, or again in one) are counted apart, so
        # the documents' counts add up to the two figures together.
        "copy_count": Speech.objects.filter(
            document__status=Document.Status.INGESTED, duplicate_of__isnull=False
        ).count(),
        "document_count": Document.objects.ingested().count(),
        "topics": _topics_with_counts(),
        # The newest first, as on /documents/: the list is cut at ten.
        "documents": Document.objects.ingested()
        .annotate(n=Count("speeches", filter=CANONICAL), copies=Count("speeches", filter=COPIES))
        .order_by("-created_at", "-id")[:10],
    }
    return render(request, "speeches/home.html", context)


def search(request):
    params = SearchParams.from_querydict(request.GET)
    results = search_speeches(params=params) if (not blank(params.q) or params.has_filters) else None
    if results and results.count and results.page > results.num_pages:
        # A page past the end (an old link, the archive since smaller): its last page.
        return redirect(request.path + params.url(page=results.num_pages))
    context = {
        "query": params.q,
        "params": params,
        "results": results,
        "sorts": SORTS,
        "filter_titles": FILTER_TITLES,
        "export_limit": EXPORT_LIMIT,
        "query_string": request.GET.urlencode(),
        "saved_query": canonical_query(params),
        "saved_search": saved_search_for(request.user, params) if results else None,
        "unsearchable": bool(results and results.nothing_to_find),
        "active_filters": active_filters(params, results) if results else [],
        # The query and the order kept, every filter gone.
        "clear_filters_url": SearchParams(q=params.q, sort=params.sort, page_size=params.page_size).url(),
    }
    if results and results.count:
        context["prev_url"] = params.url(page=results.page - 1)
        context["next_url"] = params.url(page=results.page + 1)
        context["page_links"] = [
            (number, params.url(page=number) if number else "")
            for number in page_numbers(results.page, results.num_pages)
        ]
        found = years_found(results)
        allowed = params.years()
        held = {year: n for year, n in years_held().items() if allowed is None or year in allowed}
        # The archive's years say only where it holds nothing: no rate of them here (the
        # filters, which the trends page divides under, would not apply to them).
        # A year the search found speeches of is drawn even where the kept years, up to five
        # minutes old, do not have it yet.
        rows = year_rows([found], held)
        rows = [replace(row, base=0 if row.archive_empty and not any(row.counts) else None) for row in rows]
        context["year_chart"] = year_figure("每年命中篇数", ["命中"], rows)
    return render(request, "speeches/search.html", context)


def active_filters(params, results) -> list[tuple[str, str]]:
    """(label, URL without it) for every filter in force: shown above the results at
    every width, so on a phone, where the filter panel folds away, they stay in sight."""
    found = [
        (f"{FILTER_TITLES.get(name, name)}：{value.label}", value.url)
        for name, values in results.facets.items()
        for value in values
        if value.selected
    ]
    if params.year_from or params.year_to:
        span = f"{params.year_from or ''}–{params.year_to or ''}"
        found.append((f"{FILTER_TITLES['year']}：{span}", params.url(year_from=None, year_to=None, page=1)))
    return found


CONCORDANCE_PAGE = 100


def _concordance(request):
    """The concordance's lines for the request's search (its filters kept), sorted as asked."""
    params = SearchParams.from_querydict(request.GET)
    order = request.GET.get("order", "text")
    order = order if order in concordance.SORTS else "text"
    if blank(params.q):
        return params, order, None, []
    results = search_speeches(params=replace(params, page=1), snippets=False, facets=False, limit=EXPORT_LIMIT)
    # Only the terms looked for in the text give lines: title:疫情 asks for no 疫情 of the text.
    lines = [line for hit in results.hits for line in concordance.lines_of(hit.speech, results.text_terms)]
    return params, order, results, concordance.sorted_lines(lines, order)


def search_concordance(request):
    params, order, results, lines = _concordance(request)
    page = Paginator(lines, CONCORDANCE_PAGE).get_page(int_param(request, "page", 1))
    base = params.pairs(page=None)
    # The speeches whose text holds an occurrence: a hit may match in its title alone or
    # in another version of it, which the lines leave out.
    in_text = len({line.speech.pk for line in lines})
    context = {
        "query": params.q,
        "params": params,
        "results": results,
        "in_text": in_text,
        "elsewhere": len(results.hits) - in_text if results else 0,
        # Every term looked for in titles only (title:疫情): no line could be listed.
        "title_only": bool(results and results.terms and not results.text_terms),
        "page": page,
        "order": order,
        "orders": [(key, label, "?" + urlencode([*base, ("order", key)])) for key, label in concordance.SORTS.items()],
        "page_query": urlencode([*base, ("order", order)]),
        "export_limit": EXPORT_LIMIT,
    }
    return render(request, "speeches/concordance.html", context)


def search_concordance_csv(request):
    params, order, results, lines = _concordance(request)
    if results is not None and results.message == INDEX_BUSY:
        return busy_response(INDEX_BUSY)
    rows = (
        [
            line.left,
            line.match,
            line.right,
            line.speech.public_id,
            line.speech.title,
            line.paragraph,
            request.build_absolute_uri(f"{line.speech.get_absolute_url()}#{line.anchor}"),
        ]
        for line in lines
    )
    # The lines of the first EXPORT_LIMIT speeches only: the file's name says so, as the
    # search export's does (the page says it; a file saved alone did not).
    name = "concordance.csv"
    if results is not None and results.count > len(results.hits):
        name = f"concordance-first-{len(results.hits)}-of-{results.count}-speeches.csv"
    response = csv_response(name, rows, ["left", "match", "right", "speech", "title", "paragraph", "url"])
    if results is not None:
        response["X-Total-Count"] = str(results.count)
    return response


def search_help(request):
    return render(request, "speeches/search_help.html", {})


def document_list(request):
    documents = (
        Document.objects.ingested()
        .annotate(n=Count("speeches", filter=CANONICAL), copies=Count("speeches", filter=COPIES))
        .order_by("-created_at", "-id")
    )
    page = Paginator(documents, 50).get_page(int_param(request, "page", 1))
    return render(request, "speeches/documents.html", {"page": page})


def visible_document(request, pk: int) -> Document:
    """A document in the archive, for anyone, also while it waits to be parsed again
    (its speeches stay public and link here); one that failed, or a new upload not yet
    parsed, for staff who may view documents only (an upload refused as garbage may hold
    anything, and its id is guessable): to others it does not exist."""
    if request.user.has_perm("speeches.view_document"):
        return get_object_or_404(Document.objects.all(), pk=pk)
    return get_object_or_404(Document.objects.public(), pk=pk)


def document_detail(request, pk: int):
    document = visible_document(request, pk)
    speeches = list(document.speeches.prefetch_related("topics").select_related("duplicate_of"))
    # Counted as the home page and the document list count it: each speech once, its
    # copies apart (a page that repeats itself lists both, the copy marked as such).
    copies = sum(1 for speech in speeches if speech.duplicate_of_id is not None)
    context = {
        "document": document,
        "speeches": speeches,
        "distinct": len(speeches) - copies,
        "copies": copies,
        "report_rows": step_rows(document.report),
    }
    return render(request, "speeches/document.html", context)


def document_raw(request, pk: int):
    """The source file exactly as uploaded, so a reader can check the restoration."""
    document = visible_document(request, pk)
    if document.encoding:  # a page: shown as text, never as the HTML it may be
        charset = WEB_CHARSETS.get(document.encoding, document.encoding)
        response = HttpResponse(bytes(document.raw), content_type=f"text/plain; charset={charset}")
        response["Content-Disposition"] = f'inline; filename="{document.sha256[:12]}.txt"'
    else:
        # Bytes that never decoded (a zip, an image refused): given back as they came, under
        # their own extension, not as text named .txt.
        suffix = _RAW_SUFFIX.match(PurePosixPath(document.original_name.replace("\\", "/")).suffix.lower())
        response = HttpResponse(bytes(document.raw), content_type="application/octet-stream")
        name = document.sha256[:12] + (suffix.group() if suffix else "")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


_RAW_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
# Python's names of the decodings speeches/ingest/decode.py may choose, as browsers know
# them (the WHATWG labels): "big5" there is Big5-HKSCS with Windows' pairs, what cp950 and
# big5hkscs decode; a browser given a name it does not know shows mojibake.
WEB_CHARSETS = {
    "cp950": "big5",
    "big5hkscs": "big5",
    "cp949": "euc-kr",
    "utf-16-le": "utf-16le",
    "utf-16-be": "utf-16be",
    "utf-8-sig": "utf-8",
}


def topic_list(request):
    return render(request, "speeches/topics.html", {"topics": _topics_with_counts()})


def topic_detail(request, slug: str):
    topic = get_object_or_404(Topic, slug=slug)
    # Ties (scores are rounded to 0.001) in the order the speeches were stored: without it
    # PostgreSQL pages them arbitrarily, one speech on two pages and another on none.
    speeches = topic.speeches.canonical().for_listing().order_by("-speechtopic__score", "document_id", "ordinal")
    page = Paginator(speeches, 20).get_page(int_param(request, "page", 1))
    context = {"topic": topic, "page": page, **_profile(topic.speeches.canonical(), topics=False)}
    return render(request, "speeches/topic.html", context)


def year_list(request):
    years = Speech.objects.canonical().exclude(year=None).values("year").annotate(n=Count("id")).order_by("-year")
    context = {"years": years, **_profile(Speech.objects.canonical(), topics=False, title="每年收录篇数")}
    return render(request, "speeches/years.html", context)


def year_detail(request, year: int):
    speeches = Speech.objects.canonical().for_listing().filter(year=year).order_by("document_id", "ordinal")
    if not speeches.exists():  # as a place or an office with no speech
        raise Http404("没有这一年的讲话")
    page = Paginator(speeches, 20).get_page(int_param(request, "page", 1))
    topics = (
        Topic.objects.filter(speeches__year=year, speeches__duplicate_of__isnull=True)
        .annotate(n=Count("speeches"))
        .order_by("-n", "name")
    )
    return render(request, "speeches/year.html", {"year": year, "page": page, "topics": topics})


# --- places and offices: like a parliamentary member page, the speeches of one
# jurisdiction or one office, with counts by year (年份不确定 included) and by topic.


def _place_speeches(place: str):
    return Speech.objects.canonical().filter(Q(region=place) | Q(region__startswith=place + "·"))


def _profile(speeches, topics: bool = True, title: str = "每年篇数") -> dict:
    """Counts by year (年份不确定 apart) and by topic over a set of canonical speeches."""
    years = {str(year or UNDATED): n for year, n in speeches.values_list("year").annotate(n=Count("id")).order_by()}
    context = {"year_chart": year_figure(title, ["讲话"], year_rows([years])), "undated": years.get(UNDATED, 0)}
    if topics:
        context["topics"] = (
            Topic.objects.filter(speeches__in=speeches.values("id"))
            .annotate(n=Count("speeches"))
            .order_by("-n", "name")
        )
    return context


def place_list(request):
    counts: dict[str, int] = {}
    for region, n in Speech.objects.canonical().exclude(region="").values_list("region").annotate(n=Count("id")):
        for key in place_keys(region):
            counts[key] = counts.get(key, 0) + n
    provinces = sorted((k for k in counts if "·" not in k), key=lambda k: (-counts[k], k))
    places = [
        (
            province,
            counts[province],
            sorted(((k, counts[k]) for k in counts if k.startswith(province + "·")), key=lambda i: (-i[1], i[0])),
        )
        for province in provinces
    ]
    unplaced = Speech.objects.canonical().filter(region="").count()
    return render(request, "speeches/places.html", {"places": places, "unplaced": unplaced})


def place_detail(request, place: str):
    speeches = _place_speeches(place)
    if not speeches.exists():
        raise Http404("没有这个地点的讲话")
    listing = speeches.for_listing().order_by(F("year").desc(nulls_last=True), "document_id", "ordinal")
    page = Paginator(listing, 20).get_page(int_param(request, "page", 1))
    # The places one level down, each counting the speeches of the places under it too,
    # as /places/ counts them (安徽·宣城 3: its own 2 and 安徽·宣城·郎溪's 1).
    depth = len(place.split("·")) + 1
    counts: dict[str, int] = {}
    for region, n in speeches.filter(region__startswith=place + "·").values_list("region").annotate(n=Count("id")):
        child = "·".join(region.split("·")[:depth])
        counts[child] = counts.get(child, 0) + n
    within = [{"region": k, "n": n} for k, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    context = {"place": place, "parts": place.split("·"), "page": page, "within": within, **_profile(speeches)}
    return render(request, "speeches/place.html", context)


def office_detail(request, office: str):
    speeches = Speech.objects.canonical().filter(office=office)
    if not speeches.exists():
        raise Http404("没有这个职务的讲话")
    listing = speeches.for_listing().order_by(F("year").desc(nulls_last=True), "document_id", "ordinal")
    page = Paginator(listing, 20).get_page(int_param(request, "page", 1))
    speakers = speeches.exclude(speaker="").values("speaker").annotate(n=Count("id")).order_by("-n", "speaker")
    context = {"office": office, "page": page, "speakers": speakers, **_profile(speeches)}
    return render(request, "speeches/office.html", context)


def office_list(request):
    offices = Speech.objects.canonical().exclude(office="").values("office").annotate(n=Count("id")).order_by("-n")
    unknown = Speech.objects.canonical().filter(office="").count()
    return render(request, "speeches/offices.html", {"offices": offices, "unknown": unknown})
