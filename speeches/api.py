"""The JSON API: plain JsonResponse over each model's to_dict(). Shapes only ever grow."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from .models import Speech, SpeechAlias
from .search import search_speeches
from .views import int_param

API_PAGE_SIZE = 20


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@require_GET
def search(request):
    query = request.GET.get("q", "")
    results = search_speeches(query, int_param(request, "page", 1), int_param(request, "page_size", 20))
    return _json(
        {
            "query": query,
            "count": results.count,
            "page": results.page,
            "message": results.message,
            "results": [
                {
                    "id": hit.speech.public_id,
                    "url": request.build_absolute_uri(hit.speech.get_absolute_url()),
                    "title": hit.speech.title,
                    "snippet": " … ".join(hit.snippets),
                    "score": round(hit.score, 4),
                    "year": hit.speech.year,
                    "topics": [t.name for t in hit.speech.topics.all()],
                    "document": hit.speech.document.to_dict(),
                }
                for hit in results.hits
            ],
        }
    )


@require_GET
def speech(request, public_id: str):
    found = (
        Speech.objects.select_related("document", "duplicate_of")
        .prefetch_related("topics", "sections")
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        alias = SpeechAlias.objects.select_related("speech").filter(public_id=public_id).first()
        if alias and alias.speech:
            return _redirect(alias)
        if alias:
            return _json({"error": "gone", "id": public_id, "reason": alias.reason}, status=410)
        return _json({"error": "not found", "id": public_id}, status=404)
    data = found.to_dict(sections=True)
    data["url"] = request.build_absolute_uri(found.get_absolute_url())
    return _json(data)


def _redirect(alias):
    return HttpResponsePermanentRedirect(reverse("api-speech", args=[alias.speech.public_id]))


@require_GET
def speeches(request):
    queryset = Speech.objects.for_listing().select_related("duplicate_of").order_by("document_id", "ordinal")
    page = Paginator(queryset, API_PAGE_SIZE).get_page(int_param(request, "page", 1))
    next_url = None
    if page.has_next():
        next_url = request.build_absolute_uri(f"{request.path}?page={page.next_page_number()}")
    items = []
    for item in page.object_list:
        data = item.to_dict()
        data["url"] = request.build_absolute_uri(item.get_absolute_url())
        items.append(data)
    return _json({"count": page.paginator.count, "page": page.number, "next": next_url, "results": items})
