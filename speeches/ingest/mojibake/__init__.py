"""The mojibake model: text a scraper decoded one byte off, read back in step.

Five of the archive's seed pages (corpus/seeds/000_….txt to 004_….txt, named 000 to 004
below) were GBK pages decoded badly by the site that published them. The damage looks
like this, and this package undoes it:

    十堰之前??梢哉f    is    十堰之前。可以說
    等方式,確??荚嚢踩?。    is    等方式,確保考試安全。
    “六?!惫ぷ?    is    “六〓”工作   (保 cannot be told: marked, not guessed)

restore.py calls it once per text (`repair_mojibake`), after markup and pinyin
annotations such as 實(shí) are stripped (annotations.py) and before the text is
simplified (script.py).


How one-byte-off GBK arises
---------------------------
GBK writes a Chinese character as two bytes, a lead byte (81–FE) and a trail byte; ASCII
is one byte below 80. 之前。可以說 is D6 AE C7 B0 | A1 A3 | BF C9 | D2 D4 | D5 66. The site
pushed bytes into the middle of a character (often a pinyin annotation such as "(nèi)"),
and its decoder, meeting a lead byte followed by an ASCII byte (the annotation's "("),
wrote one `?` and swallowed both, leaving "?nèi)". From there every character was read
one byte late: 。's trail A3 paired with 可's lead BF (A3 BF is ？, which the site later
turned into an ASCII `?`), 可's trail C9 with 以's lead D2 (梢), D4 D5 (哉), until an ASCII
byte (說's trail 66, shown as "f") put it back in step. Pairs the decoder could not map
(GBK's user-defined rows AA–AF and F8–FE, and A1–A7 before a trail below A1) were
dropped without a trace. So a damaged run is

    ?  [pinyin)]  garbled two-byte characters and ASCII signs  (? | an ASCII trail byte)

The opening `?` hides the run's first lead byte, a closing `?` its last trail byte;
everything in between is known, give or take a dropped pair.


How a run is found (repair.py, runs.py)
---------------------------------------
The step looks only at lines holding a `?` or U+FFFD (`is_suspect`); a line without
one costs two `in` tests. At each `?`, repair.Repairer first asks whether it is a
question mark: inside a Latin word ("(qi?ng)"), or before six ideographs that read as
ordinary Chinese to the character model (NATURAL_TEXT: "怎么做?我认为"), it is kept.
Otherwise runs.hypotheses lists every way a run may start there and end: at a closing
`?`, at an ASCII trail byte, at a digit or sign, or at the line's end, taking in up to
MAX_FULLWIDTH_IN_RUN ASCII signs that stand for full-width ones. Each way (a
Hypothesis) carries the run's bytes in step, re-encoded from the garbled characters
(GB18030, runs.encode), with None for the lost byte at either end: 確??荚嚢踩? is
(None, A3, BF, BC, D4, 87, B0, B2, C8, None). Surviving annotations help: one after the
closing `?` names the last character's pinyin (its syllable: 002 "┮?guī)劃" is 規劃),
one inserted at the start says which lead bytes the first character can have (001
"當?shù)攸h委" is 當地黨委), and a swallowed digit is kept as the run's suffix.


The candidate readings: the lattice (lattice.py, pairs.py, dropped.py)
---------------------------------------------------------------------
Read two bytes at a time, each pair of a run is one Position of a Lattice. A pair with
both bytes known is one character (pairs.pair_slot). A pair with a lost byte is a Slot
of every character sharing the other byte: (None, A3) is any of the 112 characters
ending in A3, 。 and 保 among them (a known lead allows ~170). Where an in-step character
reads badly beside its neighbours (HIDDEN_GATE, RARE_CHAR), its Position gets a second
Option: two slots around a dropped pair, each missing one byte, filled with the
commonest characters that fit and the halves of common words across the pair
(dropped.DroppedPairs: 003 "城市管理水平提升工程" came out "┏鞘泄芾硭教嵘こ", the pairs AE C6 and FD B9
gone). Two dropped pairs in a row (the middle character lost whole) are offered only on
a second reading, below.

    Lattice ─ Positions ─▶ Position ─ Options ─▶ Option ─ Slots ─▶ Slot ─ Candidates

reading.read_in_step then fits the lattice to what surrounds the run: a surviving
syllable keeps only the characters read that way; a run at a line's start lost the
ideographic-space indent; a run after a finished clause gives 。，“ and the like in its
first slot a head start (FAVOURED_BONUS: of 60 golden runs 38 begin with the lead byte
of 。 or “), but not inside a short quotation, a list item or a word (確保, 學校).
pruning.BoundaryPruner cuts each lost-byte slot to the BOUNDARY_BEAM candidates that
read best beside their neighbours.


The best path (viterbi.py) and the two judges
----------------------------------------------
viterbi.viterbi walks the lattice left to right and keeps, for each last character,
the best path so far (a LatticePath: the chosen candidate of each slot) scored by the
first judge, the character model (language_model.CharLM: trigrams of the seeds and a
month of the People's Daily over a bigram mixed from those and jieba's dictionary, in
natural-log units; see its docstring). Where a position offers both, the dropped-pair
option pays its prior (HIDDEN_PRIOR) and the in-step one PLAIN_PRIOR.

The best path is then weighed (reading.weigh_reading). margins.slot_margins measures
each character's lead over the runner-up its bytes allow, its neighbours held fixed.
The second judge, word_judge.py, scores the text around each lost-byte character and
each dropped pair by its best segmentation into jieba's dictionary words, adds that
(WORD_WEIGHT) to the character model's score, and may change the choice and its lead:
占学校总数 over 占学。总数, since 学校 is a word. It may speak for an ideograph
against a sign, never make a sign surer than the character model did.

repair.Repairer chooses among the ways the run may end. A reading is accepted if it
reads ACCEPT_GAIN nats better than the run as found (each `?` read as 。); among those,
the best gain wins, a marked character counted as a rare one (MARKER_COST). Ways
HOPELESS behind an accepted one are not weighed at all. If the winner leaves a
character in doubt, the run is read again offering two dropped pairs in a row
(dropped.DroppedPairs.hidden_triple: 003 "對公路" left one garbled character), kept
only if CLEAR_LEAD better. margins.second_opinions then doubts the neighbours across
such pairs together.


When a character is marked 〓 instead of guessed
------------------------------------------------
reading.written writes a character only when it leads its runner-up by CLEAR_LEAD (2.5
nats, as the judges measured it above) and is a Han character, a sign or a digit; any
other becomes MARKER (〓, GETA MARK, which no running text uses: the speech pages
highlight it, and search offers a marked word as a possible match,
speeches/search/damaged.py). So “六保” comes out “六〓”: 保 and 。 read about as well after 六,
and neither is written. Also marked: the digit a `?` swallowed, unless it is a year's
first (的?022年 is 的2022年); a character that lost both bytes but kept its annotation, when
the syllable and neighbours do not settle it (repair._lost_character); and a U+FFFD from
the pipeline's own decoding. A repair that would be mostly markers is not made: the `?`
stays, unless an annotation shows a character was lost there. A `?` between two
ideographs inside 《…》 becomes a middle dot (004 "《人民日报?华东版》"). The report counts runs
found, repaired and marked (MojibakeStats).


What is remembered, and where
-----------------------------
Each of these is a pure function of what it is keyed by, so remembering changes the
time a repair takes, never the repair:

- once per process, lru_cache at module level: the GBK tables (pairs.py), the
  character model (language_model.char_lm: jieba's dictionary, the seed tables in
  speeches/ingest/data and the news counts, about 3 s), the news counts themselves
  (news_corpus.news_ngrams, cached on disk in data/news_ngrams.marshal by
  `make install`), and default_repairer below;
- pure functions of bytes or text, lru_cache at module level: pairs.pair_slot (its
  slots' identity also lets Viterbi share states between the ways one run may end),
  runs.encode, word_judge.text_logp;
- on the objects, because they depend on the character model: CharLM.memo (every score
  asked) and CharLM.word_choices (the word judge's answers); DroppedPairs (slots around
  dropped pairs, word indexes); BoundaryPruner (pruned slots); Repairer (the repairs of
  recent lines, as 范文 pages print whole speeches twice, and the repairs given by other
  processes: pipeline.parse_many repairs a window's damaged lines on all its workers
  first, then hands each page's task the repairs of its lines).

Every tuned number is in constants.py with what it trades, and cache sizes there too.
Tests: speeches/tests/ingest/mojibake/ (one file per module) and the golden restore
cases (speeches/tests/ingest/test_restore_golden.py); bench/review_mojibake.py lists
every repair of the seeds for a before/after diff.


The public API
--------------
repair_mojibake(text), repair_line(line) and repair_line_cached(line) repair;
is_suspect and count_suspects say which lines the step will look at; given_repairs,
forget_repairs and load_tables serve pipeline.py and the benchmarks; MARKER,
MojibakeStats, add_stats, Repairs and may_be_written are what the rest of the pipeline
and the site use. They all go through default_repairer(), the process's one Repairer.
"""

