"""A second judge for a run's boundary characters and dropped pairs: the words they make.

A boundary character lost one of its bytes, so it is one of the ~8 characters sharing
the other (see lattice.py). The character model weighs them on the two characters either
side, and some choices it cannot make that way: 占学校总数 or 占学。总数, 分层培训 or
培育, 学校基本情况 or 学。基本. A reader settles them by the words: 学校 is a word, 学
alone before a full stop is not. So each candidate is also scored by the best
segmentation of a few characters around it into jieba's dictionary words (a unigram
word model, as jieba's own route search), and the two scores are added, the word score
at WORD_WEIGHT. The two characters around a dropped pair are weighed the same way, as
pairs (000 "扑救井然有序": 井 reads badly after 救, 井然有序 is a word).

The word model is one-sided on purpose. It knows words, not where sentences end: every
punctuation mark costs it the same few nats, so wherever the true character makes no
dictionary word (“六保”, “一防三保”, a name) a full stop looks better to it than the
character. So it may speak for an ideograph against a sign, and choose among
ideographs, but never make a sign more certain than the character model alone made it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from ..segmenter import default_segmenter
from .constants import (
    CHOICE_MEMORY,
    DOUBTERS_CACHE,
    DOUBTING_SIGNS,
    MAX_WORD,
    OTHER_SIGN,
    PAIR_REACH,
    SIGN_COST,
    WORD_SCORE_CACHE,
    WORD_WEIGHT,
    WORD_WINDOW,
)
from .language_model import CharLM
from .lattice import LatticePath
from .margins import char_scores, run_on
from .pairs import Candidate, Slot, closes_drop, indexes, is_dropped_pair, opens_drop

Answer = TypeVar("Answer")
# The chosen pair and each half's lead.
PairChoice = tuple[Candidate, Candidate, list[float]]


def _is_ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


_MISSING = object()


@lru_cache(maxsize=WORD_SCORE_CACHE)
def text_logp(text: str) -> float:
    """Log-probability of the text's best segmentation into dictionary words (a
    character jieba does not know counts as a word seen once, as in jieba's route).
    The words' log-probabilities are the segmenter's, computed once per process."""
    segmenter = default_segmenter()
    logp, unknown = segmenter.logp, segmenter.unknown
    best = [0.0] * (len(text) + 1)
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if not _is_ideograph(ch):
            best[i] = SIGN_COST.get(ch, OTHER_SIGN) + best[i + 1]
            continue
        alone = logp.get(ch)  # None: not a word (absent, or only the start of words)
        score = (unknown if alone is None else alone) + best[i + 1]
        for j in range(i + 2, min(len(text), i + MAX_WORD) + 1):
            if not _is_ideograph(text[j - 1]):
                break
            found = logp.get(text[i:j], _MISSING)
            if found is _MISSING:
                break  # jieba keeps every prefix of a word: no longer word starts here
            if found is not None:
                score = max(score, found + best[j])
        best[i] = score
    return best[0]


def rerank(scores: dict[str, float], before: str, after: str) -> tuple[str, float]:
    """The slot's character by both judges, and its lead over the runner-up.
    scores: the character model's score of each candidate (margins.char_scores);
    before/after: the text either side of the slot, as the model looks it up."""
    words = {ch: text_logp(before[-WORD_WINDOW:] + ch + after[:WORD_WINDOW]) for ch in scores}
    best_word = max((score for ch, score in words.items() if _is_ideograph(ch)), default=None)
    total = {}
    for ch, char_score in scores.items():
        word = words[ch]
        if best_word is not None and not _is_ideograph(ch):
            word = min(word, best_word)  # a sign gains nothing from the word model
        total[ch] = char_score + WORD_WEIGHT * word
    ranked = sorted(total, key=total.__getitem__, reverse=True)
    chosen = ranked[0]
    if len(ranked) == 1:
        return chosen, math.inf
    lead = total[chosen] - total[ranked[1]]
    if not _is_ideograph(chosen):
        # ... nor any certainty: its lead is at most the character model's.
        lead = min(lead, scores[chosen] - max(s for ch, s in scores.items() if ch != chosen))
    return chosen, lead


def weigh_words(
    lm: CharLM, path: LatticePath, margins: list[float], prev: str, after: str
) -> tuple[LatticePath, list[float]]:
    """The path and margins again, each boundary slot and each dropped pair chosen and
    measured by both judges (slots with one candidate, and the three slots around two
    dropped pairs in a row, are left as they are). `after` is the text after the run,
    as far as WORD_WINDOW."""
    path, margins = list(path), list(margins)
    index = 0
    while index < len(path):
        slot = path[index][1]
        if slot.hidden:
            size = 3 if index + 1 < len(path) and path[index + 1][1].middle else 2
            if size == 2 and index + 1 < len(path):
                _weigh_pair(lm, path, margins, index, prev, after)
            index += size
            continue
        if len(slot.cands) > 1:
            chars = "".join(cand.simple for cand, _ in path)
            before, rest = (prev + chars[:index])[-WORD_WINDOW:], (chars[index + 1 :] + after)[:WORD_WINDOW]
            cand, margins[index] = _remembered(
                lm, (before, rest, slot), _choose_boundary, lm, tuple(path), index, prev, after[:1], before, rest
            )
            path[index] = (cand, slot)
        index += 1
    return tuple(path), margins


def _choose_boundary(
    lm: CharLM, path: LatticePath, index: int, prev: str, nxt: str, before: str, rest: str
) -> tuple[Candidate, float]:
    """(character, lead) of one boundary slot by both judges; before and rest are the
    text either side of it, as far as WORD_WINDOW."""
    chosen, lead = rerank(char_scores(lm, path, index, prev, nxt), before, rest)
    return next(c for c in path[index][1].cands if c.simple == chosen), lead


# Runs repeat (范文 pages print speeches twice, and the same phrases recur), and so do
# the questions asked here: answers are kept with the model (CharLM.word_choices), up to
# CHOICE_MEMORY, keyed by the slot and the text around it (all an answer depends on).


def _remembered(lm: CharLM, key: tuple, function: Callable[..., Answer], *args: object) -> Answer:
    """function(*args), or what it answered before for this key with this model."""
    memory = getattr(lm, "word_choices", None)
    if memory is None:  # a stand-in model (tests) remembers nothing
        return function(*args)
    found = memory.get(key, memory)
    if found is memory:
        if len(memory) > CHOICE_MEMORY:
            memory.clear()
        found = memory[key] = function(*args)
    return found


@lru_cache(maxsize=DOUBTERS_CACHE)
def _doubters(byte: int, half: int) -> tuple[Candidate, ...]:
    """Full-width signs that could be this half of a dropped pair: the half's known byte
    (lead of a first half, trail of a second) is theirs too."""
    by_lead, by_trail = indexes()
    cands = by_lead.get(byte, ()) if half == 0 else by_trail.get(byte, ())
    return tuple(
        c for c in cands if c.ch in DOUBTING_SIGNS and (opens_drop(c.trail) if half == 0 else closes_drop(c.lead))
    )


def _doubters_of(cands: tuple[Candidate, ...], half: int) -> tuple[Candidate, ...]:
    """Only where the half's byte is known: a half chosen by an annotation's reading
    (002 "?wù)", reading._with_syllable) has no one byte a sign could share."""
    known = {c.lead if half == 0 else c.trail for c in cands}
    if len(known) != 1:
        return ()
    return tuple(c for c in _doubters(known.pop(), half) if c.ch not in {cand.ch for cand in cands})


def _weigh_pair(
    lm: CharLM, path: list[tuple[Candidate, Slot]], margins: list[float], index: int, prev: str, after: str
) -> None:
    """Both halves of a dropped pair at once (000 "撲救井然有序": 井 is rare and reads
    badly after 救, but 井然有序 is a word). Each half's margin is its lead over the best
    pair with another character in that half, and at most the pair's lead over the best
    pair differing in both (margins._pair_margin: the halves stand or fall together).

    The full-width signs (，：；！？) are weighed too but never written (DOUBTING_SIGNS):
    a pair they would win is marked. 003 "總之，廣大" lost its comma's lead byte this way,
    and with 同 the only ideograph to make words there, 总之同广大 read confidently."""
    first_slot, second_slot = path[index][1], path[index + 1][1]
    chars = "".join(cand.simple for cand, _ in path)
    before = (prev + chars[:index])[-WORD_WINDOW:]
    rest = (chars[index + 2 :] + after)[:WORD_WINDOW]
    choice = _remembered(
        lm, (before, rest, first_slot, second_slot), _choose_pair, lm, before, rest, first_slot, second_slot
    )
    if choice is None:
        return
    a, b, leads = choice
    leads = [
        # ... nor any certainty: a sign's lead is at most the character model's.
        lead if _is_ideograph(cand.simple) else min(lead, margins[index + half])
        for half, (cand, lead) in enumerate(zip((a, b), leads, strict=True))
    ]
    path[index], path[index + 1] = (a, first_slot), (b, second_slot)
    margins[index], margins[index + 1] = leads


def _choose_pair(lm: CharLM, before: str, rest: str, first_slot: Slot, second_slot: Slot) -> PairChoice | None:
    """(first, second, [lead of each half]) of the best offered pair, or None."""
    left, right = before[-2:], rest[:2]
    pairs: dict[tuple[str, str], tuple[float, Candidate, Candidate, bool]] = {}
    firsts = [(a, True) for a in first_slot.cands] + [(a, False) for a in _doubters_of(first_slot.cands, 0)]
    seconds = [(b, True) for b in second_slot.cands] + [(b, False) for b in _doubters_of(second_slot.cands, 1)]
    logp3 = lm.logp3
    for a, a_offered in firsts:
        history = left[-1:] + a.simple
        head = first_slot.bonus(a) + logp3(left, a.simple)
        for b, b_offered in seconds:
            if is_dropped_pair(a.trail, b.lead):
                score = head + run_on(lm, history, b.simple, right)
                key = (a.simple, b.simple)
                if key not in pairs or score > pairs[key][0]:
                    pairs[key] = (score, a, b, a_offered and b_offered)
    offered = [key for key, value in pairs.items() if value[3]]
    if len(pairs) < 2 or not offered:
        return None
    # The word score is wanted only where it can change the outcome.
    best_char = max(value[0] for value in pairs.values())
    words = {
        key: text_logp(before + key[0] + key[1] + rest)
        for key, value in pairs.items()
        if value[0] >= best_char - PAIR_REACH
    }
    floor = min(words.values())
    best_plain = max(
        (word for key, word in words.items() if _is_ideograph(key[0]) and _is_ideograph(key[1])), default=None
    )
    total = {}
    for key, value in pairs.items():
        word = words.get(key, floor)
        if best_plain is not None and not (_is_ideograph(key[0]) and _is_ideograph(key[1])):
            word = min(word, best_plain)  # a sign gains nothing from the word model
        total[key] = value[0] + WORD_WEIGHT * word
    chosen = max(offered, key=total.__getitem__)
    best = total[chosen]
    first_other = second_other = both_other = -math.inf
    for key, score in total.items():
        if key[0] != chosen[0]:
            first_other = max(first_other, score)
            if key[1] != chosen[1]:
                both_other = max(both_other, score)
        if key[1] != chosen[1]:
            second_other = max(second_other, score)
    both = best - both_other
    leads = [min(best - first_other, both), min(best - second_other, both)]
    _, a, b, _ = pairs[chosen]
    return a, b, leads
