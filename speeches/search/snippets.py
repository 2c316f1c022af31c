"""Keyword-in-context snippets and highlighting, always escaped before marking.

A hit shows up to three windows of context (kwic), each from a different paragraph
(the lines of a speech's text). Together they show as many of the query's terms as
they can before showing one again, then the windows with the most matches. A window
is widened to the edges of any term it would cut, breaks at punctuation near its
edges so that it reads as a phrase, and says "…" only where text was cut.

No text is shown twice: windows in different paragraphs never overlap (windows
around neighbouring matches of one paragraph did, 15 characters and more), and a
window that repeats a chosen one is passed over for the next candidate (seed 001's
关于疫情防控的讲话（篇一） names 全市疫情防控指挥部第三次全体会议 in two paragraphs).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from html import unescape

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from .analysis import normalize

# Characters of context on each side of a match, before breaking at punctuation.
WIDTH = 40
# How far a window's edge may move to break at punctuation instead of inside a phrase.
SLACK = 12
# Where a phrase ends. The seed pages write both full-width and ASCII signs (seed 001:
# "三年來,在廣大干群…"). Not "." (seed 003: 投資2.09億元) nor "、" (a list, inside a phrase).
BREAKS = frozenset("。；，！？：;,!?:")
_BREAK = re.compile("[" + re.escape("".join(sorted(BREAKS))) + "]")
# Two windows sharing this many characters in a row show one passage twice.
REPEAT = 15

Occurrence = tuple[int, int, str]  # start, end, folded term


@dataclass(frozen=True)
class Window:
    """Where a snippet stands: characters start:end of paragraph `paragraph` (0-based)."""

    paragraph: int
    start: int
    end: int
    folded: str  # its text as the search folds it, to compare windows
    terms: frozenset[str]  # the folded terms it shows
    matches: int


def _folded_terms(terms: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(term for term in map(normalize, terms) if term))


def _occurrences(folded: str, terms: tuple[str, ...]) -> list[Occurrence]:
    """Every place a (folded) term stands in the folded text, overlapping ones too."""
    found = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            found.append((start, start + len(term), term))
            start = folded.find(term, start + 1)
    return sorted(found)


def _merged(found: list[Occurrence]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for start, end, _ in found:
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _marked_spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Character spans covered by any term, overlaps merged (雨山 + 山区 mark 雨山区 whole).
    The text is folded as the search folds it, one character for one, so a term
    marks the source's own characters (traditional, full-width) where it matched."""
    return _merged(_occurrences(normalize(text), _folded_terms(terms)))


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


def kwic(
    text: str, terms: tuple[str, ...], width: int = WIDTH, limit: int = 3, besides: list[SafeString] | None = None
) -> list[SafeString]:
    """Up to `limit` keyword-in-context snippets from different paragraphs, in text
    order, HTML-escaped, terms in <mark>. No snippet when no term stands in the text
    (the match was in the title or in another version): the feed (speeches/feeds.py)
    then shows the speech's opening. They repeat nothing of the snippets `besides`
    (a copy's, shown above a speech's own: speeches/search/service.py)."""
    folded = _folded_terms(terms)
    paragraphs = text.split("\n")
    # Folded once, the text splits into the same paragraphs (one character for one).
    folded_paragraphs = normalize(text).split("\n")
    candidates = [
        window
        for number, paragraph in enumerate(paragraphs)
        for window in _candidates(number, paragraph, folded_paragraphs[number], folded, width)
    ]
    seen = [visible for visible in map(_visible, besides or []) if visible]
    chosen = _chosen(candidates, limit, _repeat_length(folded), seen)
    return [
        _snippet(paragraphs[w.paragraph], folded_paragraphs[w.paragraph], w, folded)
        for w in sorted(chosen, key=lambda w: (w.paragraph, w.start))
    ]


def _visible(snippet: str) -> str:
    """A rendered snippet's text as the search folds it, without marks and elisions."""
    return normalize(unescape(strip_tags(snippet)).strip("…"))


def _candidates(number: int, paragraph: str, folded: str, terms: tuple[str, ...], width: int) -> list[Window]:
    """One window around each marked span of the paragraph (`folded`: as normalize()
    folds it; `terms` folded too)."""
    found = _occurrences(folded, terms)
    if not found:
        return []
    starts = [s for s, _, _ in found]
    spans = _merged(found)
    # Where a window may start and end: just after a break, or the paragraph's edges.
    breaks = [m.end() for m in _BREAK.finditer(paragraph)]
    starts_at, ends_at = [0, *breaks], [*breaks, len(paragraph)]
    windows = []
    for anchor in spans:
        start, end = _edges(paragraph, spans, anchor, width, starts_at, ends_at)
        # Occurrences are sorted: only those starting inside the window are looked at,
        # as a one-character term (的) can stand in a long paragraph dozens of times.
        shown = [term for _, e, term in found[bisect_left(starts, start) : bisect_left(starts, end)] if e <= end]
        windows.append(Window(number, start, end, folded[start:end], frozenset(shown), len(shown)))
    return windows


