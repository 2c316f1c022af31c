"""Searching an open Whoosh index: which documents match, exact facet counts, one page.

haystack's own search() fetches and highlights every hit with a stemming analyzer
and has no facets for Whoosh. Here a query is answered in three steps:
1. the set of matching documents, evaluated as sets (IndexView.evaluate): words
   from their posting lists, exact phrases by checking bigram positions only in the
   documents that hold every bigram of the phrase (Whoosh's own Phrase query walks
   the positions of every posting of every bigram, 400 ms at 20,000 speeches);
2. facet counts by intersecting that set with cached per-value document sets (as
   bitmaps for fields of few, large values), each field under the *other* filters
   (drill-down), so counts are exact;
3. one page of hits ranked by BM25 over the jieba words within the set: by Whoosh,
   or for one word and for exact phrases from postings read a block at a time
   (speeches.search.ranking).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from whoosh import query as wq

from . import query as q
from .analysis import phrase_grams, query_terms
from .postings import OnlyDocs, bitmap, decode_positions, posting_blocks, segment_postings
from .ranking import Ranking


@dataclass
class FacetedResults:
    count: int
    hits: list[tuple[int, float]]  # (django_id, score)
    facets: dict[str, dict[str, int]]


# sort name -> (column, newest/longest first)
SORTS = {"year": ("year", True), "year_asc": ("year", False), "length": ("length", True),
         "length_asc": ("length", False)}
GRAM_FIELD = {"text": "grams", "title": "title_grams"}
# How many term and phrase document sets a view (one per serving thread) keeps: a
# set of 20,000 documents is about 1 MB, so at most ~60 MB a thread at that size.
# counts(): a value's bitmap costs about 1/50 of a set probe per document in the index
# (measured on 20,000 speeches: an AND and bit count of 20 kB against ~37 ns a probe).
BITMAP_GAIN = 50
CACHED_TERMS = 48
CACHED_PHRASES = 12


class _Bounded(OrderedDict):
    """A dict that forgets its least recently stored entries beyond `size`."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        if len(self) > self.size:
            self.popitem(last=False)


