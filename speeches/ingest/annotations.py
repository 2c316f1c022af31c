"""Pinyin glued after characters: `實(shí)` is 實.

A parenthesised syllable is removed only when it is a reading of the character
before it (pypinyin's heteronym table), so `(erp)`, `(一)`, `(州)` stay.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, pinyin

from .types import MARKER

PINYIN_LETTERS = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ"
# Both bracket widths: 000 "內(nèi)容", and full-width brackets on pages saved from Word.
# The brackets are captured too, so `_BRACKETED.split` yields every part of a match. The
# character read stands just before the bracket (see _strip_once).
_BRACKETED = re.compile(rf"([(（])([{PINYIN_LETTERS}]{{1,7}})([)）])")
_GROUPS = 3
_MAX_PASSES = 3


@lru_cache(maxsize=16384)
def readings(char: str) -> frozenset[str]:
    found = pinyin(char, style=Style.TONE, heteronym=True, errors="ignore")
    return frozenset(r.lower() for group in found for r in group)


# The seeds carry an annotation every ~65 bytes, over a few thousand (character,
# syllable) pairs: remembering the verdict per pair spares the lookups for most.
@lru_cache(maxsize=65536)
def is_reading(char: str, syllable: str) -> bool:
    syllable = syllable.lower()
    known = readings(char)
    # "lv" for lǚ-style typing; toneless "shi" is not a reading we trust (it could be a word).
    return syllable in known or syllable.replace("v", "ü") in known


def _strip_once(text: str) -> tuple[str, int]:
    # split() rather than sub() with a callback: the same matches, left to right, but
    # no match object per annotation. Parts come as text, then _GROUPS per match. The
    # pattern starts at the bracket, which re finds fast, and the character before it
    # is checked here: a pattern starting with any ideograph was tried at each of them,
    # half the cost of the step. A bracket group holds no ideograph, so the annotations
    # found are the same.
    parts = _BRACKETED.split(text)
    count = 0
    for i in range(1, len(parts), _GROUPS + 1):
        before = parts[i - 1]
        if before and "\u3400" <= before[-1] <= "\u9fff" and is_reading(before[-1], parts[i + 1]):
            parts[i] = parts[i + 1] = parts[i + 2] = ""
            count += 1
    return "".join(parts), count


def strip_pinyin_annotations(text: str) -> tuple[str, int]:
    """Remove readings; repeated until stable, so "實(shí)(shí)" loses both."""
    if "(" not in text and "（" not in text:
        return text, 0
    total = 0
    for _ in range(_MAX_PASSES):
        text, count = _strip_once(text)
        total += count
        if not count:
            break
    return text, total


# A reading after a character the mojibake step marked: the character is lost, and what it
# was read as is no text of the speech (an audit's pages of new text: 确保考〓（shì）安全,
# and 〓é）, whose bracket and first letters the repaired run took). Only a syllable with a
# tone mark, so "〓(a)" and the like stay.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# The mark first, not a look-behind: re then looks for it as a literal, not at every place.
_READING_AFTER_MARK = re.compile(rf"{MARKER}[(（]?[{PINYIN_LETTERS}]{{0,6}}[{_TONED}][{PINYIN_LETTERS}]{{0,6}}[)）]")


def strip_readings_after_marks(text: str) -> tuple[str, int]:
    """Remove readings left after a marked character; how many."""
    if MARKER not in text:
        return text, 0
    return _READING_AFTER_MARK.subn(MARKER, text)
