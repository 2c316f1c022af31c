"""Decode a shifted GBK run back in step, choosing lost bytes with the character model.

Input: the run's bytes in original order, with None for a lost byte at either end
(`[None, a3, bf, 82, bd, 0x59]` for 000's "??偨Y"). Read in step, each pair is one
character; a pair with a lost byte becomes a set of candidates.

The decoder that garbled the seeds also dropped, silently, every pair it could not map
(GBK's user-defined rows AA–AF and F8–FE, and A1–A7 with a trail below A1): in 003
"城市管理水平提升工程" came out as "┏鞘泄芾硭教嵘こ" with the pairs AE C6 and FD B9
simply gone. So between any two garbled characters two bytes may be missing; we offer
that reading too, at its prior cost, and let the model decide (Viterbi over the lattice).
The slots of those readings are built in `dropped`, on the GBK tables of `gbkpairs`.
"""

from __future__ import annotations

from functools import lru_cache

from .constants import (
    FAVOURED_BONUS,
    FIRST_SLOTS_CACHE,
    HIDDEN_GATE,
    HIDDEN_PRIOR,
    PLAIN_PRIOR,
    RARE_CHAR,
    STATE_BEAM,
)
from .dropped import consistent_pair, hidden_pair, hidden_triple, top_candidates
from .language_model import CharLM, char_lm
from .pairs import Candidate, Slot, closes_drop, indexes, is_dropped_pair, opens_drop, pair_slot


@lru_cache(maxsize=FIRST_SLOTS_CACHE)
def _first_slots(trail: int, leads: frozenset[int]) -> tuple[tuple[Slot, ...], ...]:
    """The run's first character when an inserted annotation told us its lead byte."""
    lm = char_lm()
    by_lead, by_trail = indexes()
    options: list[tuple[Slot, ...]] = []
    plain = tuple(c for c in by_trail.get(trail, ()) if c.lead in leads)
    if plain:
        options.append((Slot(plain),))
    # 000 "大家?guī)淼?022": 帶來 lost its middle pair A7 81 as well.
    firsts = [c for lead in leads for c in by_lead.get(lead, ()) if opens_drop(c.trail)]
    seconds = [c for c in by_trail.get(trail, ()) if closes_drop(c.lead)]
    pair = (
        consistent_pair(Slot(top_candidates(lm, firsts), True), Slot(top_candidates(lm, seconds), True))
        if firsts and seconds
        else None
    )
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
    plain = [pair_slot(lead, trail) for lead, trail in pairs]
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
            cands = tuple(c for lead in sorted(first_leads) for c in indexes()[0].get(lead, ()))
            if cands:
                positions.append([(Slot(cands),)])
                continue
        options = [(plain[k],)] if plain[k] else []
        if k > 0 and lead is not None and trail is not None and not _plausible(lm, plain, k, nxt):
            hidden = hidden_pair(lead, trail)
            if hidden:
                options.append(hidden)
            triple = hidden_triple(lead, trail) if triples else None
            if triple:
                options.append(triple)
        if not options:
            return None
        positions.append(options)
    return positions


def _step(lm: CharLM, states: dict, slot: Slot, prior: float, pairing: bool, beam: int = STATE_BEAM) -> dict:
    """Advance Viterbi states through one slot. A state is keyed by its last character and
    holds (score, path, last two characters, last candidate). `pairing`: the slot follows a
    dropped pair, so each candidate must pair with the state's last candidate. The hot
    loop of the step: attribute look-ups are hoisted out of it."""
    out: dict = {}
    # The model's memo is read here directly (a state's history is its last two
    # characters already, the key logp3 would build); a miss goes to lm.learn.
    learn, memo, cands, favoured = lm.learn, lm.memo, slot.cands, slot.favoured
    for score, path, history, prev_cand in states.values():
        base = score + prior
        prefix = history + "\x00"
        for cand in cands:
            if pairing and not is_dropped_pair(prev_cand.trail, cand.lead):
                continue
            simple = cand.simple
            key = prefix + simple
            found = memo.get(key)
            total = base + (learn(key, history, simple) if found is None else found)
            if favoured and cand.ch in favoured:
                total += FAVOURED_BONUS
            best = out.get(simple)
            if best is None or total > best[0]:
                out[simple] = (total, path + ((cand, slot),), (history + simple)[-2:], cand)
    if len(out) > beam:
        kept = sorted(out.items(), key=lambda item: item[1][0], reverse=True)[:beam]
        out = dict(kept)
    return out


LatticePath = tuple[tuple[Candidate, Slot], ...]


def _slot_key(slot: Slot) -> tuple:
    # Candidate tables come from caches (gbkpairs.pair_slot, dropped, boundaries._prune),
    # so the same table is the same object; the prefix cache below keeps the slots alive,
    # so an id cannot be reused by another table while it is a key.
    return (id(slot.cands), slot.hidden, slot.worded, slot.middle, slot.favoured)


def viterbi(
    lm: CharLM, positions: list[list[tuple[Slot, ...]]], prev: str, nxt: str, shared: dict | None = None
) -> tuple[float, LatticePath] | None:
    """Best reading of the lattice; prev is up to two characters of left context.

    `shared`: states after each prefix of positions, kept across the ways one run may end
    (mojibake._best_repair), which read the same bytes up to their last few positions: a
    prefix read before is not read again (the states depend on nothing else)."""
    states: dict = {prev: (0.0, (), prev[-2:], Candidate(prev, prev, 0, 0))}
    keys: list = []
    start = 0
    if shared is not None:
        prefix: tuple = (prev,)
        for options in positions:
            prefix = (prefix, tuple(tuple(_slot_key(slot) for slot in option) for option in options))
            keys.append(prefix)
        for k in range(len(keys) - 1, -1, -1):
            if keys[k] in shared:
                states, start = shared[keys[k]][0], k + 1
                if not states:
                    return None
                break
    for k in range(start, len(positions)):
        options = positions[k]
        merged: dict = {}
        for option in options:
            prior = PLAIN_PRIOR if len(option) == 1 and len(options) > 1 else 0.0
            if len(option) > 1:
                # A triple costs what a pair does: its middle character was chosen among
                # those whose trail byte opens a second drop, so that drop is no further
                # coincidence (公 = B9 AB in 003 "對公路": after AB the pair AB C2 is lost).
                prior = HIDDEN_PRIOR
            current = states
            for index, slot in enumerate(option):
                # The first half of a dropped pair keeps more states when word pairs
                # joined its beam (see word_pair_index): such a candidate reads worse alone
                # and is the only one its partner can follow (000 "扑救井然有序" lost
                # 井 before 然 was read). Wider everywhere cost 10% of the step's speed.
                beam = 2 * STATE_BEAM if index == 0 and slot.worded else STATE_BEAM
                current = _step(lm, current, slot, prior if index == 0 else 0.0, index > 0, beam)
            for key, value in current.items():
                if key not in merged or value[0] > merged[key][0]:
                    merged[key] = value
        states = merged
        if shared is not None:
            shared[keys[k]] = (states, options)
        if not states:
            return None
    best = max(states.values(), key=lambda v: v[0] + (lm.logp3(v[2], nxt) if nxt else 0.0))
    return best[0] + (lm.logp3(best[2], nxt) if nxt else 0.0), best[1]
