"""A GBK or Big5 page that lost a byte, read in step again after it.

In a double-byte encoding a lost byte shifts every character after it: each is read from
the trail byte of one character and the lead byte of the next, and comes out as common
characters that make no sense (新晋商大会 → 新〓檀蠡岬…), until the shift meets a byte
that cannot lead. That is the line's end or an ASCII sign, where the last lead byte
stands alone and the decoder gives U+FFFD; or a trail byte read as an ASCII letter, with
no error at all: often in Big5 (新夆茪j会), and in GBK for the traditional characters
of its extension (全面推進啻逭衽d). Nothing but the decoder's one U+FFFD (or nothing)
said so, and the run was stored and indexed.

The bytes themselves are whole from the lost one on: read from the next byte they are
the page again. So for each such end of a stretch of double-byte characters, every place
the byte may have gone missing is weighed with the character model: the characters
before it read in step, the one whose byte was lost marked (MARKER: which character it
was cannot be known), the rest read one byte later. The likeliest reading is taken when
it reads far better than the stretch as it was; otherwise the stretch is left as it was
(its U+FFFD goes on to the mojibake step). Scored with prefix sums, one pass a stretch.
"""

from __future__ import annotations

import re
from itertools import accumulate

from .types import MARKER

GBK_NAMES = frozenset({"gb18030", "gbk", "gb2312", "cp936"})
BIG5_NAMES = frozenset({"big5", "cp950", "big5hkscs"})
_BREAKS = re.compile(rb"(\r\n|\r|\n)")
# A stretch longer than this is cut at it: a line of thousands of characters with one
# shifted stretch is weighed over its last 2,000 bytes (about 1,000 characters).
_MAX_STRETCH = 2000
# How much likelier (in nats, natural log) the best reading must be than the stretch as
# it was: a shifted stretch of ten characters reads 40–60 nats worse than the page.
_MARGIN = 12.0
# How the end of a shifted stretch shows in the decoded line: a lead byte alone, U+FFFD,
# or a trail byte read as itself, an ASCII letter or sign between two characters that
# are not ASCII. Big5's trail bytes are often ASCII; so are GBK's for the traditional
# characters of its extension (a traditional page in GBK that lost a byte read
# 全面推進啻逭衽d，… for 全面推進鄉村振興，…, with no U+FFFD at all).
_SHOWN_END = re.compile("\ufffd|[^\x00-\x7f][\x40-\x7e][^\x00-\x7f]")
# A stretch just after a `?` is the site's own damage, a page already one byte off when we
# got it: the site wrote `?` for the bytes of a ？ that straddled two characters
# (`確?;馂膿渚染挥行颉P枰`, 000; `當?shù)匦l(wèi)`, its reading glued on), and the mojibake
# step reads those runs from the `?`. Read in step again here, they came out otherwise
# (`〓列”主仪針孲` for 。“六小”主要是針對). "Just after": within this many bytes.
_SITE_MARK = b"?"
_SITE_MARK_REACH = 10
# What an undecodable unit in a candidate reading costs (a reading that needs one is no
# reading of the page).
_BROKEN = -25.0


def _units(line: bytes, start: int, gbk: bool) -> list[tuple[int, int]]:
    """(offset, length) of each character of line[start:] as the codec reads it: ASCII a
    byte, a lead byte and its trail two, GB18030's four-byte form four, a lead byte with
    no trail one (the decoder's U+FFFD)."""
    units, i, n = [], start, len(line)
    while i < n:
        byte = line[i]
        size = 1
        if 0x81 <= byte <= 0xFE and i + 1 < n:
            trail = line[i + 1]
            if gbk and 0x30 <= trail <= 0x39:
                if i + 3 < n and 0x81 <= line[i + 2] <= 0xFE and 0x30 <= line[i + 3] <= 0x39:
                    size = 4
            elif 0x40 <= trail <= 0x7E or (trail >= 0x80 if gbk else trail >= 0xA1) and trail != 0xFF:
                size = 2
        units.append((i, size))
        i += size
    return units


def _suspect(line: bytes, units: list[tuple[int, int]], index: int) -> bool:
    """Where a shifted stretch ends: a lead byte alone (U+FFFD), or an ASCII letter or
    sign between two double-byte characters (a trail byte read as itself)."""
    offset, size = units[index]
    if size != 1:
        return False
    byte = line[offset]
    if byte >= 0x81:
        return index > 0 and units[index - 1][1] > 1
    return 0x40 <= byte <= 0x7E and 0 < index < len(units) - 1 and units[index - 1][1] > 1 and units[index + 1][1] > 1


