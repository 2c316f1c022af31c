"""Ranking one page of hits without Whoosh's collector, where it is the slow part.

Whoosh scores a posting list one matcher call per posting. For one or two words (the
commonest queries) and an exact phrase these rank from postings read a block at a
time; for words, with the statistics and formula Whoosh uses, so that a page is the
page Whoosh would give (test_index_view compares them).
"""

from __future__ import annotations

import heapq

from whoosh.scoring import BM25F

from .postings import posting_blocks, segment_postings


class Ranking:
    """Rankers over one open searcher; per-segment field lengths are kept while it is open."""

    def __init__(self, searcher):
        self.searcher = searcher
        self._lengths: dict[tuple[int, str], list] = {}

    def by_bm25(self, fieldname: str, terms: tuple[str, ...], matches, offset: int, limit: int
                ) -> list[tuple[int, float]] | None:
        """One word, or two ANDed, ranked as Whoosh ranks them (the same BM25F on the
        same weights, lengths and statistics, an AND scoring the sum of its two terms,
        ties to the lower document number), in one pass over each word's postings a
        block at a time.

        Whoosh's collector scores a common word's postings one matcher call each (its
        block-quality skipping rarely skips here: speeches all use the word often),
        which made this the bulk of such a query. None when the index is not scored
        by plain BM25F, or for three words and more (a sum of three floats depends on
        the order Whoosh adds them in), so the caller asks Whoosh.
        """
        weighting = self.searcher.weighting
        if (type(weighting) is not BM25F or weighting._field_B or not self.searcher.schema[fieldname].scorable
                or len(set(terms)) != len(terms) or not 1 <= len(terms) <= 2):
            return None
        scored = self._scored(fieldname, terms[0], matches)
        if len(terms) == 2:
            first = {negated: score for score, negated in scored}
            scored = [
                (first[negated] + score, negated)
                for score, negated in self._scored(fieldname, terms[1], matches)
                if negated in first
            ]
        fields = self.searcher.stored_fields
        top = heapq.nlargest(offset + limit, scored)[offset:]
        return [(int(fields(-negated)["django_id"]), score) for score, negated in top]

    def _scored(self, fieldname: str, text: str, matches) -> list[tuple[float, int]]:
        """(BM25F score, minus the document number) for every document of `matches`
        holding the term."""
        searcher = self.searcher
        idf = searcher.idf(fieldname, text)
        average = searcher.avg_field_length(fieldname) or 1
        b, k1 = searcher.weighting.B, searcher.weighting.K1
        # whoosh.scoring.bm25, written out (a call per posting cost a third of the time),
        # operation for operation, so that every score is the same float as Whoosh's.
        k1_plus_one, one_minus_b = k1 + 1, 1 - b
        scored = []
        # Deleted documents are not in matches, so the raw posting lists will do.
        for number, base, reader, matcher in segment_postings(searcher, fieldname, text):
            lengths = self._field_lengths(number, reader, fieldname)
            for block in posting_blocks(matcher):
                scored += [
                    (idf * ((tf * k1_plus_one) / (tf + k1 * (one_minus_b + b * lengths[doc] / average))), -(doc + base))
                    for doc, tf in zip(block.ids(), block.weights(), strict=True)
                    if doc + base in matches
                ]
        return scored

    def _field_lengths(self, number: int, reader, fieldname: str) -> list:
        """Every document's length in the field, for one segment, as Whoosh's scorer
        reads it (default 1), kept while the view is open."""
        key = (number, fieldname)
        if key not in self._lengths:
            self._lengths[key] = [reader.doc_field_length(doc, fieldname, 1) for doc in range(reader.doc_count_all())]
        return self._lengths[key]

    def by_occurrences(self, counts: dict[int, int], matches, offset: int, limit: int) -> list[tuple[int, float]]:
        """A phrase query ranked by how often the phrase occurs, for the speech's
        length (BM25's term part, the phrase as the term: k1=1.2, b=0.75 as Whoosh).

        The positions read to match the phrase give its count in every matched
        speech; ranking by the phrase's jieba words instead costs Whoosh an
        intersection of their posting lists, doubling a phrase query's time.
        """
        length = self.searcher.doc_field_length
        average = self.searcher.avg_field_length("text") or 1.0
        scored = []
        for doc in matches:
            tf = counts.get(doc, 1)
            norm = 1.2 * (0.25 + 0.75 * (length(doc, "text") or average) / average)
            scored.append((-(tf * 2.2 / (tf + norm)), doc))
        scored.sort()
        fields = self.searcher.stored_fields
        return [(int(fields(doc)["django_id"]), -score) for score, doc in scored[offset : offset + limit]]
