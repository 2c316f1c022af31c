"""Raw bytes to a ParsedDocument: decode, restore, clean, split, describe, classify."""

from __future__ import annotations

import hashlib
import heapq
import multiprocessing
import os
import re
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from itertools import chain, islice

from .attribution import attribute, county_pattern, occasion_belongs, tell_apart
from .breaks import CLOSING, OPENS_ON_ITS_OCCASION, is_salutation, is_title_line
from .classify import keyword_pattern, load_topics, pick_topics, score_topics, title_matches
from .clean import clean_lines
from .decode import decode_bytes
from .dedupe import group_copies
from .identity import content_fingerprint
from .keywords import extract_keywords, load_idf, speech_sample
from .metadata import (
    find_genre,
    find_occasion,
    find_speaker_level,
    lost_its_subject,
    region_pattern,
    restore_title,
)
from .mojibake import Repairs, count_suspects, given_repairs, load_tables
from .numerals import chinese_number
from .restore import damaged_lines, line_repairs, restore_lines
from .script import to_simplified
from .sections import heading_kind, heading_number, split_sections
from .segmenter import default_segmenter
from .split import THANKS_AT_THE_END, Chunk, Collection, original_of, split_collection
from .types import Decoded, ParsedDocument, ParsedSpeech, StepReport
from .version import pipeline_version

# Stored on each document: one parsed by other code is parsed again (version.py).
PIPELINE_VERSION = pipeline_version()


def build_speech(ordinal: int, chunk: Chunk, title_shared: bool, original: str, alone: bool = False) -> ParsedSpeech:
    """One speech with its sections and what its text states; no duplicates, no keywords yet."""
    paragraphs = without_added_stops(tuple(line.text for line in chunk.lines if line.text), chunk.heading_lines)
    text = "\n".join(paragraphs)
    sections = split_sections(paragraphs)
    headings = "\n".join(s.heading for s in sections if s.heading)
    # A chunk without a title line has none: its first paragraph's words were stored as
    # the page's title ("同志们：") and trusted, and the speech cited as "同志们：[其一]".
    title = chunk.title
    scored = score_topics(text, headings)
    # A page's title may be the collection's theme (001: ten speeches under
    # 在集团公司疫情防控工作视频会议上的讲话, one of them a county's education speech):
    # it belongs to a speech only when the speech bears out its topic and meeting.
    # A page's title line belongs to its only speech, whatever the speech is about (one on
    # 麒麟科创走廊 bore out no topic of the archive's table, and its byline became its title).
    trusted = bool(title) and (alone or (title_matches(title, scored) and occasion_belongs(title, text)))
    occasion = find_occasion(title, text, trusted, title_shared)
    # 004's "工作会议上的讲话稿" made whole from the meeting the speech names is the
    # archive's title, supplied; the page's own stays the source title.
    restored = restore_title(title, occasion)
    # One the meeting cannot make whole names no subject, so it is not the speech's
    # title: the archive supplies one as for any title not the speech's own (004's tea
    # speech, its 锡林郭勒盟 talent speech and its 社区 unveiling were cited as
    # "工作会议上的讲话稿"). The page's words stay the source title.
    trusted = trusted and not lost_its_subject(restored)
    attribution = attribute(restored, paragraphs, occasion, trusted)
    display, supplied = (
        (restored, restored != title) if trusted else own_title(chunk.heading_lines, attribution, scored)
    )
    return ParsedSpeech(
        ordinal=ordinal,
        title=title,
        text=text,
        original_text=original,
        sections=sections,
        marker=chunk.marker,
        year=attribution.year,
        occasion=occasion,
        speaker_level=find_speaker_level(text),
        genre=find_genre(title, text, occasion),
        region=attribution.place.value,
        topics=pick_topics(scored, title if trusted else ""),
        fingerprint=content_fingerprint(text),
        subtitle=" ".join(chunk.heading_lines),
        title_trusted=trusted,
        display_title=display,
        title_supplied=supplied,
        split_reason=chunk.reason,
        fragment=chunk.reason == "fragment" or survives_in_part(paragraphs),
        attribution=attribution,
    )


