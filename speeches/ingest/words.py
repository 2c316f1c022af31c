"""A second judge for a run's boundary characters: the words they make.

A boundary character lost one of its bytes, so it is one of the ~8 characters sharing
the other (see realign). The character model weighs them on the two characters either
side, and some choices it cannot make that way: 占学校总数 or 占学。总数, 分层培训 or
培育, 学校基本情况 or 学。基本. A reader settles them by the words: 学校 is a word, 学
alone before a full stop is not. So each candidate is also scored by the best
segmentation of a few characters around it into jieba's dictionary words (a unigram
word model, as jieba's own route search), and the two scores are added, the word score
at WORD_WEIGHT.

The word model is one-sided on purpose. It knows words, not where sentences end: every
punctuation mark costs it the same few nats, so wherever the true character makes no
dictionary word (“六保”, “一防三保”, a name) a full stop looks better to it than the
character. So it may speak for an ideograph against a sign, and choose among
ideographs, but never make a sign more certain than the character model alone made it.
"""

from __future__ import annotations

import math
from functools import lru_cache

import jieba

from .langmodel import CharLM
from .margins import char_scores
from .realign import Path

# Weight of the word score beside the character model's (natural-log units both). On
# the tuned golden cases 0.3 repaired four fewer runs than 0.6, and 1.0 no more.
WORD_WEIGHT = 0.6
# Characters around the candidate that the segmentation sees, each side.
WINDOW = 4
# jieba's words are rarely longer, and longer ones do not decide a boundary character.
MAX_WORD = 6
# What a sign costs as a "word" (log of its share of tokens in the People's Daily);
# any other non-ideograph costs OTHER_SIGN.
SIGN_COST = {"。": -3.4, ",": -2.7, "、": -3.9, "“": -4.9, "”": -4.9, ":": -5.0, ";": -6.0, "(": -5.5, ")": -5.5}
OTHER_SIGN = -5.0


def _is_ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict[str, int], float]:
    jieba.dt.check_initialized()
    return jieba.dt.FREQ, math.log(jieba.dt.total)


@lru_cache(maxsize=65536)
def text_logp(text: str) -> float:
    """Log-probability of the text's best segmentation into dictionary words (a
    character jieba does not know counts as a word seen once, as in jieba's route)."""
    freq, log_total = _dictionary()
    best = [0.0] * (len(text) + 1)
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if not _is_ideograph(ch):
            best[i] = SIGN_COST.get(ch, OTHER_SIGN) + best[i + 1]
            continue
        score = math.log(freq.get(ch) or 1) - log_total + best[i + 1]
        for j in range(i + 2, min(len(text), i + MAX_WORD) + 1):
            if not _is_ideograph(text[j - 1]):
                break
            count = freq.get(text[i:j])
            if count:
                score = max(score, math.log(count) - log_total + best[j])
        best[i] = score
    return best[0]


def rerank(char_scores: dict[str, float], before: str, after: str) -> tuple[str, float]:
    """The slot's character by both judges, and its lead over the runner-up.
    char_scores: the character model's score of each candidate (margins._scores);
    before/after: the text either side of the slot, as the model looks it up."""
    words = {ch: text_logp(before[-WINDOW:] + ch + after[:WINDOW]) for ch in char_scores}
    best_word = max((score for ch, score in words.items() if _is_ideograph(ch)), default=None)
    total = {}
    for ch, char_score in char_scores.items():
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
        lead = min(lead, char_scores[chosen] - max(s for ch, s in char_scores.items() if ch != chosen))
    return chosen, lead


def weigh_words(lm: CharLM, path: Path, margins: list[float], prev: str, after: str) -> tuple[Path, list[float]]:
    """The path and margins again, each boundary slot chosen and measured by both judges
    (slots with one candidate, and halves of a dropped pair, are left as they are: the
    pair's two halves are chosen together, see margins._pair_margin). `after` is the
    text after the run, as far as WINDOW."""
    path, margins = list(path), list(margins)
    for index, (_, slot) in enumerate(path):
        if len(slot.cands) == 1 or slot.hidden:
            continue
        chars = "".join(cand.simple for cand, _ in path)
        scores = char_scores(lm, tuple(path), index, prev, after[:1])
        chosen, margins[index] = rerank(scores, prev + chars[:index], chars[index + 1 :] + after)
        if chosen != path[index][0].simple:
            path[index] = (next(c for c in slot.cands if c.simple == chosen), slot)
    return tuple(path), margins
