"""Keyword-in-context snippets and highlighting, always escaped before marking."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import normalize


def _marked_spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Character spans covered by any term, overlaps merged (雨山 + 山区 mark 雨山区 whole).
    The text is folded as the search folds it, one character for one, so a term
    marks the source's own characters (traditional, full-width) where it matched."""
    lowered = normalize(text)
    found = []
    for term in map(normalize, terms):
        if not term:
            continue
        start = lowered.find(term)
        while start != -1:
            found.append((start, start + len(term)))
            start = lowered.find(term, start + 1)
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    # Escape every piece before adding <mark>: source text may hold <script>,
    # which must show as text and never run.
    out, pos = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[pos:s]))
        out.append("<mark>" + escape(text[s:e]) + "</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def kwic(text: str, terms: tuple[str, ...], width: int = 40, limit: int = 3) -> list[SafeString]:
    """Up to `limit` keyword-in-context snippets, HTML-escaped, terms in <mark>."""
    if not terms:
        return []
    flat = text.replace("\n", " ")
    spans = _marked_spans(flat, terms)
    windows: list[tuple[int, int]] = []
    for s, e in spans:
        if windows and s < windows[-1][1]:
            continue  # already shown in the previous snippet
        windows.append(_widened(spans, max(0, s - width), min(len(flat), e + width)))
        if len(windows) >= limit:
            break
    return [
        mark_safe(("…" if a else "") + _render(flat, spans, a, b) + ("…" if b < len(flat) else "")) for a, b in windows
    ]


def _widened(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The window with its edges moved out of any marked term they fall inside, so a
    snippet never shows part of a term marked (…<mark>全生产</mark>)."""
    for s, e in spans:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    return start, end


def highlight(text: str, terms: tuple[str, ...]) -> SafeString:
    """The whole text escaped, with the terms in <mark> (for a paragraph on the speech page)."""
    return mark_safe(_render(text, _marked_spans(text, terms), 0, len(text)))


def best_paragraph(paragraphs: list[str], terms: tuple[str, ...]) -> str:
    """Anchor (p12) of the paragraph holding the most distinct query terms
    (the first such), so a hit links to where the query is best met."""
    best, best_count = "", 0
    for number, paragraph in enumerate(paragraphs, start=1):
        lowered = normalize(paragraph)
        count = sum(1 for term in terms if normalize(term) in lowered)
        if count > best_count:
            best, best_count = f"p{number}", count
            if count == len(terms):
                break
    return best
