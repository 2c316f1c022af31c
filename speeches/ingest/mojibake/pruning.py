"""Cut the ~190 candidates of each lost-byte slot down to the few that fit.

A slot whose lead or trail byte was lost could be any character of a GBK row or column;
before Viterbi sees it, it keeps the BOUNDARY_BEAM candidates that read best beside
their known neighbours. (Split out of `realign`, which builds the lattice.)
"""

from __future__ import annotations

from dataclasses import replace

from .constants import BOUNDARY_BEAM, FREQUENCY_ORDER_LIMIT, NEAR_KNOWN, PRUNE_POOL, PRUNED_LIMIT, SENTENCE_PUNCTUATION
from .language_model import CharLM
from .lattice import Lattice, Option, Position
from .pairs import Candidate, Slot

# Keyed by the table's id, with the table itself kept alongside: a freed temporary table's
# id can be reused by another of the same length, which once handed a slot another slot's
# candidates and made results depend on the order runs were read in (003 "向導、").
_BY_FREQUENCY: dict[int, tuple[tuple[Candidate, ...], tuple[Candidate, ...]]] = {}


def _by_frequency(lm: CharLM, cands: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
    """The candidates, commonest first (cached per candidate table)."""
    entry = _BY_FREQUENCY.get(id(cands))
    if entry is None or entry[0] is not cands:
        if len(_BY_FREQUENCY) > FREQUENCY_ORDER_LIMIT:
            _BY_FREQUENCY.clear()
        ranked = tuple(sorted(cands, key=lambda c: lm.unigrams.get(c.simple, 0), reverse=True))
        entry = _BY_FREQUENCY[id(cands)] = (cands, ranked)
    return entry[1]


# The same slot between the same neighbours is pruned again for each way a run may end
# (runs.hypotheses) and for its second reading (mojibake._best_repair): answers are kept,
# keyed like _BY_FREQUENCY and checked the same way.
_PRUNED: dict[tuple, tuple[tuple[Candidate, ...], Slot]] = {}


def _prune(lm: CharLM, slot: Slot, left: tuple[str, ...], right: tuple[str, ...]) -> Slot:
    key = (id(lm), id(slot.cands), slot.favoured, slot.hidden, slot.worded, slot.middle, left, right)
    entry = _PRUNED.get(key)
    if entry is None or entry[0] is not slot.cands:
        if len(_PRUNED) > PRUNED_LIMIT:
            _PRUNED.clear()
        entry = _PRUNED[key] = (slot.cands, _prune_afresh(lm, slot, left, right))
    return entry[1]


def _prune_afresh(lm: CharLM, slot: Slot, left: tuple[str, ...], right: tuple[str, ...]) -> Slot:
    """Keep the boundary candidates that fit their known neighbours best. Only the
    commonest PRUNE_POOL are scored: a lost byte hides a speech's character, and the
    rare half of a GBK row (Ⅷ, 鞣, 夂) never won on the golden cases."""
    pool = _by_frequency(lm, slot.cands)[:PRUNE_POOL]
    # Punctuation has no count in jieba's dictionary, so it is never among the commonest;
    # it is always scored (000 "防線長??h" is 長。縣 whether or not its slot is favoured).
    favoured = [c for c in slot.cands if (c.ch in slot.favoured or c.ch in SENTENCE_PUNCTUATION) and c not in pool]

    # Scored for ~70 candidates a slot: the model is asked directly (lm.logp is logp3
    # with a one-character history), and the usual single neighbour without max().
    logp3 = lm.logp3

    def fit(c: Candidate) -> float:
        simple = c.simple
        last = simple[-1:]
        if len(left) == 1:
            before = logp3(left[0][-1:], simple)
        else:
            before = max((logp3(ch[-1:], simple) for ch in left), default=0.0)
        if len(right) == 1:
            after = logp3(last, right[0])
        else:
            after = max((logp3(last, ch) for ch in right), default=0.0)
        return slot.bonus(c) + before + after

    return replace(slot, cands=tuple(sorted((*pool, *favoured), key=fit, reverse=True)[:BOUNDARY_BEAM]))


def _neighbours(slot: Slot) -> tuple[str, ...]:
    """The characters a neighbouring slot may hold, when it has few (002 "程序?qū)徟?BR>":
    the annotation leaves 審 or 袕 before the last slot; judged with neither, 批 was pruned
    and 审欧 read, judged beside 審 it is the obvious 审批)."""
    if len(slot.cands) > NEAR_KNOWN:
        return ()
    return tuple(dict.fromkeys(c.simple for c in slot.cands))


def prune_boundaries(lm: CharLM, lattice: Lattice, prev: str, nxt: str) -> Lattice:
    """Cut the ~190 candidates of each lost-byte slot down to the few that fit."""
    positions = lattice.positions
    out = []
    for k, position in enumerate(positions):
        pruned = []
        for option in position.options:
            slots = option.slots
            if len(slots) == 1 and len(slots[0].cands) > BOUNDARY_BEAM:
                left = tuple(prev[-1:]) if k == 0 else _neighbours(positions[k - 1].options[0].slots[-1])
                right = tuple(nxt[:1]) if k + 1 == len(positions) else _neighbours(positions[k + 1].options[0].slots[0])
                option = Option((_prune(lm, slots[0], left, right),))
            pruned.append(option)
        out.append(Position(tuple(pruned)))
    return Lattice(tuple(out))
