from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from speeches.ingest.mojibake import MARKER
from speeches.search import highlight
from speeches.search.query import shown

register = template.Library()

# The restoration writes MARKER for a character it could not read back with confidence;
# on the page it says so where the reader meets it.
_LOST = f'<span class="lost" title="此字在来源中已损坏，无法可靠恢复">{MARKER}</span>'


@register.filter
def reading(text: str, terms: tuple[str, ...] = ()):
    """A paragraph as the speech page shows it: escaped, the search terms marked, each
    unrestorable character explained. (MARKER is no HTML, so it is replaced after.)"""
    html = highlight(text, terms) if terms else escape(text)
    return mark_safe(str(html).replace(MARKER, _LOST))


@register.filter
def minutes(duration) -> int:
    """A timedelta in whole minutes, rounded up (the sign-in lockout page)."""
    return -(-int(duration.total_seconds()) // 60)


@register.filter
def ends(text: str, size: int) -> str:
    """A title cut to `size` characters in its middle, keeping both ends: the speeches of
    one page share a title's start and differ at its end ("…视频会议上的讲话篇七" and
    "…讲话篇十一"), which a cut at the end hides."""
    if len(text) <= size:
        return text
    head = (size - 1) // 2
    return f"{text[:head]}…{text[len(text) - (size - 1 - head) :]}"


@register.filter
def quoted(query: str) -> str:
    """A query between Chinese quotation marks, as a heading names it; a query that is one
    quoted phrase keeps one pair: “会议上的讲话”, not “"会议上的讲话"”."""
    return f"“{shown(query)}”"


@register.filter
def unlisted(values, total) -> int:
    """How many of the `total` speeches no value of a facet counts (a speech's level,
    office, place…: none stated). A place counts at each of its levels (安徽, 安徽·马鞍山):
    its provinces alone add up. Not for topics, of which a speech has several or none."""
    counted = sum(value.count for value in values if value.field_name != "place" or "·" not in value.value)
    return max(0, (total or 0) - counted)


@register.filter
def any_selected(values) -> bool:
    """Whether any of these facet values is selected (templates/includes/facet_values.html)."""
    return any(value.selected for value in values)


@register.filter
def meta_marks(items) -> list[str]:
    """Which marks the meta lines of these speeches show (templates/includes/meta_legend.html):
    "inferred" for the "?" of a year, speaker, office or place, "fragment" for 残篇. Items are speeches, search hits
    (hit.speech) or possible matches (item.hit.speech)."""
    marks = []
    for item in items or ():
        hit = getattr(item, "hit", item)
        speech = getattr(hit, "speech", hit)
        if speech.date and (not speech.year or speech.date_standing == "inferred"):
            marks.append("inferred")
        if any(getattr(speech, {"place": "region"}.get(name, name)) for name in speech.inferred):
            marks.append("inferred")
        if speech.is_fragment:
            marks.append("fragment")
    return sorted(set(marks), key=["inferred", "fragment"].index)