from __future__ import annotations

from functools import lru_cache

from .constants import MARKER
from .language_model import char_lm
from .model import Model
from .reading import may_be_written
from .repair import MojibakeStats, Repairer, Repairs, add_stats, count_suspects, is_suspect

__all__ = [
    "MARKER",
    "MojibakeStats",
    "Repairer",
    "Repairs",
    "add_stats",
    "count_suspects",
    "default_repairer",
    "forget_repairs",
    "given_repairs",
    "is_suspect",
    "load_tables",
    "may_be_written",
    "repair_line",
    "repair_line_cached",
    "repair_mojibake",
]


@lru_cache(maxsize=1)
def default_repairer() -> Repairer:
    """The process's repairer, on the shared character model: made on first use and
    kept, with everything it remembers, for the life of the process."""
    return Repairer(Model(char_lm()))


def repair_mojibake(text: str) -> tuple[str, MojibakeStats]:
    """Repair every damaged line of the text (restore.py's mojibake step)."""
    return default_repairer().repair_text(text)


def repair_line(line: str) -> tuple[str, MojibakeStats]:
    """Repair one line, searching afresh."""
    return default_repairer().repair_line(line)


def repair_line_cached(line: str) -> tuple[str, MojibakeStats]:
    """Repair one line, or recall its recent repair (restore.line_repairs)."""
    return default_repairer().repair_line_cached(line)


def given_repairs(repairs: Repairs) -> None:
    """Use these repairs, worked out in other processes, instead of searching again,
    until the next call replaces them (pipeline.parse_many)."""
    default_repairer().give(repairs)


def forget_repairs() -> None:
    """Empty the repeated-line cache (benchmarks time each pass from cold)."""
    default_repairer().forget()


def load_tables() -> None:
    """Load the model and build every table now rather than on first use
    (pipeline.warm_up)."""
    default_repairer().load()
