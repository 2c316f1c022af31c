"""Pages. Each view parses the request, asks a QuerySet or search.py, renders one template."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Document, Speech, Topic
from .search import search_speeches


def int_param(request, name: str, default: int) -> int:
    try:
        return max(1, int(request.GET.get(name, default)))
    except (TypeError, ValueError):
        return default


def home(request):
    context = {
        "speech_count": Speech.objects.canonical().count(),
        "document_count": Document.objects.ingested().count(),
        "topics": Topic.objects.annotate(
            n=Count("speeches", filter=Q(speeches__duplicate_of__isnull=True))
        ).filter(n__gt=0).order_by("-n", "name"),
        "documents": Document.objects.ingested().annotate(n=Count("speeches"))[:10],
    }
    return render(request, "speeches/home.html", context)


def search(request):
    query = request.GET.get("q", "")
    results = search_speeches(query, int_param(request, "page", 1)) if query.strip() else None
    return render(request, "speeches/search.html", {"query": query, "results": results})


def document_detail(request, pk: int):
    document = get_object_or_404(Document, pk=pk)
    speeches = document.speeches.prefetch_related("topics").select_related("duplicate_of")
    return render(request, "speeches/document.html", {"document": document, "speeches": speeches})


def document_raw(request, pk: int):
    """The source file exactly as uploaded, so a reader can check the restoration."""
    document = get_object_or_404(Document, pk=pk)
    response = HttpResponse(bytes(document.raw), content_type="text/plain; charset=" + (document.encoding or "utf-8"))
    response["Content-Disposition"] = f'inline; filename="{document.sha256[:12]}.txt"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def topic_detail(request, slug: str):
    topic = get_object_or_404(Topic, slug=slug)
    speeches = topic.speeches.canonical().for_listing().order_by("-speechtopic__score")
    page = Paginator(speeches, 20).get_page(request.GET.get("page"))
    return render(request, "speeches/topic.html", {"topic": topic, "page": page})
