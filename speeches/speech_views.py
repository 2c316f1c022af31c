"""The speech page: the text with its sections, anchors and provenance; citations; old ids that moved."""

from __future__ import annotations

from functools import wraps

from django.contrib.messages import get_messages
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from . import citation
from .ingest.mojibake import MARKER
from .ingest.sections import heading_kind
from .models import Bookmark, Speech, SpeechAlias
from .search import parse_query
from .similar import similar_speeches


def find_speech(public_id: str) -> Speech | None:
    """The speech an id names now: its own, or the successor of a merged one."""
    speech = Speech.objects.filter(public_id=public_id).with_document().first()
    if speech is None:
        alias = (
            SpeechAlias.objects.filter(public_id=public_id, speech__isnull=False)
            .select_related("speech__document")
            .first()
        )
        speech = alias.speech if alias else None
    return speech


def citable(request, speech: Speech, paragraph: str = "") -> citation.Citable:
    ingested = speech.document.ingested_at
    return citation.Citable(
        public_id=speech.public_id,
        title=speech.title,
        url=request.build_absolute_uri(speech.get_absolute_url()),
        year=speech.year,
        updated=timezone.localdate(ingested) if ingested else None,
        paragraph=paragraph,
        speaker=speech.speaker,
        office=speech.office,
        date=speech.date,
        date_inferred=speech.date_standing == "inferred",
        title_supplied=speech.title_supplied,
        place=speech.region,
        place_inferred=speech.standing("place") == "inferred",
        occasion=speech.occasion,
        source=speech.document.display_title,
        source_url=request.build_absolute_uri(speech.document.get_absolute_url()),
        copy_of_url=request.build_absolute_uri(speech.duplicate_of.get_absolute_url())
        if speech.duplicate_of_id
        else "",
        copy_kind=speech.duplicate_kind if speech.duplicate_of_id else "",
        fragment=speech.is_fragment,
    )


def citations(request, speech: Speech, paragraph: str = "") -> dict[str, str]:
    return citation.all_forms(citable(request, speech, paragraph), timezone.localdate())


def speech_detail(request, public_id: str, slug: str = ""):
    # The slug is decoration for people reading the URL: the id alone decides.
    speech = Speech.objects.for_page().filter(public_id=public_id).first()
    if speech is None:
        return _moved_or_gone(request, public_id)
    query = request.GET.get("q", "")[:200]
    sections = outlined(list(speech.sections.all()))
    context = {
        "speech": speech,
        "sections": sections,
        "toc": table_of_contents(sections),
        "duplicates": speech.duplicates.with_document(),
        "query": query,
        # The body marks the terms looked for in the text (title:疫情 looks in titles only).
        "terms": parse_query(query).text_terms if query.strip() else (),
        "previous": speech.document.speeches.filter(ordinal__lt=speech.ordinal).order_by("-ordinal").first(),
        "next": speech.document.speeches.filter(ordinal__gt=speech.ordinal).order_by("ordinal").first(),
        "similar": similar_speeches(speech),
        "citations": citations(request, speech),
        "bookmarks": _own_bookmarks(request, speech),
        "lost_characters": speech.text.count(MARKER),
        "facts": facts(speech),
    }
    context["page_messages"], context["messages_anchor"], context["paragraph_messages"] = placed_messages(request)
    return render(request, "speeches/speech.html", context)


# How speeches/bookmarks.py tags the message about a paragraph it saved: "at-p12".
AT_PARAGRAPH = "at-"


def placed_messages(request) -> tuple[list, str, list]:
    """The page's messages, and apart those about one paragraph (a bookmark just saved
    there) with its anchor. Those are shown in the text just above the paragraph, where
    the page opens (#p12): a confirmation pinned to the top of the screen covered the
    very paragraph it confirmed, and every line scrolled under it."""
    page, anchor, here = [], "", []
    for message in get_messages(request):
        tag = message.extra_tags or ""
        if tag.startswith(AT_PARAGRAPH) and anchor in ("", tag[len(AT_PARAGRAPH) :]):
            anchor = tag[len(AT_PARAGRAPH) :]
            here.append(message)
        else:
            page.append(message)
    return page, anchor, here


# Headings of the outline (一、 （一） 第一， ——): the table of contents lists these. The
# numbered items and run-in points under them (1、… 一是…) are headings in the text but
# not in the contents: they are sentences, often long ("1、投资800万元,完成xx公路沁阳段
# 5.88公里改建工程…", 30 of them in 003's 公路 speech), and a paragraph may hold several.
OUTLINE_KINDS = frozenset({"chapter", "part", "ordinal", "dash"})


def outlined(sections: list) -> list:
    """The sections with the level their heading is marked up at: its depth among the
    headings open above it, so never more than one below the heading before it. A speech that survives from its second point on (000 篇十四
    opens "二是坚持突出重点…") had its points, level 3 of its outline, as h4 straight under
    the page's h2, a level skipped for a screen reader's list of headings; the class
    keeps the outline's level for the indent."""
    open_levels: list[int] = []  # the outline's levels of the headings still open
    for section in sections:
        if section.heading:
            while open_levels and open_levels[-1] >= section.level:
                open_levels.pop()
            open_levels.append(section.level)
            section.shown_level = len(open_levels)
    return sections


