"""Decode a shifted GBK run back in step, choosing lost bytes with the character model.

Input: the run's bytes in original order, with None for a lost byte at either end
(`[None, a3, bf, 82, bd, 0x59]` for 000's "??偨Y"). Read in step, each pair is one
character; a pair with a lost byte becomes a set of candidates.

The decoder that garbled the seeds also dropped, silently, every pair it could not map
(GBK's user-defined rows AA–AF and F8–FE, and A1–A7 with a trail below A1): in 003
"城市管理水平提升工程" came out as "┏鞘泄芾硭教嵘こ" with the pairs AE C6 and FD B9
simply gone. So between any two garbled characters two bytes may be missing; we offer
that reading too, at its prior cost, and let the model decide (Viterbi over the lattice).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

from .langmodel import CharLM, char_lm
from .script import simplify_chars

# How often a shifted pair falls into an unmapped row, estimated from the byte ranges:
# 13 of ~190 trail values always, 7 more when the next lead is below A1.
_HIDDEN_PRIOR = math.log(0.08)
_PLAIN_PRIOR = math.log(0.92)
# Candidates kept for each unknown slot of a dropped pair (by unigram frequency, among
# those that can pair at all: see _opens_drop), and Viterbi states kept after each step.
# A wider pair beam (24) brought back nothing on the golden cases and, with more rare
# partners on offer, invented text in clean seed lines (000 "當地＼化解" read as 當地，〓化解).
_HIDDEN_BEAM = 8
# A pair of candidates making a word of jieba's dictionary seen this often (its bigram
# count inside words) joins the beam as well: see word_pair_index.
PAIR_WORD = 100
_STATE_BEAM = 6
# Two dropped pairs in a row (see hidden_triple): the character between them left no
# byte, so it is offered only inside a word it makes with a neighbour, a word jieba has
# seen at least MIDDLE_WORD times (its bigram count inside words: 公路 8,748, 政府
# 23,452), and only the commonest _MIDDLE_WORDS such words on each side.
MIDDLE_WORD = 1000
_MIDDLE_WORDS = 6
# Below this (natural log, both neighbours) an in-step character is odd enough that a
# dropped pair is worth considering: 001 "“权两平台" reads badly, "“三通两" reads well.
HIDDEN_GATE = -11.0
# A character jieba's dictionary has seen fewer times than this is odd wherever it stands.
RARE_CHAR = 100
IDEOGRAPHIC_SPACE = "\u3000"
# Runs start where the site pushed bytes into the page, and it did so after sentences:
# of the 60 runs in our golden cases, 38 begin with the lead byte of 。 or “ (000
# "十堰之前??梢哉f", 001 "發揮效益?;浉郯"). So sentence punctuation in a run's first
# slot gets this head start (natural-log units), still short of overriding clear text.
FAVOURED_BONUS = 2.5
SENTENCE_PUNCTUATION = frozenset("。！？；，、：“”")
# Punctuation has no count in jieba's dictionary, so _top would never offer it as half
# of a dropped pair; yet headings lose a bracket that way: 002 "?。ǘ┗A" is （二）基礎,
# the pair FE A3 (二's trail, ）'s lead) being in a user-defined row, and 000
# "規?;⒊B" is 規模化、常態 (AF A1 dropped between 化 and 、). Only the GB2312 row-1
# signs: the full-width row (，：) let clean text turn into invented commas (000
# "當地＼化解" read as "當地，〓化解").
_PAIR_PUNCTUATION = frozenset("）》」』。、“”")


@dataclass(frozen=True)
class Cand:
    ch: str
    simple: str
    lead: int
    trail: int


@dataclass(frozen=True)
class Slot:
    """One character of the restored run: its candidates and whether its choice was forced."""

    cands: tuple[Cand, ...]
    hidden: bool = False  # first or second half of a dropped pair
    worded: bool = False  # holds candidates only a word across the dropped pair brought in
    middle: bool = False  # between two dropped pairs: the character lost both its bytes
    favoured: frozenset[str] = frozenset()  # candidates the damage mechanism makes likelier

    def bonus(self, cand: Cand) -> float:
        return FAVOURED_BONUS if cand.ch in self.favoured else 0.0


@lru_cache(maxsize=1)
def _all_pairs() -> dict[tuple[int, int], str]:
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
def _indexes() -> tuple[dict[int, tuple[Cand, ...]], dict[int, tuple[Cand, ...]]]:
    by_lead: dict[int, list[Cand]] = {}
    by_trail: dict[int, list[Cand]] = {}
    for (lead, trail), ch in _all_pairs().items():
        cand = Cand(ch, simplify_chars(ch), lead, trail)
        by_lead.setdefault(lead, []).append(cand)
        by_trail.setdefault(trail, []).append(cand)
    return {k: tuple(v) for k, v in by_lead.items()}, {k: tuple(v) for k, v in by_trail.items()}


def gbk_characters() -> tuple[str, ...]:
    return tuple(_all_pairs().values())


def pair_char(lead: int, trail: int) -> str | None:
    return _all_pairs().get((lead, trail))


@lru_cache(maxsize=1)
def _dropped_table() -> bytes:
    pairs = _all_pairs()
    return bytes(
        1 if first >= 0x81 and second >= 0x81 and (first, second) not in pairs else 0
        for first in range(256)
        for second in range(256)
    )


def is_dropped_pair(first: int, second: int) -> bool:
    """Would the seeds' decoder have dropped these two bytes without a trace?"""
    return _dropped_table()[(first << 8) | second] == 1


