"""The character judge: a character trigram model of simplified Chinese.

It answers one question, asked millions of times a page: how likely is this character
after these two (`CharLM.logp3`, a natural log)? The answer mixes two levels:

    P(c | a b) = TRIGRAM_SHARE · n(a b c) / n(a b) + (1 − TRIGRAM_SHARE) · P(c | b)

where the two-character context `a b` was seen in the trigram counts, and P(c | b)
alone where it was not. P(c | b) is itself a mixture of three bigram tables, each
interpolated with its own unigram (smoothed, so an unseen character costs a lot but
never infinity):

- jieba's dictionary (word, frequency): each word adds its frequency to its characters
  and to the bigrams inside it. It knows words but no punctuation. Weight 1 −
  CORPUS_SHARE − NEWS_SHARE.
- the seed pages' clean text (`data/corpus_bigrams.tsv`, written by corpus_tables.py):
  how these speeches join words and punctuation ("。总", "，但"). Weight CORPUS_SHARE.
- a month of the People's Daily (news_corpus.py): running text of the same register,
  thirteen times the seeds' size, which knows 学校总数 and 培训 where the seeds alone
  could not say. Weight NEWS_SHARE.

The trigram counts are the seeds' (`data/corpus_trigrams.tsv`) and the news' added
together. jieba's table also gives `unigram_logp` (how common a character is, with no
context) and the lexicon of two-to-four-character words (does the text before a run
end with a word?).
The numbers are in constants.py.

The three bigram tables are folded into one lookup when the model is built
(`CharLM.__post_init__`), and every answer is remembered on the model (`memo`): a
lookup is then one or two dict gets. decode.py (telling GBK from Big5) and clean.py
(does a restored link word read on?) ask the same model.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import InitVar, dataclass, field
from functools import lru_cache
from pathlib import Path

from .constants import (
    CORPUS_SHARE,
    JIEBA_BIGRAM_WEIGHT,
    LEXICON_LENGTHS,
    LEXICON_MIN_COUNT,
    MEMO_LIMIT,
    NEWS_SHARE,
    RUNNING_BIGRAM_WEIGHT,
    TRIGRAM_SHARE,
    UNSEEN_COUNT,
    UNSEEN_TOTAL,
)
from .news_corpus import news_ngrams
from .ngrams import CORPUS_BIGRAMS, CORPUS_TRIGRAMS, read_counts


@dataclass
class Table:
    """Bigram counts of one source, interpolated with its own unigram."""

    bigrams: dict[str, int]
    unigrams: dict[str, int]
    left_totals: dict[str, int]
    total: int
    bigram_weight: float

    def prob(self, prev: str, ch: str) -> float:
        p_uni = (self.unigrams.get(ch, 0) + UNSEEN_COUNT) / (self.total + UNSEEN_TOTAL)
        left = self.left_totals.get(prev, 0) if prev else 0
        if not left:
            return p_uni
        pair = self.bigrams.get(prev + ch, 0)
        return self.bigram_weight * pair / left + (1.0 - self.bigram_weight) * p_uni


def _table(bigrams: Counter, unigrams: Counter, bigram_weight: float) -> Table:
    left: Counter = Counter()
    for pair, count in bigrams.items():
        left[pair[0]] += count
    return Table(dict(bigrams), dict(unigrams), dict(left), max(1, sum(unigrams.values())), bigram_weight)


@dataclass
class CharLM:
    words: Table  # jieba: what characters make words
    # The corpus (how speeches run on) and the People's Daily (how news and speeches run
    # on): only folded into the lookup below, not kept.
    running: InitVar[Table]
    news: InitVar[Table]
    trigrams: dict[str, int]  # the corpus and the news, three characters at a time
    trigram_contexts: dict[str, int]
    lexicon: dict[str, int] = field(default_factory=dict)  # jieba's words and counts (see LEXICON_MIN_COUNT)
    # Scores already computed: runs ask the same questions many times over.
    memo: dict[str, float] = field(default_factory=dict)
    # The word judge's answers, kept with the model they were made with (word_judge._remembered).
    word_choices: dict = field(default_factory=dict)

    def __post_init__(self, running: Table, news: Table) -> None:
        """The three bigram tables folded into one lookup (see learn): a model miss was
        nine dict look-ups through three Table.prob calls, the step's largest cost on
        new text. P(ch | last) = Σ share·(weight·pair/left + (1 − weight)·unigram), or
        share·unigram from a table that never saw `last`; so it is the sum of a pair part,
        kept for every pair some table saw, and a unigram part that depends only on
        which tables saw `last` (one of eight combinations)."""
        tables = ((self.words, 1.0 - CORPUS_SHARE - NEWS_SHARE), (running, CORPUS_SHARE), (news, NEWS_SHARE))
        pairs: dict[str, float] = {}
        for table, share in tables:
            for pair, count in table.bigrams.items():
                part = share * table.bigram_weight * count / table.left_totals[pair[0]]
                pairs[pair] = pairs.get(pair, 0.0) + part
        contexts: dict[str, int] = {}
        for bit, (table, _) in enumerate(tables):
            for last in table.left_totals:
                contexts[last] = contexts.get(last, 0) | (1 << bit)
        chars = set().union(*(table.unigrams for table, _ in tables))
        (u0, f0), (u1, f1), (u2, f2) = (
            (
                {ch: (table.unigrams.get(ch, 0) + UNSEEN_COUNT) / (table.total + UNSEEN_TOTAL) for ch in chars},
                UNSEEN_COUNT / (table.total + UNSEEN_TOTAL),
            )
            for table, _ in tables
        )
        unigram_parts, floors = [], []
        for combination in range(1 << len(tables)):
            k0, k1, k2 = (
                share * ((1.0 - table.bigram_weight) if combination >> bit & 1 else 1.0)
                for bit, (table, share) in enumerate(tables)
            )
            unigram_parts.append({ch: k0 * u0[ch] + k1 * u1[ch] + k2 * u2[ch] for ch in chars})
            floors.append(k0 * f0 + k1 * f1 + k2 * f2)
        self._pairs = pairs
        # Each context character's unigram part and floor, found in one look-up.
        self._after = {last: (unigram_parts[c], floors[c]) for last, c in contexts.items()}
        self._unseen_context = (unigram_parts[0], floors[0])

    @property
    def unigrams(self) -> dict[str, int]:
        return self.words.unigrams

    def unigram_logp(self, ch: str) -> float:
        return math.log(self.words.prob("", ch))

    def logp(self, prev: str, ch: str) -> float:
        """log P(ch | prev); prev "" means no context."""
        return self.logp3(prev[-1:], ch)

    def logp3(self, history: str, ch: str) -> float:
        """log P(ch | the last two characters of history), backing off to the bigram."""
        history = history[-2:]
        key = history + "\x00" + ch
        found = self.memo.get(key)
        return self.learn(key, history, ch) if found is None else found

    def learn(self, key: str, history: str, ch: str) -> float:
        """logp3 on a memo miss, for a caller that has built the key (history + "\x00" +
        ch, history at most two characters) and found it missing."""
        memo = self.memo
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        # The model itself, computed here rather than in a method of its own: a first
        # question is asked ~70,000 times over the seeds, each call a cost.
        last = history[-1:]
        unigrams, floor = self._after.get(last, self._unseen_context)
        p2 = self._pairs.get(last + ch, 0.0) + unigrams.get(ch, floor)
        seen = self.trigram_contexts.get(history, 0) if len(history) == 2 else 0
        if seen:
            p2 = TRIGRAM_SHARE * self.trigrams.get(history + ch, 0) / seen + (1.0 - TRIGRAM_SHARE) * p2
        found = memo[key] = math.log(p2)
        return found

    def score(self, text: str, prev: str = "") -> float:
        total = 0.0
        history = prev[-2:]
        for ch in text:
            total += self.logp3(history, ch)
            history = (history + ch)[-2:]
        return total


def _jieba_dict_path() -> str:
    import jieba

    return os.path.join(os.path.dirname(jieba.__file__), "dict.txt")


def _jieba_table() -> tuple[Table, dict[str, int]]:
    unigrams: Counter = Counter()
    bigrams: Counter = Counter()
    lexicon: dict[str, int] = {}
    with open(_jieba_dict_path(), encoding="utf-8") as handle:
        for line in handle:
            parts = line.split(" ")
            if len(parts) < 2:
                continue
            word, freq = parts[0], int(parts[1])
            if freq >= LEXICON_MIN_COUNT and len(word) in LEXICON_LENGTHS:
                lexicon[word] = freq
            for i, ch in enumerate(word):
                unigrams[ch] += freq
                if i:
                    bigrams[word[i - 1 : i + 1]] += freq
    return _table(bigrams, unigrams, JIEBA_BIGRAM_WEIGHT), lexicon


def _corpus_table(path: Path) -> Table:
    return _running_table(Counter(read_counts(path, 2)))


def _running_table(bigrams: Counter) -> Table:
    unigrams: Counter = Counter()
    for pair, count in bigrams.items():
        unigrams[pair[0]] += count
    return _table(bigrams, unigrams, RUNNING_BIGRAM_WEIGHT)


@lru_cache(maxsize=1)
def char_lm() -> CharLM:
    """The shared model, built once per process (about 3 s: jieba's 5 MB dictionary and
    the news counts)."""
    news_bigrams, news_trigrams = news_ngrams()
    trigrams = Counter(read_counts(CORPUS_TRIGRAMS, 3))
    trigrams.update(news_trigrams)
    contexts: Counter = Counter()
    for triple, count in trigrams.items():
        contexts[triple[:2]] += count
    words, lexicon = _jieba_table()
    news = _running_table(Counter(news_bigrams))
    return CharLM(words, _corpus_table(CORPUS_BIGRAMS), news, dict(trigrams), dict(contexts), lexicon)