def without_added_stops(paragraphs: tuple[str, ...], heading_lines: tuple[str, ...]) -> tuple[str, ...]:
    """The speech's opening title lines without the 。 the site set after them: 003
    "充實隊伍完善機制豐富抓手。" / "民革宣城市委會。", "(20xx年3月10日)。", 001
    "全力譜寫x縣教育發展新篇章。". A title, a byline or a date line ends with no stop."""
    out = list(paragraphs)
    for index, line in enumerate(heading_lines[: len(out)]):
        if out[index].rstrip("。.") != line:
            break
        out[index] = line
    return tuple(out)


def survives_in_part(paragraphs: tuple[str, ...]) -> bool:
    """A speech of which the page keeps only a part: it lost its opening, its end, or
    it breaks off where no speech ends (breaks_off). It is a fragment (残篇)."""
    return lost_its_opening(paragraphs) or lost_its_ending(paragraphs) or breaks_off(paragraphs)


def lost_its_opening(paragraphs: tuple[str, ...]) -> bool:
    """A speech that opens past its own start: at its second point or later
    (starts_past_its_first_point), or inside a section, the sentence that leads into a
    section's points standing first (opens_inside_a_section), or inside its outline,
    that outline going on from 二、 or 三、 (outline_starts_past_one), on a point of a
    list or a word that links back to what the page lost (opens_on_a_point_or_a_link),
    or with only its last paragraphs left (survives_as_its_end). It is a fragment (残篇)."""
    return (
        starts_past_its_first_point(paragraphs)
        or opens_inside_a_section(paragraphs)
        or outline_starts_past_one(paragraphs)
        or opens_on_a_point_or_a_link(paragraphs)
        or survives_as_its_end(paragraphs)
    )


# What a speech's first sentence says when it opens on its occasion without 今天 or 这次
# before it: 004's 法治 speech "厅政策法规处×处长…回顾了2021年的工作,…,我都同意".
_OPENING_WORDS = re.compile(
    r"我(?:完全|都|很|十分)?(?:同意|赞成|赞同)|(?:召开|举行|举办).{0,30}(?:会议|大会|会)"
    r"|(?:这次|今天的?|本次|此次)(?:会议|大会)|大家好|上午好|下午好|晚上好|^我代表|^受.{1,20}委托"
)


# A ceremony's greeting, in its first paragraphs: "在此，我代表县委、县政府，向…表示热烈的祝贺！"
_GREETS = re.compile(r"我谨?代表.{0,40}(?:表示|致以)|表示热烈的?(?:祝贺|欢迎)")


