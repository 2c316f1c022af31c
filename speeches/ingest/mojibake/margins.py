"""How far each character of a run read in step is ahead of what else its bytes allow.

reading.written writes a character whose bytes were partly lost only when it is clearly
ahead (CLEAR_LEAD); anything else becomes MARKER. `slot_margins` measures "ahead" by the
character model, each character's neighbours held fixed; the run's readings are weighed
on it (and a boundary character's lead again, with the words it makes, in
word_judge.py). The two halves of a dropped pair stand or fall together (003
"比重超過19%", held out: with 長 chosen, 區 was the only partner left and looked
certain, though 超過 was as likely): a pair is weighed whole in
`word_judge._weigh_pair`, and before a reading is written `second_opinions` weighs each
pair of neighbours around two dropped pairs in a row against the best pair differing
in both halves.

The second opinions only add markers; they never change which reading is chosen, so a
doubt can cost a right character its place but cannot make a reading wrong. (A second
doubt, a close runner-up making a much commoner dictionary word, went when the word
judge came:
the word judge weighs that itself, and the crude count ratio only marked right
characters, 001 "基層知道了" among them.)
"""

from __future__ import annotations

import math

from .language_model import CharLM
from .lattice import LatticePath
from .pairs import Candidate, Slot, is_dropped_pair


def slot_margins(lm: CharLM, path: LatticePath, prev: str, nxt: str) -> list[float]:
    """For each chosen character: its lead over the runner-up with its neighbours held
    fixed. A forced character (one candidate) gets infinity."""
    chars = tuple(cand for cand, _ in path)
    context = prev[-2:] + "".join(c.simple for c in chars) + nxt[:1]
    offset = len(prev[-2:])
    margins = []
    for index, (chosen, slot) in enumerate(path):
        if len(slot.cands) == 1:
            margins.append(math.inf)
            continue
        left, right = _around(context, offset + index)
        margins.append(_lead(_scores(lm, slot, left, right, chars, index), chosen.simple))
    return margins


def char_scores(lm: CharLM, path: LatticePath, index: int, prev: str, nxt: str) -> dict[str, float]:
    """The model's score of each candidate of one slot, its neighbours held fixed (the
    scores slot_margins compares)."""
    chars = tuple(cand for cand, _ in path)
    context = prev[-2:] + "".join(c.simple for c in chars) + nxt[:1]
    left, right = _around(context, len(prev[-2:]) + index)
    return _scores(lm, path[index][1], left, right, chars, index)


def second_opinions(lm: CharLM, path: LatticePath, prev: str, nxt: str, margins: list[float]) -> list[float]:
    """The margins again, lowered where a doubt of the module docstring holds. Only the
    chosen reading of a run is asked, so the cost is paid once a run."""
    chars = tuple(cand for cand, _ in path)
    context = prev[-2:] + "".join(c.simple for c in chars) + nxt[:1]
    offset = len(prev[-2:])
    out = list(margins)
    for index in range(len(path) - 2):
        if path[index + 1][1].middle:
            # Two dropped pairs in a row make three hidden slots (see dropped.hidden_triple),
            # the middle one marked: each pair of neighbours across a lost pair is doubted
            # like a dropped pair. (A single dropped pair is weighed whole by
            # word_judge._weigh_pair, words included.)
            for first in (index, index + 1):
                at = offset + first
                lead = _pair_margin(lm, path[first : first + 2], context[max(0, at - 2) : at], context[at + 2 : at + 4])
                out[first], out[first + 1] = min(out[first], lead), min(out[first + 1], lead)
    return out


def _around(context: str, at: int) -> tuple[str, str]:
    return context[max(0, at - 2) : at], context[at + 1 : at + 2]


def _scores(lm: CharLM, slot: Slot, left: str, right: str, path: tuple[Candidate, ...], index: int) -> dict[str, float]:
    scores: dict[str, float] = {}
    for cand in slot.cands:
        if slot.hidden and not _fits_hidden(cand, path, index):
            continue
        score = slot.bonus(cand) + run_on(lm, left, cand.simple, right)
        scores[cand.simple] = max(score, scores.get(cand.simple, -math.inf))
    return scores


def _lead(scores: dict[str, float], chosen: str) -> float:
    if len(scores) < 2:
        return math.inf
    chosen_score = scores.get(chosen, max(scores.values()))
    return chosen_score - max(s for k, s in scores.items() if k != chosen)


def _fits_hidden(cand: Candidate, path: tuple[Candidate, ...], index: int) -> bool:
    before = path[index - 1] if index else None
    after = path[index + 1] if index + 1 < len(path) else None
    if before is not None and is_dropped_pair(before.trail, cand.lead):
        return True
    return after is not None and is_dropped_pair(cand.trail, after.lead)


def _pair_margin(lm: CharLM, pair: LatticePath, left: str, right: str) -> float:
    """The chosen pair's lead over the best pair that differs from it in both halves
    (slot_margins already weighs each half with the other held fixed). Hidden slots come
    in twos along a path, one pair per dropped pair, or in threes for two in a row."""
    (first, first_slot), (second, second_slot) = pair
    chosen = -math.inf
    other = -math.inf
    for a in first_slot.cands:
        head = first_slot.bonus(a) + lm.logp3(left, a.simple)
        for b in second_slot.cands:
            if not is_dropped_pair(a.trail, b.lead):
                continue
            score = head + run_on(lm, left[-1:] + a.simple, b.simple, right)
            if a.simple == first.simple and b.simple == second.simple:
                chosen = max(chosen, score)
            elif a.simple != first.simple and b.simple != second.simple:
                other = max(other, score)
    return math.inf if other == -math.inf else chosen - other


def run_on(lm: CharLM, history: str, text: str, right: str) -> float:
    """Score of text after history, and of the (up to two) characters that follow it."""
    total = 0.0
    for ch in text + right:
        total += lm.logp3(history, ch)
        history = (history + ch)[-2:]
    return total
