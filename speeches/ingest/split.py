"""A page of 范文 is a collection: find where each speech starts.

Two passes. First the page's own markers cut it into chunks:
- 000/001/003: "在全市森林防火工作推进会上的讲话篇一" … "篇十九"
- 002: "领导工作部署讲话稿1" … "3"
- 004: sub-titles such as "外宣工作会议上的讲话稿" before a speech, and once
  "社区工作者发言稿二:同志们:" (marker and salutation on one line)
Then `breaks.split_chunk` finds further speeches inside a chunk (a new salutation, …).
Lines before the first marker are the page's preamble; the "相关文章" block after
the last speech is its trailer. Neither is a speech.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .breaks import (
    CLOSING,
    MIN_SPEECH_CHARS,
    OPENS_ON_ITS_OCCASION,
    SALUTATION_LINE,
    content_chars,
    is_salutation,
    split_chunk,
)
from .numerals import chinese_number
from .sections import heading_kind
from .types import Chunk, Line

_NUM = "一二三四五六七八九十百零〇两"
# "…的讲话篇十一", "…讲话稿篇三", "…讲话稿1", "发言稿二:"
NUMBERED_MARKER = re.compile(
    rf"^(?P<title>.{{0,60}}?)\s*(?:篇\s*(?P<cn>[{_NUM}]+|\d+)|(?<=[稿词话言])\s*(?P<n>\d+|[{_NUM}]+))\s*[:：]?$"
)
# 004's sub-titles: a short line naming a speech genre, with no sentence punctuation.
SUBTITLE = re.compile(
    r"^[^。，,！？!?；;：:“”]{2,40}(讲话|讲话稿|发言|发言稿|致辞|讲稿|动员|总结讲话)(稿|提纲)?([(（].{0,12}[)）])?$"
)
# "…讲话稿(精选20篇)", "…讲话范文(19篇)": the collection title, not a speech.
# Also "讲话稿范文3篇", "…精选5篇", "…【三篇】".
COLLECTION_TITLE = re.compile(
    rf"(?:[(（【](精选)?\s*(\d+|[{_NUM}]+)\s*篇[)）】]|(范文|精选|大全)\s*(\d+|[{_NUM}]+)\s*篇)\s*$"
)
# The site's block after the article; everything from here on is chrome.
# 002: "领导工作部署讲话稿(领导讲话稿万能模板)相关文章:" / "相关热词搜索:…"
# 000: "【本文地址:http://www.mlvmservice.com/zuowen/16609632.html】"
TRAILER_START = re.compile(r"相关文章[:：]?$|^相关热词搜索|^【?本文地址[:：]|^(上一篇|下一篇)[:：]")
# 003: "《在信息化工作会议上的讲话》来源于本网会员分享,欢迎阅读在信息化工作会议上的讲话。"
SOURCE_CREDIT = re.compile(r"^《[^》]{2,60}》来源于.{0,30}(分享|投稿|整理)")
# A blurb that opens a run of speeches names them: 004 "以下是的社区工作者发言稿,欢迎大家阅读。"
# starts the unnumbered first 社区工作者发言稿 (its "二:" follows later).
INTRO = re.compile(
    r"^以下是.{0,12}?的?(?P<title>[\u4e00-\u9fff]{2,20}?(?:发言稿|讲话稿|致辞|讲话|发言))[,，]?(?:欢迎|供|希望|仅供)"
)
# Closing a page's title: "…讲话范文", "…讲话稿范文" name the collection, not a speech.
_TITLE_SUFFIX = re.compile(r"(范文|精选|大全|模板)+$")


@dataclass(frozen=True)
class Collection:
    title: str
    preamble: tuple[Line, ...]
    chunks: tuple[Chunk, ...]
    trailer: tuple[Line, ...] = ()
    # Chunks too short to be a speech, with the marker line they stood under:
    # 000 篇十二 holds only "同志们:", 001 篇十四 one closing sentence.
    fragments: tuple[tuple[str, tuple[Line, ...]], ...] = ()
    # Every line of the page as found, by its number less one: a speech's original is
    # the page's lines over its span (original_of), those the restored text left out too.
    source: tuple[str, ...] = ()


def original_of(chunk: Chunk, source: tuple[str, ...]) -> str:
    """The source's lines from the chunk's first to its last, as the page had them: the
    link words, the lines joined into others and the site's lines among them too (001's
    "工作報告。" between "…將作安全環保。" and "總結集團…"), and the whole line a salutation
    was cut from (004 "社区工作者发言稿二:同志们:"). Chunks whose lines carry no number of
    the page (made by hand) keep their own lines."""
    numbers = [line.number for line in chunk.lines]
    if not numbers or not source or max(numbers) > len(source):
        return "\n".join(line.raw for line in chunk.lines if line.raw)
    return "\n".join(raw for raw in source[min(numbers) - 1 : max(numbers)] if raw)


# A marker before the title, where the seeds write theirs after it: "篇一：在…的讲话",
# "第二篇:…", "【篇三】", "范文一" (other pages of the same sites).
_NUMERAL = _NUM + "\\d"
_MARKER_FIRST = rf"[【\[]\s*(?:第?[{_NUMERAL}]+篇|篇\s*[{_NUMERAL}]+)\s*[】\]]|第[{_NUMERAL}]+篇|篇\s*[{_NUMERAL}]+|范文\s*[{_NUMERAL}]+"
MARKER_FIRST = re.compile(rf"^(?P<marker>{_MARKER_FIRST})[\s:：]*(?P<title>[^。！？!?，,]{{0,60}})$")
# What numbers a title in a list of them: such a marker, or "一、", "1.", "3、" (not "2.09",
# nor "一、二季度…": a numeral after it is the title's).
_ENUMERATOR = re.compile(rf"^(?:{_MARKER_FIRST}|[{_NUMERAL}]+\s*[、.．](?![{_NUMERAL}]))[\s:：]*")


# A genre's name alone is no title: "讲话稿1" … "讲话稿3" (cited as 讲话稿1, as the source's own).
_GENRE_ALONE = re.compile(r"^(讲话|讲话稿|发言|发言稿|致辞|讲稿|演讲稿|范文)$")


def clean_title(title: str) -> str:
    """A title without the site's numbering before it ("一、在全市民政工作会议上的讲话":
    with it, the title's occasion was not found in the text, and the title was set
    aside as not matching its speech) and the collection's words after it (…范文);
    "" for a genre's name alone (the archive then supplies one)."""
    cleaned = _TITLE_SUFFIX.sub("", _ENUMERATOR.sub("", title.strip(" :：")).strip(" :：")).strip()
    return "" if _GENRE_ALONE.match(cleaned) else cleaned