def _body_of(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """The paragraphs after the title lines and date lines a speech may open with."""
    index = 0
    while index < len(paragraphs) - 1 and (is_title_line(paragraphs[index]) or _DATE_LINE.match(paragraphs[index])):
        index += 1
    return paragraphs[index:]


def opens_as_a_speech(paragraphs: tuple[str, ...], loosely: bool = False) -> bool:
    """Whether the speech opens as one does: under its title lines, with a salutation,
    on its occasion (今天, 这次, 刚才…, or a first sentence that names the meeting or
    agrees with those who spoke before), or, `loosely`, with any of the words a speech's
    first paragraph starts with (今年, 根据, 按照…: opens_inside_a_section)."""
    body = _body_of(paragraphs)
    if not body:
        return False
    first = body[0]
    sentence = re.split(r"(?<=[。！？!?])", first, maxsplit=1)[0]
    return (
        len(body) < len(paragraphs)
        or is_salutation(first)
        or bool(OPENS_ON_ITS_OCCASION.match(first))
        or first.startswith(("尊敬的", "大家好", "各位"))
        or bool(_OPENING_WORDS.search(sentence))
        or any(_GREETS.search(p) for p in body[:2])
        or (loosely and bool(_SPEECH_OPENING.match(first)))
    )


def outline_starts_past_one(paragraphs: tuple[str, ...]) -> bool:
    """The speech's outline goes on from 二、 or later, numbered in order from there
    (二、 三、 四、), and the speech opens as none does: it is the body of its second
    point and what follows, the first point's heading and all before it lost (a page
    that keeps "错失机遇,就会步步被动…" / "三、抬高标杆抓落实。" …). An outline with a gap
    (004's 法治 speech: 二、 四、, its 一、 and 三、 lost on the site) says only that
    headings are missing, and a speech that opens on its occasion is whole."""
    numbers = [heading_number(p) for p in paragraphs if heading_kind(p) == "chapter"]
    if not numbers or None in numbers or numbers[0] < 2:
        return False
    in_order = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    return in_order and not opens_as_a_speech(paragraphs)


# A word that links a paragraph to the one before it: no speech opens on it.
_LINK_WORD = re.compile(
    r"^(?:但是|同时|此外|另外|因此|所以|而且|其次|再次|最后|总之|对此|为此|与此同时|上述|以上|其中|然而)[,，、]"
)


def opens_on_a_point_or_a_link(paragraphs: tuple[str, ...]) -> bool:
    """The first paragraph is a point of a list ("——认真抓好党风廉政建设。", "一要加强…",
    "(1)…") or opens on a word that links it to a paragraph before ("但是,认真分析…",
    "最后,就加强机关办公室工作再强调三点"), and the speech opens as none does."""
    body = _body_of(paragraphs)
    if not body or opens_as_a_speech(paragraphs):
        return False
    return heading_kind(body[0]) in ("dash", "point", "subitem") or bool(_LINK_WORD.match(body[0]))


# A last paragraph that turns to the audience: "同志们,党委信息工作任务光荣而艰巨,…".
_ADDRESSED_AT_THE_END = re.compile(
    r"^(?:同志们|各位[\u4e00-\u9fff、]{0,12}|[\u4e00-\u9fff]{0,6}(?:朋友们|同学们|老师们|代表们))[,，!！]"
)
# The surviving end of a speech is shorter than this; a whole speech with no greeting
# and no occasion at its start that closes is longer (the seeds' shortest: 2,839
# characters, 004's 残联 speech "中国残联成立20多年来…"; then 001's 3,149 "第一,进一步压实…").
SURVIVING_END_CHARS = 1500


def survives_as_its_end(paragraphs: tuple[str, ...]) -> bool:
    """A short text that closes as a speech does ("同志们,…让我们…", "谢谢大家") but
    opens as none does, not even loosely: the last paragraphs of a speech."""
    if not paragraphs or sum(len(p) for p in paragraphs) >= SURVIVING_END_CHARS:
        return False
    last = paragraphs[-1]
    closes = bool(CLOSING.match(last) or THANKS_AT_THE_END.search(last) or _ADDRESSED_AT_THE_END.match(last))
    return closes and not opens_as_a_speech(paragraphs, loosely=True)


# The last sentence announces what follows: "下面,我讲几点意见。", "做好以下五个方面工作。"
_ANNOUNCES_AT_THE_END = re.compile(
    r"(?:(?:讲|谈|强调|提|说)(?:以下)?(?:几|[两二三四五六七八九十])(?:点|个方面|方面)(?:意见|要求|看法|建议|问题|工作)?"
    r"|以下(?:几|[两二三四五六七八九十])个?方面(?:的)?(?:工作|问题|内容)?)[。:：]?$"
)


def breaks_off(paragraphs: tuple[str, ...]) -> bool:
    """The speech stops where no speech ends: on a heading alone ("一、充分肯定成绩。",
    "(三)积极培育和践行社会主义核心价值观。"), on a colon ("主要体现在:"), or on the
    sentence that announces its points ("下面,我讲几点意见。"): the page lost the rest."""
    if not paragraphs:
        return False
    last = paragraphs[-1].strip()
    # Not a dash's point: "——坚决遏制重特大事故发生！" ends whole speeches.
    bare_heading = (
        heading_kind(last) not in ("", "dash")
        and len(last) <= 40
        and not re.search(r"[。！？!?；;]", last.rstrip("。！!；;"))
    )
    return bare_heading or last.endswith((":", "：")) or bool(_ANNOUNCES_AT_THE_END.search(last))


# "下面，我讲三点意见:": how many points the speech announces.
_ANNOUNCED_POINTS = re.compile(r"(?:讲|谈|强调|提)(?:以下)?([两二三四五六七八九十])点(?:意见|要求|看法|建议)")


def lost_its_ending(paragraphs: tuple[str, ...]) -> bool:
    """A speech that announces its points ("我讲三点意见") and whose numbered headings,
    from 一、 on, stop before the last of them lost its end: 001's 人口和计划生育 speech
    announces three, keeps 一、 and ends where the page does ("共2页，当前第1页"). It is a
    fragment (残篇), as one that lost its start."""
    found = next(((i, m) for i, p in enumerate(paragraphs) if (m := _ANNOUNCED_POINTS.search(p))), None)
    if found is None:
        return False
    index, announced = found
    numbers = [heading_number(p) for p in paragraphs[index + 1 :] if heading_kind(p) == "chapter"]
    return bool(numbers) and numbers[0] == 1 and max(numbers) < chinese_number(announced.group(1))


# The first of a section's points, and what a speech opens with (a salutation, the
# occasion: 今天、这次、刚才…): a paragraph that opens so leads into its speech's points.
_FIRST_POINT = re.compile(r"[。；;]\s*(一是|一要|一方面)")
_SPEECH_OPENING = re.compile(r"^(尊敬的|今天|今年|这次|本次|此次|刚才|根据|按照|为了|受|在)")


def opens_inside_a_section(paragraphs: tuple[str, ...]) -> bool:
    """000 篇八 opens "战时工作机制,就要严肃战场纪律,有战时的纪律要求。一是加强值班值守。…":
    the lead-in of a section's points, whose heading and everything before it the page
    lost. A speech's own first paragraph greets or names the occasion before any point."""
    if not paragraphs:
        return False
    first = paragraphs[0]
    return bool(_FIRST_POINT.search(first)) and not (is_salutation(first) or _SPEECH_OPENING.match(first))


def starts_past_its_first_point(paragraphs: tuple[str, ...]) -> bool:
    """A speech whose first paragraph is its second point or later lost its start: 000's
    speech that opens "二是坚持突出重点、分类指导…", after nothing but the site's
    "下面是小编为大家整理的". It is a fragment (残篇), as one that survives only as its end."""
    number = heading_number(paragraphs[0]) if paragraphs else None
    return number is not None and number > 1


_DATE_LINE = re.compile(r"^[(（]?[\dx]{2,4}年(?:[\dx]{1,2}月(?:[\dx]{1,2}日)?)?[)）]?$")
# A body that signs what it says, on a line of its own under the title.
_BODY_BYLINE = re.compile(r"^[\u4e00-\u9fff]{2,12}(?:委员会|委会|党委|党组|政府|办公室|办公厅|协会|联合会|工会|支部)$")


def own_title(heading_lines: tuple[str, ...], attribution, scored) -> tuple[str, bool]:
    """A title for a speech whose scraped title is not its own (000: all nineteen say
    森林防火), and whether the archive supplied it: the speech's own heading lines are
    the source's; one built from its meeting and speaker, or its main topic, is not."""
    # A date line among them (003 "(20xx年3月10日)" under its title line) stays in the
    # subtitle, not in the title.
    # So does a byline (003 "民革宣城市委会", "市政协委员曾兰州" under their titles): the
    # speaker's name is the speaker's, cited as such, not a part of the title.
    signed = attribution.speaker.evidence if attribution.speaker.rule == "signature" else None
    named = [
        line
        for index, line in enumerate(heading_lines)
        if not _DATE_LINE.match(line) and not (index and (line == signed or _BODY_BYLINE.match(line)))
    ]
    who = attribution.speaker.value + attribution.office.value
    if named and not cut_before_its_meeting(named[0], attribution.occasion.value):
        return " ".join(named)[:80], False
    if attribution.occasion:
        return f"{who}在{attribution.occasion.value}上的讲话", True
    names = {t.slug: t.name for t in load_topics()}
    if scored and scored[0][0] in names:
        return f"{who}关于{names[scored[0][0]]}的讲话", True
    return f"{who}讲话", True


# A title line cut where it names the meeting: 003 "应若平副厅长在20xx年度全省市州。",
# line 281, the rest of it lost to the site's cut, for the 全省各市州教育信息化工作会议 its
# speech opens with.
_NAMING_A_MEETING = re.compile(r"在(?:[\dx]{2,4}年度?)?(?P<words>[\u4e00-\u9fff]{2,20})$")


def cut_before_its_meeting(line: str, occasion: str) -> bool:
    """The line ends part-way into naming the meeting the speech names: its last words are
    the meeting's first, in order, some left out ("全省市州" of "全省各市州…会议")."""
    match = _NAMING_A_MEETING.search(line)
    if not match or not occasion or "上" in match["words"]:
        return False
    words, rest = match["words"], iter(occasion)
    return occasion[0] == words[0] and all(ch in rest for ch in words) and len(words) < len(occasion)


def mark_duplicates(speeches: list[ParsedSpeech]) -> list[ParsedSpeech]:
    """Exact, near and partial copies (see dedupe.group_copies), each pointing at its original."""
    sigs, links = group_copies([s.fingerprint for s in speeches], [s.text for s in speeches])
    out = []
    for speech, sig, link in zip(speeches, sigs, links, strict=True):
        speech = replace(speech, signature=sig)
        if link is not None:
            speech = replace(speech, duplicate_of=speeches[link[0]].ordinal, duplicate_kind=link[1])
        out.append(speech)
    return out


def add_keywords(speeches: list[ParsedSpeech]) -> list[ParsedSpeech]:
    """Keywords for canonical speeches only (jieba is the slow part); copies share them."""
    by_ordinal = {
        s.ordinal: extract_keywords(speech_sample(s.paragraphs, tuple(sec.heading for sec in s.sections)))
        for s in speeches
        if s.duplicate_of is None
    }
    return [replace(s, keywords=by_ordinal.get(s.duplicate_of or s.ordinal, ())) for s in speeches]


SHARED_TITLE = 3


def build_speeches(chunks: tuple[Chunk, ...], source: tuple[str, ...] = ()) -> list[ParsedSpeech]:
    """build_speech for each chunk; a chunk printed again (003's second half) is described once.
    `source`: the page's lines, for each speech's original (split.original_of)."""
    built: dict[tuple[str, tuple[str, ...]], ParsedSpeech] = {}
    # A title the page gives this many speeches is the collection's, not each speech's.
    shared = Counter(chunk.title for chunk in chunks)
    out = []
    for i, chunk in enumerate(chunks):
        key = (chunk.title, tuple(line.text for line in chunk.lines))
        original = original_of(chunk, source)
        if key in built:
            out.append(
                replace(
                    built[key],
                    ordinal=i + 1,
                    marker=chunk.marker,
                    original_text=original,
                    split_reason=chunk.reason,
                    fragment=chunk.reason == "fragment" or survives_in_part(built[key].paragraphs),
                )
            )
        else:
            built[key] = build_speech(
                i + 1, chunk, shared[chunk.title] >= SHARED_TITLE, original, alone=len(chunks) == 1
            )
            out.append(built[key])
    return out


def structure(collection: Collection) -> list[ParsedSpeech]:
    speeches = [s for s in build_speeches(collection.chunks, collection.source) if s.text]
    return add_keywords(tell_apart(mark_duplicates(speeches)))


def split_report(collection: Collection, speeches: list[ParsedSpeech]) -> StepReport:
    reasons: dict[str, int] = {}
    for speech in speeches:
        reasons[f"started_by_{speech.split_reason}"] = reasons.get(f"started_by_{speech.split_reason}", 0) + 1
    counts = {
        "speeches": len(speeches),
        "duplicates_within": sum(1 for s in speeches if s.duplicate_of is not None),
        "near_duplicates_within": sum(1 for s in speeches if s.duplicate_kind == "near"),
        "sections": sum(len(s.sections) for s in speeches),
        "preamble_lines": len(collection.preamble),
        "trailer_lines": len(collection.trailer),
        "fragments": len(collection.fragments),
        **reasons,
    }
    # Read by admins beside the decoding's warnings: in Chinese, the English in brackets.
    warnings = tuple(
        f"“{marker}”下只有称呼，没有讲话（nothing but a salutation under “{marker}”）"
        for marker, _ in collection.fragments
    ) + tuple(
        f"第 {number} 篇作为残篇保留：“{chunk.marker or chunk.title}”下只存一部分"
        f"（kept as a fragment, speech {number}: what survives under “{chunk.marker or chunk.title}”）"
        for number, chunk in enumerate(collection.chunks, 1)
        if chunk.reason == "fragment"
    )
    return StepReport("split", counts, tuple(line.text[:60] for line in collection.trailer[:3]), warnings)


def damage_warning(decoded: Decoded) -> str:
    """In Chinese for the admin, then in English: how many bytes a UTF-8 or UTF-16 page
    could not read and how many marks stand for them (one a character); in a GBK or Big5
    reading, how many places (a broken character's bytes may make one or several)."""
    shown = decoded.damaged_lines
    if decoded.marks or decoded.realigned:
        damaged = decoded.damaged_line_count
    else:
        damaged = sum(1 for line in decoded.text.splitlines() if "\ufffd" in line) if shown else 0
    more = "等" if damaged > len(shown) else ""
    lines = "、".join(map(str, shown))
    if decoded.marks:
        chinese = f"按 {decoded.encoding} 解码时有 {decoded.replaced} 个字节无法解码，以 {decoded.marks} 个〓标出"
        english = f"{decoded.replaced} undecodable bytes marked by {decoded.marks} 〓 in the {decoded.encoding} text"
    else:
        chinese = f"按 {decoded.encoding} 解码时有 {decoded.replaced} 处无法解码，已以〓标出"
        english = f"{decoded.replaced} undecodable places replaced by 〓 in the {decoded.encoding} text"
    chinese += f"，在第 {lines} 行{more}" if shown else ""
    english += f", on lines {', '.join(map(str, shown))}{' …' if more else ''}" if shown else ""
    if decoded.realigned:
        chinese += f"；其中 {decoded.realigned} 处缺一个字节，缺字以〓标出，其后的文字已重新对齐"
        english += (
            f"; at {decoded.realigned} of them a byte was lost: the character is marked and the text after it"
            " read in step again"
        )
    return f"{chinese}（{english}）"


def _lines(numbers: tuple[int, ...]) -> tuple[str, str]:
    """The first five line numbers as the report says them: 第 1、2、3、4、5 行等 in
    Chinese, "1, 2, 3, 4, 5 …" in English."""
    shown = numbers[:5]
    more = len(numbers) > len(shown)
    return (
        f"第 {'、'.join(map(str, shown))} 行{'等' if more else ''}",
        f"{', '.join(map(str, shown))}{' …' if more else ''}",
    )


def legacy_warning(decoded: Decoded) -> str:
    """The lines of a UTF-8 page that were GB18030 (GBK), read so (decode._utf8_reading)."""
    chinese, english = _lines(decoded.legacy_lines)
    count = len(decoded.legacy_lines)
    return (
        f"{chinese}（共 {count} 行）不是 UTF-8 而是 GB18030（GBK）编码，"
        f"已按 GB18030 解码（{count} lines of this UTF-8 page are GB18030 and were read as such: {english}）"
    )


def undoubled_warning(decoded: Decoded) -> str:
    """The lines of a UTF-8 page that had been read as Windows-1252 or Latin-1 and saved
    again, mended (reencoded.undoubled)."""
    chinese, english = _lines(decoded.undoubled_lines)
    count = len(decoded.undoubled_lines)
    return (
        f"{chinese}（共 {count} 行）曾被当作 Windows-1252/Latin-1 读过再存为 UTF-8（双重编码），已还原"
        f"（{count} lines were UTF-8 read as Windows-1252 or Latin-1 and saved again, mended: {english}）"
    )


def lost_on_site_warning(decoded: Decoded) -> str:
    """The lines where the page wrote 锟斤拷, marked (reencoded.replacements_marked)."""
    chinese, english = _lines(decoded.lost_on_site)
    return (
        f"{chinese}有“锟斤拷”：原网页在存档之前已丢失这些字，已以〓〓标出"
        f"（锟斤拷 on lines {english}: characters the site had lost, marked）"
    )


def parse_text(decoded: Decoded, sha256: str, size: int) -> ParsedDocument:
    lines, reports = restore_lines(decoded.text)
    lines, clean_report = clean_lines(lines)
    collection = split_collection(lines)
    speeches = structure(collection)
    decode_report = StepReport(
        "decode",
        {"replaced_bytes": decoded.replaced, "legacy_lines": len(decoded.legacy_lines), "realigned": decoded.realigned},
        (f"{decoded.encoding} ({decoded.confidence:.2f})",),
        ((damage_warning(decoded),) if decoded.replaced else ())
        + ((legacy_warning(decoded),) if decoded.legacy_lines else ())
        + ((undoubled_warning(decoded),) if decoded.undoubled_lines else ())
        + ((lost_on_site_warning(decoded),) if decoded.lost_on_site else ()),
    )
    warnings = () if speeches else ("未找到讲话（no speech found in this file）",)
    return ParsedDocument(
        sha256=sha256,
        size=size,
        encoding=decoded.encoding,
        confidence=decoded.confidence,
        title=collection.title,
        supplied_title="" if collection.title else supply_document_title(speeches),
        preamble="\n".join(line.text for line in collection.preamble),
        speeches=tuple(speeches),
        report=(decode_report, *reports, clean_report, split_report(collection, speeches)),
        pipeline_version=PIPELINE_VERSION,
        warnings=warnings,
        trailer="\n".join(line.text for line in collection.trailer),
        fragments=tuple("\n".join([marker, *(line.text for line in lines)]) for marker, lines in collection.fragments),
    )


def supply_document_title(speeches: list[ParsedSpeech]) -> str:
    """For a page without a title of its own (000, 002, 003): its first speech's title and
    how many speeches it holds, "在全市森林防火工作推进会上的讲话等19篇", so lists show
    a document by what it holds rather than by its file's hash name."""
    canonical = [s for s in speeches if s.duplicate_of is None]
    if not canonical:
        return ""
    first = canonical[0].display_title or canonical[0].title
    return first if len(canonical) == 1 else f"{first}等{len(canonical)}篇"


def parse_document(raw: bytes) -> ParsedDocument:
    """The whole pipeline. Raises IngestError for input that cannot become a document."""
    decoded = decode_bytes(raw)
    return parse_text(decoded, hashlib.sha256(raw).hexdigest(), len(raw))


def parse_with_pid(raw: bytes) -> tuple[int, ParsedDocument]:
    """parse_document, saying which process ran it (speeches/loading.py child_parser)."""
    return os.getpid(), parse_document(raw)


def warm_up() -> None:
    """Load what every page needs, once per process: jieba's dictionary and IDF table,
    the mojibake model and tables, OpenCC, the topic and place patterns (a few seconds of
    CPU: bench/RESULTS.md). `parse_many` runs it before forking its workers, so no page pays it."""
    load_tables()
    load_idf()
    default_segmenter()
    to_simplified("實")
    keyword_pattern()
    region_pattern()
    # The pattern of all 2,800 county names (≈70 ms to compile) serves only a county speech
    # that names its county bare (002), but one such page made each worker compile it.
    county_pattern()


# Pages are taken in windows of this many per worker: enough to keep every worker busy
# and to even out pages of very different sizes, few enough that a folder of thousands
# of pages is never held in memory at once.
_WINDOW = 4
# A window's damaged lines go out in this many parcels per worker, so that a worker
# that finishes early takes more of them.
_PARCELS = 4


def die_with_parent(parent: int) -> None:
    """A worker process ends with the process that started it (Linux's parent-death
    signal): the parent killed (SIGKILL, gunicorn's timeout, the OOM killer), its
    workers of ≈480 MB each slept on for good, adopted by init."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # it died before the signal was asked for
        os._exit(1)


def _warm_worker_up(parent: int) -> None:
    die_with_parent(parent)
    warm_up()


def parse_many(pages: Iterable[bytes], jobs: int = 1) -> Iterator[ParsedDocument | Exception]:
    """parse_document for each page, in order, on `jobs` worker processes (1: in this one).

    A page that fails yields the exception parse_document raised for it (an IngestError
    for input that cannot become a document), so one bad page does not stop the rest.

    The mojibake search is most of the work and comes in lines, while pages come in
    very different sizes (the seeds: 48 to 530 KB), so a page per worker would leave
    one worker idle while the other parses the big page. So each window of pages goes
    in two stages: first its damaged lines, spread evenly over the workers
    (`_repair_window`); then its pages, largest first, each handed the repairs of its
    lines. A line's repair depends on the line alone, so the documents are exactly
    what parse_document gives.

    Workers are forked from this process after it has run `warm_up` (which parsing a
    page here would cost anyway), so they start with every table loaded and the pool
    costs milliseconds to start; a fresh interpreter ("spawn") paid the few seconds of
    warm_up again in each worker. The workers only parse: a Django caller's database
    connection is inherited but never used, and they exit without closing it. Forking
    a process that runs other threads can copy a lock another thread holds, so such a
    caller (a server) gets "spawn" workers, which warm up on their own.
    """
    pages = iter(pages)
    if jobs <= 1:
        for raw in pages:
            yield _parse_or_error(raw)
        return
    first = next(pages, None)
    if first is None:
        return
    if threading.active_count() == 1:
        warm_up()
        context, initializer = multiprocessing.get_context("fork"), die_with_parent
    else:
        context, initializer = multiprocessing.get_context("spawn"), _warm_worker_up
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=initializer, initargs=(os.getpid(),))
    try:
        pages = chain([first], pages)
        previous: list[Future] = []
        while window := list(islice(pages, _WINDOW * jobs)):
            # This window's damaged lines queue behind the previous window's pages; once
            # they are repaired and this window's pages are submitted, the previous
            # window's documents go to the caller, who stores them while workers parse.
            current = _submit_window(pool, window, jobs)
            yield from map(_result_or_error, previous)
            previous = current
        yield from map(_result_or_error, previous)
    finally:
        # A caller that stops early (an error while loading, Ctrl-C) must not wait for
        # pages nobody will read.
        pool.shutdown(wait=True, cancel_futures=True)


def _submit_window(pool: ProcessPoolExecutor, window: list[bytes], jobs: int) -> list[Future]:
    """Repair the window's damaged lines on all workers, then submit its pages, largest
    first (the last page to start is a small one), each with its lines' repairs."""
    damaged = [_damaged_lines(raw) for raw in window]
    repairs = _repair_window(pool, set().union(*damaged), jobs * _PARCELS)
    futures: list[Future | None] = [None] * len(window)
    for index in sorted(range(len(window)), key=lambda i: -len(window[i])):
        own = {asked: answer for line in damaged[index] for asked, answer in repairs.get(line, {}).items()}
        futures[index] = pool.submit(_parse_with_repairs, window[index], own)
    return futures


def _damaged_lines(raw: bytes) -> set[str]:
    try:
        return damaged_lines(decode_bytes(raw).text)
    except Exception:  # the page's own task raises it again, in its place (IngestError)
        return set()


def _repair_window(pool: ProcessPoolExecutor, lines: set[str], parcels: int) -> dict[str, Repairs]:
    """restore.line_repairs of the lines, worked out on the pool in parcels of about
    equal work (a line's work goes with its suspect characters)."""
    work = {line: count_suspects(line) for line in lines}
    loads = [(0, i, []) for i in range(parcels)]
    for line in sorted(lines, key=lambda line: (-work[line], line)):
        load, i, parcel = heapq.heappop(loads)
        parcel.append(line)
        heapq.heappush(loads, (load + work[line], i, parcel))
    repairs: dict[str, Repairs] = {}
    for future in [pool.submit(line_repairs, parcel) for _, _, parcel in loads if parcel]:
        try:
            repairs.update(future.result())
        except Exception:  # a line that cannot be repaired fails again in its page's task, which reports it
            pass
    return repairs


def _parse_with_repairs(raw: bytes, repairs: Repairs) -> ParsedDocument:
    given_repairs(repairs)
    return parse_document(raw)


def _parse_or_error(raw: bytes) -> ParsedDocument | Exception:
    try:
        return parse_document(raw)
    except Exception as error:  # returned, not raised: see parse_many
        return error


def _result_or_error(future: Future) -> ParsedDocument | Exception:
    try:
        return future.result()
    except Exception as error:  # also a worker that died (BrokenProcessPool)
        return error
