"""Cut the ~190 candidates of each lost-byte slot down to the few that fit.

A slot whose lead or trail byte was lost could be any character of a GBK row or column;
before viterbi.py sees it, it keeps the BOUNDARY_BEAM candidates that read best beside
their neighbours: the character before and after the run, or a neighbouring slot's
candidates when it has NEAR_KNOWN or fewer.
"""

from __future__ import annotations

from dataclasses import replace

from .constants import BOUNDARY_BEAM, FREQUENCY_ORDER_LIMIT, NEAR_KNOWN, PRUNE_POOL, PRUNED_LIMIT, SENTENCE_PUNCTUATION
from .language_model import CharLM
from .lattice import Lattice, Option, Position
from .pairs import Candidate, Slot


class BoundaryPruner:
    """Prunes the lost-byte slots of a lattice by one character model, remembering its
    answers: the same slot between the same neighbours comes back for each way a run may
    end (runs.hypotheses) and for its second reading (repair.py).

    Both memories are keyed by the candidate table's id, with the table itself kept
    alongside and checked: a freed temporary table's id can be reused by another of the
    same length, which once handed a slot another slot's candidates and made results
    depend on the order runs were read in (003 "向導、")."""

    def __init__(self, lm: CharLM) -> None:
        self.lm = lm
        self._by_frequency: dict[int, tuple[tuple[Candidate, ...], tuple[Candidate, ...]]] = {}
        self._pruned: dict[tuple, tuple[tuple[Candidate, ...], Slot]] = {}

    def prune(self, lattice: Lattice, prev: str, nxt: str) -> Lattice:
        """Cut the ~190 candidates of each lost-byte slot down to the few that fit."""
        positions = lattice.positions
        out = []
        for k, position in enumerate(positions):
            pruned = []
            for option in position.options:
                slots = option.slots
                if len(slots) == 1 and len(slots[0].cands) > BOUNDARY_BEAM:
                    left = tuple(prev[-1:]) if k == 0 else _neighbours(positions[k - 1].options[0].slots[-1])
                    last = k + 1 == len(positions)
                    right = tuple(nxt[:1]) if last else _neighbours(positions[k + 1].options[0].slots[0])
                    option = Option((self._prune(slots[0], left, right),))
                pruned.append(option)
            out.append(Position(tuple(pruned)))
        return Lattice(tuple(out))

    def _prune(self, slot: Slot, left: tuple[str, ...], right: tuple[str, ...]) -> Slot:
        key = (id(slot.cands), slot.favoured, slot.hidden, slot.worded, slot.middle, left, right)
        entry = self._pruned.get(key)
        if entry is None or entry[0] is not slot.cands:
            if len(self._pruned) > PRUNED_LIMIT:
                self._pruned.clear()
            entry = self._pruned[key] = (slot.cands, self._prune_afresh(slot, left, right))
        return entry[1]

    def _commonest_first(self, cands: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
        entry = self._by_frequency.get(id(cands))
        if entry is None or entry[0] is not cands:
            if len(self._by_frequency) > FREQUENCY_ORDER_LIMIT:
                self._by_frequency.clear()
            unigrams = self.lm.unigrams
            ranked = tuple(sorted(cands, key=lambda c: unigrams.get(c.simple, 0), reverse=True))
            entry = self._by_frequency[id(cands)] = (cands, ranked)
        return entry[1]

    def _prune_afresh(self, slot: Slot, left: tuple[str, ...], right: tuple[str, ...]) -> Slot:
        """Keep the boundary candidates that fit their known neighbours best. Only the
        commonest PRUNE_POOL are scored: a lost byte hides a speech's character, and the
        rare half of a GBK row (Ⅷ, 鞣, 夂) never won on the golden cases."""
        pool = self._commonest_first(slot.cands)[:PRUNE_POOL]
        # Punctuation has no count in jieba's dictionary, so it is never among the
        # commonest; it is always scored (000 "防線長??h" is 長。縣 whether or not its
        # slot is favoured).
        favoured = [c for c in slot.cands if (c.ch in slot.favoured or c.ch in SENTENCE_PUNCTUATION) and c not in pool]

        # Scored for ~70 candidates a slot: the model is asked directly (lm.logp is logp3
        # with a one-character history), and the usual single neighbour without max().
        logp3 = self.lm.logp3

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
