"""HTML fragments in scraped text: tags go, entities become characters."""

from __future__ import annotations

import html
import re

# 001 opens with <legend>, <sup>, <input> scraps; some pages wrap paragraphs in <p>.
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|tr|h[1-6]|section|article)\b[^>]*>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)


def strip_markup(text: str) -> tuple[str, int]:
    """Remove tags, comments, scripts and styles; unescape entities. Returns (text, tags removed)."""
    count = 0

    def _drop(match: re.Match) -> str:
        nonlocal count
        count += 1
        return ""

    def _newline(match: re.Match) -> str:
        nonlocal count
        count += 1
        return "\n"

    text = _SCRIPT.sub(_drop, text)
    text = _COMMENT.sub(_drop, text)
    text = _BLOCK_TAG.sub(_newline, text)
    text = _TAG.sub(_drop, text)
    if "&" in text:
        text = html.unescape(text)
    return text, count
