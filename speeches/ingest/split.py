"""A page of 范文 is a collection: find where each speech starts.

Markers seen in the seeds (after simplification):
- 000/001/003: "在全市森林防火工作推进会上的讲话篇一" … "篇十九"
- 002: "领导工作部署讲话稿1" … "3"
- 004: sub-titles such as "外宣工作会议上的讲话稿" before a speech
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .types import Line

_NUM = "一二三四五六七八九十百零〇两"
# "…的讲话篇十一", "…讲话稿篇三", "…讲话稿1", "发言稿二:"
NUMBERED_MARKER = re.compile(
    rf"^(?P<title>.{{0,60}}?)\s*(?:篇\s*(?P<cn>[{_NUM}]+|\d+)|(?<=[稿词话言])\s*(?P<n>\d+|[{_NUM}]+))\s*[:：]?$"
)
# 004's sub-titles: a short line naming a speech genre, with no sentence punctuation.
SUBTITLE = re.compile(r"^[^。，,！？!?；;：:“”]{2,40}(讲话|讲话稿|发言|发言稿|致辞|讲稿|动员|总结讲话)(稿|提纲)?([(（].{0,12}[)）])?$")
# "…讲话稿(精选20篇)", "…讲话范文(19篇)": the collection title, not a speech.
COLLECTION_TITLE = re.compile(r"[(（](精选)?\s*\d+\s*篇[)）]\s*$")

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_CN_DIGITS.update({"〇": 0, "两": 2})


def chinese_number(text: str) -> int | None:
    """'十九' → 19, '二十一' → 21, '7' → 7."""
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


@dataclass(frozen=True)
class Chunk:
    title: str
    marker: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Collection:
    title: str
    preamble: tuple[Line, ...]
    chunks: tuple[Chunk, ...]


def marker_of(text: str) -> tuple[str, str] | None:
    """(speech title, marker) when a line starts a speech, else None."""
    if len(text) > 70 or re.search(r"[。！？!?，,]", text):
        return None
    if COLLECTION_TITLE.search(text):
        return None
    match = NUMBERED_MARKER.match(text)
    if match and (match.group("cn") or match.group("n")) and match.group("title"):
        number = match.group("cn") or match.group("n")
        if chinese_number(number) is not None:
            return match.group("title").strip(), text[len(match.group("title")) :].strip()
    if SUBTITLE.match(text):
        return text, ""
    return None


def split_collection(lines: tuple[Line, ...]) -> Collection:
    content = [line for line in lines if line.text]
    title = ""
    starts: list[int] = []
    for i, line in enumerate(content):
        if COLLECTION_TITLE.search(line.text) and not title and len(line.text) < 80:
            title = line.text
            continue
        if marker_of(line.text):
            starts.append(i)
    if not starts:
        # No markers: the whole page is one speech, titled by its first short line.
        first = content[0].text if content else ""
        return Collection(title, (), (Chunk(title or first[:40], "", tuple(content)),)) if content else Collection(title, (), ())
    preamble = tuple(line for line in content[: starts[0]] if line.text != title)
    chunks = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(content)
        speech_title, marker = marker_of(content[start].text) or ("", "")
        body = tuple(content[start + 1 : end])
        if body:
            chunks.append(Chunk(speech_title, marker, body))
    return Collection(title, preamble, tuple(chunks))
