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

import heapq
from math import log

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
    def __init__(self, view):
        self.view = view
        self._norms: list[float] | None = None

    def rank(self, tree, matches: frozenset[int], needed: int) -> list[tuple[int, float]]:
        """At least the best `needed` of `matches` as (document, score), best first."""
        terms = positive_terms(tree)
        scores = dict.fromkeys(matches, 0.0)
        titles = dict.fromkeys(matches, 0)
        idfs = []
        for term in terms:
            idfs.append(self._add_bm25(term, matches, scores))
            if term.field == "text":
                for doc in self.view.speeches_holding(q.Term(term.text, "title")) & matches:
                    titles[doc] += 1
        best = heapq.nsmallest(max(needed, PROXIMITY_POOL), matches, key=lambda d: (-titles[d], -scores[d], d))
        near = [t for t in terms if t.field == "text" and len(t.text) > 1]
        if len(near) > 1:
            pool = best[:PROXIMITY_POOL]
            bonus = sum(idfs) / len(idfs)
            for doc, gap in self._gaps(near, pool).items():
                scores[doc] += bonus / (1 + gap / PROXIMITY_HALF)
            best = sorted(pool, key=lambda d: (-titles[d], -scores[d], d)) + best[PROXIMITY_POOL:]
        return [(doc, scores[doc]) for doc in best[:needed]]

    def _add_bm25(self, term: q.Term, matches: frozenset[int], scores: dict[int, float]) -> float:
        view = self.view
        holding = view.speeches_holding(term) & matches
        total, n = len(view.canonical()), len(view.speeches_holding(term))
        idf = log(1 + (total - n + 0.5) / (n + 0.5))
        counts = view.occurrences(term).counts.get
        words = view.word_counts(WORD_FIELD[term.field], term.text).get
        norms, gain = self.norms(), idf * (K1 + 1)
        for doc in holding:
            # At least once: the speech may hold the term only in a copy, or (one
            # character) not as a word.
            tf = counts(doc, 0) + words(doc, 0) or 1
            scores[doc] += gain * tf / (tf + norms[doc])
        return idf

    def norms(self) -> list[float]:
        """Per document, BM25's length part: K1 * (1 - B + B * length / average), the
        length in characters (the index's length column), the average over canonical
        speeches."""
        if self._norms is None:
            lengths = [value or 0 for value in self.view.searcher.reader().column_reader("length")]
            canonical = self.view.canonical()
            average = (sum(lengths[d] for d in canonical) / len(canonical)) if canonical else 1.0
            average = average or 1.0
            self._norms = [K1 * (1 - B + B * (length or average) / average) for length in lengths]
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
