"""The JSON API: plain JsonResponse over each model's to_dict(). Shapes only ever grow."""

from __future__ import annotations

from dataclasses import replace

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from .models import Document, Speech, SpeechAlias, Topic
from .search import EXPORT_LIMIT, SearchParams, search_speeches
from .search.service import INDEX_BUSY
from .speech_views import citations, known_in_lower_case, read_only_json, speech_not_here
from .spreadsheets import RETRY_AFTER_S, busy_response, csv_response
from .views import CANONICAL, COPIES, int_param

API_PAGE_SIZE = 20


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _hit_base(request, hit, ranked: bool) -> dict:
    """What a search hit and an export row share. The score is the relevance within the
    title tier (search_help.html), to six significant digits (rounded to four places, a
    term in every speech scored 0.0000 at 20,000 speeches); null where the hits were
    sorted by a column or not ranked (a browse without a term)."""
    speech = hit.speech
    return {
        "id": speech.public_id,
        "url": request.build_absolute_uri(speech.get_absolute_url()),
        "title": speech.title,
        # A title the archive supplied, shown in brackets; not the source's words.
        "title_supplied": speech.title_supplied,
        # 残篇: the source page kept only part of the speech, as /api/speeches/<id> says.
        "fragment": speech.is_fragment,
        "year": speech.year,
        # The date as the source states it or as the archive inferred it (a year, a day
        # or a span "2021/2025"), and which, as /api/speeches gives it: a spreadsheet must
        # not take a guess for a fact (the CSV export has them as two columns).
        "date": {"value": speech.date or None, "standing": speech.date_standing or "unknown"},
        "topics": [t.name for t in speech.topics.all()],
        "score": float(f"{hit.score:.6g}") if ranked else None,
        "duplicates": hit.duplicates,
    }


def _hit_dict(request, hit, ranked: bool) -> dict:
    speech = hit.speech
    return {
        **_hit_base(request, hit, ranked),
        "snippet": " ".join(hit.snippets),
        "document": speech.document.to_dict(),
        "paragraph": hit.paragraph,
        "section": hit.section,
        # The copy whose text holds a term the speech's own text lacks, else null.
        "found_in": hit.version.public_id if hit.version else None,
    }


def _facets_dict(results) -> dict:
    return {
        name: [{"value": f.value, "label": f.label, "count": f.count, "selected": f.selected} for f in values]
        for name, values in results.facets.items()
    }


@read_only_json
def search(request):
    """The search page's results as JSON: same parameters, plus facets beside results."""
    params = SearchParams.from_querydict(request.GET)
    results = search_speeches(params=params)
    if results.count and results.page > results.num_pages:
        # A page past the last is the last, as /api/speeches and the search page give it.
        params = replace(params, page=results.num_pages)
        results = search_speeches(params=params)
    body = {
        "query": params.q,
        "count": results.count,
        "page": results.page,
        "page_size": results.page_size,
        "num_pages": results.num_pages,
        # The order applied: a browse without a term asked "by relevance" is by year.
        "sort": results.sort,
        "message": results.message,
        "terms": list(results.terms),
        "results": [_hit_dict(request, hit, results.ranked) for hit in results.hits],
        "facets": _facets_dict(results),
        "damaged": _damaged_dict(request, results.damaged),
    }
    # Its count of 0 is no answer: a script that reads the status asks again later.
    return _busy_json(body) if results.message == INDEX_BUSY else _json(body)