def table_of_contents(sections) -> list:
    """The sections a speech's contents list: those headed by the outline, or, in a speech
    with no outline, those of its top level."""
    headed = [section for section in sections if section.heading]
    outline = [section for section in headed if heading_kind(section.heading) in OUTLINE_KINDS]
    if outline:
        return outline
    top = min((section.level for section in headed), default=0)
    return [section for section in headed if section.level == top]


STANDING_LABELS = {"stated": "原文所载", "inferred": "推断"}


def facts(speech: Speech) -> list[dict]:
    """Speaker, office, date, place and meeting with their standing and evidence, for the
    page: a reader sees which the text says and which the archive deduced, and from what."""
    shown = [
        ("speaker", "讲话人", speech.speaker, ""),
        ("office", "职务", speech.office, reverse("office", args=[speech.office]) if speech.office else ""),
        ("date", "日期", speech.date_label, reverse("year", args=[speech.year]) if speech.year else ""),
        ("place", "地点", speech.region, reverse("place", args=[speech.region]) if speech.region else ""),
        ("occasion", "场合", speech.occasion, ""),
    ]
    out = []
    for name, label, value, url in shown:
        if not value:
            continue
        found = speech.evidence(name)
        standing = found.get("standing", "stated" if name == "occasion" else "unknown")
        out.append(
            {
                "label": label,
                "value": value + ("?" if name == "date" and standing == "inferred" else ""),
                "url": url,
                "standing": standing,
                "standing_label": STANDING_LABELS.get(standing, ""),
                "evidence": found.get("evidence", ""),
                "paragraph": found.get("paragraph"),
            }
        )
    return out


def _own_bookmarks(request, speech: Speech):
    if not request.user.is_authenticated:
        return []
    return list(Bookmark.objects.filter(user=request.user, public_id=speech.public_id).order_by("paragraph"))


def speech_not_here(public_id: str, alias: SpeechAlias | None) -> JsonResponse:
    """The API's answer for an id no speech bears now (one merged into another is
    redirected before): 410 for a speech removed, its id kept as an alias; 404 for an
    id the archive never gave."""
    if alias is not None:
        message = "这篇讲话已从档案中移除（removed from the archive）"
        data = {"error": "gone", "message": message, "id": public_id, "reason": alias.reason}
        return JsonResponse(data, status=410, json_dumps_params={"ensure_ascii": False})
    data = {"error": "not found", "message": "没有这篇讲话（no such speech）", "id": public_id}
    return JsonResponse(data, status=404, json_dumps_params={"ensure_ascii": False})


def read_only_json(view):
    """GET and HEAD only, as require_safe, but a refused method answered as the API
    answers everything under /api/: JSON saying why, with Allow (it was an empty page)."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            data = {"error": "method not allowed", "message": "API 只读，只接受 GET 请求（read-only: GET only）"}
            response = JsonResponse(data, status=405, json_dumps_params={"ensure_ascii": False})
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    return checked


@read_only_json
def speech_citation(request, public_id: str):
    """The cite box's forms for one paragraph (?paragraph=p12), fetched by speech.js. An id
    merged into another, or typed in capitals, leads to that one's citation (301) as
    /api/speeches/<id> does: the forms cite the speech under its own id."""
    speech = Speech.objects.filter(public_id=public_id).with_document().first()
    if speech is None:
        alias = SpeechAlias.objects.select_related("speech").filter(public_id=public_id).first()
        lower = known_in_lower_case(public_id) if alias is None else None
        if alias is not None and alias.speech is not None:
            return _redirect_keeping_query(request, reverse("speech-citation", args=[alias.speech.public_id]))
        if lower is not None:
            return _redirect_keeping_query(request, reverse("speech-citation", args=[lower]))
        return speech_not_here(public_id, alias)
    paragraph = request.GET.get("paragraph", "")
    number = citation.paragraph_number(paragraph)
    if paragraph and not (number and number <= len(speech.paragraphs())):
        # A paragraph the speech does not have is not cited (it was, as 第9999段; p0 and
        # other anchors cited the whole speech, silently).
        message = f"本篇没有第 {number} 段" if number else f"没有这个段落：{paragraph}（段落写作 p1、p2……）"
        data = {"error": "no such paragraph", "message": message, "id": speech.public_id}
        return JsonResponse(data, status=404, json_dumps_params={"ensure_ascii": False})
    data = {"id": speech.public_id, "paragraph": paragraph, **citations(request, speech, paragraph)}
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _moved_or_gone(request, public_id: str):
    """A bookmarked id whose speech was merged or removed by a re-ingest: never a bare 404."""
    alias = SpeechAlias.objects.select_related("speech", "document").filter(public_id=public_id).first()
    if alias is None:
        lower = known_in_lower_case(public_id)
        if lower is None:
            raise Http404("没有这篇讲话")
        return _redirect_keeping_query(request, reverse("speech", args=[lower]))
    if alias.speech is not None:
        return _redirect_keeping_query(request, alias.speech.get_absolute_url())
    return render(request, "speeches/speech_gone.html", {"alias": alias}, status=410)


def _redirect_keeping_query(request, target: str):
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


def known_in_lower_case(public_id: str) -> str | None:
    """Ids are lower case (speeches/ingest/identity.py); one typed or cited in capitals
    (BUP44ADSJY) names the lower-case id when the archive gave that."""
    lower = public_id.lower()
    if lower == public_id:
        return None
    known = Speech.objects.filter(public_id=lower).exists() or SpeechAlias.objects.filter(public_id=lower).exists()
    return lower if known else None
