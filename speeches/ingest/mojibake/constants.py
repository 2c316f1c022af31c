"""Every tuned number of the mojibake model, each with what it trades.

Scores are natural logarithms ("nats") of probabilities under the character model
(language_model.py), to which the word judge (word_judge.py) adds its own. The numbers
were tuned on the "tuned" golden restore cases and judged on the held-out ones
(speeches/tests/ingest/golden/restore/cases.json), and checked against every repair of
the seeds (bench/review_mojibake.py). The seed pages are named by their number: 000 is
corpus/seeds/000_….txt. The last section sizes caches: those trade memory for time
and never change what is written.
"""

from __future__ import annotations

import math

from .. import types

# --- Signs the model reads and writes (fixed by the damage, not tuned) -----------------

# GETA MARK (types.MARKER), written for a character the model cannot tell.
MARKER = types.MARKER
# What the step looks at: `?` (a byte the site's decoder lost) and U+FFFD (a byte the
# pipeline's own decoding could not read in a GBK or Big5 reading; a UTF-8 or UTF-16
# reading's are marked by decode.py itself).
SUSPECTS = "?\ufffd"
IDEOGRAPHIC_SPACE = "\u3000"
SENTENCE_PUNCTUATION = frozenset("。！？；，、：“”")

# --- Finding a run (repair.py, runs.py) ------------------------------------------------

# Ideographs after a `?` that must read naturally for it to be kept without a search:
# more searches more real question marks, fewer lets a run that starts well pass.
LOOK_AHEAD = 6
# Mean nats a character above which the text after a `?` is ordinary and the `?` kept:
# higher searches more real question marks, lower lets mild runs pass. "怎么做?我认为"
# scores about -4.7, the seeds' mildest run ("建設?;A設施") -6.3.
NATURAL_TEXT = -5.5
# Shifted full-width signs (shown as ASCII) one run may take in: more finds longer runs,
# branches the search at each sign and reads more ordinary ASCII as bytes.
MAX_FULLWIDTH_IN_RUN = 3
# jieba count above which the character after a lone annotation is clean text, so the
# annotation names one character lost whole (000 "改革、?chuàng)新") rather than a run:
# lower takes garbled text for clean (000 "家?guī)淼?022").
COMMON_CHAR = 5000
# Characters of text before a run kept as its context: the model reads two, the
# separator test below six; more costs time at every `?`.
PREV_WIDTH = 6

# --- Where a run starts: the head start of sentence punctuation (reading.py) -----------

# Nats given to sentence punctuation in a run's first slot, because the site pushed
# bytes in after sentences (38 of 60 golden runs begin with the lead byte of 。 or “):
# more restores those ends, and invents full stops inside words.
FAVOURED_BONUS = 2.5
# Signs after which a run's first slot gets no head start when it comes this soon
# (characters after the sign): a quotation this short is a term (001 “一防三保”), an
# item or clause this short a word (003 "家校互動"). Longer misses real sentence ends.
SEPARATORS = ",、;:“(《"
SHORT_QUOTE = 4
SHORT_ITEM = 2
# Signs that join what is on either side, so nothing ends right after them (003
# "省—市—縣—校”" is not 縣—。”).
JOINERS = "—-~·/"
# jieba count above which a word of two to four characters before the run ends a clause
# as well as a word (之前, 重點, 以上): lower gives the head start after fragments.
COMMON_WORD = 500
# Share of the last character's uses that a word with a first-slot candidate must take
# to deny the head start: 確保 is 4.5% of 確, 學校 4.9% of 學, while 長劍 (0.7%, 000
# "防線長??h") and 事跡 (0.3%) are too rare to doubt a sentence end. Lower doubts more ends.
WORD_SHARE = 0.02

# --- Reading a run in step: the lattice (lattice.py, viterbi.py) ----------------------

