"""Where a mojibake run starts and ends, and the GBK bytes it stands for.

A `?` that opens a run hides the first character's lead byte; after it come garbled
double-byte characters (each a trail byte and the next lead byte), full-width signs the
site turned into ASCII, and finally a closing `?` (the last trail byte, lost) or an ASCII
letter (the last trail byte, shown as itself). `hypotheses` yields every way the text
after a `?` can be read like that (a Hypothesis: where it ends, its bytes in step, and
what surviving annotations say); reading.py decodes them and repair.py weighs them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from ..annotations import readings
from .constants import ENCODE_CACHE, MARKER, MAX_FULLWIDTH_IN_RUN, SUSPECTS
from .pairs import chars_by_syllable, pair_char

# A pinyin annotation whose "(" was swallowed with the unknown byte: 001 "發展?fàn)顩r",
# 002 "┮?guī)劃".
PINYIN_TAIL = re.compile(r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7}\)")
# The same annotation intact after a run that ended on an ASCII trail byte: 003 "瘞庸I(yè)化".
_ANNOTATION_AFTER = re.compile(r"\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7})\)")
# A tag whose "<" went into the closing `?`: 002 "提嵘こ?/p>", 003 "審批?BR>".
_TAG_TAIL = re.compile(r"/?[a-zA-Z][a-zA-Z0-9]{0,9}>")
# The rest of a year whose first digit a `?` swallowed: 000 "的?022年", 003 "到?0xx年"
# (范文 templates write 20xx). A speech's years are 19xx or 20xx, so the rest says which.
_YEAR_REST = re.compile(r"[09][0-9xX]{2}年")
# ASCII that may stand for a shifted full-width pair (the site mapped FF01–FF5E to ASCII
# after the damage): 000 "??偨Y" is 。總結 (the second ? is A3 BF), 000 "建設?;A設施" is
# 建設。基礎設施 (the ; is A3 BB), 002 "域?qū)m?xiàng)" is 域專項 (the m is A3 ED).
FULLWIDTH_PAIRS = {chr(code): (0xA3, code + 0x80) for code in range(0x21, 0x7F)}


@dataclass(frozen=True)
class Hypothesis:
    end: int  # index after the last character the run consumes
    data: tuple[int | None, ...]  # GBK bytes in step; None is a lost byte
    syllable: str = ""  # pinyin of the last character, when its annotation survived
    first_leads: frozenset[int] = frozenset()  # what an inserted annotation says of the first lead
    suffix: str = ""  # text after the run's characters (MARKER for a swallowed digit)
    start: int = 0  # where the garbled characters begin (after an inserted annotation)


# Where GB18030-2005 gave GBK pairs standard characters that its 2000 edition, like
# 001's decoder, had put in the private-use area: A9 89–95 (U+E7E7–E7F3) and A8 BF
# (U+E7C8). 001 "村不\ue7ef?" is 村不漏戶: 漏's trail A9 and 戶's lead 91.
_GB18030_2000 = {chr(0xE7E7 + i): bytes([0xA9, 0x89 + i]) for i in range(13)} | {"\ue7c8": b"\xa8\xbf"}


@lru_cache(maxsize=ENCODE_CACHE)
def encode(ch: str) -> bytes | None:
    """GB18030, not GBK: 001's decoder turned GBK's user-defined rows into private-use
    characters ("任?!度\ue087〗逃"), and GB18030 gives their two bytes back."""
    if ch in _GB18030_2000:
        return _GB18030_2000[ch]
    if ch == "\u20ac":  # cp936 reads a lone 0x80 as €: 000 "“四個" came out "八膫€" (個 is 82 80)
        return b"\x80"
    try:
        encoded = ch.encode("gb18030")
    except UnicodeEncodeError:
        return None
    return encoded if len(encoded) <= 2 else None


def _closings(line: str, k: int, data: tuple[int | None, ...]) -> Iterator[Hypothesis]:
    """The ways a closing `?` at line[k] ends a run: its lost trail byte, and what it swallowed."""
    tail = PINYIN_TAIL.match(line, k + 1)
    if tail:  # 002 "┮?guī)劃": the annotation names the lost character
        yield Hypothesis(tail.end(), data + (None,), tail.group()[:-1])
        # 003 "“皩挻?(qū)捰谩?": the site annotated a character it saw one byte off (驅,
        # F2 8C) and then lost it; the run goes on, still shifted (寬打寬用), and the
        # annotation says which two bytes it was: those of a character read so.
        after = encode(line[tail.end()]) if len(data) >= 3 and _GARBLED_ON.match(line, tail.end()) else None
        if after and len(after) == 2:
            # Its second byte is the lead of a character the next garbled one ends.
            for pair in _pairs_read_as(data[-1], tail.group()[:-1]):
                if pair_char(pair[1], after[0]):
                    yield from _scan(line, tail.end(), data + pair, MAX_FULLWIDTH_IN_RUN)
    tag = _TAG_TAIL.match(line, k + 1)
    # 000 "淼?022年" (的2022年): the `?` swallowed an ASCII byte; before a digit
    # that byte was text (the "2"), so it is shown as MARKER, not dropped; the first
    # digit of a year is known from the second.
    eaten = ""
    if k + 1 < len(line) and line[k + 1].isdigit():
        eaten = MARKER
        if _YEAR_REST.match(line, k + 1):
            eaten = "2" if line[k + 1] == "0" else "1"
    yield Hypothesis(tag.end() if tag else k + 1, data + (None,), suffix=eaten)


# Garbled characters and a closing `?` after the annotation: the run goes on to it
# ("捰谩?"). Clean text after an annotation is the run's end (002 "┮?guī)劃").
_GARBLED_ON = re.compile(r"[^\x00-\x7f，。、：；！？“”]{1,6}\?")


def _is_trail_alone(byte: int) -> bool:
    """A trail byte the decoder could show on its own: ASCII 40–7E, or 80 (as €)."""
    return 0x40 <= byte <= 0x7E or byte == 0x80


def _cut_off(k: int, data: tuple[int | None, ...]) -> Iterator[Hypothesis]:
    """A run stopped by a digit, a sign or the line's end, with no closing `?`."""
    if 0x40 <= (data[-1] or 0) <= 0x7E:
        # 000 "提岢鲇脁-x年": 用's trail C3 paired with the text's own "x" (C3 78 is 脁).
        yield Hypothesis(k, data[:-1], suffix=chr(data[-1]))
    yield Hypothesis(k, data + (None,))


