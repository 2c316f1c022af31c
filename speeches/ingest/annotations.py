"""Pinyin glued after characters: `實(shí)` is 實.

A parenthesised syllable is removed only when it is a reading of the character
before it (pypinyin's heteronym table), so `(erp)`, `(一)`, `(州)` stay.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, pinyin

_ANNOTATION = re.compile(r"([\u3400-\u9fff])[(（]([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7})[)）]")


@lru_cache(maxsize=8192)
def readings(char: str) -> frozenset[str]:
    found = pinyin(char, style=Style.TONE, heteronym=True, errors="ignore")
    return frozenset(r.lower() for group in found for r in group)


def strip_pinyin_annotations(text: str) -> tuple[str, int]:
    count = 0

    def _replace(match: re.Match) -> str:
        nonlocal count
        char, syllable = match.group(1), match.group(2).lower()
        if syllable in readings(char) or syllable.replace("v", "ü") in readings(char):
            count += 1
            return char
        return match.group(0)

    return _ANNOTATION.sub(_replace, text), count