# Prior of a dropped pair at any position: how often a shifted pair falls into an
# unmapped row (13 of ~190 trail values always, 7 more when the next lead is below A1).
# Higher reads more dropped pairs into clean runs.
HIDDEN_PRIOR = math.log(0.08)
PLAIN_PRIOR = math.log(0.92)
# Nats below which an in-step character, by both neighbours, is odd enough to offer a
# dropped pair there (001 "“权两平台" reads badly, "“三通两" well): higher finds more
# pairs at ~600 model look-ups a position offered.
HIDDEN_GATE = -11.0
# jieba count below which a character is odd wherever it stands (000 "?;A設施": 籄 hides
# 基礎), so a dropped pair is offered beside it whatever its neighbours.
RARE_CHAR = 100
# Viterbi states kept after each slot: more is slower, fewer loses readings whose first
# characters read badly (the first half of a word-bearing dropped pair keeps twice as many).
STATE_BEAM = 6

# --- Dropped pairs (dropped.py) --------------------------------------------------------

# Candidates kept for each unknown half of a dropped pair, commonest first: 24 brought
# back nothing on the golden cases and invented text in clean lines (000 "當地＼化解"
# read as 當地，〓化解).
HIDDEN_BEAM = 8
# Count inside jieba's words above which a two-character word across a dropped pair
# joins the beam however rare its halves (000 "撲救井然有序"): lower offers more rare pairs.
PAIR_WORD = 100
# Two dropped pairs in a row lose the character between them entirely; it is offered
# only inside a word with a neighbour seen this often inside jieba's words (公路 8,748,
# 政府 23,452), and only the commonest MIDDLE_WORDS such words on each side. Lower or
# more offers more invented middle characters.
MIDDLE_WORD = 1000
MIDDLE_WORDS = 6
# Signs offered as half of a dropped pair although jieba gives them no count: headings
# lose a bracket that way (002 "?。ǘ┗A" is （二）基礎, 000 "規?;⒊B" is 規模化、常態).
# Only GB2312's row-1 signs: the full-width row (，：) invented commas in clean text.
PAIR_PUNCTUATION = frozenset("）》」』。、“”")

# --- Pruning the lost-byte slots (pruning.py) ------------------------------------------

# Candidates a slot with a lost byte keeps for Viterbi, of the ~190 its known byte
# allows: more is slower and lets rare characters in.
BOUNDARY_BEAM = 8
# Commonest candidates scored before pruning (punctuation always is): a lost byte hides
# a speech's character, and the rare half of a GBK row (Ⅷ, 鞣, 夂) never won.
PRUNE_POOL = 64
# A neighbouring slot with this few candidates is as good as known: each is tried beside
# the slot being pruned (002 "程序?qū)徟?BR>": 批 survives beside 審). More is slower.
NEAR_KNOWN = 4

# --- The character judge (language_model.py, news_corpus.py, corpus_tables.py) --------

# Share of the trigram where its two-character context was seen: a bigram cannot tell
# "，确保考" from "，确。考", the trigram knows ",确" is followed by a word. More trusts
# thin trigram counts.
TRIGRAM_SHARE = 0.5
# Shares of the seeds' and the news bigrams in the mixed bigram (the rest is jieba's):
# jieba alone knows words but no punctuation and lets 前专可 beat 之前。可 (000
# "十堰之前??梢哉f"); more running text knows sentence ends and forgets rarer words.
CORPUS_SHARE = 0.35
NEWS_SHARE = 0.35
# Share of the bigram within each table, the rest its own unigram: more trusts pair
# counts over character frequency.
JIEBA_BIGRAM_WEIGHT = 0.8
RUNNING_BIGRAM_WEIGHT = 0.7
# Add-k smoothing of each table's unigram (count + UNSEEN_COUNT over total +
# UNSEEN_TOTAL): an unseen character costs a lot but never infinity.
UNSEEN_COUNT = 0.01
UNSEEN_TOTAL = 300.0
# jieba's words kept for the word questions of reading.py (does the text before a run
# end a word? does a candidate finish one?): two to four characters, seen this often.
# Rarer entries are mostly names and fragments that make any pair a "word".
LEXICON_MIN_COUNT = 20
LEXICON_LENGTHS = (2, 3, 4)
# Trigrams of the People's Daily seen fewer times are left out: those are mostly names
# and numbers, and leaving them out halves the table (870k → 218k) with no golden case
# worse. Every bigram is kept: pruning the single ones turned three held-out cases wrong.
MIN_TRIGRAM = 2
# Seed n-grams seen fewer times are left out of the seed tables (corpus_tables.py).
MIN_CORPUS_COUNT = 2
# Characters after each `?` of a seed line left out of the seed tables, as they may be
# a garbled run: more loses clean text, fewer counts garbled text as Chinese.
RUN_SHADOW = 24

