"""Seed pages parsed once per test session, and helpers to find a speech by its words.

Golden data names speeches by seed file and opening words, never by full text, so the
structure tests survive improvements to text restoration (another step's work).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from speeches.ingest import ParsedDocument, ParsedSpeech, parse_document

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).with_name("golden")
# How far into a speech its opening words may have moved when a restored line is
# put back before them (000 篇十三 lost its first paragraph to the cleaner).
OPENING_WINDOW = 600
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff0-9a-z]+")


def han(text: str) -> str:
    """Han characters, digits and x placeholders only: what survives any text repair."""
    return _NOT_HAN.sub("", text.lower())


@cache
def parse_seed(path: str) -> ParsedDocument:
    return parse_document((ROOT / path).read_bytes())


def opening_matches(speech: ParsedSpeech, opening: str) -> bool:
    return han(opening)[:12] in han(speech.text)[:OPENING_WINDOW]


def find_speech(document: ParsedDocument, opening: str, canonical_only: bool = True) -> ParsedSpeech | None:
    for speech in document.speeches:
        if canonical_only and speech.duplicate_of is not None:
            continue
        if opening_matches(speech, opening):
            return speech
    return None