class IndexView:
    """An open searcher plus, per facet field, the set of documents holding each
    value. Both stay valid until the index changes (a new generation)."""

    def __init__(self, searcher, generation):
        self.searcher = searcher
        self.generation = generation
        self._sets: dict[str, dict[str, frozenset[int]]] = {}
        self._bits: dict[str, dict[str, int] | None] = {}
        self.ranking = Ranking(searcher)
        # The last pool counted, with its bitmap: a page's five facets usually share one.
        self._pool: tuple[frozenset[int], int] | None = None
        self._canonical: frozenset[int] | None = None
        self._every: frozenset[int] | None = None
        self._alive: dict[int, frozenset[int] | None] = {}
        # Document sets of terms and phrases, kept while the index is unchanged:
        # paging and narrowing by facets repeat the query just asked. Bounded.
        self._terms: dict[tuple[str, str], frozenset[int]] = _Bounded(CACHED_TERMS)
        # (field, phrase) -> {document: occurrences}; None where positions were not read
        self._phrases: dict[tuple[str, str], tuple[frozenset[int], dict | None]] = _Bounded(CACHED_PHRASES)

    def close(self) -> None:
        self.searcher.close()

    # --- which documents match ---------------------------------------------

    def search(self, tree, filters: dict[str, set[str]], facet_fields: tuple[str, ...],
               sort: str = "", offset: int = 0, limit: int = 20) -> FacetedResults:
        """One page of canonical speeches matching `tree` and every filter, with the
        total and, per facet field, exact counts under all the *other* filters."""
        base = self.canonical() if tree is None else self.canonical() & self.evaluate(tree)
        narrowed = {name: self.union(name, values) for name, values in filters.items() if values}
        matches = base.intersection(*narrowed.values()) if narrowed else base
        facets = {}
        for name in facet_fields:
            others = [docs for other, docs in narrowed.items() if other != name]
            pool = base.intersection(*others) if others else base
            facets[name] = self.counts(name, pool)
        hits = self.page(tree, matches, sort, offset, limit) if matches else []
        return FacetedResults(len(matches), hits, facets)

    def evaluate(self, node) -> frozenset[int]:
        """The documents the query tree matches, as a set of Whoosh document numbers."""
        if isinstance(node, q.Word):
            return self.all_of([self.term_docs(node.field, piece) for piece in node.pieces])
        if isinstance(node, q.Phrase):
            return self.phrase_docs(GRAM_FIELD[node.field], node.text)
        if isinstance(node, q.Any):
            return frozenset().union(*(self.evaluate(child) for child in node.children))
        if isinstance(node, q.Not):
            return self.every() - self.evaluate(node.child)
        positive = [self.evaluate(c) for c in node.children if not isinstance(c, q.Not)]
        result = self.all_of(positive) if positive else self.every()
        for child in node.children:
            if isinstance(child, q.Not) and result:
                result -= self.evaluate(child.child)
        return result

    @staticmethod
    def all_of(sets: list[frozenset[int]]) -> frozenset[int]:
        ordered = sorted(sets, key=len)
        return ordered[0].intersection(*ordered[1:]) if ordered else frozenset()

    def term_docs(self, fieldname: str, text: str) -> frozenset[int]:
        key = (fieldname, text)
        if key not in self._terms:
            self._terms[key] = self._read_term_docs(fieldname, text)
        return self._terms[key]

    def _read_term_docs(self, fieldname: str, text: str, blocks: list | None = None) -> frozenset[int]:
        """A term's live documents. With `blocks`, each block of its postings is also
        appended there as (segment offset, ids, raw values), for reading positions."""
        docs: list[int] = []
        for offset, alive, matcher in self._postings(fieldname, text):
            for block in posting_blocks(matcher):
                ids = block.ids()
                if blocks is not None:
                    blocks.append((offset, ids, block.values()))
                if alive is not None:
                    ids = [doc for doc in ids if doc in alive]
                docs.extend(ids if not offset else [doc + offset for doc in ids])
        return frozenset(docs)

    def _postings(self, fieldname: str, text: str):
        """Per segment: its first document number, its live documents (None when it
        has no deletions) and the raw posting list of the term there."""
        for number, offset, reader, matcher in segment_postings(self.searcher, fieldname, text):
            if number not in self._alive:
                self._alive[number] = frozenset(reader.all_doc_ids()) if reader.has_deletions() else None
            yield offset, self._alive[number], matcher

    def forget(self) -> None:
        """Drop the cached term and phrase sets (the benchmark times cold queries)."""
        self._terms.clear()
        self._phrases.clear()

    def phrase_docs(self, fieldname: str, text: str) -> frozenset[int]:
        return self._phrase(fieldname, text)[0]

    def phrase_counts(self, fieldname: str, text: str) -> dict[int, int] | None:
        """How often the phrase occurs in each matching document; None for phrases
        of one or two characters, whose positions are never read."""
        return self._phrase(fieldname, text)[1]

    def _phrase(self, fieldname: str, text: str) -> tuple[frozenset[int], dict[int, int] | None]:
        key = (fieldname, text)
        if key not in self._phrases:
            self._phrases[key] = self._match_phrase(fieldname, text)
        return self._phrases[key]

    def _match_phrase(self, fieldname: str, text: str) -> tuple[frozenset[int], dict | None]:
        """Documents holding `text` as a contiguous string.

        Each bigram's posting list is read once, ids and position values together
        (Whoosh stores them in one compressed block). Candidates are the documents
        holding every bigram; positions are decoded for candidates only, and only
        for enough bigrams to cover every character: AB at p and CD at p+2 spell
        ABCD, so BC at p+1 need not be checked.
        """
        grams = phrase_grams(text)
        if not grams:  # one character: every occurrence starts a bigram
            return frozenset(self.searcher.docs_for_query(wq.Prefix(fieldname, text))), None
        postings: dict[str, list] = {gram: [] for gram in grams}
        # Rarest first, and no further once no document holds them all: a phrase that
        # occurs nowhere then never reads its common bigrams' long posting lists. The
        # variants of search/damaged.py (一防三〓) are such phrases, their bigrams with
        # 〓 rare.
        candidates: frozenset[int] | None = None
        for gram in sorted(postings, key=lambda gram: self.searcher.doc_frequency(fieldname, gram)):
            docs = self._read_term_docs(fieldname, gram, postings[gram])
            candidates = docs if candidates is None else candidates & docs
            if not candidates:
                return frozenset(), None
        if len(grams) == 1:
            return candidates, None
        starts: dict[int, set[int]] | None = None
        for offset in sorted({*range(0, len(grams), 2), len(grams) - 1}):
            wanted = starts if starts is not None else candidates
            narrowed = {}
            for base, ids, values in postings[grams[offset]]:
                for i, doc in enumerate(ids):
                    doc += base
                    if doc in wanted:
                        found = {p - offset for p in decode_positions(values[i])}
                        left = found if starts is None else starts[doc] & found
                        if left:
                            narrowed[doc] = left
            starts = narrowed
            if not starts:
                break
        return frozenset(starts), {doc: len(where) for doc, where in starts.items()}

    def every(self) -> frozenset[int]:
        if self._every is None:
            self._every = frozenset(self.searcher.docs_for_query(wq.Every()))
        return self._every

    def canonical(self) -> frozenset[int]:
        if self._canonical is None:
            self._canonical = self.term_docs("canonical", "true")
        return self._canonical

    # --- facets --------------------------------------------------------------

    def value_sets(self, fieldname: str) -> dict[str, frozenset[int]]:
        if fieldname not in self._sets:
            reader, sets = self.searcher.reader(), {}
            if fieldname in self.searcher.schema.names():
                for term in reader.lexicon(fieldname):
                    value = term.decode("utf-8")
                    if value:
                        sets[value] = self.term_docs(fieldname, value)
            self._sets[fieldname] = sets
        return self._sets[fieldname]

    def union(self, fieldname: str, values: set[str]) -> frozenset[int]:
        sets = self.value_sets(fieldname)
        return frozenset().union(*(sets.get(v, frozenset()) for v in values))

    def counts(self, fieldname: str, pool) -> dict[str, int]:
        """How many documents of `pool` hold each value of the field.

        Fields with few values, each held by many documents (topic, year, level), are
        counted as bitmaps (a Python int, one byte per document, as bytes are quicker
        to set from Python than bits): one AND and one bit count per value, in C.
        Sets cost a hash probe per document of every value; for many small values
        (the 200 source documents) that is still the cheaper way.
        """
        sets = self.value_sets(fieldname)
        if fieldname not in self._bits:
            held = sum(len(docs) for docs in sets.values())
            use_bits = len(sets) * self._size() < BITMAP_GAIN * held
            self._bits[fieldname] = {v: bitmap(docs, self._size()) for v, docs in sets.items()} if use_bits else None
        bits = self._bits[fieldname]
        if bits is None:
            counts = {value: len(docs & pool) for value, docs in sets.items()}
        else:
            if self._pool is None or self._pool[0] is not pool:
                self._pool = (pool, bitmap(pool, self._size()))
            pool_bits = self._pool[1]
            counts = {value: (value_bits & pool_bits).bit_count() for value, value_bits in bits.items()}
        return {value: n for value, n in counts.items() if n}

    def _size(self) -> int:
        return self.searcher.doc_count_all()

    # --- one page ------------------------------------------------------------

    def page(self, tree, matches: frozenset[int], sort: str, offset: int, limit: int) -> list[tuple[int, float]]:
        """Hits offset..offset+limit of `matches`, ranked by the query's words (or
        sorted). A document the words cannot reach (a phrase inside a longer jieba
        word: 议上 in 会议上) still matched: such documents follow, newest first."""
        ranking = None if tree is None or sort in SORTS else compile_query(tree, scoring=True)
        if ranking is None:
            column, reverse = SORTS.get(sort, ("year", True))
            return self._fetch(wq.Every(), matches, offset, limit, sortedby=column, reverse=reverse)
        if isinstance(tree, q.Phrase):
            counts = self.phrase_counts(GRAM_FIELD[tree.field], tree.text)
            if counts is not None:
                return self.ranking.by_occurrences(counts, matches, offset, limit)
        words = _anded_words(tree)
        if words is not None:
            hits = self.ranking.by_bm25(*words, matches, offset, limit)
            if hits is not None:
                return hits
        reached = self.evaluate(scoring_tree(tree))
        if len(matches) * 2 < len(reached):
            # A phrase, filter or exclusion matched a small part of what the words
            # reach: score only those documents.
            hits = self._fetch(wq.And([OnlyDocs(matches), ranking]), None, offset, limit)
        else:
            # Telling Whoosh which few documents to leave out is quicker than which
            # many to keep (it checks a set either way, and builds neither).
            excluded = reached - matches
            hits = self._fetch(ranking, None, offset, limit, mask=set(excluded) if excluded else None)
        if len(hits) < limit:
            ranked = reached & matches
            rest = matches - ranked
            if rest:
                skip = max(0, offset - len(ranked))
                hits += self._fetch(wq.Every(), rest, skip, limit - len(hits), sortedby="year", reverse=True)
        return hits

    @staticmethod
    def _hit(results, i: int) -> tuple[int, float]:
        return int(results.fields(i)["django_id"]), results.score(i) or 0.0

    def _fetch(self, query, docs, offset: int, limit: int, **options) -> list[tuple[int, float]]:
        allow = None if docs is None else set(docs)
        results = self.searcher.search(query, filter=allow, limit=offset + limit, **options)
        return [self._hit(results, i) for i in range(offset, min(len(results.top_n), offset + limit))]