def _scan(line: str, k: int, data: tuple[int | None, ...], depth: int, shortest: int = 3) -> Iterator[Hypothesis]:
    """Yield the ways a shifted run starting at line[k] can end. `shortest` is the least
    data (lost lead included) a run needs: one garbled character, unless an inserted
    annotation already told us the lost lead byte."""
    while k < len(line):
        ch = line[k]
        if ch in SUSPECTS and len(data) >= shortest:
            yield from _closings(line, k, data)
        encoded = encode(ch) if ch != "\ufffd" else b"?"
        if encoded is None:
            break
        if len(encoded) == 2:
            data = data + tuple(encoded)
            k += 1
            continue
        # A `?` before a pinyin tail swallowed that annotation's "(", so it closes the run
        # and is not a shifted ？ (002 "特征的慕?jīng)歷" must not run on into "jīng").
        closes = ch in SUSPECTS and PINYIN_TAIL.match(line, k + 1) is not None
        if ch in FULLWIDTH_PAIRS and depth < MAX_FULLWIDTH_IN_RUN and not closes:
            # The site turned full-width signs into ASCII after the damage, so a shifted
            # A3xx pair shows as ASCII: 000 "任務”?!皷|風" is 任務”。“東風, 001 "當?shù)刂脖<夹g"
            # has 植保技 behind "脖<夹".
            yield from _scan(line, k + 1, data + FULLWIDTH_PAIRS[ch], depth + 1, shortest)
        if ch in SUSPECTS:
            return
        if _is_trail_alone(encoded[0]) and len(data) >= shortest:
            # 000 "??偨Yx年": 結's trail byte 0x59 stood alone as "Y" and put the decoder back in step.
            note = _ANNOTATION_AFTER.match(line, k + 1)
            yield Hypothesis(note.end() if note else k + 1, data + (encoded[0],), note.group(1) if note else "")
            if len(data) >= 3 and 0x40 <= data[-1] <= 0x7E:
                # 001 "改好?!眡xx指出": ”'s trail B1 took the first "x" of "xxx" (B1 78 is 眡).
                yield Hypothesis(k, data[:-1], suffix=chr(data[-1]))
        elif len(data) >= 3:
            yield from _cut_off(k, data)
        return
    if len(data) >= 3:
        yield from _cut_off(k, data)


@lru_cache(maxsize=1024)
def _pairs_read_as(lead: int | None, syllable: str) -> tuple[tuple[int, int], ...]:
    """The byte pairs of the characters read `syllable` whose first byte completes the
    character `lead` began (any, when that lead is lost)."""
    pairs = []
    for ch in chars_by_syllable().get(syllable, ()):
        encoded = encode(ch)
        if encoded and len(encoded) == 2 and (lead is None or pair_char(lead, encoded[0])):
            pairs.append((encoded[0], encoded[1]))
    return tuple(pairs)


def _leads_read_as(prev: str, syllable: str) -> frozenset[int]:
    """Lead bytes L such that (prev's trail, L) is a character read `syllable`.

    001 "當?shù)攸h": the site annotated the character it saw one byte off, 數 = 94 B5,
    so the lost lead byte is B5 and 地 = B5 D8 is certain.
    """
    encoded = encode(prev) if prev else None
    if not encoded or len(encoded) != 2:
        return frozenset()
    leads = set()
    for lead in range(0x81, 0xFF):
        ch = pair_char(encoded[1], lead)
        if ch and syllable in readings(ch):
            leads.add(lead)
    return frozenset(leads)


def hypotheses(line: str, i: int) -> list[Hypothesis]:
    k = i + 1
    # 001 "我們?nèi)〉昧": an annotation pushed into the bytes is what started the run.
    inserted = PINYIN_TAIL.match(line, k)
    leads: frozenset[int] = frozenset()
    if inserted:
        k = inserted.end()
        leads = _leads_read_as(line[i - 1] if i else "", inserted.group()[:-1])
    # 000 "更新?lián)Q代": with the lead known (聯 = C2 93, so 93), the run may be one
    # ASCII trail byte long: 換 is 93 51, "Q".
    shortest = 1 if leads else 3
    return [replace(h, first_leads=leads, start=k) for h in _scan(line, k, (None,), 0, shortest)]
