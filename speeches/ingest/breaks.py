"""Several speeches under one marker: find where a new one starts inside a chunk.

The sites paste speeches one after another under a single "篇N" or sub-title.
Three signs, each from the seeds:
- a new salutation once a speech is under way: 000 篇十五 holds three speeches, each
  opening with "同志们:"; 003 篇十五 starts a second "同志们:" mid-way; 004 opens
  one with "尊敬的各位领导、各位来宾,朋友们,居民们:".
- a closing followed by more text ("同志们,…让我们…" or "谢谢大家!" and then a new
  opening): 004's 社区 speech ends "同志们,今天**社区落成揭牌仪式,仅仅是个开始…"
  and another text follows (there the site's blurb "以下是的社区工作者发言稿" is also
  a marker, see split.INTRO).
- the outline starting again at "一、" after "三、" or more: 003 篇六's exchange
  speeches (政协宣传, 民革宣城市委会, 曾兰州) follow each other with no salutation.
- a dated first-person account: 004 社区工作者发言稿二 runs from a training-class
  speech ("…通过学习,相信大家对此已有更加深刻的理解。") into a social worker's essay
  ("2011年2月20日,是个激情荡漾、烈日炎炎的夏日。…刚刚踏出大学校园的我,…").
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import accumulate

from .sections import heading_kind, heading_number
from .types import Chunk, Line

_ADDRESSEE = r"(同志们|朋友们|同学们|老师们|代表们|来宾们|居民们|女士们|先生们|各位[\u4e00-\u9fff]{0,8})"
# A line that is only a salutation: "同志们:", "同志们:。", "同志们!", "各位领导,同志们:",
# "各位领导、专家、企业代表:", "尊敬的各位领导、各位来宾,朋友们,居民们:".
SALUTATION_LINE = re.compile(
    rf"^(尊敬的)?(?:各位[\u4e00-\u9fff、,，]{{0,28}}[:：]|[\u4e00-\u9fff、,，]{{0,30}}?{_ADDRESSEE}\s*[:：!！])\s*[。.]?$"
)
# A paragraph opening with the salutation: 004 "同志们:这次召开辅警工作会议,…".
SALUTATION_OPENING = re.compile(rf"^{_ADDRESSEE}[:：]\s*\S")
# The last paragraph of a speech: "同志们,…让我们…", "谢谢大家!", "就讲这些,谢谢大家!".
CLOSING = re.compile(
    r"^(同志们|各位[\u4e00-\u9fff、]{0,12})[,，!！].*(让我们|谢谢|努力|奋斗|贡献|开始)|^(谢谢|就讲这些|我就讲这些)"
)
# A paragraph opening with a full date. A speech recalls dated events too ("2008年5月
# 12日,汶川…"), but to its audience (我们, 同志们, 大家); an account told by one person
# ("…的我,…我清楚的知道") is another text.
_DATED_OPENING = re.compile(r"^(\d{4}|20xx)年\d{1,2}月\d{1,2}日[,，]")
_AUDIENCE = re.compile(r"我们|咱们|同志们|大家|各位")
# Too little text before a break for it to close a speech.
MIN_SPEECH_CHARS = 200
# A piece smaller than this (a stray salutation) joins its neighbour; whole chunks
# under MIN_SPEECH_CHARS are fragments, not speeches (split.split_collection).
MIN_PIECE_CHARS = 30
# A line this short, with no comma, is a title or byline, not prose.
_TITLE_LINE_MAX = 30


def content_chars(lines: list[Line] | tuple[Line, ...]) -> int:
    return sum(len(line.text) for line in lines)


def is_title_line(text: str) -> bool:
    return (
        len(text) <= _TITLE_LINE_MAX
        and not re.search(r"[,，;；:：]", text.rstrip("。"))
        and not heading_kind(text)
        and not SALUTATION_LINE.match(text)
        and not CLOSING.match(text)
    )


def is_salutation(text: str) -> bool:
    return bool(SALUTATION_LINE.match(text) or SALUTATION_OPENING.match(text))


def opens_account(text: str) -> bool:
    """A dated account in one person's voice: "我" twice, no word for an audience."""
    return bool(_DATED_OPENING.match(text)) and len(re.findall("我(?!们)", text)) >= 2 and not _AUDIENCE.search(text)


def _pull_back(lines: list[Line], start: int, floor: int) -> int:
    """Include the short title lines just before a new start (a subtitle, a byline)."""
    while start - 1 > floor and is_title_line(lines[start - 1].text):
        start -= 1
    return start