def _busy_json(body: dict):
    """503 with Retry-After, as spreadsheets.busy_response for the plain downloads."""
    response = _json(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


def _damaged_dict(request, damaged) -> dict | None:
    """Possible matches in damaged text (search/damaged.py), on the first page only."""
    if damaged is None:
        return None
    return {
        "count": damaged.count,
        "results": [
            {**_hit_dict(request, item.hit, True), "marked": item.variant, "may_be": item.word} for item in damaged.hits
        ],
    }


@read_only_json
def search_export(request, fmt: str):
    """Every page of the current results (filters kept), up to EXPORT_LIMIT, as CSV or JSON."""
    if fmt not in ("csv", "json"):
        if request.path.startswith("/api/"):
            message = f"没有 {fmt} 格式的导出，可用 csv 或 json（export formats: csv, json）"
            return _json({"error": "not found", "message": message, "path": request.path}, status=404)
        raise Http404("export formats: csv, json")
    params = SearchParams.from_querydict(request.GET)
    results = search_speeches(params=replace(params, page=1), snippets=False, facets=False, limit=EXPORT_LIMIT)
    if results.message == INDEX_BUSY:
        if fmt == "json":
            return _busy_json({"error": "unavailable", "message": INDEX_BUSY})
        return busy_response(INDEX_BUSY)
    rows = [_export_row(request, hit, results.ranked) for hit in results.hits]
    filename = f"search-{timezone.localdate().isoformat()}.{fmt}"
    if results.count > len(rows):
        # A CSV has nowhere to say it was cut (the JSON has `truncated`): its name says it.
        filename = f"search-{timezone.localdate().isoformat()}-first-{len(rows)}-of-{results.count}.{fmt}"
    if fmt == "json":
        response = _json(
            {
                "query": params.q,
                "count": results.count,
                "limit": EXPORT_LIMIT,
                "truncated": results.count > len(rows),
                "message": results.message,
                "results": rows,
            }
        )
    else:
        flat = (
            {
                **row,
                "topics": "；".join(row["topics"]),
                "document": row["document"]["title"],
                "date": row["date"]["value"],
                "date_standing": row["date"]["standing"],
            }
            for row in rows
        )
        response = csv_response(
            filename, ([row.get(name, "") for name in EXPORT_FIELDS] for row in flat), EXPORT_FIELDS
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Total-Count"] = str(results.count)
    return response


EXPORT_FIELDS = [
    "id",
    "url",
    "title",
    "title_supplied",
    "year",
    "date",
    "date_standing",
    "topics",
    "document",
    "level",
    "genre",
    "length",
    "score",
    "duplicates",
    # Added last, so that the columns before keep their places.
    "fragment",
]


def _export_row(request, hit, ranked: bool) -> dict:
    speech = hit.speech
    return {
        **_hit_base(request, hit, ranked),
        "document": {"id": speech.document_id, "title": speech.document.display_title},
        "level": speech.speaker_level,
        "genre": speech.genre,
        "length": speech.char_count,
    }


# What /api/ lists: each address with what it answers (the help page's JSON API section says more).
ENDPOINTS = (
    ("/api/speeches?page=", "全部讲话，每篇一次（重复的副本不列出），分页"),
    ("/api/speeches/{id}", "一篇讲话的全文、分节、来源与引文"),
    ("/api/speeches/{id}/citation?paragraph=p2", "引文（GB/T 7714、BibTeX、RIS），可指向某一段"),
    ("/api/search?q=", "检索：参数与检索页相同，返回结果、分面与可能的匹配"),
    ("/search/export.csv?q=", "导出全部检索结果（CSV；export.json 为 JSON）"),
    ("/api/topics", "主题及其篇数"),
    ("/api/documents?page=", "来源文件，分页"),
)


@read_only_json
def index(request):
    """/api/: the addresses of the API, for the first-time user who tries the root."""
    root = request.build_absolute_uri("/").rstrip("/")  # not through build_absolute_uri: {id} stays {id}
    return _json(
        {
            "endpoints": [{"url": root + path, "description": text} for path, text in ENDPOINTS],
            "documentation": request.build_absolute_uri(reverse("search-help") + "#api"),
        }
    )


@read_only_json
def topics(request):
    rows = Topic.objects.annotate(count=Count("speeches", filter=CANONICAL))
    return _json(
        {
            "results": [
                {**t.to_dict(), "url": request.build_absolute_uri(t.get_absolute_url()), "count": t.count} for t in rows
            ]
        }
    )


@read_only_json
def documents(request):
    # Counted as /documents/ counts them: the distinct speeches, and apart the copies of
    # speeches stored once elsewhere (or earlier in the same file).
    rows = (
        Document.objects.ingested()
        .annotate(n=Count("speeches", filter=CANONICAL), copies=Count("speeches", filter=COPIES))
        .order_by("-created_at", "-id")
    )
    page = Paginator(rows, API_PAGE_SIZE).get_page(int_param(request, "page", 1))
    items = []
    for document in page.object_list:
        data = document.to_dict()
        data["url"] = request.build_absolute_uri(document.get_absolute_url())
        data["speeches"] = document.n
        data["copies"] = document.copies
        items.append(data)
    # Paged as /api/speeches is, and linked to the next page as it is.
    return _json(
        {"count": page.paginator.count, "page": page.number, "next": _next_url(request, page), "results": items}
    )


@read_only_json
def speech(request, public_id: str):
    found = Speech.objects.for_page().filter(public_id=public_id).first()
    if found is None:
        alias = SpeechAlias.objects.select_related("speech").filter(public_id=public_id).first()
        if alias and alias.speech:
            return _redirect(alias)
        lower = known_in_lower_case(public_id) if alias is None else None
        if lower is not None:
            return HttpResponsePermanentRedirect(reverse("api-speech", args=[lower]))
        return speech_not_here(public_id, alias)
    data = found.to_dict(sections=True)
    data["url"] = request.build_absolute_uri(found.get_absolute_url())
    data.update(_speech_extras(found))
    # The whole-speech citation; one paragraph's is at /api/speeches/<id>/citation?paragraph=p12.
    data["citation"] = citations(request, found)
    return _json(data)


def _speech_extras(speech) -> dict:
    """Fields added after the first API (shapes only grow: old keys keep their meaning)."""
    return {
        "keywords": list(speech.keywords),
        "occasion": speech.occasion,
        "speaker_level": speech.speaker_level,
        "genre": speech.genre,
        "ordinal": speech.ordinal,
    }


def _redirect(alias):
    return HttpResponsePermanentRedirect(reverse("api-speech", args=[alias.speech.public_id]))


@read_only_json
def speeches(request):
    # Each speech once, as every page lists and counts them: a copy still answers at its
    # own id (speech() below, its duplicate_of naming the speech it copies), unlisted.
    queryset = Speech.objects.canonical().for_listing().order_by("document_id", "ordinal")
    # The page's numbers first, then its rows: SQLite sorted every speech with its texts to
    # take one page (1-2 s at page 1,000 of 20,000, against 0.1 s for page 1).
    page = Paginator(queryset.values_list("pk", flat=True), API_PAGE_SIZE).get_page(int_param(request, "page", 1))
    rows = queryset.in_bulk(list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    items = []
    for item in page.object_list:
        data = item.to_dict()
        data["url"] = request.build_absolute_uri(item.get_absolute_url())
        data.update(_speech_extras(item))
        items.append(data)
    return _json(
        {"count": page.paginator.count, "page": page.number, "next": _next_url(request, page), "results": items}
    )


def _next_url(request, page) -> str | None:
    if not page.has_next():
        return None
    return request.build_absolute_uri(f"{request.path}?page={page.next_page_number()}")


def not_found(request, rest: str = ""):
    """Any other address under /api/: JSON, never the HTML 404 page. One with a slash
    the API does not write (/api/speeches/<id>/) leads to the one without."""
    path = request.path
    if path.endswith("/") and path != "/api/":
        try:
            found = resolve(path.rstrip("/"))
        except Resolver404:
            found = None
        if found is not None and found.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(path.rstrip("/") + (f"?{query}" if query else ""))
    return _json({"error": "not found", "message": f"API 中没有这个地址：{path}", "path": path}, status=404)


def csrf_failure(request, reason: str = ""):
    """A request refused by the CSRF check (settings.CSRF_FAILURE_VIEW): under /api/, which
    is read-only, JSON that says so; elsewhere a page in Chinese (it was Django's bare one)."""
    if request.path.startswith("/api/"):
        message = "API 只读，只接受 GET 请求（read-only: GET only）"
        return _json({"error": "forbidden", "message": message, "path": request.path}, status=403)
    # Django's reason, for the operator: a refused origin is a configuration matter (the
    # site's address against SITE_URL, http against https), not a stale form.
    origin = reason.startswith(("Origin checking failed", "Referer checking failed"))
    return render(request, "403_csrf.html", {"origin_refused": origin, "reason": reason}, status=403)