def marker_of(text: str) -> tuple[str, str] | None:
    """(speech title, marker) when a line starts a speech, else None."""
    intro = INTRO.match(text)
    if intro:
        return intro.group("title"), ""
    text = _marker_part(text)
    first = MARKER_FIRST.match(text)
    if first:
        return clean_title(first.group("title")), first.group("marker")
    if len(text) > 70 or re.search(r"[。！？!?，,]", text):
        return None
    if COLLECTION_TITLE.search(text):
        return None
    match = NUMBERED_MARKER.match(text)
    if match and (match.group("cn") or match.group("n")) and match.group("title"):
        number = match.group("cn") or match.group("n")
        if chinese_number(number) is not None:
            return clean_title(match.group("title")), text[len(match.group("title")) :].strip()
    if SUBTITLE.match(text) and not _heading_inside_a_speech(text):
        return clean_title(text), ""
    return None


# A numbered line that names its occasion ("一、在全市民政工作会议上的讲话") or calls
# itself a 讲话稿 is a speech's title in a numbered list of them.
_NAMES_ITS_OCCASION = re.compile(
    r"在.{2,40}(会|会议|大会|仪式|典礼|论坛|座谈会|活动)上的?(讲话|发言|致辞)|(讲话|发言)稿$"
)


def _heading_inside_a_speech(text: str) -> bool:
    """A speech's own heading that happens to end in a genre word, which SUBTITLE took
    for a speech's title and cut the speech in two: "一、深入学习贯彻习近平总书记在全国
    宣传思想工作会议上的重要讲话", "（三）加强慈善文化宣传动员" (a 动员 is a task there)."""
    return text.endswith("动员") or (bool(heading_kind(text)) and not _NAMES_ITS_OCCASION.search(text))


def _marker_part(text: str) -> str:
    """004: "社区工作者发言稿二:同志们:" is a marker with the salutation glued on."""
    head, sep, tail = text.partition("：" if "：" in text else ":")
    if sep and tail and SALUTATION_LINE.match(tail):
        return head + sep
    return text


def split_marker_line(line: Line) -> tuple[Line, Line | None]:
    """A marker line, and the salutation glued to it as a line of its own (or None)."""
    head = _marker_part(line.text)
    if head == line.text:
        return line, None
    return replace(line, text=head), replace(line, text=line.text[len(head) :], raw="")