@lru_cache(maxsize=256)
def _opens_drop(byte: int) -> bool:
    """Can a character ending in this byte stand before a dropped pair? Only trails in a
    user-defined row (AA–AF, F8–FE) or A1–A7 can: filtering on this before keeping the
    commonest _HIDDEN_BEAM keeps the beam for characters that can pair at all (003
    "?!爱斨帧" is “當助手, 助 = D6 FA being far down the D6 row)."""
    return any(is_dropped_pair(byte, other) for other in range(0x81, 0xFF))


@lru_cache(maxsize=256)
def _closes_drop(byte: int) -> bool:
    """Can a character starting with this byte stand after a dropped pair?"""
    return any(is_dropped_pair(other, byte) for other in range(0x81, 0xFF))


def _pair_slot(lead: int | None, trail: int | None) -> Slot | None:
    by_lead, by_trail = _indexes()
    if lead is not None and trail is not None:
        ch = _all_pairs().get((lead, trail))
        return Slot((Cand(ch, simplify_chars(ch), lead, trail),)) if ch else None
    if lead is None and trail is None:
        return None
    cands = by_trail.get(trail, ()) if lead is None else by_lead.get(lead, ())
    return Slot(cands) if cands else None


def _top(lm: CharLM, cands: list[Cand]) -> tuple[Cand, ...]:
    cands.sort(key=lambda c: lm.unigrams.get(c.simple, 0), reverse=True)
    signs = [c for c in cands[_HIDDEN_BEAM:] if c.ch in _PAIR_PUNCTUATION]
    return tuple(cands[:_HIDDEN_BEAM]) + tuple(signs)


@lru_cache(maxsize=8192)
def _hidden_pair(lead: int, trail: int) -> tuple[Slot, Slot] | None:
    """Two characters around a dropped pair: (lead, x) and (y, trail), x and y lost."""
    lm = char_lm()
    by_lead, by_trail = _indexes()
    firsts = [c for c in by_lead.get(lead, ()) if _opens_drop(c.trail)]
    seconds = [c for c in by_trail.get(trail, ()) if _closes_drop(c.lead)]
    if not firsts or not seconds:
        return None
    words = word_pair_index().get((lead, trail), ())
    top_firsts, top_seconds = _top(lm, firsts), _top(lm, seconds)
    more_firsts = tuple(dict.fromkeys(a for a, _ in words if a not in top_firsts))
    more_seconds = tuple(dict.fromkeys(b for _, b in words if b not in top_seconds))
    first = Slot(top_firsts + more_firsts, True, worded=bool(more_firsts))
    return consistent_pair(first, Slot(top_seconds + more_seconds, True))


