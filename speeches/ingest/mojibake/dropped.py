"""Readings across pairs of bytes the garbling decoder dropped without a trace.

The decoder that garbled the seeds dropped every pair it could not map (GBK's
user-defined rows AA–AF and F8–FE, and A1–A7 with a trail below A1), so between two
garbled characters two bytes may be missing: each of the two characters around such a
pair then lost a byte, and two pairs dropped in a row lose the character between them
entirely. DroppedPairs builds the slots of those readings; lattice.py offers them as
options and viterbi.py weighs them.

Which characters fill such a slot depends on the character model (the commonest of a
GBK row, and the words jieba counts across the pair), so the slots are built by, and
remembered in, a DroppedPairs made for one model (model.py holds the process's one).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property, lru_cache

from ..script import simplify_chars
from .constants import (
    DROPPED_PAIR_CACHE,
    FIRST_SLOTS_CACHE,
    HIDDEN_BEAM,
    MIDDLE_WORD,
    MIDDLE_WORDS,
    PAIR_PUNCTUATION,
    PAIR_WORD,
    PER_BYTE,
)
from .language_model import CharLM
from .pairs import Candidate, Slot, closes_drop, indexes, is_dropped_pair, opens_drop

# Words across a dropped pair, keyed by a byte: (first character, second character).
WordIndex = dict[int, tuple[tuple[Candidate, Candidate], ...]]


class DroppedPairs:
    """The slots around dropped pairs that one character model offers.

    Every way a run may end, and every repeated run, asks about the same bytes again, so
    the answers are remembered here (lru_caches made per instance in __init__, each the
    same function of its bytes for this model), and the two word indexes are built once,
    when first asked."""

    def __init__(self, lm: CharLM) -> None:
        self.lm = lm
        self.top_openers = lru_cache(maxsize=PER_BYTE)(self._top_openers)
        self.top_closers = lru_cache(maxsize=PER_BYTE)(self._top_closers)
        self.hidden_pair = lru_cache(maxsize=DROPPED_PAIR_CACHE)(self._hidden_pair)
        self.hidden_triple = lru_cache(maxsize=DROPPED_PAIR_CACHE)(self._hidden_triple)
        self.first_slots = lru_cache(maxsize=FIRST_SLOTS_CACHE)(self._first_slots)

    def top_candidates(self, cands: list[Candidate]) -> tuple[Candidate, ...]:
        """The HIDDEN_BEAM commonest, and any PAIR_PUNCTUATION sign (sorts `cands`)."""
        unigrams = self.lm.unigrams
        cands.sort(key=lambda c: unigrams.get(c.simple, 0), reverse=True)
        signs = [c for c in cands[HIDDEN_BEAM:] if c.ch in PAIR_PUNCTUATION]
        return tuple(cands[:HIDDEN_BEAM]) + tuple(signs)

    def _top_openers(self, lead: int) -> tuple[Candidate, ...]:
        """top_candidates of the characters with this lead byte that can open a dropped pair
        (per lead byte, not per pair: sorting them again for each pair was a tenth of the
        step's time on new text)."""
        return self.top_candidates([c for c in indexes()[0].get(lead, ()) if opens_drop(c.trail)])

    def _top_closers(self, trail: int) -> tuple[Candidate, ...]:
        """top_candidates of the characters with this trail byte that can close a dropped pair."""
        return self.top_candidates([c for c in indexes()[1].get(trail, ()) if closes_drop(c.lead)])

    def _hidden_pair(self, lead: int, trail: int) -> tuple[Slot, Slot] | None:
        """Two characters around a dropped pair: (lead, x) and (y, trail), x and y lost."""
        top_firsts, top_seconds = self.top_openers(lead), self.top_closers(trail)
        if not top_firsts or not top_seconds:
            return None
        words = self.word_pairs.get((lead, trail), ())
        more_firsts = tuple(dict.fromkeys(a for a, _ in words if a not in top_firsts))
        more_seconds = tuple(dict.fromkeys(b for _, b in words if b not in top_seconds))
        first = Slot(top_firsts + more_firsts, True, worded=bool(more_firsts))
        return consistent_pair(first, Slot(top_seconds + more_seconds, True))

    def _hidden_triple(self, lead: int, trail: int) -> tuple[Slot, Slot, Slot] | None:
        """Three characters around two dropped pairs in a row: (lead, w) (x, y) (z, trail),
        with w x and y z lost. 003 "當?shù)卣畬方ㄔO" is 地政府對公路建設: 對 8C A6, 公 B9 AB,
        路 C2 B7, the pairs A6 B9 and AB C2 gone, so 公 left no byte at all and 尫 (8C B7)
        is all that is left of 對公路. Any of ~2,000 characters could stand there; only those
        making a word with a neighbour are offered (see middle_words), as a lone guess
        would be invented text. Offered only on a second reading (see repair.py)."""
        lefts, rights = self.middle_words
        left_words, right_words = lefts.get(lead, ())[:MIDDLE_WORDS], rights.get(trail, ())[:MIDDLE_WORDS]
        if not left_words and not right_words:
            return None
        first = tuple(dict.fromkeys(self.top_openers(lead) + tuple(a for a, _ in left_words)))
        middle = tuple(dict.fromkeys(tuple(b for _, b in left_words) + tuple(a for a, _ in right_words)))
        third = tuple(dict.fromkeys(self.top_closers(trail) + tuple(b for _, b in right_words)))
        pair = consistent_pair(Slot(first, True), Slot(middle, True))
        if pair is None:
            return None
        end = consistent_pair(replace(pair[1], middle=True), Slot(third, True))
        if end is None:
            return None
        # The middle slot lost candidates to the third; keep only firsts that still fit.
        start = consistent_pair(pair[0], end[0])
        return (start[0], start[1], end[1]) if start else None

    def _first_slots(self, trail: int, leads: frozenset[int]) -> tuple[tuple[Slot, ...], ...]:
        """The run's first character when an inserted annotation told us its lead byte:
        in step, and around a dropped pair."""
        by_lead, by_trail = indexes()
        options: list[tuple[Slot, ...]] = []
        plain = tuple(c for c in by_trail.get(trail, ()) if c.lead in leads)
        if plain:
            options.append((Slot(plain),))
        # 000 "大家?guī)淼?022": 帶來 lost its middle pair A7 81 as well.
        firsts = [c for lead in leads for c in by_lead.get(lead, ()) if opens_drop(c.trail)]
        seconds = [c for c in by_trail.get(trail, ()) if closes_drop(c.lead)]
        pair = (
            consistent_pair(Slot(self.top_candidates(firsts), True), Slot(self.top_candidates(seconds), True))
            if firsts and seconds
            else None
        )
        if pair:
            options.append(pair)
        return tuple(options)

    def pair_before_syllable(self, lead: int, wanted: tuple[str, ...]) -> tuple[Slot, Slot] | None:
        """(lead, x) and a character read as the annotation says, with x and its lead byte
        lost as a dropped pair and its trail byte under the closing `?`: 002 "公共服?wù)" is
        服務, 務's lead 84 having gone with 服's trail FE."""
        by_lead, _ = indexes()
        firsts = [c for c in by_lead.get(lead, ()) if opens_drop(c.trail)]
        seconds = []
        for ch in wanted:
            encoded = ch.encode("gbk", errors="ignore")
            if len(encoded) == 2 and encoded[0] >= 0x81:
                seconds.append(Candidate(ch, simplify_chars(ch), encoded[0], encoded[1]))
        if not firsts or not seconds:
            return None
        return consistent_pair(Slot(self.top_candidates(firsts), True), Slot(tuple(seconds), True))

    def build_indexes(self) -> None:
        """Build both word indexes now, rather than when first asked."""
        _ = self.word_pairs, self.middle_words

    @cached_property
    def word_pairs(self) -> dict[tuple[int, int], tuple[tuple[Candidate, Candidate], ...]]:
        """Pairs of characters that make a common word of jieba's dictionary across a
        dropped pair, however rare each is alone, by the first's lead and the second's
        trail byte: 000 "撲救井然有序" (井 is not among the commonest of its row), 003
        "家校互動" (nor is 互). Built once (about half a second), as scanning rows per pair
        was the step's main cost."""
        openers, closers, _ = _drop_neighbours()
        index: dict[tuple[int, int], list[tuple[Candidate, Candidate]]] = {}
        for word, count in self.lm.words.bigrams.items():
            if count >= PAIR_WORD:
                for a, b in _words_across(word, openers, closers):
                    index.setdefault((a.lead, b.trail), []).append((a, b))
        return {key: tuple(pairs) for key, pairs in index.items()}

    @cached_property
    def middle_words(self) -> tuple[WordIndex, WordIndex]:
        """Words of two characters one of which could have lost both bytes between two
        dropped pairs, keyed by the byte the other kept: by the first's lead when the
        second is the lost one (政府 in 003 "地政府、"), by the second's trail when the
        first is (公路 in 003 "對公路"). Commonest first: hidden_triple keeps the head of
        each list."""
        openers, closers, middles = _drop_neighbours()
        by_lead: dict[int, list[tuple[Candidate, Candidate]]] = {}
        by_trail: dict[int, list[tuple[Candidate, Candidate]]] = {}
        counts = self.lm.words.bigrams
        for word in sorted((w for w, n in counts.items() if n >= MIDDLE_WORD), key=counts.__getitem__, reverse=True):
            for a, b in _words_across(word, openers, middles):
                by_lead.setdefault(a.lead, []).append((a, b))
            for a, b in _words_across(word, middles, closers):
                by_trail.setdefault(b.trail, []).append((a, b))
        return {k: tuple(v) for k, v in by_lead.items()}, {k: tuple(v) for k, v in by_trail.items()}


def consistent_pair(first: Slot, second: Slot) -> tuple[Slot, Slot] | None:
    """Keep only candidates that can meet across a dropped pair, so that pruning the
    Viterbi states after the first slot cannot throw away the only partner of the second."""
    leads = {c.lead for c in second.cands}
    firsts = tuple(c for c in first.cands if any(is_dropped_pair(c.trail, lead) for lead in leads))
    trails = {c.trail for c in firsts}
    seconds = tuple(c for c in second.cands if any(is_dropped_pair(trail, c.lead) for trail in trails))
    if not firsts or not seconds:
        return None
    return replace(first, cands=firsts), replace(second, cands=seconds)


# A pure function of the GBK table: one per process.
@lru_cache(maxsize=1)
def _drop_neighbours() -> tuple[dict[str, list[Candidate]], dict[str, list[Candidate]], dict[str, list[Candidate]]]:
    """By simplified character, its GBK forms that can stand before a dropped pair, after
    one, and (ideographs only) between two."""
    openers: dict[str, list[Candidate]] = {}
    closers: dict[str, list[Candidate]] = {}
    middles: dict[str, list[Candidate]] = {}
    for cands in indexes()[0].values():
        for cand in cands:
            opens, closes = opens_drop(cand.trail), closes_drop(cand.lead)
            if opens:
                openers.setdefault(cand.simple, []).append(cand)
            if closes:
                closers.setdefault(cand.simple, []).append(cand)
            if opens and closes and "\u4e00" <= cand.simple <= "\u9fff":
                middles.setdefault(cand.simple, []).append(cand)
    return openers, closers, middles


def _words_across(
    word: str, before: dict[str, list[Candidate]], after: dict[str, list[Candidate]]
) -> Iterator[tuple[Candidate, Candidate]]:
    """The GBK forms (a, b) of a two-character word that can meet across a dropped pair."""
    for a in before.get(word[0], ()):
        for b in after.get(word[1], ()):
            if is_dropped_pair(a.trail, b.lead):
                yield a, b
