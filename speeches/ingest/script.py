"""Traditional to simplified, phrase-aware (OpenCC's t2s dictionary and phrase table)."""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    if not text:
        return text
    return _converter().convert(text)
