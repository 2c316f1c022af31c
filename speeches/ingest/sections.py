"""The heading hierarchy of official speeches: 一、 > （一） > 1. ; 第一， 一是 一要 as run-in points."""

from __future__ import annotations

import re

from .types import ParsedSection

_NUM = "一二三四五六七八九十"
# Level 1: "一、肯定成绩，找准短板…"  (000 篇一)
# Level 2: "（一）提升党性教育。" (000 篇十四), "(一)"
# Level 3: "1、实施制造业信息化工程…" (003 篇一), "3.必须适应…" (000 篇十五)
HEADING_LEVELS: tuple[tuple[int, re.Pattern], ...] = (
    (1, re.compile(rf"^[{_NUM}]{{1,3}}[、.．]")),
    (2, re.compile(rf"^[（(][{_NUM}]{{1,3}}[）)]")),
    (3, re.compile(r"^\d{1,2}[、.．](?!\d)")),
)
_HEADING_MAX = 60


def heading_level(paragraph: str) -> int:
    for level, pattern in HEADING_LEVELS:
        if pattern.match(paragraph):
            return level
    return 0


def heading_text(paragraph: str) -> str:
    """A heading paragraph often runs on into its first sentence: keep the heading part."""
    first = re.split(r"(?<=[。！？!?])", paragraph, maxsplit=1)[0]
    return first if len(first) <= _HEADING_MAX else first[:_HEADING_MAX] + "…"


def split_sections(paragraphs: tuple[str, ...]) -> tuple[ParsedSection, ...]:
    sections: list[ParsedSection] = []
    heading, level, body = "", 0, []
    for paragraph in paragraphs:
        new_level = heading_level(paragraph)
        if new_level and (body or heading):
            sections.append(ParsedSection(len(sections) + 1, heading, level, tuple(body)))
            heading, level, body = "", 0, []
        if new_level:
            heading, level = heading_text(paragraph), new_level
        body.append(paragraph)
    if body or heading:
        sections.append(ParsedSection(len(sections) + 1, heading, level, tuple(body)))
    return tuple(sections)
