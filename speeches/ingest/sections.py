"""The heading hierarchy of official speeches.

Headings come in a fixed order of rank, from the outline of a report down to the
run-in points of a paragraph:

    一、  >  （一）  >  第一，  ——  >  1.  >  (1)  >  一是 / 一要

A speech uses only some of these; levels are the ranks it uses, renumbered from 1,
so 001 篇六 ("第一，" with "一要" points under it) gets levels 1 and 2, and 000 篇一
("一、" > "（一）" > "一要") gets 1, 2, 3. Every paragraph belongs to exactly one
section, in order; a heading paragraph is the first paragraph of its section.
"""

from __future__ import annotations

import re

from .numerals import chinese_number
from .types import ParsedSection

_NUM = "一二三四五六七八九十"
# (kind, rank, pattern); the group "n" is the heading's number where it has one.
HEADING_KINDS: tuple[tuple[str, int, re.Pattern], ...] = (
    # "一、肯定成绩，找准短板…" (000 篇一); "一." and "一．" too
    ("chapter", 1, re.compile(rf"^(?P<n>[{_NUM}]{{1,3}})\s*[、.．]")),
    # "（一）提升党性教育。" (000 篇十四); "(一)、各村辅警…" (004)
    ("part", 2, re.compile(rf"^[（(](?P<n>[{_NUM}]{{1,3}})[）)]")),
    # "第一，要强化学习教育…" (000 篇六), "第一、生动活泼的…" (003 篇六)
    ("ordinal", 3, re.compile(rf"^第(?P<n>[{_NUM}]{{1,3}})\s*[,，、:：]")),
    # "——努力提升保发展的能力。" (003 篇十二), "——政治上有时还不够敏锐。" (000 篇十); 003's
    # 公路 speech writes its dashes as ASCII: "----公路建设。", "----公路养护。"
    ("dash", 3, re.compile(r"^(?:——|－－|-{2,4})(?=[\u4e00-\u9fff])")),
    # "1、实施制造业信息化工程…" (003 篇一), "3.必须适应…" (000 篇十五)
    ("item", 4, re.compile(r"^(?P<n>\d{1,2})\s*[、.．](?!\d)")),
    # "(1)…", "（2）…"
    ("subitem", 5, re.compile(r"^[（(](?P<n>\d{1,2})[）)]")),
    # "一是气候条件十分不利。" (000 篇七), "一要加大宣传教育。" (000 篇七)
    ("point", 6, re.compile(rf"^(?P<n>[{_NUM}]{{1,3}})(?:是|要|要是)(?![的否])")),
)
# A heading that runs on for longer than this is cut, with "…".
_HEADING_MAX = 60
_RANK = {kind: rank for kind, rank, _ in HEADING_KINDS}


def heading_kind(paragraph: str) -> str:
    for kind, _, pattern in HEADING_KINDS:
        if pattern.match(paragraph):
            return kind
    return ""


def heading_number(paragraph: str) -> int | None:
    for _, _, pattern in HEADING_KINDS:
        match = pattern.match(paragraph)
        if match:
            number = match.groupdict().get("n")
            return chinese_number(number) if number else None
    return None


def heading_text(paragraph: str) -> str:
    """A heading paragraph often runs on into its first sentence: keep the heading part."""
    first = re.split(r"(?<=[。！？!?；;])", paragraph, maxsplit=1)[0]
    return first if len(first) <= _HEADING_MAX else first[:_HEADING_MAX] + "…"


def split_sections(paragraphs: tuple[str, ...]) -> tuple[ParsedSection, ...]:
    kinds = [heading_kind(p) for p in paragraphs]
    ranks = sorted({_RANK[k] for k in kinds if k})
    level_of = {rank: i + 1 for i, rank in enumerate(ranks)}
    sections: list[ParsedSection] = []
    heading, level, body = "", 0, []
    for paragraph, kind in zip(paragraphs, kinds, strict=True):
        if kind and body:
            sections.append(ParsedSection(len(sections) + 1, heading, level, tuple(body)))
            body = []
        if kind:
            heading, level = heading_text(paragraph), level_of[_RANK[kind]]
        body.append(paragraph)
    if body:
        sections.append(ParsedSection(len(sections) + 1, heading, level, tuple(body)))
    return tuple(sections)
