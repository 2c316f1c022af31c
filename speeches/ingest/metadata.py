"""What the text itself states: year, occasion, speaker level, genre."""

from __future__ import annotations

import re

_YEAR = re.compile(r"(?<![0-9])((?:19[5-9]|20[0-4])[0-9])年")
# "在全市森林防火工作推进会上的讲话" → occasion "全市森林防火工作推进会"
_OCCASION = re.compile(r"在(.{2,40}?(?:会议|会|大会|仪式|典礼|座谈会|论坛|活动))上的(?:讲话|发言|致辞|总结讲话|动员讲话)")
_GENRES = ("致辞", "动员", "总结", "发言", "讲话")
_LEVELS = (("省", "省"), ("市", "市"), ("县", "县"), ("区", "区"), ("镇", "镇"), ("乡", "镇"), ("集团", "企业"), ("公司", "企业"))


def find_year(title: str, text: str) -> int | None:
    """A year the speech states, in its title or opening; '20xx年' is no year."""
    for source in (title, text[:600]):
        match = _YEAR.search(source)
        if match:
            return int(match.group(1))
    return None


def find_occasion(title: str, text: str) -> str:
    for source in (title, text[:400]):
        match = _OCCASION.search(source)
        if match:
            return match.group(1)
    return ""


def find_genre(title: str) -> str:
    for genre in _GENRES:
        if genre in title:
            return genre
    return "讲话" if "稿" in title else ""


def find_speaker_level(title: str, text: str) -> str:
    head = title + text[:300]
    for marker in ("全省", "全市", "全县", "全区", "全镇", "集团", "公司"):
        if marker in head:
            return dict(_LEVELS)[marker[-1] if marker.startswith("全") else marker]
    return ""
