"""Searching speeches: the user's query to a Whoosh query, results with KWIC snippets.

Views and the API call `search_speeches`; neither builds queries itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from haystack.query import SearchQuerySet
from whoosh.qparser import QueryParserError

from .models import Speech
from .search_backend import normalize, query_words

MAX_QUERY_CHARS = 200
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Whoosh query syntax; stripped from user terms so they are searched as text.
_SYNTAX = re.compile(r"""[:()\[\]{}^~*?+\-\\/"'!<>=&|]""")
_OPERATORS = {"and", "or", "not", "to"}


@dataclass(frozen=True)
class ParsedQuery:
    whoosh: str
    terms: tuple[str, ...]
    message: str = ""


@dataclass
class Hit:
    speech: Speech
    score: float
    snippets: list[SafeString] = field(default_factory=list)
    paragraph: str = ""


@dataclass
class Results:
    query: str
    count: int = 0
    page: int = 1
    page_size: int = PAGE_SIZE
    hits: list[Hit] = field(default_factory=list)
    message: str = ""

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def parse_query(raw: str) -> ParsedQuery:
    """Words are ANDed. Anything that is query syntax is searched as plain text."""
    message = ""
    text = raw.strip()
    if len(text) > MAX_QUERY_CHARS:
        # Very long queries raise RecursionError deep in Whoosh's parser (STACK-NOTES).
        text = text[:MAX_QUERY_CHARS]
        message = f"查询过长，只使用了前 {MAX_QUERY_CHARS} 个字符。"
    words = [w for w in _SYNTAX.sub(" ", normalize(text)).split() if w.lower() not in _OPERATORS]
    groups, terms = [], []
    for word in words:
        pieces = [p for p, _, _ in query_words(word) if p.strip() and not re.fullmatch(r"[\W_]+", p)]
        if pieces:
            groups.append("(" + " AND ".join(pieces) + ")")
            terms.extend(pieces)
    if not groups and text:
        message = message or "查询中没有可搜索的词语。"
    return ParsedQuery(" AND ".join(groups), tuple(dict.fromkeys(terms)), message)


def _marked_spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Character spans covered by any term, overlaps merged (雨山 + 山区 mark 雨山区 whole)."""
    covered = bytearray(len(text))
    lowered = text.lower()
    for term in terms:
        start = lowered.find(term)
        while start != -1:
            covered[start : start + len(term)] = b"\x01" * len(term)
            start = lowered.find(term, start + 1)
    spans, i = [], 0
    while i < len(covered):
        if covered[i]:
            j = i
            while j < len(covered) and covered[j]:
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
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
    spans = _marked_spans(flat, tuple(t.lower() for t in terms))
    windows: list[tuple[int, int]] = []
    for s, e in spans:
        if windows and s < windows[-1][1]:
            continue  # already shown in the previous snippet
        windows.append((max(0, s - width), min(len(flat), e + width)))
        if len(windows) >= limit:
            break
    return [
        mark_safe(("…" if a else "") + _render(flat, spans, a, b) + ("…" if b < len(flat) else ""))
        for a, b in windows
    ]


def highlight(text: str, terms: tuple[str, ...]) -> SafeString:
    """The whole text escaped, with the terms in <mark> (for a paragraph on the speech page)."""
    return mark_safe(_render(text, _marked_spans(text, tuple(t.lower() for t in terms)), 0, len(text)))


def first_paragraph_with(speech: Speech, terms: tuple[str, ...]) -> str:
    """Anchor (p12) of the first paragraph holding a query term, for linking a hit to its place."""
    for number, paragraph in enumerate(speech.paragraphs(), start=1):
        if any(term in paragraph.lower() for term in terms):
            return f"p{number}"
    return ""


def search_speeches(raw_query: str, page: int = 1, page_size: int = PAGE_SIZE) -> Results:
    parsed = parse_query(raw_query)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    results = Results(raw_query, page=max(1, page), page_size=page_size, message=parsed.message)
    if not parsed.whoosh:
        return results
    sqs = SearchQuerySet().models(Speech).raw_search(parsed.whoosh).narrow("canonical:true")
    start = (results.page - 1) * page_size
    try:
        page_hits = list(sqs[start : start + page_size])
        results.count = sqs.count()
    except (QueryParserError, RecursionError, ValueError):
        results.message = "无法解析该查询，请简化后再试。"
        return results
    speeches = Speech.objects.for_listing().in_bulk([int(h.pk) for h in page_hits])
    for hit in page_hits:
        speech = speeches.get(int(hit.pk))
        if speech is None:  # index ahead of the database: check_index --fix repairs it
            continue
        results.hits.append(
            Hit(speech, hit.score or 0.0, kwic(speech.text, parsed.terms), first_paragraph_with(speech, parsed.terms))
        )
    return results