def find_title(content: list[Line]) -> str:
    for line in content[:12]:
        if COLLECTION_TITLE.search(line.text) and len(line.text) < 80:
            return line.text
    return ""


def cut_trailer(content: list[Line]) -> tuple[list[Line], list[Line]]:
    for i, line in enumerate(content):
        if TRAILER_START.search(line.text):
            return content[:i], content[i:]
    return content, []


# A fragment worth keeping holds a sentence: this many characters outside salutations.
MIN_FRAGMENT_CHARS = 10


def is_fragment(body: tuple[Line, ...]) -> bool:
    """Text of a speech, too short to be one: more than a salutation ("同志们:")."""
    prose = [line.text for line in body if not SALUTATION_LINE.match(line.text)]
    return sum(len(text) for text in prose) >= MIN_FRAGMENT_CHARS


# A short speech that is whole: it opens on its occasion, after its salutation, and
# closes ("谢谢大家。"): "同志们：" / "今天召开会议，部署春耕生产工作。…谢谢大家。" is all a
# speech need say. What survives of a longer one opens past that (000's 篇十二 "同志们:" /
# "同志们,x城建设是全市大计…", 001's 篇十四 "同志们,农业生产是…").
THANKS_AT_THE_END = re.compile(r"谢谢(大家|各位)?[。！!]?$")
# The other ways a short speech ends: a chair's "散会。", a welcome's "再次欢迎大家的到来！",
# an opening ceremony's "预祝…圆满成功！".
_SHORT_CLOSING = re.compile(r"(散会|(再次)?欢迎.{0,12}|(祝|预祝|祝愿).{0,40}(成功|顺利|圆满|健康|快乐|如意))[。！!]?$")


def is_whole_speech(body: tuple[Line, ...]) -> bool:
    prose = [line.text for line in body if not SALUTATION_LINE.match(line.text)]
    if not prose or not is_salutation(body[0].text):
        return False
    opening = prose[0].split("：", 1)[-1].split(":", 1)[-1] if is_salutation(prose[0]) else prose[0]
    closing = prose[-1]
    # After the salutation, a paragraph of its own before the closing one opens it too
    # ("各位来宾，朋友们：" / "在这春暖花开的美好时节，…表示热烈的欢迎！" / "再次欢迎…"): what
    # survives of a longer speech under its salutation is its closing alone (000's 篇十二).
    opens = bool(OPENS_ON_ITS_OCCASION.match(opening.strip())) or (
        len(prose) > 1 and not CLOSING.match(prose[0]) and not heading_kind(prose[0])
    )
    return opens and bool(THANKS_AT_THE_END.search(closing) or CLOSING.match(closing) or _SHORT_CLOSING.search(closing))


def split_collection(lines: tuple[Line, ...]) -> Collection:
    content = [line for line in lines if line.text and not SOURCE_CREDIT.match(line.text)]
    content, trailer = cut_trailer(content)
    title = find_title(content)
    # The page's title line, wherever it stands: a page printed again inside itself
    # prints it again, and it ended the speech before it.
    content = [line for line in content if not title or line.text != title]
    starts = [i for i, line in enumerate(content) if marker_of(line.text)]
    if not starts:
        chunk = Chunk(clean_title(title), "", tuple(content), "page")
        pieces = split_chunk(chunk) if content else ()
        return Collection(title, (), tuple(pieces), tuple(trailer), source=tuple(line.raw for line in lines))
    preamble = tuple(content[: starts[0]])
    chunks: list[Chunk] = []
    fragments: list[tuple[str, tuple[Line, ...]]] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(content)
        marker_line, glued = split_marker_line(content[start])
        speech_title, marker = marker_of(marker_line.text) or ("", "")
        body = ((glued,) if glued else ()) + tuple(content[start + 1 : end])
        if content_chars(body) < MIN_SPEECH_CHARS and not is_whole_speech(body):
            if is_fragment(body):
                # The surviving end (or start) of a speech the page lost: 000's 篇十二
                # "同志们,x城建设是全市大计…努力开创科技城大开发…", 001's 篇十四 "…切实做好
                # 春耕备耕工作…". A speech of its own, marked as a fragment, never dropped.
                chunks.append(Chunk(speech_title, marker, body, "fragment"))
            else:
                fragments.append((marker_line.text, body))
            continue
        chunks.extend(split_chunk(Chunk(speech_title, marker, body, "marker" if marker else "subtitle")))
    return Collection(
        title, preamble, tuple(chunks), tuple(trailer), tuple(fragments), tuple(line.raw for line in lines)
    )