def _restart_start(lines: list[Line], at: int, floor: int) -> int | None:
    """Where the speech whose outline restarts at `at` begins, or None if unclear.

    003 篇六: "充实队伍完善机制丰富抓手。" / "民革宣城市委会。" / intro / "一、…": the
    nearest run of title lines. "…第四,要改进调查研究的作风…" / intro / "一、…": the
    paragraph after the last run-in heading.
    """
    i = at - 1
    while i > floor:
        text = lines[i].text
        if is_title_line(text):
            # "下面再强调一下近期的几项工作。": the speaker announcing the next part of
            # the same speech, whose outline starts again; it was taken for a title.
            return None if GOES_ON.match(text) else _pull_back(lines, i, floor)
        if heading_kind(text):
            return i + 1 if len(text) > 60 and i + 1 < at else None
        i -= 1
    return None


def find_breaks(lines: list[Line]) -> list[tuple[int, str]]:
    """(index, reason) of each later speech's first line."""
    breaks: list[tuple[int, str]] = []
    last, top = 0, 0
    # The characters before each line, so that those since the last break are a
    # subtraction: summing the slice at every line was quadratic (a page of 262,000
    # one-character lines, 1 MB, parsed for more than ten minutes).
    before = [0, *accumulate(len(line.text) for line in lines)]
    for i, line in enumerate(lines):
        text = line.text
        enough = before[i] - before[last] >= MIN_SPEECH_CHARS
        if i > last and enough and is_salutation(text):
            start, reason = _pull_back(lines, i, last), "salutation"
        elif i > last and enough and CLOSING.match(lines[i - 1].text) and _opens_speech(lines, i):
            start, reason = i, "closing"
        elif i > last and enough and opens_account(text):
            start, reason = i, "account"
        elif (
            heading_kind(text) == "chapter"
            and heading_number(text) == 1
            and top >= 3
            and before[i] - before[last] >= 5 * MIN_SPEECH_CHARS
        ):
            start, reason = _restart_start(lines, i, last), "numbering-restart"
        else:
            start = None
        if heading_kind(text) == "chapter":
            top = heading_number(text) or top
        if start is not None and start > last:
            breaks.append((start, reason))
            last, top = start, (heading_number(text) or 0) if heading_kind(text) == "chapter" else 0
    return breaks


# A speech announcing its next part: "下面再强调一下近期的几项工作。", "接下来，我讲三点意见。"
GOES_ON = re.compile(r"^(下面|接下来|最后|另外|再)")
# A speech that opens on its occasion: "今天召开…", "这次会议…".
OPENS_ON_ITS_OCCASION = re.compile(r"^(今天|今晚|这次|本次|此次|刚才)")


# "各位领导、老师们：大家好！…": a salutation of several addressees with the speech on its line.
_ADDRESSES_FIRST = re.compile(rf"^[\u4e00-\u9fff、，,]{{0,30}}?{_ADDRESSEE}[:：]")


def _opens_speech(lines: list[Line], i: int) -> bool:
    """After a closing, another speech begins only where a speech's opening follows (a
    title line, its occasion, 尊敬的…, 大家好) that is no closing itself: a speech goes on
    past "同志们，这些成绩的取得，是…共同努力的结果…" with anything, and was cut there."""
    text = lines[i].text
    rest = content_chars(lines[i : i + 6])
    opens = (
        is_title_line(text)
        or bool(OPENS_ON_ITS_OCCASION.match(text) or _ADDRESSES_FIRST.match(text))
        or text.startswith(("尊敬的", "大家好"))
    )
    return opens and not CLOSING.match(text) and not heading_kind(text) and rest >= 300


def split_chunk(chunk: Chunk) -> tuple[Chunk, ...]:
    lines = list(chunk.lines)
    cuts = find_breaks(lines)
    bounds = [(0, chunk.reason)] + cuts
    pieces = []
    for n, (start, reason) in enumerate(bounds):
        end = bounds[n + 1][0] if n + 1 < len(bounds) else len(lines)
        body = tuple(lines[start:end])
        pieces.append(replace(chunk, lines=body, reason=reason, heading_lines=opening_title_lines(body)))
    return merge_tiny(pieces)


def opening_title_lines(body: tuple[Line, ...]) -> tuple[str, ...]:
    """The short lines a speech opens with before its salutation or first paragraph."""
    out = []
    for line in body:
        if not is_title_line(line.text) or line.text in ("大家好", "大家好!", "大家好！"):
            break
        out.append(line.text.rstrip("。."))
    return tuple(out) if len(out) < len(body) else ()


def merge_tiny(pieces: list[Chunk]) -> tuple[Chunk, ...]:
    """A piece too small to be a speech joins its neighbour; a lone one is dropped."""
    out: list[Chunk] = []
    pending: tuple[Line, ...] = ()
    for piece in pieces:
        if content_chars(piece.lines) >= MIN_PIECE_CHARS:
            out.append(replace(piece, lines=pending + piece.lines) if pending else piece)
            pending = ()
        elif out:
            out[-1] = replace(out[-1], lines=out[-1].lines + piece.lines)
        else:
            pending += piece.lines
    return tuple(out)
