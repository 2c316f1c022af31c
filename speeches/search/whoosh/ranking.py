"""Relevance as the help page explains it, from the index's own occurrences.

1. Speeches whose title holds more of the query's terms come first.
2. Then BM25 over the terms' string occurrences (k1 = 1.2, b = 0.75, the speech's
   length in characters), where an occurrence that is also a whole jieba word of the
   text counts twice: 发展 standing as a word ranks above 发展 inside 开发展示.
   A term of one character is counted by its whole-word occurrences only (its
   string occurrences would mean reading every bigram it starts).
3. For several terms, the best PROXIMITY_POOL speeches by 1 and 2 gain a bonus the
   closer their terms stand together (full when adjacent, half at PROXIMITY_HALF
   characters apart), and are ordered again. The pool is fixed, so pages never
   overlap.
Ties go to the earlier indexed speech.
"""

from __future__ import annotations

from math import log

import numpy as np

from .. import query as q

K1, B = 1.2, 0.75
PROXIMITY_POOL = 200
PROXIMITY_HALF = 20
# The word field of each term field (fields.WordField: jieba words, with counts).
WORD_FIELD = {"text": "text", "title": "title"}


def positive_terms(node) -> list[q.Term]:
    """The terms a hit holds (not those under an exclusion), each once, in order."""
    if isinstance(node, q.Term):
        return [node]
    if node is None or isinstance(node, q.Not):
        return []
    return list(dict.fromkeys(term for child in node.children for term in positive_terms(child)))


class Ranking:
    """Scores over arrays of the index's document numbers (numpy): one vector
    operation per term, not a Python step per matching speech."""

    def __init__(self, view):
        self.view = view
        self._norms: np.ndarray | None = None

    def rank(self, tree, matches: frozenset[int], needed: int) -> list[tuple[int, float]]:
        """At least the best `needed` of `matches` as (document, score), best first."""
        view = self.view
        terms = positive_terms(tree)
        docs = np.fromiter(matches, np.int64, len(matches))
        scores = np.zeros(view.size())
        titles = np.zeros(view.size(), np.int32)
        idfs = []
        for term in terms:
            idfs.append(self._add_bm25(term, docs, scores))
            if term.field == "text":
                titled = view.speeches_holding(q.Term(term.text, "title")) & matches
                titles[np.fromiter(titled, np.int64, len(titled))] += 1
        best = _best(docs, titles, scores, max(needed, PROXIMITY_POOL))
        near = [t for t in terms if t.field == "text" and len(t.text) > 1]
        if len(near) > 1:
            pool = best[:PROXIMITY_POOL]
            bonus = sum(idfs) / len(idfs)
            for doc, gap in self._gaps(near, [int(d) for d in pool]).items():
                scores[doc] += bonus / (1 + gap / PROXIMITY_HALF)
            best = np.concatenate([pool[np.lexsort((pool, -scores[pool], -titles[pool]))], best[PROXIMITY_POOL:]])
        return [(int(doc), float(scores[doc])) for doc in best[:needed]]

    def _add_bm25(self, term: q.Term, docs: np.ndarray, scores: np.ndarray) -> float:
        view = self.view
        holding = view.speeches_holding(term)
        total, n = len(view.canonical()), len(holding)
        idf = log(1 + (total - n + 0.5) / (n + 0.5))
        tf = np.zeros(view.size())
        ids, counts = view.occurrences(term).counted
        tf[ids] += counts
        ids, counts = view.word_counts(WORD_FIELD[term.field], term.text)
        tf[ids] += counts
        held = docs[np.isin(docs, np.fromiter(holding, np.int64, n))]
        # At least once: the speech may hold the term only in a copy, or (one character)
        # not as a word.
        found = np.maximum(tf[held], 1.0)
        scores[held] += idf * (K1 + 1) * found / (found + self.norms()[held])
        return idf

    def norms(self) -> np.ndarray:
        """Per document, BM25's length part: K1 * (1 - B + B * length / average), the
        length in characters (the index's length column), the average over canonical
        speeches."""
        if self._norms is None:
            column = self.view.searcher.reader().column_reader("length")
            lengths = np.fromiter((value or 0 for value in column), np.float64, self.view.size())
            canonical = self.view.canonical()
            average = float(lengths[np.fromiter(canonical, np.int64, len(canonical))].mean()) if canonical else 1.0
            average = average or 1.0
            lengths[lengths == 0] = average
            self._norms = K1 * (1 - B + B * lengths / average)
        return self._norms

    def _gaps(self, terms: list[q.Term], docs: list[int]) -> dict[int, int]:
        """Per document holding every term: the fewest characters between them, in
        the smallest stretch of text that holds one occurrence of each."""
        where = [self.view.positions(term, docs) for term in terms]
        sizes = [len(term.text) for term in terms]
        gaps = {}
        for doc in docs:
            if all(doc in found for found in where):
                events = sorted((p, i) for i, found in enumerate(where) for p in found[doc])
                gaps[doc] = _smallest_gap(events, sizes)
        return gaps


def _best(docs: np.ndarray, titles: np.ndarray, scores: np.ndarray, count: int) -> np.ndarray:
    """The best `count` documents (more where the last ties), best first: more terms in
    the title, then the higher score, then the lower document number."""
    if len(docs) > count:
        # Titles outweigh any score: one key to partition by, ties kept whole.
        top = float(scores[docs].max()) + 1.0
        key = titles[docs] * top + scores[docs]
        threshold = np.partition(key, len(key) - count)[len(key) - count]
        docs = docs[key >= threshold]
    return docs[np.lexsort((docs, -scores[docs], -titles[docs]))]


def _smallest_gap(events: list[tuple[int, int]], sizes: list[int]) -> int:
    """Over windows of (position, term) events holding every term once or more: the
    smallest stretch's length less the terms' own lengths (0 when adjacent)."""
    need, have, left, best = len(sizes), {}, 0, None
    for position, term in events:
        have[term] = have.get(term, 0) + 1
        while len(have) == need:
            start, first = events[left]
            # The last term's end (a longer term just before it may reach further:
            # a character or two, not worth a pass over the window).
            end = position + sizes[term]
            gap = max(0, end - start - sum(sizes))
            best = gap if best is None else min(best, gap)
            have[first] -= 1
            if not have[first]:
                del have[first]
            left += 1
    return best if best is not None else 0