def _edges(
    paragraph: str,
    spans: list[tuple[int, int]],
    anchor: tuple[int, int],
    width: int,
    starts_at: list[int],
    ends_at: list[int],
) -> tuple[int, int]:
    """The window around a marked span: `width` characters each side, moved to a
    break nearby, blanks at its edges left out, and never ending inside a term.
    `starts_at` and `ends_at`: where a window may start and end, in order."""
    s, e = anchor
    start = _break_before(starts_at, max(0, s - width), s)
    end = _break_after(ends_at, min(len(paragraph), e + width), e, len(paragraph))
    while start < s and paragraph[start].isspace():
        start += 1
    while end > e and paragraph[end - 1].isspace():
        end -= 1
    return _widened(spans, start, end)


def _break_before(positions: list[int], start: int, anchor: int) -> int:
    """The start after a break (or the paragraph's start) nearest `start`, not past the
    anchor, within SLACK; the earlier of two as near. `positions`: those starts, in order."""
    return _nearest(positions, start, max(0, start - SLACK), min(start + SLACK, anchor))


def _break_after(positions: list[int], end: int, anchor: int, length: int) -> int:
    """The end after a break (or the paragraph's end) nearest `end`, not before the
    anchor, within SLACK; the earlier of two as near. `positions`: those ends, in order."""
    return _nearest(positions, end, max(anchor, end - SLACK), min(length, end + SLACK))


def _nearest(positions: list[int], target: int, low: int, high: int) -> int:
    """The position in low..high nearest `target` (which lies in that range), the lower
    of two as near; `target` itself when there is none. A binary search: scanning the
    range at every match was most of a snippet's time for a term on every line."""
    at = bisect_left(positions, target)
    below = positions[at - 1] if at > 0 and positions[at - 1] >= low else None
    above = positions[at] if at < len(positions) and positions[at] <= high else None
    if below is None:
        return target if above is None else above
    if above is None or target - below <= above - target:
        return below
    return above


def _widened(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The window with its edges moved out of any marked term they fall inside, so a
    snippet never shows part of a term marked (…<mark>全生产</mark>)."""
    for s, e in spans:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    return start, end


def _repeat_length(terms: tuple[str, ...]) -> int:
    """Shared characters that make two windows one passage twice. A term as long as
    REPEAT is no repeat by itself: it must share half as much again around it."""
    return max([REPEAT, *(len(term) + REPEAT // 2 for term in terms)])


def _chosen(candidates: list[Window], limit: int, repeat: int, seen: list[str]) -> list[Window]:
    """Greedily: the window showing the most terms not yet shown, then the most terms,
    the most matches, the earliest; one per paragraph, none repeating another or `seen`."""
    chosen: list[Window] = []
    shown: frozenset[str] = frozenset()
    while len(chosen) < limit:
        ranked = sorted(
            candidates, key=lambda w: (-len(w.terms - shown), -len(w.terms), -w.matches, w.paragraph, w.start)
        )
        pick = next((w for w in ranked if not _clashes(w, chosen, seen, repeat)), None)
        if pick is None:
            break
        chosen.append(pick)
        shown |= pick.terms
    return chosen


def _clashes(window: Window, chosen: list[Window], seen: list[str], repeat: int) -> bool:
    """Whether the window stands in a paragraph already shown or repeats text shown."""
    if any(window.paragraph == other.paragraph for other in chosen):
        return True
    return any(_repeats(window.folded, text, repeat) for text in [*seen, *(other.folded for other in chosen)])


def _repeats(a: str, b: str, length: int) -> bool:
    """Whether one text holds the other, or both hold the same `length` characters."""
    if a in b or b in a:
        return True
    return not {a[i : i + length] for i in range(len(a) - length + 1)}.isdisjoint(
        b[i : i + length] for i in range(len(b) - length + 1)
    )


def _snippet(paragraph: str, folded: str, window: Window, terms: tuple[str, ...]) -> SafeString:
    """The window rendered, with "…" where the paragraph goes on (not where only blanks
    were left out). `folded`: the paragraph as normalize() folds it; `terms` folded."""
    before = "…" if paragraph[: window.start].strip() else ""
    after = "…" if paragraph[window.end :].strip() else ""
    spans = _merged(_occurrences(folded, terms))
    return mark_safe(before + _render(paragraph, spans, window.start, window.end) + after)


def highlight(text: str, terms: tuple[str, ...]) -> SafeString:
    """The whole text escaped, with the terms in <mark> (for a paragraph on the speech page)."""
    return mark_safe(_render(text, _marked_spans(text, terms), 0, len(text)))


def best_paragraph(paragraphs: list[str], terms: tuple[str, ...]) -> str:
    """Anchor (p12) of the paragraph holding the most distinct query terms
    (the first such), so a hit links to where the query is best met."""
    best, best_count = "", 0
    folded_terms = [normalize(term) for term in terms]
    # Folded at once (one character for one), the text splits into the same paragraphs.
    folded = normalize("\n".join(paragraphs)).split("\n")
    for number, lowered in enumerate(folded, start=1):
        count = sum(1 for term in folded_terms if term in lowered)
        if count > best_count:
            best, best_count = f"p{number}", count
            if count == len(terms):
                break
    return best
