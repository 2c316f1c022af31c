"""jieba's segmentation with jieba's own output, in less time.

Indexing segments every speech (jieba.cut(text), accurate mode: the words ranking
counts), and that was a third of an index build. jieba finds the best route through a
sentence in two passes: one builds the graph of dictionary words starting at each
character (a dict of lists), the next scores every edge, calling log() and slicing the
sentence again for each. SearchSegmenter does both in one pass from the end of the
sentence, with every dictionary word's log-probability computed once, when it is made.
The rest (splitting text into blocks, jieba's HMM for runs of unknown characters)
follows jieba step by step.

The words and their order are jieba's exactly: test_segmenter compares the two on every
line of the seed pages and on generated text. jieba's dictionary and HMM are used as
they are; only the route search is ours.

The ingest pipeline's keywords (keywords.py) take the dictionary words of
jieba.cut(text, HMM=False) through `dictionary_words`; the search indexes take
`whole_words`. It lives in the pipeline, which imports nothing of Django, so both can.

Most blocks of text are cut by rjieba, the binding of jieba-rs (jieba in Rust, with
jieba's own dictionary and HMM tables built in): 13 times as fast as the route search
here, and half of an index build was segmenting. Its words are jieba's for every block
without one of the signs + # & . _ % - (jieba's HMM splits a run such as 3-5 or a web
address into its parts, jieba-rs keeps it whole): 200,000 generated blocks and every
block of the seed pages agreed, and test_segmenter compares the two on every line of
the seeds and on generated text. A block holding such a sign takes the route search,
as does a run holding a character jieba-rs alone counts as Chinese (CJK extensions:
jieba gives each alone, jieba-rs may join them).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterator
from functools import lru_cache

import jieba
from jieba import finalseg

# Runs remembered by _hmm (each a few characters): a few megabytes at most.
HMM_MEMORY = 50_000
# A dictionary key that is only the prefix of a word (frequency 0) maps to this.
_PREFIX = None
_ABSENT = object()
# Signs that jieba and jieba-rs treat differently inside a block (see above).
_NOT_FOR_RJIEBA = re.compile(r"[+#&._%\-]")
# Characters jieba-rs counts as Chinese and jieba does not (CJK extensions and
# compatibility forms): jieba gives each alone, jieba-rs may join them into words.
_HAN_FOR_RJIEBA_ONLY = re.compile("[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_initializing = threading.Lock()


@lru_cache(maxsize=1)
def initialized_tokenizer() -> jieba.Tokenizer:
    """jieba's default tokenizer, its dictionary loaded. It initialises lazily and is not
    safe to initialise from two threads at once (the live-server tests and the dev
    server do); once it has, every query takes it without the lock."""
    with _initializing:
        jieba.dt.initialize()
    return jieba.dt


@lru_cache(maxsize=1)
def default_segmenter() -> SearchSegmenter:
    """One per process: its table of log-probabilities is built once (≈0.2 s)."""
    return SearchSegmenter(initialized_tokenizer())


class SearchSegmenter:
    def __init__(self, tokenizer: jieba.Tokenizer):
        tokenizer.check_initialized()
        self.freq = tokenizer.FREQ
        logtotal = math.log(tokenizer.total)
        # As jieba's calc(): log(freq) - log(total), a sum made in the same order, so
        # that scores, and so the routes chosen, are bit for bit the same.
        self.logp = {word: (math.log(freq) - logtotal if freq else _PREFIX) for word, freq in self.freq.items()}
        # A character that starts no word: jieba scores it as log(1) - log(total).
        self.unknown = math.log(1) - logtotal
        self._hmm_seen: dict[str, list[str]] = {}
        # Imported here, not with the module: importing rjieba builds its dictionary
        # (35 MB, 0.1 s), and a process that only searches imports this module but
        # never segments (speeches.search.analysis).
        import rjieba

        self._rjieba_cut = rjieba.cut

    def whole_words(self, text: str) -> list[str]:
        """jieba.cut(text) (accurate mode, HMM on) as a list: each word once (网络安全, not
        also the 网络 and 安全 of jieba's search mode). What the indexes count, so that
        ranking counts a term as a whole word only where it stands as one. Runs of text
        that jieba-rs cuts as jieba does go to it whole; a block holding one of the signs,
        and a run holding a character jieba-rs alone counts as Chinese, take cut()."""
        words: list[str] = []
        start = 0
        for block in jieba.re_han_default.finditer(text):
            if _NOT_FOR_RJIEBA.search(block.group()):
                self._add_whole_words(words, text[start : block.start()])
                words.extend(self.cut(block.group()))
                start = block.end()
        self._add_whole_words(words, text[start:])
        return words

    def _add_whole_words(self, words: list[str], text: str) -> None:
        if _HAN_FOR_RJIEBA_ONLY.search(text):
            words.extend(self.cut(text))
        elif text:
            words.extend(self._rjieba_cut(text))

    def cut(self, text: str) -> Iterator[str]:
        """jieba.Tokenizer.cut(text) with its defaults (accurate mode, HMM on)."""
        han, skip = jieba.re_han_default, jieba.re_skip_default
        for block in han.split(text):
            if not block:
                continue
            if han.match(block):
                yield from self._cut_block(block)
            else:
                for piece in skip.split(block):
                    if skip.match(piece):
                        yield piece
                    else:
                        yield from piece

    def dictionary_words(self, text: str) -> Iterator[str]:
        """The words of two characters or more that jieba.cut(text, HMM=False) yields
        from runs of Chinese characters, in order. (Its other output is single
        characters, runs of Latin letters and digits, and what lies between runs: none
        of it a word of Chinese characters, which is all keywords.py takes.)"""
        han = jieba.re_han_default
        for block in han.split(text):
            if len(block) < 2 or not han.match(block):
                continue
            if not _NOT_FOR_RJIEBA.search(block):
                # jieba-rs joins a run of Latin letters and digits into one word, as
                # jieba does without HMM; the route search leaves them single: a word of
                # the dictionary is what both give.
                freq = self.freq
                yield from (word for word in self._rjieba_cut(block, False) if len(word) > 1 and freq.get(word))
                continue
            ends = self._route(block)
            x, n = 0, len(block)
            while x < n:
                y = ends[x] + 1
                if y - x > 1:
                    yield block[x:y]
                x = y

    def _cut_block(self, sentence: str) -> Iterator[str]:
        if not _NOT_FOR_RJIEBA.search(sentence):
            return self._rjieba_cut(sentence)
        return self._cut_by_route(sentence)

    def _cut_by_route(self, sentence: str) -> Iterator[str]:
        ends = self._route(sentence)
        pending = ""  # single characters in a row, which jieba hands to its HMM
        x, n = 0, len(sentence)
        while x < n:
            y = ends[x] + 1
            if y - x == 1:
                pending += sentence[x]
            else:
                if pending:
                    yield from self._single_characters(pending)
                    pending = ""
                yield sentence[x:y]
            x = y
        if pending:
            yield from self._single_characters(pending)

    def _single_characters(self, run: str) -> Iterator[str]:
        if len(run) == 1:
            yield run
        elif not self.freq.get(run):
            yield from self._hmm(run)
        else:
            yield from run

    def _hmm(self, run: str) -> list[str]:
        """finalseg.cut(run), remembered: runs of characters that start no word are
        short (a few characters) and the same ones come back in every text (的是, 在了),
        and the HMM's Viterbi search was half of what remained of segmenting."""
        words = self._hmm_seen.get(run)
        if words is None:
            words = list(finalseg.cut(run))
            if len(self._hmm_seen) >= HMM_MEMORY:
                self._hmm_seen.clear()
            self._hmm_seen[run] = words
        return words

    def _route(self, sentence: str) -> list[int]:
        """For each position, where the best route's next word ends (inclusive)."""
        logp, absent, unknown = self.logp, _ABSENT, self.unknown
        n = len(sentence)
        scores = [0.0] * (n + 1)
        ends = [0] * n
        for start in range(n - 1, -1, -1):
            best, best_end = None, start
            end = start
            found = logp.get(sentence[start], absent)
            while found is not absent:
                if found is not _PREFIX:
                    score = found + scores[end + 1]
                    # jieba takes max((score, end)): on equal scores the longer word.
                    if best is None or score >= best:
                        best, best_end = score, end
                end += 1
                if end >= n:
                    break
                found = logp.get(sentence[start : end + 1], absent)
            scores[start] = unknown + scores[start + 1] if best is None else best
            ends[start] = best_end
        return ends
