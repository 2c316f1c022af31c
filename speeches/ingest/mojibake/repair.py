"""The mojibake step, line by line: find each run, choose its repair, or keep the `?`.

A Repairer holds a Model (model.py) and what the step remembers in one process: the
repairs of recent lines (范文 pages print whole speeches twice) and the repairs handed
over by other processes (pipeline.parse_many). For each `?` or U+FFFD of a line it
tries, in order:

1. Is the `?` inside a Latin word ("(qi?ng)") or before text that reads naturally
   (reads_naturally: "怎么做?我认为")? Then it is a question mark, kept as found.
2. Every way a run may start here and end (runs.hypotheses) is read in step
   (reading.read_in_step) and estimated by the character model; the ways are weighed
   best first (reading.weigh_reading), and none HOPELESS behind an accepted one.
3. A reading is accepted when it reads ACCEPT_GAIN better than the run as found (each
   `?` read as a full stop), a marker counted as an ordinary character; among the
   accepted, the best gain with a marker counted as rare (MARKER_COST) wins.
4. If the winner leaves a character in doubt, the run is read once more offering two
   dropped pairs in a row, kept only if clearly better (CLEAR_LEAD).
5. margins.second_opinions may mark more before the run is written.
6. Failing all that, a lone annotation may name one character lost whole
   (_lost_character); else a `?` stays, unless it ends a clause that asks nothing and
   nothing that reads on follows it (_lost_sign: then MARKER), and a U+FFFD becomes MARKER.

Cost: a line without a suspect character is returned after two `in` tests.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ..script import simplify_chars
from .constants import (
    ACCEPT_GAIN,
    CLEAR_LEAD,
    COMMON_CHAR,
    HOPELESS,
    LINE_CACHE,
    LOOK_AHEAD,
    MARKER,
    MARKER_COST,
    NATURAL_TEXT,
    PREV_WIDTH,
    SUSPECTS,
    WORD_WINDOW,
)
from .language_model import CharLM
from .lattice import ScoredPath
from .margins import second_opinions
from .model import Model
from .pairs import chars_by_syllable
from .reading import read_and_weigh, read_in_step, weigh_reading, written
from .runs import PINYIN_TAIL, Hypothesis, hypotheses

# Such remnants anywhere in a span, for scoring the span as found (see _as_found).
_REMNANT = re.compile(r"\?[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7}\)")
# 004 "《人民日报?华东版》": a middle dot the site could not encode in GBK.
_TITLE_DOT = re.compile(r"(《[^《》?\n]{0,30}[\u4e00-\u9fff])\?([\u4e00-\u9fff][^《》?\n]{0,30}》)")
# 004 "打造“美丽的西施?美丽的诸暨”" on the same page: inside a short quotation, between two
# characters, a ? whose clause asks nothing is a sign the site could not encode, most
# likely the dot again; a slogan may be two sentences, though, so it is marked, not dotted.
_QUOTED_SIGN = re.compile(r"“[^“”?？\n]{0,30}[\u4e00-\u9fff](\?)[\u4e00-\u9fff][^“”?？\n]{0,30}”")


@dataclass(frozen=True)
class MojibakeStats:
    """What the step did to a line or a text, for its report (restore.py)."""

    found: int = 0
    repaired: int = 0
    marked: int = 0
    question_marks_kept: int = 0
    title_dots: int = 0
    undecodable_marked: int = 0
    question_marks_marked: int = 0


# A damaged line and its repair, as pipeline.parse_many hands them from process to process.
Repairs = dict[str, tuple[str, MojibakeStats]]


class Repairer:
    """The mojibake step with what it remembers in one process."""

    def __init__(self, model: Model) -> None:
        self.model = model
        # 范文 pages repeat whole speeches (003 prints the same 20 speeches twice, 001
        # repeats paragraphs), so a damaged line is often repaired twice.
        self.repair_line_cached = lru_cache(maxsize=LINE_CACHE)(self.repair_line)
        # Repairs worked out by other processes (pipeline.parse_many spreads a window's
        # damaged lines over its workers), consulted before searching. A line's repair
        # depends on the line alone (the model is the same in every process), so taking
        # it from elsewhere changes nothing but the time.
        self._given: Repairs = {}

    def repair_text(self, text: str) -> tuple[str, MojibakeStats]:
        """Repair every line; lines stay lines (a run never crosses a newline)."""
        if not is_suspect(text):
            return text, MojibakeStats()
        total = MojibakeStats()
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if is_suspect(line):
                lines[index], stats = self._given.get(line) or self.repair_line_cached(line)
                total = add_stats(total, stats)
        return "\n".join(lines), total

    def give(self, repairs: Repairs) -> None:
        """Use these repairs instead of searching again, until the next call replaces them."""
        self._given = dict(repairs)

    def forget(self) -> None:
        """Empty the repeated-line cache (benchmarks time each pass from cold)."""
        self.repair_line_cached.cache_clear()

    def load(self) -> None:
        """Build everything the step loads lazily (the word indexes of dropped pairs, the
        characters by syllable), so that a long-running ingest or a benchmark pays it
        once, up front."""
        chars_by_syllable()
        self.model.dropped.build_indexes()
        self.repair_line("確??荚嚢踩?。")

    def repair_line(self, line: str) -> tuple[str, MojibakeStats]:
        """The line with each run repaired or marked, and what was done."""
        if not is_suspect(line):
            return line, MojibakeStats()
        out: list[str] = []
        found = marked = kept = undecodable = unsure = 0
        in_titles = {match.end(1) for match in _TITLE_DOT.finditer(line)}  # middle dots, written below
        quoted = {match.start(1) for match in _QUOTED_SIGN.finditer(line)}
        i = 0
        while (hit := _SUSPECT.search(line, i)) is not None:
            at = hit.start()
            out.append(line[i:at])
            prev = simplify_chars(_tail(out, PREV_WIDTH))
            repair = None
            if not _inside_latin_word(line, at):
                repair = self._best_repair(line, at, prev) or _lost_character(self.model.lm, line, at, prev)
            if repair:
                found += 1
                marked += MARKER in repair[1]
                out.append(repair[1])
                i = repair[0]
                continue
            if line[at] == "?" and self._lost_sign(line, at, in_titles, quoted, _tail(out, ASKING_WIDTH)):
                # No question ends here ("更新觀念?" at a heading's end): what the site wrote
                # is lost, and a ? would pass for the speaker's question.
                unsure += 1
                out.append(MARKER)
            elif line[at] == "?":
                kept += 1
                out.append("?")
            else:  # a lone undecodable byte from the source: mark it, never guess
                undecodable += 1
                out.append(MARKER)
            i = at + 1
        out.append(line[i:])
        text, dots = _TITLE_DOT.subn(r"\1·\2", "".join(out))
        stats = MojibakeStats(found, found - marked, marked, kept - dots, dots, undecodable, unsure)
        return text, stats

    def _lost_sign(self, line: str, at: int, in_titles: set[int], quoted: set[int], before: str) -> bool:
        """A lone ? that asks nothing and is followed by nothing that reads as the next
        sentence: the line's end, a sign, or text the model reads badly (001's title
        "立足新起點?開啟新征程"). Chinese that reads on keeps the ? ("是企業信息化?簡單地講":
        a question whose question word the line may not hold). Not one of several in a
        row ("什么???", "????": kept as found, see _only_question_marks), nor a title's
        middle dot (_TITLE_DOT). Inside a short quotation, between characters, it is always
        lost (_QUOTED_SIGN)."""
        if at in in_titles or line[at - 1 : at] == "?" or line[at + 1 : at + 2] == "?":
            return False
        if _asks(before, line[at + 1 : at + 3]):
            return False
        if at in quoted:
            return True
        ahead = _HAN_AHEAD.match(line, at + 1)
        if ahead is None:  # the line ends, or a sign follows: nothing reads on
            return True
        text = simplify_chars(ahead.group())
        return self.model.lm.score(text, simplify_chars(before[-PREV_WIDTH:])) / len(text) <= NATURAL_TEXT

    def _best_repair(self, line: str, i: int, prev: str) -> tuple[int, str] | None:
        """Where the run at line[i] ends and what is written for it, or None."""
        model = self.model
        lm = model.lm
        if reads_naturally(lm, line, i, prev):
            return None
        readings: list[tuple[float, Hypothesis, str, ScoredPath, float]] = []
        shared: dict = {}
        for hyp in hypotheses(line, i):
            if _only_question_marks(line, i, hyp):
                continue
            # The text after the run starts with its suffix, when that is text (a swallowed
            # year digit, 000 "的?022年"), not a marker.
            after = simplify_chars(
                (hyp.suffix.replace(MARKER, "") + line[hyp.end : hyp.end + WORD_WINDOW])[:WORD_WINDOW]
            )
            found = read_in_step(model, hyp, prev, after[:1], shared=shared)
            if found is not None:
                as_found = _as_found(lm, line, hyp, prev, after[:1])
                estimate = lm.score("".join(cand.simple for cand, _ in found.path) + after[:1], prev) - as_found
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
            reading = weigh_reading(lm, found, hyp, prev, after)
            lenient, strict = _gains(lm, as_found, reading.restored, prev, after[:1])
            if lenient < ACCEPT_GAIN or _mostly_marked(reading.restored, hyp):
                continue
            anchor = estimate if anchor is None else anchor
            if best is None or (strict, -index) > (best[0], -best[1]):
                best = (strict, index, hyp, reading, after)
        if best is None:
            return None
        _, _, hyp, reading, after = best
        nxt = after[:1]
        if min(reading.margins, default=math.inf) < CLEAR_LEAD:
            # Two dropped pairs in a row (dropped.hidden_triple) are rare (003 "對公路") and
            # costly to offer: offered everywhere they doubled the step's cost. So they are
            # looked for only in the chosen run, and only where it leaves a character in
            # doubt. Like a character, the longer reading must be clearly ahead: 000 "“十五”"
            # is 十五 or 十三五 as far as the bytes go (AE C8 and FD CE both unmapped).
            again = read_and_weigh(model, hyp, prev, after, triples=True)
            if (
                again is not None
                and again.score >= reading.score + CLEAR_LEAD
                and not _mostly_marked(again.restored, hyp)
            ):
                reading = again
        # The reading is chosen; before it is written, the second opinions may mark more.
        margins = second_opinions(lm, reading.path, prev, nxt, reading.margins)
        return hyp.end, written(reading.path, margins, hyp.suffix)


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


# What makes a clause a question in these speeches: a question word or particle before
# the ? ("钱从哪来?", "怎么做?", "原因何在?"), or an alternative ("…的原因?还是…有难度?").
_QUESTION_WORDS = re.compile(
    "吗|呢|么|什么|怎|何|哪|谁|几|多少|是否|难道|岂|啥|是不是|能不能|有没有|可不可以|要不要|还是"
    "|嗎|麼|甚麼|誰|幾|難道|豈|還是"
)
_CLAUSE_END = re.compile(r"[。！？?!；;，,：:\n]")
ASKING_WIDTH = 40
_HAN_AHEAD = re.compile(f"[\u4e00-\u9fff]{{2,{LOOK_AHEAD}}}")


def _asks(before: str, after: str) -> bool:
    """Does the clause ending at a kept ? ask something? Then it is the speaker's."""
    clause = _CLAUSE_END.split(before)[-1] if before else ""
    return bool(_QUESTION_WORDS.search(clause)) or after.startswith(("还是", "還是"))


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


def _lost_character(lm: CharLM, line: str, i: int, prev: str) -> tuple[int, str] | None:
    """000 "改革、?chuàng)新": a character lost both bytes but kept its annotation, and the
    text after it is in step. The syllable and the neighbours choose it, or MARKER."""
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
        stats.question_marks_marked,
    )
