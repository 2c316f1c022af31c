"""The speech page: the text with its sections, anchors and provenance; old ids that moved."""

from __future__ import annotations

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render

from .models import Speech, SpeechAlias
from .search import parse_query


def speech_detail(request, public_id: str, slug: str = ""):
    speech = (
        Speech.objects.select_related("document", "duplicate_of")
        .prefetch_related("topics", "sections")
        .filter(public_id=public_id)
        .first()
    )
    if speech is None:
        return _moved_or_gone(request, public_id)
    query = request.GET.get("q", "")[:200]
    context = {
        "speech": speech,
        "sections": speech.sections.all(),
        "duplicates": speech.duplicates.select_related("document"),
        "query": query,
        "terms": parse_query(query).terms if query.strip() else (),
    }
    return render(request, "speeches/speech.html", context)


def _moved_or_gone(request, public_id: str):
    """A bookmarked id whose speech was merged or removed by a re-ingest: never a bare 404."""
    alias = SpeechAlias.objects.select_related("speech", "document").filter(public_id=public_id).first()
    if alias is None:
        raise Http404("没有这篇讲话")
    if alias.speech is not None:
        return HttpResponsePermanentRedirect(alias.speech.get_absolute_url())
    return render(request, "speeches/speech_gone.html", {"alias": alias}, status=410)