@lru_cache(maxsize=8192)
def hidden_triple(lead: int, trail: int) -> tuple[Slot, Slot, Slot] | None:
    """Three characters around two dropped pairs in a row: (lead, w) (x, y) (z, trail),
    with w x and y z lost. 003 "當?shù)卣畬方ㄔO" is 地政府對公路建設: 對 8C A6, 公 B9 AB,
    路 C2 B7, the pairs A6 B9 and AB C2 gone, so 公 left no byte at all and 尫 (8C B7)
    is all that is left of 對公路. Any of ~2,000 characters could stand there; only those
    making a word with a neighbour are offered (see middle_word_index), as a lone guess
    would be invented text. Offered only on a second reading (see mojibake._best_repair)."""
    lm = char_lm()
    by_lead, by_trail = _indexes()
    lefts, rights = middle_word_index()
    left_words, right_words = lefts.get(lead, ())[:_MIDDLE_WORDS], rights.get(trail, ())[:_MIDDLE_WORDS]
    if not left_words and not right_words:
        return None
    firsts = [c for c in by_lead.get(lead, ()) if _opens_drop(c.trail)]
    thirds = [c for c in by_trail.get(trail, ()) if _closes_drop(c.lead)]
    first = tuple(dict.fromkeys(_top(lm, firsts) + tuple(a for a, _ in left_words)))
    middle = tuple(dict.fromkeys(tuple(b for _, b in left_words) + tuple(a for a, _ in right_words)))
    third = tuple(dict.fromkeys(_top(lm, thirds) + tuple(b for _, b in right_words)))
    pair = consistent_pair(Slot(first, True), Slot(middle, True))
    if pair is None:
        return None
    end = consistent_pair(replace(pair[1], middle=True), Slot(third, True))
    if end is None:
        return None
    # The middle slot lost candidates to the third; keep only firsts that still fit.
    start = consistent_pair(pair[0], end[0])
    return (start[0], start[1], end[1]) if start else None


@lru_cache(maxsize=1)
def _drop_neighbours() -> tuple[dict[str, list[Cand]], dict[str, list[Cand]], dict[str, list[Cand]]]:
    """By simplified character, its GBK forms that can stand before a dropped pair, after
    one, and (ideographs only) between two."""
    openers: dict[str, list[Cand]] = {}
    closers: dict[str, list[Cand]] = {}
    middles: dict[str, list[Cand]] = {}
    for cands in _indexes()[0].values():
        for cand in cands:
            opens, closes = _opens_drop(cand.trail), _closes_drop(cand.lead)
            if opens:
                openers.setdefault(cand.simple, []).append(cand)
            if closes:
                closers.setdefault(cand.simple, []).append(cand)
            if opens and closes and "\u4e00" <= cand.simple <= "\u9fff":
                middles.setdefault(cand.simple, []).append(cand)
    return openers, closers, middles


def _words_across(word: str, before: dict[str, list[Cand]], after: dict[str, list[Cand]]):
    """The GBK forms (a, b) of a two-character word that can meet across a dropped pair."""
    for a in before.get(word[0], ()):
        for b in after.get(word[1], ()):
            if is_dropped_pair(a.trail, b.lead):
                yield a, b


@lru_cache(maxsize=1)
def middle_word_index() -> tuple[dict[int, tuple[tuple[Cand, Cand], ...]], dict[int, tuple[tuple[Cand, Cand], ...]]]:
    """Words of two characters one of which could have lost both bytes between two
    dropped pairs, keyed by the byte the other kept: by the first's lead when the second
    is the lost one (政府 in 003 "地政府、"), by the second's trail when the first is (公路
    in 003 "對公路"). Commonest first: hidden_triple keeps the head of each list."""
    openers, closers, middles = _drop_neighbours()
    by_lead: dict[int, list[tuple[Cand, Cand]]] = {}
    by_trail: dict[int, list[tuple[Cand, Cand]]] = {}
    counts = char_lm().words.bigrams
    for word in sorted((w for w, n in counts.items() if n >= MIDDLE_WORD), key=counts.__getitem__, reverse=True):
        for a, b in _words_across(word, openers, middles):
            by_lead.setdefault(a.lead, []).append((a, b))
        for a, b in _words_across(word, middles, closers):
            by_trail.setdefault(b.trail, []).append((a, b))
    return {k: tuple(v) for k, v in by_lead.items()}, {k: tuple(v) for k, v in by_trail.items()}


