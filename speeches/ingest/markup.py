"""HTML fragments in scraped text: tags go, entities become characters.

Idempotent: entities are unescaped until none is left (003 has "&amp;nbsp;"-style double
escapes in other pages of the same site), and tags revealed by unescaping go too, so
running the step on its own output changes nothing.
"""

from __future__ import annotations

import html
import re

# 001 opens with <legend>, <sup>, <input> scraps; 002 wraps headings in <p>…</p>.
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|tr|h[1-6]|section|article)\b[^<>]*>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
# Spans removed whole, from an opener to the first closer after it (span_removed): a
# comment, a script, a style, and a whole HTML page's head (its <title> is the site's, not
# a speech's line: it was a speech of its own).
_COMMENT = (re.compile("<!--"), re.compile("-->"))
_SCRIPT = (re.compile(r"<script\b[^<>]*>", re.I), re.compile(r"</script\s*>", re.I))
_STYLE = (re.compile(r"<style\b[^<>]*>", re.I), re.compile(r"</style\s*>", re.I))
_HEAD = (re.compile(r"<head\b[^<>]*>", re.I), re.compile(r"</head\s*>", re.I))
# "<!DOCTYPE html>" was a title and a preamble.
_DOCTYPE = re.compile(r"<!DOCTYPE[^<>]*>", re.I)
# An XML declaration or processing instruction (<?xml version="1.0" encoding="GBK"?>,
# <?xml-stylesheet …?>): _TAG wants a letter after "<", so it was kept, and its "?" made
# the page's preamble "<〓xml version…" with a damage warning.
_INSTRUCTION = re.compile(r"<\?[a-zA-Z][^<>]*\?>")
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
# Characters that are whitespace on a page but not to str.split: 001 indents with NBSP.
# Characters of no width (zero-width space and joiners, direction marks, byte order
# mark, soft hyphen, word joiner and invisible operators) are dropped: inside a phrase they
# hide it from search. A query drops them too (search/query.py). So are the direction
# embeddings, overrides and isolates (U+202A–202E, U+2066–2069): Chinese text has no use
# for them, and a query pasted with one found nothing.
INVISIBLE = (
    "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_SPACES = (("\xa0", " "),) + tuple((invisible, "") for invisible in INVISIBLE)
# Page and line separators of other systems end a line, as "\n" does here (a form feed
# between a scraper's pages was kept inside a sentence). Other control characters are
# no text: XML 1.0 cannot carry them, so a speech holding one broke every feed listing
# it, and a reader cannot see them. Tab, line feed and carriage return stay (lines are
# cut on them later).
_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
CONTROLS = re.compile("[\x01-\x08\x0e-\x1b\x1f\x7f]")
_MAX_UNESCAPE = 4


def _unescape(text: str) -> tuple[str, int]:
    count = 0
    for _ in range(_MAX_UNESCAPE):
        found = len(_ENTITY.findall(text))
        if not found:
            break
        count += found
        text = html.unescape(text)
    return text, count


def spans_removed(text: str, opener: re.Pattern, closer: re.Pattern) -> tuple[str, int]:
    """Each span from an opener to the first closer after it, removed, in one pass over
    the text. A lazy `<!--.*?-->` scanned from every opener no closer follows to the
    text's end: 32,000 "<!--" (138 KB, a hostile upload) parsed past gunicorn's timeout.
    Once no closer follows an opener, none follows a later one."""
    kept, count, at = [], 0, 0
    while (start := opener.search(text, at)) is not None:
        end = closer.search(text, start.end())
        if end is None:
            break
        kept.append(text[at : start.start()])
        at, count = end.end(), count + 1
    if not count:
        return text, 0
    kept.append(text[at:])
    return "".join(kept), count


def _strip_tags(text: str) -> tuple[str, int]:
    scripts = 0
    for opener, closer in (_SCRIPT, _STYLE, _HEAD):
        text, removed = spans_removed(text, opener, closer)
        scripts += removed
    text, doctypes = _DOCTYPE.subn("", text)
    scripts += doctypes
    text, comments = spans_removed(text, *_COMMENT)
    text, instructions = _INSTRUCTION.subn("", text)
    comments += instructions
    # A block tag ends a paragraph: "<p>一</p><p>二</p>" is two lines. Lines are cut
    # after this step, so each Line still maps to one line of the stripped source.
    text, blocks = _BLOCK_TAG.subn("\n", text)
    text, tags = _TAG.subn("", text)
    return text, scripts + comments + blocks + tags


def _normalise_spaces(text: str, controls: bool = True) -> str:
    # str.replace, not str.translate: translate with a mapping goes character by character
    # through a dict and was most of this step's time on Chinese text (≈30 MB/s).
    for old, new in _SPACES:
        if old in text:
            text = text.replace(old, new)
    if not controls:
        return text
    if _BREAKS.search(text):
        text = _BREAKS.sub("\n", text)
    if CONTROLS.search(text):
        text = CONTROLS.sub("", text)
    return text


def strip_markup(text: str, controls: bool = True) -> tuple[str, int, int]:
    """Remove tags, comments, scripts and styles; unescape entities. With `controls`
    False, control characters stay (plausibility.py judges them as signs of binary).

    Returns (text, tags removed, entities unescaped)."""
    if "<" not in text and "&" not in text:
        return _normalise_spaces(text, controls), 0, 0
    text, tags = _strip_tags(text)
    text, entities = _unescape(text)
    if "<" in text:
        text, more = _strip_tags(text)
        tags += more
    return _normalise_spaces(text, controls), tags, entities
