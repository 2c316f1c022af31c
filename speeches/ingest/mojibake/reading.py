"""One way a run may end, read back in step and weighed by both judges.

read_in_step builds the run's lattice (lattice.py), fits it to what the text around the
run says, prunes its lost-byte slots (pruning.py) and finds its best path by the
character model (viterbi.py). What the text around says:

- a pinyin annotation after the closing `?` names the last character (_with_syllable);
- a run at the start of a line lost the ideographic-space indent (_at_line_start);
- a run that starts where a clause may end gives sentence punctuation in its first
  slot a head start (FAVOURED_BONUS), as the site pushed bytes in after sentences,
  but not inside a quotation, a list item or a word (_clause_may_end).

weigh_reading then measures each character's lead over its runner-up (margins.py) and
lets the word judge choose and measure the boundary characters and dropped pairs again
(word_judge.py); `written` writes a character only where it leads by CLEAR_LEAD and may
stand in a Chinese sentence, and MARKER elsewhere.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from ..annotations import readings
from .constants import (
    CLEAR_LEAD,
    COMMON_WORD,
    IDEOGRAPHIC_SPACE,
    JOINERS,
    MARKER,
    SENTENCE_PUNCTUATION,
    SEPARATORS,
    SHORT_ITEM,
    SHORT_QUOTE,
    WORD_SHARE,
)
from .dropped import DroppedPairs, consistent_pair
from .language_model import CharLM
from .lattice import Lattice, LatticePath, Option, Position, ScoredPath, build_lattice
from .margins import slot_margins
from .model import Model
from .pairs import Slot, chars_by_syllable
from .runs import Hypothesis
from .viterbi import viterbi
from .word_judge import weigh_words


@dataclass(frozen=True)
class RunReading:
    """One way a run may end, read in step and weighed by both judges. (Not
    types.Decoded, which is a page's bytes decoded.)"""

    restored: str  # the run's characters in step, a lost character not clearly ahead as MARKER
    path: LatticePath
    margins: list[float]
    score: float  # the model's log-probability of the path, priors included


def _with_syllable(dropped: DroppedPairs, lattice: Lattice, syllable: str) -> Lattice:
    """002 "┮?guī)劃": the surviving annotation says which character the lost byte finished.
    003 "韱l(fā)": it also holds when that character sits after a dropped pair, and 002
    "公共服?wù)" when the dropped pair took that character's lead byte."""
    if not syllable:
        return lattice
    options = []
    for option in lattice.positions[-1].options:
        slots = option.slots
        fitting = tuple(c for c in slots[-1].cands if syllable in readings(c.ch))
        if not fitting:
            # 002 "公共服?wù)": no character of 服's row reads wù; the annotated 務 came
            # after 服 with its lead byte in a dropped pair. The annotation rules out the
            # plain reading, so the pair replaces it.
            leads = {c.lead for c in slots[-1].cands}
            pair = None
            if len(slots) == 1 and len(leads) == 1:
                pair = dropped.pair_before_syllable(leads.pop(), chars_by_syllable().get(syllable, ()))
            options.append(Option(pair) if pair else option)
        elif len(slots) == 1:
            options.append(Option((Slot(fitting),)))
        else:
            pair = consistent_pair(slots[-2], Slot(fitting, True))
            options.append(Option(slots[:-2] + pair) if pair else option)
    return lattice.with_last(Position(tuple(options)))


def _at_line_start(lattice: Lattice) -> Lattice:
    """002 "?。ㄒ唬┮": runs that open a line lost the ideographic-space indent (A1 A1)."""
    slot = lattice.positions[0].options[0].slots[0]
    space = tuple(c for c in slot.cands if c.ch == IDEOGRAPHIC_SPACE)
    return lattice.with_first(Position((Option((Slot(space),)),))) if space else lattice


def _favour_punctuation(lattice: Lattice) -> Lattice:
    options = tuple(
        Option((replace(option.slots[0], favoured=SENTENCE_PUNCTUATION), *option.slots[1:]))
        if option.slots[0].cands
        else option
        for option in lattice.positions[0].options
    )
    return lattice.with_first(Position(options))


def _in_short_segment(prev: str) -> bool:
    """Has a separator just opened what the run continues? A quotation opened a few
    characters ago names a term (001 "以“一防三?!钡" is “一防三保”, 000 “六保”, “常”“長”),
    and a list item or clause one character old is still a word (003 "備課、家?;印" is
    家校互動, 001 ",確??荚" is 確保): a sentence does not end there."""
    cut = max(prev.rfind(sign) for sign in SEPARATORS)
    if cut < 0:
        return False
    return len(prev) - cut - 1 < (SHORT_QUOTE if prev[cut] == "“" else SHORT_ITEM)


def _ends_word(lm: CharLM, prev: str) -> bool:
    """Does the text before the run end with a dictionary word of two to four characters?"""
    return any(lm.lexicon.get(prev[-n:], 0) >= COMMON_WORD for n in (2, 3, 4) if len(prev) >= n)


def _clause_may_end(lm: CharLM, prev: str, first: Position) -> bool:
    """Should the run's first slot favour sentence punctuation (see FAVOURED_BONUS)? Yes
    after a dictionary word or a sign; not just after a separator (_in_short_segment); and
    not where the character before commonly starts a word with one of the slot's
    candidates (WORD_SHARE): 001 "確??荚嚢踩?" is 確保, not 確。, and 001 "學?;厩闆r" is
    學校. The bonus is for runs that start after a finished clause ("十堰之前。可以說"),
    not in the middle of a word."""
    if _in_short_segment(prev) or prev[-1:] in JOINERS:
        return False
    if _ends_word(lm, prev) or not "\u4e00" <= prev[-1:] <= "\u9fff":
        return True
    last = prev[-1:]
    enough = WORD_SHARE * lm.unigrams.get(last, 0)
    words = lm.lexicon
    return not any(
        words.get(last + cand.simple, 0) >= enough for option in first.options for cand in option.slots[0].cands
    )


def read_in_step(
    model: Model, hyp: Hypothesis, prev: str, nxt: str, triples: bool = False, shared: dict | None = None
) -> ScoredPath | None:
    """The run's best reading in step by the character model alone. `prev`: the text
    before the run (two characters are read); `nxt`: the character after it; `triples`:
    offer two dropped pairs in a row (a second reading, see repair.py); `shared`: the
    Viterbi states of the other ways the same run may end (see viterbi.viterbi)."""
    lm = model.lm
    lattice = build_lattice(lm, model.dropped, hyp.data, hyp.first_leads, nxt, triples)
    if lattice is None or (triples and not lattice.has_triples()):
        return None  # (with `triples`, nothing new to read)
    lattice = _with_syllable(model.dropped, lattice, hyp.syllable)
    if not prev:
        lattice = _at_line_start(lattice)
    elif _clause_may_end(lm, prev, lattice.positions[0]):
        lattice = _favour_punctuation(lattice)
    lattice = model.pruner.prune(lattice, prev, nxt)
    return viterbi(lm, lattice, prev, nxt, shared)


def weigh_reading(lm: CharLM, found: ScoredPath, hyp: Hypothesis, prev: str, after: str) -> RunReading:
    """The reading with its margins, weighed by the word judge, and as it would be
    written (`after`: the text after the run, as far as WORD_WINDOW)."""
    score, path = found
    path, margins = weigh_words(lm, path, slot_margins(lm, path, prev, after[:1]), prev, after)
    return RunReading(written(path, margins, hyp.suffix), path, margins, score)


def read_and_weigh(model: Model, hyp: Hypothesis, prev: str, after: str, triples: bool = False) -> RunReading | None:
    """read_in_step, then weigh_reading."""
    found = read_in_step(model, hyp, prev, after[:1], triples)
    return None if found is None else weigh_reading(model.lm, found, hyp, prev, after)


def may_be_written(ch: str) -> bool:
    """A repair writes Han characters, punctuation and digits only: a Latin letter or a
    symbol that a GBK pair happens to spell (003's 勇擔重任 came out 勇彻任ｖ到…) is never
    in a Chinese sentence, so it is marked instead of invented."""
    return "\u3400" <= ch <= "\u9fff" or unicodedata.category(ch)[0] in "PN" or ch == IDEOGRAPHIC_SPACE


def written(path: LatticePath, margins: list[float], suffix: str) -> str:
    """The run as written: each character clearly ahead (CLEAR_LEAD) and fit for a
    sentence, MARKER for any other; then the suffix (runs.Hypothesis)."""
    chars = (
        cand.ch if lead >= CLEAR_LEAD and may_be_written(cand.ch) else MARKER
        for (cand, _), lead in zip(path, margins, strict=True)
    )
    return "".join(chars) + suffix
