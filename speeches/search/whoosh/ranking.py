"""Relevance (speeches.search.relevance) from the Whoosh index's own occurrences."""

from __future__ import annotations

import numpy as np

from .. import query as q
from ..relevance import (
    K1,
    PROXIMITY_POOL,
    B,
    group_events,
    group_idfs,
    idf,
    near_groups,
    positive_terms,
    proximity_bonus,
    smallest_gap,
)
from .docsets import held

# The word field of each term field (fields.WordField: jieba words, with counts).
WORD_FIELD = {"text": "text", "title": "title"}


class Ranking:
    """Scores over arrays of the index's document numbers (numpy): one vector
    operation per term, not a Python step per matching speech."""

    def __init__(self, view):
        self.view = view
        self._norms: np.ndarray | None = None

    def rank(self, tree, matches: np.ndarray, needed: int) -> list[tuple[int, float]]:
        """At least the best `needed` of `matches` (docsets.Docs) as (document, score), best first."""
        view = self.view
        terms = positive_terms(tree)
        docs = matches.astype(np.int64)
        scores = np.zeros(view.size())
        titles = np.zeros(view.size(), np.int32)
        idfs = []
        for term in terms:
            idfs.append(self._add_bm25(term, docs, scores))
            if term.field == "text":
                title_docs = view.speeches_holding(q.Term(term.text, "title"))
                titles[docs[held(docs, title_docs)]] += 1
        best = _best(docs, titles, scores, max(needed, PROXIMITY_POOL), view.tie_order)
        near = near_groups(tree)
        if len(near) > 1:
            pool = best[:PROXIMITY_POOL]
            weights = group_idfs(near, dict(zip(terms, idfs, strict=True)))
            for doc, gap in self._gaps(near, [int(d) for d in pool]).items():
                scores[doc] += proximity_bonus(weights, gap)
            order = np.lexsort((*self.view.tie_order(pool), -scores[pool], -titles[pool]))
            best = np.concatenate([pool[order], best[PROXIMITY_POOL:]])
        return [(int(doc), float(scores[doc])) for doc in best[:needed]]

    def _add_bm25(self, term: q.Term, docs: np.ndarray, scores: np.ndarray) -> float:
        view = self.view
        holding = view.speeches_holding(term)
        total, n = len(view.canonical()), len(holding)
        weight = idf(total, n)
        tf = np.zeros(view.size())
        ids, counts = view.occurrences(term).counted
        tf[ids] += counts
        ids, counts = view.word_counts(WORD_FIELD[term.field], term.text)
        tf[ids] += counts
        holders = docs[held(docs, holding)]
        # At least once: the speech may hold the term only in a copy, or (one character)
        # not as a word.
        found = np.maximum(tf[holders], 1.0)
        scores[holders] += weight * (K1 + 1) * found / (found + self.norms()[holders])
        return weight

    def norms(self) -> np.ndarray:
        """Per document, BM25's length part: K1 * (1 - B + B * length / average), the
        length in characters (the index's length column), the average over canonical
        speeches."""
        if self._norms is None:
            lengths = self.view.column("length").astype(np.float64)  # a copy: the view's stays
            canonical = self.view.canonical()
            average = float(lengths[canonical].mean()) if len(canonical) else 1.0
            average = average or 1.0
            lengths[lengths == 0] = average
            self._norms = K1 * (1 - B + B * lengths / average)
        return self._norms

    def _gaps(self, groups: list[list[q.Term]], docs: list[int]) -> dict[int, int]:
        """Per document holding a term of every group: the fewest characters between
        them, in the smallest stretch of text that holds one occurrence of each group."""
        where = [[self.view.positions(term, docs) for term in group] for group in groups]
        gaps = {}
        for doc in docs:
            made = group_events([[found.get(doc, []) for found in group] for group in where], groups)
            if made is not None:
                gaps[doc] = smallest_gap(*made)
        return gaps


def _best(docs: np.ndarray, titles: np.ndarray, scores: np.ndarray, count: int, tie_order) -> np.ndarray:
    """The best `count` documents (more where the last ties), best first: more terms in
    the title, then the higher score, then as `tie_order` (IndexView.tie_order) says."""
    if len(docs) > count:
        # Titles outweigh any score: one key to partition by, ties kept whole.
        top = float(scores[docs].max()) + 1.0
        key = titles[docs] * top + scores[docs]
        threshold = np.partition(key, len(key) - count)[len(key) - count]
        docs = docs[key >= threshold]
    return docs[np.lexsort((*tie_order(docs), -scores[docs], -titles[docs]))]