@lru_cache(maxsize=1)
def word_pair_index() -> dict[tuple[int, int], tuple[tuple[Cand, Cand], ...]]:
    """Pairs of characters that make a common word of jieba's dictionary across a dropped
    pair, however rare each is alone, by the first's lead and the second's trail byte:
    000 "撲救井然有序" (井 is not among the commonest of its row), 003 "家校互動" (nor
    is 互). Built once (about half a second), as scanning rows per pair was the step's
    main cost."""
    openers, closers, _ = _drop_neighbours()
    index: dict[tuple[int, int], list[tuple[Cand, Cand]]] = {}
    for word, count in char_lm().words.bigrams.items():
        if count >= PAIR_WORD:
            for a, b in _words_across(word, openers, closers):
                index.setdefault((a.lead, b.trail), []).append((a, b))
    return {key: tuple(pairs) for key, pairs in index.items()}


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


def pair_before_reading(lead: int, wanted: tuple[str, ...]) -> tuple[Slot, Slot] | None:
    """(lead, x) and a character read as the annotation says, with x and its lead byte
    lost as a dropped pair and its trail byte under the closing `?`: 002 "公共服?wù)" is
    服務, 務's lead 84 having gone with 服's trail FE."""
    lm = char_lm()
    by_lead, _ = _indexes()
    firsts = [c for c in by_lead.get(lead, ()) if _opens_drop(c.trail)]
    seconds = []
    for ch in wanted:
        encoded = ch.encode("gbk", errors="ignore")
        if len(encoded) == 2 and encoded[0] >= 0x81:
            seconds.append(Cand(ch, simplify_chars(ch), encoded[0], encoded[1]))
    if not firsts or not seconds:
        return None
    return consistent_pair(Slot(_top(lm, firsts), True), Slot(tuple(seconds), True))


@lru_cache(maxsize=4096)
def _first_slots(trail: int, leads: frozenset[int]) -> tuple[tuple[Slot, ...], ...]:
    """The run's first character when an inserted annotation told us its lead byte."""
    lm = char_lm()
    by_lead, by_trail = _indexes()
    options: list[tuple[Slot, ...]] = []
    plain = tuple(c for c in by_trail.get(trail, ()) if c.lead in leads)
    if plain:
        options.append((Slot(plain),))
    # 000 "大家?guī)淼?022": 帶來 lost its middle pair A7 81 as well.
    firsts = [c for lead in leads for c in by_lead.get(lead, ()) if _opens_drop(c.trail)]
    seconds = [c for c in by_trail.get(trail, ()) if _closes_drop(c.lead)]
    pair = consistent_pair(Slot(_top(lm, firsts), True), Slot(_top(lm, seconds), True)) if firsts and seconds else None
    if pair:
        options.append(pair)
    return tuple(options)


def known_char(slot: Slot | None) -> str:
    """The slot's character if it has only one, else "" (a neighbour we do not know)."""
    return slot.cands[0].simple if slot is not None and len(slot.cands) == 1 else ""


def _plausible(lm: CharLM, plain: list[Slot | None], k: int, nxt: str = "") -> bool:
    """Is the in-step character at k at home between its neighbours? Only where it is not
    do we pay for the dropped-pair reading (~600 model look-ups a position)."""
    ch = known_char(plain[k])
    if not ch:
        return plain[k] is not None
    if lm.unigrams.get(ch, 0) < RARE_CHAR:  # 000 "?;A設施": 籄 (BB 41) hides 基礎
        return False
    left = known_char(plain[k - 1]) if k else ""
    # The run's last character is judged against the text after the run too: 003
    # "列入?yún)⒄h政" reads 參説 in step, and only 説政 shows that 政議 lost a pair.
    right = known_char(plain[k + 1]) if k + 1 < len(plain) else nxt[:1]
    # Next to a lost-byte slot the neighbour is unknown; the character's own frequency
    # stands in for it (000 "?;舅悸": 痪 after the lost 。 hides 基本).
    score = lm.logp(left, ch) if left else lm.unigram_logp(ch)
    if right:
        score += lm.logp(ch, right)
    return score > HIDDEN_GATE