class _Scorer:
    def __init__(self, encoding: str, errors: str) -> None:
        from .mojibake.language_model import char_lm
        from .script import simplify_chars

        self.lm = char_lm()
        self.simplify = simplify_chars
        self.encoding = encoding
        self.errors = errors

    def chars(self, line: bytes, units: list[tuple[int, int]]) -> list[str]:
        return [self.char(line[offset : offset + size]) for offset, size in units]

    def char(self, unit: bytes) -> str:
        try:
            return unit.decode(self.encoding, self.errors)
        except UnicodeDecodeError:  # decode.py's cp950-pair handler lets a bad pair through
            return unit.decode(self.encoding, "replace")

    def scores(self, chars: list[str], before: str) -> list[float]:
        """Each character's log-probability after the ones before it."""
        out, history = [], self.simplify(before)[-2:]
        for ch in chars:
            if "\ufffd" in ch:
                out.append(_BROKEN)
                history = ""
                continue
            folded = self.simplify(ch)
            out.append(sum(self.lm.logp3((history + folded[:i])[-2:], c) for i, c in enumerate(folded)))
            history = (history + folded)[-2:]
        return out


def _realign_stretch(line: bytes, start: int, end: int, before: str, scorer: _Scorer) -> tuple[list[str], bool]:
    """The characters of line[start:end + 1], where line[start:end] is double-byte
    characters in step and line[end] ends a shifted stretch: the likeliest reading with
    one byte lost, and whether it was taken. The byte lost at start + 2j: the j pairs
    before it read in step, the byte left of its character marked, and the pairs after it
    read one byte later, to line[end] (the grid of pairs from start + 1: once in step
    again the bytes stay in pairs, whatever a codec would make of them read elsewhere)."""
    in_step = [(offset, 2) for offset in range(start, end, 2)]
    later_pairs = [(offset, 2) for offset in range(start + 1, end, 2)]
    as_read = scorer.chars(line, in_step)
    later = scorer.chars(line, later_pairs)
    before_sum = [0.0, *accumulate(scorer.scores(as_read, before))]  # the first j in step
    after_sum = [*accumulate(reversed(scorer.scores(later, "")))][::-1] + [0.0]  # from the j-th later on
    kept = before_sum[-1]  # the stretch as read, its last byte lost
    best = max(range(len(in_step) + 1), key=lambda j: before_sum[j] + after_sum[j])
    if best == len(in_step) or before_sum[best] + after_sum[best] - kept < _MARGIN:
        return [*as_read, scorer.chars(line, [(end, 1)])[0]], False
    return [*as_read[:best], MARKER, *later[best:]], True


def realign_lost_bytes(raw: bytes, text: str, encoding: str) -> tuple[str, tuple[int, ...], int]:
    """The page's text with each stretch shifted by a lost byte read in step again; the
    lines (from 1) where that was done, and how many stretches. `text` is the page as
    decoded (raw in `encoding`); a line with nothing to realign keeps its text."""
    name = encoding.lower().replace("_", "-")
    gbk = name in GBK_NAMES
    if not (gbk or name in BIG5_NAMES):
        return text, (), 0
    parts = _BREAKS.split(raw)
    text_parts = re.split(r"(\r\n|\r|\n)", text)
    if len(parts) != len(text_parts):
        return text, (), 0  # the decoder broke lines where the bytes do not: leave it alone
    scorer: _Scorer | None = None
    done = []
    places = 0
    for index in range(0, len(parts), 2):
        line = parts[index]
        # The bytes are walked in Python only where the decoded line shows an end of a
        # shifted stretch (2 s for a clean 11 MB page when every line was walked).
        if line.isascii() or not _SHOWN_END.search(text_parts[index]):
            continue
        units = _units(line, 0, gbk)
        if not any(_suspect(line, units, k) for k in range(len(units))):
            continue
        scorer = scorer or _Scorer(name, "cp950-pair" if name == "big5hkscs" else "replace")
        out: list[str] = []
        # Where each character of out stands in the line, and its bytes: 0 for one read
        # again, which no later stretch reaches back into.
        starts: list[int] = []
        sizes: list[int] = []
        changed = False
        for k, (offset, size) in enumerate(units):
            back = len(out)
            if _suspect(line, units, k):
                while back > 0 and sizes[back - 1] == 2 and offset - starts[back - 1] <= _MAX_STRETCH:
                    back -= 1
                if back < len(out) and _SITE_MARK in line[max(0, starts[back] - _SITE_MARK_REACH) : starts[back]]:
                    back = len(out)  # the site's own damage, the mojibake step's to read
            if back == len(out):
                out.append(scorer.chars(line, [(offset, size)])[0])
                starts.append(offset)
                sizes.append(size)
                continue
            chars, taken = _realign_stretch(line, starts[back], offset, "".join(out[:back])[-2:], scorer)
            changed |= taken
            places += taken
            del out[back:], starts[back:], sizes[back:]
            out.extend(chars)
            starts.extend([offset] * len(chars))
            sizes.extend([0] * len(chars))
        if changed:
            text_parts[index] = "".join(out)
            done.append(index // 2 + 1)
    return "".join(text_parts), tuple(done), places
