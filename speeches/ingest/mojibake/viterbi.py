"""The best path through a run's lattice by the character model (Viterbi search).

Left to right, position by position, each state is the best path so far that ends in a
given character: (score, path, its last two characters, its last candidate). Each
option of a position is read slot by slot from every state, scored by
CharLM.logp3 with two characters of history, plus the option's prior (PLAIN_PRIOR or
HIDDEN_PRIOR) and a favoured candidate's bonus; only the STATE_BEAM best states go on.
Across a dropped pair, the second slot's candidates must meet the first's across an
unmapped pair (pairs.is_dropped_pair). The best final state, with the character after
the run scored too, is the reading by the character model alone; word_judge.py and
margins.py weigh it after.

This is the hot loop of the whole pipeline: states stay plain tuples and dicts, and the
look-ups are hoisted out of the loops.
"""

from __future__ import annotations

from .constants import FAVOURED_BONUS, HIDDEN_PRIOR, PLAIN_PRIOR, STATE_BEAM
from .language_model import CharLM
from .lattice import Lattice, LatticePath, ScoredPath
from .pairs import Candidate, Slot, dropped_pairs

# A Viterbi state: (score, path, its last two characters, its last candidate), keyed by
# its last character. Plain tuples: one is made for every candidate kept.
State = tuple[float, LatticePath, str, Candidate]


def _step(
    lm: CharLM, states: dict[str, State], slot: Slot, prior: float, pairing: bool, beam: int = STATE_BEAM
) -> dict[str, State]:
    """Advance the states through one slot. `pairing`: the slot follows a dropped pair,
    so each candidate must pair with the state's last candidate. The hot loop of the
    step: attribute look-ups are hoisted out of it."""
    out: dict[str, State] = {}
    # The model's memo is read here directly (a state's history is its last two
    # characters already, the key logp3 would build); a miss goes to lm.learn.
    learn, memo, cands, favoured = lm.learn, lm.memo, slot.cands, slot.favoured
    dropped = dropped_pairs()  # is_dropped_pair(first, second) is dropped[first << 8 | second]
    for score, path, history, prev_cand in states.values():
        base = score + prior
        prefix = history + "\x00"
        after_trail = prev_cand.trail << 8
        for cand in cands:
            if pairing and not dropped[after_trail | cand.lead]:
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


def _slot_key(slot: Slot) -> tuple:
    # Candidate tables come from caches (pairs.pair_slot, dropped.py, pruning.py), so the
    # same table is the same object; the prefix cache below keeps the slots alive, so an
    # id cannot be reused by another table while it is a key.
    return (id(slot.cands), slot.hidden, slot.worded, slot.middle, slot.favoured)


def viterbi(lm: CharLM, lattice: Lattice, prev: str, nxt: str, shared: dict | None = None) -> ScoredPath | None:
    """Best path through the lattice; prev is up to two characters of left context, nxt
    the character after the run.

    `shared`: states after each prefix of positions, kept across the ways one run may end
    (repair.py), which read the same bytes up to their last few positions: a prefix read
    before is not read again (the states depend on nothing else)."""
    positions = lattice.positions
    states: dict[str, State] = {prev: (0.0, (), prev[-2:], Candidate(prev, prev, 0, 0))}
    keys: list = []
    start = 0
    if shared is not None:
        prefix: tuple = (prev,)
        for position in positions:
            prefix = (prefix, tuple(tuple(_slot_key(slot) for slot in option.slots) for option in position.options))
            keys.append(prefix)
        for k in range(len(keys) - 1, -1, -1):
            if keys[k] in shared:
                states, start = shared[keys[k]][0], k + 1
                if not states:
                    return None
                break
    for k in range(start, len(positions)):
        options = positions[k].options
        merged: dict[str, State] = {}
        for option in options:
            slots = option.slots
            prior = PLAIN_PRIOR if len(slots) == 1 and len(options) > 1 else 0.0
            if len(slots) > 1:
                # A triple costs what a pair does: its middle character was chosen among
                # those whose trail byte opens a second drop, so that drop is no further
                # coincidence (公 = B9 AB in 003 "對公路": after AB the pair AB C2 is lost).
                prior = HIDDEN_PRIOR
            current = states
            for index, slot in enumerate(slots):
                # The first half of a dropped pair keeps more states when word pairs
                # joined its beam (see dropped.py, word pairs): such a candidate reads worse
                # alone and is the only one its partner can follow (000 "扑救井然有序" lost
                # 井 before 然 was read). Wider everywhere cost 10% of the step's speed.
                beam = 2 * STATE_BEAM if index == 0 and slot.worded else STATE_BEAM
                current = _step(lm, current, slot, prior if index == 0 else 0.0, index > 0, beam)
            for key, value in current.items():
                if key not in merged or value[0] > merged[key][0]:
                    merged[key] = value
        states = merged
        if shared is not None:
            shared[keys[k]] = (states, positions[k])
        if not states:
            return None
    best = max(states.values(), key=lambda v: v[0] + (lm.logp3(v[2], nxt) if nxt else 0.0))
    return ScoredPath(best[0] + (lm.logp3(best[2], nxt) if nxt else 0.0), best[1])