def build_lattice(
    lm: CharLM,
    data: tuple[int | None, ...],
    first_leads: frozenset[int] = frozenset(),
    nxt: str = "",
    triples: bool = False,
) -> list[list[tuple[Slot, ...]]] | None:
    """For each character position, its readings: one slot, two around a dropped pair,
    or (with `triples`) three around two dropped pairs in a row."""
    pairs = [(data[k], data[k + 1]) for k in range(0, len(data) - 1, 2)]
    plain = [_pair_slot(lead, trail) for lead, trail in pairs]
    positions: list[list[tuple[Slot, ...]]] = []
    for k, (lead, trail) in enumerate(pairs):
        if k == 0 and first_leads and trail is not None:
            firsts = _first_slots(trail, first_leads)
            if firsts:
                positions.append(list(firsts))
                continue
        if k == 0 and first_leads and trail is None:
            # 003 "向?qū)?、交流": the annotation gives the lead (8C), the closing `?`
            # took the trail, and nothing was garbled in between: 導 is 8C 8D.
            cands = tuple(c for lead in sorted(first_leads) for c in _indexes()[0].get(lead, ()))
            if cands:
                positions.append([(Slot(cands),)])
                continue
        options = [(plain[k],)] if plain[k] else []
        if k > 0 and lead is not None and trail is not None and not _plausible(lm, plain, k, nxt):
            hidden = _hidden_pair(lead, trail)
            if hidden:
                options.append(hidden)
            triple = hidden_triple(lead, trail) if triples else None
            if triple:
                options.append(triple)
        if not options:
            return None
        positions.append(options)
    return positions


def _step(lm: CharLM, states: dict, slot: Slot, prior: float, pairing: bool, beam: int = _STATE_BEAM) -> dict:
    """Advance Viterbi states through one slot. A state is keyed by its last character and
    holds (score, path, last two characters, last candidate). `pairing`: the slot follows a
    dropped pair, so each candidate must pair with the state's last candidate. The hot
    loop of the step: attribute look-ups are hoisted out of it."""
    out: dict = {}
    # The model's memo is read here directly (a state's history is its last two
    # characters already, the key logp3 would build); a miss goes through logp3.
    logp3, memo, cands, favoured = lm.logp3, lm.memo, slot.cands, slot.favoured
    for score, path, history, prev_cand in states.values():
        base = score + prior
        prefix = history + "\x00"
        for cand in cands:
            if pairing and not is_dropped_pair(prev_cand.trail, cand.lead):
                continue
            simple = cand.simple
            found = memo.get(prefix + simple)
            total = base + (logp3(history, simple) if found is None else found)
            if favoured and cand.ch in favoured:
                total += FAVOURED_BONUS
            best = out.get(simple)
            if best is None or total > best[0]:
                out[simple] = (total, path + ((cand, slot),), (history + simple)[-2:], cand)
    if len(out) > beam:
        kept = sorted(out.items(), key=lambda item: item[1][0], reverse=True)[:beam]
        out = dict(kept)
    return out


Path = tuple[tuple[Cand, Slot], ...]


def viterbi(lm: CharLM, positions: list[list[tuple[Slot, ...]]], prev: str, nxt: str) -> tuple[float, Path] | None:
    """Best reading of the lattice; prev is up to two characters of left context."""
    states: dict = {prev: (0.0, (), prev[-2:], Cand(prev, prev, 0, 0))}
    for options in positions:
        merged: dict = {}
        for option in options:
            prior = _PLAIN_PRIOR if len(option) == 1 and len(options) > 1 else 0.0
            if len(option) > 1:
                # A triple costs what a pair does: its middle character was chosen among
                # those whose trail byte opens a second drop, so that drop is no further
                # coincidence (公 = B9 AB in 003 "對公路": after AB the pair AB C2 is lost).
                prior = _HIDDEN_PRIOR
            current = states
            for index, slot in enumerate(option):
                # The first half of a dropped pair keeps more states when word pairs
                # joined its beam (see word_pair_index): such a candidate reads worse alone
                # and is the only one its partner can follow (000 "扑救井然有序" lost
                # 井 before 然 was read). Wider everywhere cost 10% of the step's speed.
                beam = 2 * _STATE_BEAM if index == 0 and slot.worded else _STATE_BEAM
                current = _step(lm, current, slot, prior if index == 0 else 0.0, index > 0, beam)
            for key, value in current.items():
                if key not in merged or value[0] > merged[key][0]:
                    merged[key] = value
        states = merged
        if not states:
            return None
    best = max(states.values(), key=lambda v: v[0] + (lm.logp3(v[2], nxt) if nxt else 0.0))
    return best[0] + (lm.logp3(best[2], nxt) if nxt else 0.0), best[1]