def _anded_words(node) -> tuple[str, tuple[str, ...]] | None:
    """(field, pieces) when the query is only words ANDed in one field (what
    Ranking.by_bm25 can rank); else None."""
    words = node.children if isinstance(node, q.All) else (node,)
    if not all(isinstance(word, q.Word) for word in words) or len({word.field for word in words}) != 1:
        return None
    return words[0].field, tuple(piece for word in words for piece in word.pieces)


def scoring_tree(node):
    """The query as its words only: phrases become their words, exclusions go
    (the matched set has none). What compile_query(scoring=True) ranks by."""
    if isinstance(node, q.Phrase):
        pieces = tuple(query_terms(node.text))
        return q.Word(node.text, pieces, node.field) if pieces else None
    if isinstance(node, q.Word):
        return node
    if isinstance(node, q.Not):
        return None
    children = tuple(c for c in (scoring_tree(child) for child in node.children) if c is not None)
    if not children:
        return None
    return children[0] if len(children) == 1 else type(node)(children)


def compile_query(node, scoring: bool = False):
    """The engine-neutral tree of speeches.search.query as a Whoosh query.

    scoring=True gives the query that ranks a page of already-matched documents
    (see scoring_tree). The exact form (Whoosh's own Phrase over the bigram
    field) is what the benchmark compares raw Whoosh with.
    """
    if scoring:
        node = scoring_tree(node)
        if node is None:
            return wq.Every()
    if isinstance(node, q.Word):
        return _all_of([wq.Term(node.field, piece) for piece in node.pieces])
    if isinstance(node, q.Phrase):
        return _phrase(node.text, GRAM_FIELD[node.field])
    if isinstance(node, q.Any):
        return wq.Or([compile_query(child) for child in node.children])
    if isinstance(node, q.Not):
        return wq.Not(compile_query(node.child))
    positive = [compile_query(c) for c in node.children if not isinstance(c, q.Not)]
    negative = [compile_query(c.child) for c in node.children if isinstance(c, q.Not)]
    query = _all_of(positive) if positive else wq.Every()
    return wq.AndNot(query, wq.Or(negative)) if negative else query


def _all_of(queries):
    return queries[0] if len(queries) == 1 else wq.And(queries)


def _phrase(text: str, fieldname: str):
    grams = phrase_grams(text)
    if not grams:
        return wq.Prefix(fieldname, text)
    if len(grams) == 1:
        return wq.Term(fieldname, grams[0])
    return wq.Phrase(fieldname, grams)
