"""GBK one-byte-off mojibake: `確??荚嚢踩?` is 確保考試安全.

How the seeds got this way (worked out by GBK-encoding the right text and decoding it
shifted): the pages were GBK; somewhere a byte sequence was pushed into the middle of a
character (often a pinyin annotation such as "(nèi)"), and the decoder, meeting a lead
byte followed by an ASCII byte, wrote one `?` and swallowed both. From there every
character was read one byte late: its trail byte paired with the next lead byte, giving
plausible-looking but wrong characters (保考試安 → 荚嚢踩), until an ASCII byte or
another bad pair put it back in step. Pairs the decoder could not map were dropped
without a trace, and full-width punctuation was later turned into ASCII. So a run is

    ?  [pinyin)]  garbled double-byte chars and ASCII punctuation  (? | ASCII trail byte)

The opening `?` hides the run's first lead byte, the closing `?` its last trail byte;
everything in between is known, give or take a dropped pair. `runs` reads the text after
a `?` as such runs (re-encoding the garbled characters, one unknown byte on each side),
`realign` decodes each in step with the character model choosing the lost bytes, and
this module weighs the readings against the text as found. A character whose choice is not
clearly ahead becomes MARKER (〓) rather than invented text; the step's report counts
runs found, repaired and left marked.

Cost: a line without `?` or U+FFFD is returned after one `in` test, and a `?` followed
by text that reads naturally ("怎么做?我认为") is kept without a search.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from ..annotations import readings
from ..script import simplify_chars
from .constants import (
    ACCEPT_GAIN,
    CLEAR_LEAD,
    COMMON_CHAR,
    COMMON_WORD,
    HOPELESS,
    IDEOGRAPHIC_SPACE,
    JOINERS,
    LINE_CACHE,
    LOOK_AHEAD,
    MARKER,
    MARKER_COST,
    NATURAL_TEXT,
    PREV_WIDTH,
    SENTENCE_PUNCTUATION,
    SEPARATORS,
    SHORT_ITEM,
    SHORT_QUOTE,
    SUSPECTS,
    WORD_SHARE,
    WORD_WINDOW,
)
from .dropped import consistent_pair, middle_word_index, pair_before_syllable, word_pair_index
from .language_model import CharLM, char_lm
from .lattice import Lattice, LatticePath, Option, Position, ScoredPath, build_lattice
from .margins import second_opinions, slot_margins
from .pairs import Slot, gbk_characters
from .pruning import prune_boundaries
from .runs import PINYIN_TAIL, Hypothesis, hypotheses
from .viterbi import viterbi
from .word_judge import weigh_words

# Such remnants anywhere in a span, for scoring the span as found (see _gain).
_REMNANT = re.compile(r"\?[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7}\)")
# 004 "《人民日报?华东版》": a middle dot the site could not encode in GBK.
_TITLE_DOT = re.compile(r"(《[^《》?\n]{0,30}[\u4e00-\u9fff])\?([\u4e00-\u9fff][^《》?\n]{0,30}》)")


@dataclass(frozen=True)
class MojibakeStats:
    found: int = 0
    repaired: int = 0
    marked: int = 0
    question_marks_kept: int = 0
    title_dots: int = 0
    undecodable_marked: int = 0


def _with_syllable(lattice: Lattice, syllable: str) -> Lattice:
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
                pair = pair_before_syllable(leads.pop(), chars_by_syllable().get(syllable, ()))
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


@dataclass(frozen=True)
class RunReading:
    """One way a run may end, read in step and weighed by both judges. (Not
    types.Decoded, which is a page's bytes decoded.)"""

    restored: str  # the run's characters in step, a lost character not clearly ahead as MARKER
    path: LatticePath
    margins: list[float]
    score: float  # the model's log-probability of the path, priors included


def _read(
    lm: CharLM, hyp: Hypothesis, prev: str, nxt: str, triples: bool = False, shared: dict | None = None
) -> ScoredPath | None:
    """The run's best reading in step by the character model alone.
    `shared`: the Viterbi states of readings of the same run, see viterbi.viterbi."""
    lattice = build_lattice(lm, hyp.data, hyp.first_leads, nxt, triples)
    if lattice is None or (triples and not lattice.has_triples()):
        return None  # (with `triples`, nothing new to read)
    lattice = _with_syllable(lattice, hyp.syllable)
    if not prev:
        lattice = _at_line_start(lattice)
    elif _clause_may_end(lm, prev, lattice.positions[0]):
        lattice = _favour_punctuation(lattice)
    lattice = prune_boundaries(lm, lattice, prev, nxt)
    return viterbi(lm, lattice, prev, nxt, shared)


def _finish(lm: CharLM, found: ScoredPath, hyp: Hypothesis, prev: str, after: str) -> RunReading:
    """The reading with its margins, weighed by the word judge, and as it would be written."""
    score, path = found
    path, margins = weigh_words(lm, path, slot_margins(lm, path, prev, after[:1]), prev, after)
    return RunReading(_written(path, margins, hyp.suffix), path, margins, score)


def _decode(lm: CharLM, hyp: Hypothesis, prev: str, after: str, triples: bool = False) -> RunReading | None:
    """The run read in step, with the path and margins it was written from (`after`: the
    text after the run, a few characters; `triples`: see _best_repair)."""
    found = _read(lm, hyp, prev, after[:1], triples)
    return None if found is None else _finish(lm, found, hyp, prev, after)


def may_be_written(ch: str) -> bool:
    """A repair writes Han characters, punctuation and digits only: a Latin letter or a
    symbol that a GBK pair happens to spell (003's 勇擔重任 came out 勇彻任ｖ到…) is never
    in a Chinese sentence, so it is marked instead of invented."""
    return "\u3400" <= ch <= "\u9fff" or unicodedata.category(ch)[0] in "PN" or ch == IDEOGRAPHIC_SPACE


def _written(path: LatticePath, margins: list[float], suffix: str) -> str:
    chars = (
        cand.ch if lead >= CLEAR_LEAD and may_be_written(cand.ch) else MARKER
        for (cand, _), lead in zip(path, margins, strict=True)
    )
    return "".join(chars) + suffix


def _as_found(lm: CharLM, line: str, hyp: Hypothesis, prev: str, nxt: str) -> float:
    """The model's score of the run as found, each `?` read as a full stop.

    An inserted annotation is left out: its letters would make any repair look good (002
    "域?qū)m?xiàng)行動" must not turn the clean 行動 into a run)."""
    garbled = _REMNANT.sub("?", "?" + line[hyp.start : hyp.end])
    return lm.score(simplify_chars(garbled.replace("?", "。")) + nxt, prev)


def _gains(lm: CharLM, found: float, restored: str, prev: str, nxt: str) -> tuple[float, float]:
    """How much better the repair reads than the text as found (`found`: _as_found), twice:
    with a marked character scored as an ordinary one (is this a run at all?) and as a
    rare one (which reading of the run?). Without the second, a run stretched over clean
    text and marked all along looks like a gain (002 "特征的經歷" read as "特征的剑浚戗〓〓")."""
    lenient = lm.score(simplify_chars(restored.replace(MARKER, "的")) + nxt, prev) - found
    strict = lm.score(simplify_chars(restored.replace(MARKER, "")) + nxt, prev) - found
    return lenient, strict - MARKER_COST * restored.count(MARKER)


def reads_naturally(lm: CharLM, line: str, i: int, prev: str) -> bool:
    """Does the text after this `?` read as ordinary Chinese? Then it is a question mark
    and the costly search is skipped: "怎么做?我认为" scores about -4.7 a character, the
    seeds' garbled runs -6.3 or worse ("建設?;A設施" is the mildest, its first letter
    being a trail byte)."""
    ahead = simplify_chars(line[i + 1 : i + 1 + LOOK_AHEAD])
    if len(ahead) < LOOK_AHEAD or not all("\u4e00" <= ch <= "\u9fff" for ch in ahead):
        return False
    return lm.score(ahead, prev) / len(ahead) > NATURAL_TEXT


def _inside_latin_word(line: str, i: int) -> bool:
    """ "(qi?ng)": a letter a legacy save could not encode, not the start of a run."""
    return (
        0 < i < len(line) - 1
        and line[i - 1].isascii()
        and line[i - 1].isalpha()
        and line[i + 1].isascii()
        and line[i + 1].isalpha()
    )


def _only_question_marks(line: str, i: int, hyp: Hypothesis) -> bool:
    """ "什么???", "????": question marks and nothing else. Read as shifted bytes they
    give any characters one likes (`?` stands for the full-width ？, A3 BF), so such a run
    is never repaired: what the site wrote there is not known, and `?` says so."""
    return not hyp.syllable and not hyp.first_leads and set(line[i : hyp.end]) <= {"?"}


def _mostly_marked(restored: str, hyp: Hypothesis) -> bool:
    """A repair that is mostly markers restores nothing; the `?` is left as found. Unless
    an inserted annotation shows that a character was lost there (003 "向?qū)?、": 導
    lost its trail byte): then the marker says so, where the `?` would say nothing."""
    return 2 * restored.count(MARKER) > len(restored) and not hyp.first_leads


def _best_repair(lm: CharLM, line: str, i: int, prev: str) -> tuple[int, str] | None:
    if reads_naturally(lm, line, i, prev):
        return None
    readings = []
    shared: dict = {}
    for hyp in hypotheses(line, i):
        if _only_question_marks(line, i, hyp):
            continue
        # The text after the run starts with its suffix, when that is text (a swallowed
        # year digit, 000 "的?022年"), not a marker.
        after = simplify_chars((hyp.suffix.replace(MARKER, "") + line[hyp.end : hyp.end + WORD_WINDOW])[:WORD_WINDOW])
        found = _read(lm, hyp, prev, after[:1], shared=shared)
        if found is not None:
            as_found = _as_found(lm, line, hyp, prev, after[:1])
            estimate = lm.score("".join(cand.simple for cand, _ in found[1]) + after[:1], prev) - as_found
            readings.append((estimate, hyp, after, found, as_found))
    # Most ways a run may end read far worse than the best one, and weighing a reading by
    # words and margins is half its cost: readings are weighed best first, and once one is
    # accepted, those HOPELESS behind it are not weighed at all. Among the accepted, the
    # best strict gain wins, ties going to the way found first (as when all were weighed).
    best = None
    anchor = None
    for index, (estimate, hyp, after, found, as_found) in sorted(enumerate(readings), key=lambda item: -item[1][0]):
        if anchor is not None and estimate < anchor - HOPELESS:
            break
        decoded = _finish(lm, found, hyp, prev, after)
        lenient, strict = _gains(lm, as_found, decoded.restored, prev, after[:1])
        if lenient < ACCEPT_GAIN or _mostly_marked(decoded.restored, hyp):
            continue
        anchor = estimate if anchor is None else anchor
        if best is None or (strict, -index) > (best[0], -best[1]):
            best = (strict, index, hyp, decoded, after)
    if best is None:
        return None
    _, _, hyp, decoded, after = best
    nxt = after[:1]
    if min(decoded.margins, default=math.inf) < CLEAR_LEAD:
        # Two dropped pairs in a row (dropped.hidden_triple) are rare (003 "對公路") and
        # costly to offer: offered everywhere they doubled the step's cost. So they are
        # looked for only in the chosen run, and only where it leaves a character in
        # doubt. Like a character, the longer reading must be clearly ahead: 000 "“十五”"
        # is 十五 or 十三五 as far as the bytes go (AE C8 and FD CE both unmapped).
        again = _decode(lm, hyp, prev, after, triples=True)
        if again is not None and again.score >= decoded.score + CLEAR_LEAD and not _mostly_marked(again.restored, hyp):
            decoded = again
    # The reading is chosen; before it is written, the second opinions may mark more.
    margins = second_opinions(lm, decoded.path, prev, nxt, decoded.margins)
    return hyp.end, _written(decoded.path, margins, hyp.suffix)


@lru_cache(maxsize=1)
def chars_by_syllable() -> dict[str, tuple[str, ...]]:
    """Every GBK character under each of its readings (built once, about a second)."""
    table: dict[str, list[str]] = {}
    for ch in gbk_characters():
        if "\u4e00" <= ch <= "\u9fff":
            for reading in readings(ch):
                table.setdefault(reading, []).append(ch)
    return {reading: tuple(chars) for reading, chars in table.items()}


def _lost_character(lm: CharLM, line: str, i: int, prev: str) -> tuple[int, str] | None:
    """000 "改革、?chuàng)新": a character lost both bytes but kept its annotation, and the
    text after it is in step. The reading and the neighbours choose it, or MARKER."""
    remnant = PINYIN_TAIL.match(line, i + 1)
    if not remnant or remnant.end() >= len(line) or not "\u4e00" <= line[remnant.end()] <= "\u9fff":
        return None
    nxt = simplify_chars(line[remnant.end()])
    if lm.unigrams.get(nxt, 0) < COMMON_CHAR:  # 000 "家?guī)淼?022": garbled text follows, a run
        return None
    cands = chars_by_syllable().get(remnant.group()[:-1], ())
    scores: dict[str, tuple[float, str]] = {}
    for ch in cands:
        simple = simplify_chars(ch)
        score = lm.logp3(prev, simple) + lm.logp3(prev[-1:] + simple, nxt)
        if simple not in scores or score > scores[simple][0]:
            scores[simple] = (score, ch)
    if not scores:
        return None
    ranked = sorted(scores.values(), reverse=True)
    clear = len(ranked) == 1 or ranked[0][0] - ranked[1][0] >= CLEAR_LEAD
    return remnant.end(), ranked[0][1] if clear else MARKER


def _tail(pieces: list[str], width: int = 2) -> str:
    """The last characters written so far, without joining the whole line each time."""
    tail = ""
    for piece in reversed(pieces):
        tail = piece + tail
        if len(tail) >= width:
            break
    return tail[-width:]


# Only lines holding a SUSPECTS character are repaired, and parse_many repairs ahead
# exactly these, its parcels weighed by them.
_SUSPECT = re.compile(f"[{SUSPECTS}]")
# is_suspect runs on every line of every page: two `in` tests take a sixth of the time of
# a generator over SUSPECTS.
_QUESTION, _UNDECODABLE = SUSPECTS


def is_suspect(text: str) -> bool:
    """Whether the text holds a SUSPECTS character."""
    return _QUESTION in text or _UNDECODABLE in text


def count_suspects(text: str) -> int:
    return text.count(_QUESTION) + text.count(_UNDECODABLE)


def repair_line(line: str, lm: CharLM | None = None) -> tuple[str, MojibakeStats]:
    if not is_suspect(line):
        return line, MojibakeStats()
    lm = lm or char_lm()
    out: list[str] = []
    found = marked = kept = undecodable = 0
    i = 0
    while (hit := _SUSPECT.search(line, i)) is not None:
        at = hit.start()
        out.append(line[i:at])
        prev = simplify_chars(_tail(out, PREV_WIDTH))
        repair = None
        if not _inside_latin_word(line, at):
            repair = _best_repair(lm, line, at, prev) or _lost_character(lm, line, at, prev)
        if repair:
            found += 1
            marked += MARKER in repair[1]
            out.append(repair[1])
            i = repair[0]
            continue
        if line[at] == "?":
            kept += 1
            out.append("?")
        else:  # a lone undecodable byte from the source: mark it, never guess
            undecodable += 1
            out.append(MARKER)
        i = at + 1
    out.append(line[i:])
    text, dots = _TITLE_DOT.subn(r"\1·\2", "".join(out))
    stats = MojibakeStats(found, found - marked, marked, kept - dots, dots, undecodable)
    return text, stats


def add_stats(a: MojibakeStats, b: MojibakeStats) -> MojibakeStats:
    return MojibakeStats(*(x + y for x, y in zip(_fields(a), _fields(b), strict=True)))


def _fields(stats: MojibakeStats) -> tuple[int, ...]:
    return (
        stats.found,
        stats.repaired,
        stats.marked,
        stats.question_marks_kept,
        stats.title_dots,
        stats.undecodable_marked,
    )


# 范文 pages repeat whole speeches (003 prints the same 20 speeches twice, 001 repeats
# paragraphs), so a damaged line is often repaired twice; remember recent answers.
@lru_cache(maxsize=LINE_CACHE)
def repair_line_cached(line: str) -> tuple[str, MojibakeStats]:
    return repair_line(line)


Repairs = dict[str, tuple[str, MojibakeStats]]

# Repairs worked out by other processes (pipeline.parse_many spreads a window's damaged
# lines over its workers), consulted before searching. A line's repair depends on the
# line alone (the model is the same in every process), so taking it from elsewhere
# changes nothing but the time.
_given: Repairs = {}


def given_repairs(repairs: Repairs) -> None:
    """Use these repairs instead of searching again, until the next call replaces them."""
    _given.clear()
    _given.update(repairs)


def load_tables() -> None:
    """Build everything the step loads lazily (model, GBK tables, reading index), so that
    a long-running ingest or a benchmark pays it once, up front."""
    char_lm()
    chars_by_syllable()
    word_pair_index()
    middle_word_index()
    repair_line("確??荚嚢踩?。")


def forget_repairs() -> None:
    """Empty the repeated-line cache (benchmarks time each pass from cold)."""
    repair_line_cached.cache_clear()


def repair_mojibake(text: str) -> tuple[str, MojibakeStats]:
    """Repair every line; lines stay lines (a run never crosses a newline)."""
    if not is_suspect(text):
        return text, MojibakeStats()
    total = MojibakeStats()
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if is_suspect(line):
            lines[index], stats = _given.get(line) or repair_line_cached(line)
            total = add_stats(total, stats)
    return "\n".join(lines), total
