"""Chinese numerals as markers and headings write them: "篇十九", "（二十一）"."""

from __future__ import annotations

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_CN_DIGITS.update({"〇": 0, "两": 2})


def chinese_number(text: str) -> int | None:
    """'十九' → 19, '二十一' → 21, '7' → 7; None for anything else."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c not in "十百" for c in text):
        return None
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[char]
    return total + current