# --- The word judge (word_judge.py) ----------------------------------------------------

# Weight of the word score beside the character model's: 0.3 repaired four fewer golden
# runs than 0.6, 1.0 no more.
WORD_WEIGHT = 0.6
# Characters either side of a candidate that its segmentation sees: more is slower and
# lets words far away decide.
WORD_WINDOW = 4
# Longest dictionary word tried: jieba's are rarely longer, and longer ones do not
# decide a boundary character.
MAX_WORD = 6
# Nats behind the best, by the character model, beyond which a dropped pair is not
# weighed by words (the word score of a window rarely differs by more than ~12 nats,
# times WORD_WEIGHT): more is slower.
PAIR_REACH = 8.0
# Full-width signs weighed as half of a dropped pair only to doubt it, never written:
# offered to be written, they invented commas in clean text (000 "當地＼化解").
DOUBTING_SIGNS = frozenset("，：；！？")
# What a sign costs as a "word" (log of its share of tokens in the People's Daily), and
# any other non-ideograph: the word judge otherwise prefers a sign wherever the true
# character makes no word.
SIGN_COST = {"。": -3.4, ",": -2.7, "、": -3.9, "“": -4.9, "”": -4.9, ":": -5.0, ";": -6.0, "(": -5.5, ")": -5.5}
OTHER_SIGN = -5.0

# --- Accepting a repair and marking a character (repair.py, reading.py) ---------------

# Nats by which the repaired run must read better than the run as found: lower repairs
# more and turns clean text after a `?` into "repairs".
ACCEPT_GAIN = 6.0
# What a marked character costs when two readings of a run are compared (a rare
# character's log-probability): lower prefers readings that mark more.
MARKER_COST = 8.0
# Nats by which a character whose bytes were partly lost must lead its runner-up, by
# both judges, to be written rather than marked: higher marks more right characters,
# lower writes more wrong ones (a sweep to 6.0 marked none of the 8 golden runs still wrong).
CLEAR_LEAD = 2.5
# Nats, by the character model alone, a way a run may end may trail the best accepted
# one before it is not weighed at all: on 376 runs the chosen way was never more than
# 0.9 behind, while 43% of the ways were more than 10 behind. Lower is faster and riskier.
HOPELESS = 10.0

# --- Memory: cache sizes (never change what is written) --------------------------------

# Model scores remembered on the model (CharLM.memo) before it is emptied.
MEMO_LIMIT = 2_000_000
# Word judge answers remembered on the model (CharLM.word_choices).
CHOICE_MEMORY = 50_000
# Repaired lines remembered (范文 pages print whole speeches twice).
LINE_CACHE = 4096
# Candidate tables by byte pair, characters by GB18030 bytes, and word scores of text.
SLOT_CACHE = 65536
ENCODE_CACHE = 65536
WORD_SCORE_CACHE = 65536
# Dropped-pair readings by byte pair, first slots by annotation, doubting signs by byte.
DROPPED_PAIR_CACHE = 8192
FIRST_SLOTS_CACHE = 4096
DOUBTERS_CACHE = 4096
# Candidate tables sorted by frequency, and slots pruned between given neighbours.
FREQUENCY_ORDER_LIMIT = 4096
PRUNED_LIMIT = 16384
# Caches keyed by one byte value hold every byte.
PER_BYTE = 256
