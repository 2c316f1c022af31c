"""The GBK code table in the shapes the model reads it: every two-byte character by its
lead and by its trail byte, by its pinyin, and which byte pairs the decoder that garbled
the seeds dropped without a trace (see dropped.py). A Candidate is one such character
with its bytes; a Slot, one character of a run with the candidates its bytes allow.

Every table here is a pure function of GBK (and of pypinyin's readings), built once per
process and kept in an lru_cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..annotations import readings
from ..script import simplify_chars
from .constants import FAVOURED_BONUS, PER_BYTE, SLOT_CACHE


@dataclass(frozen=True)
class Candidate:
    ch: str
    simple: str
    lead: int
    trail: int


@dataclass(frozen=True)
class Slot:
    """One character of the restored run: its candidates and whether its choice was forced."""

    cands: tuple[Candidate, ...]
    hidden: bool = False  # first or second half of a dropped pair
    worded: bool = False  # holds candidates only a word across the dropped pair brought in
    middle: bool = False  # between two dropped pairs: the character lost both its bytes
    favoured: frozenset[str] = frozenset()  # candidates the damage mechanism makes likelier

    def bonus(self, cand: Candidate) -> float:
        return FAVOURED_BONUS if cand.ch in self.favoured else 0.0


@lru_cache(maxsize=1)
def all_pairs() -> dict[tuple[int, int], str]:
    table = {}
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            if trail == 0x7F:
                continue
            try:
                table[(lead, trail)] = bytes((lead, trail)).decode("gbk")
            except UnicodeDecodeError:
                continue
    return table


@lru_cache(maxsize=1)
def indexes() -> tuple[dict[int, tuple[Candidate, ...]], dict[int, tuple[Candidate, ...]]]:
    by_lead: dict[int, list[Candidate]] = {}
    by_trail: dict[int, list[Candidate]] = {}
    for (lead, trail), ch in all_pairs().items():
        cand = Candidate(ch, simplify_chars(ch), lead, trail)
        by_lead.setdefault(lead, []).append(cand)
        by_trail.setdefault(trail, []).append(cand)
    return {k: tuple(v) for k, v in by_lead.items()}, {k: tuple(v) for k, v in by_trail.items()}


def gbk_characters() -> tuple[str, ...]:
    return tuple(all_pairs().values())


def pair_char(lead: int, trail: int) -> str | None:
    return all_pairs().get((lead, trail))


@lru_cache(maxsize=1)
def dropped_pairs() -> bytes:
    """1 at first << 8 | second for each pair of bytes is_dropped_pair is true of, else 0
    (viterbi.py indexes it directly in its hot loop)."""
    pairs = all_pairs()
    return bytes(
        1 if first >= 0x81 and second >= 0x81 and (first, second) not in pairs else 0
        for first in range(256)
        for second in range(256)
    )


def is_dropped_pair(first: int, second: int) -> bool:
    """Would the seeds' decoder have dropped these two bytes without a trace?"""
    return dropped_pairs()[(first << 8) | second] == 1


@lru_cache(maxsize=PER_BYTE)
def opens_drop(byte: int) -> bool:
    """Can a character ending in this byte stand before a dropped pair? Only trails in a
    user-defined row (AA–AF, F8–FE) or A1–A7 can: filtering on this before keeping the
    commonest (dropped.HIDDEN_BEAM) keeps the beam for characters that can pair at all (003
    "?!爱斨帧" is “當助手, 助 = D6 FA being far down the D6 row)."""
    return any(is_dropped_pair(byte, other) for other in range(0x81, 0xFF))


@lru_cache(maxsize=PER_BYTE)
def closes_drop(byte: int) -> bool:
    """Can a character starting with this byte stand after a dropped pair?"""
    return any(is_dropped_pair(other, byte) for other in range(0x81, 0xFF))


# Pure, asked ~50 times a run, and its slots' identity lets viterbi.viterbi share the
# states of one run's readings.
@lru_cache(maxsize=SLOT_CACHE)
def pair_slot(lead: int | None, trail: int | None) -> Slot | None:
    by_lead, by_trail = indexes()
    if lead is not None and trail is not None:
        ch = all_pairs().get((lead, trail))
        return Slot((Candidate(ch, simplify_chars(ch), lead, trail),)) if ch else None
    if lead is None and trail is None:
        return None
    cands = by_trail.get(trail, ()) if lead is None else by_lead.get(lead, ())
    return Slot(cands) if cands else None


@lru_cache(maxsize=1)
def chars_by_syllable() -> dict[str, tuple[str, ...]]:
    """Every GBK ideograph under each of its pinyin readings (built once, about a second)."""
    table: dict[str, list[str]] = {}
    for ch in gbk_characters():
        if "\u4e00" <= ch <= "\u9fff":
            for syllable in readings(ch):
                table.setdefault(syllable, []).append(ch)
    return {syllable: tuple(chars) for syllable, chars in table.items()}
