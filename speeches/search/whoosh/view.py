"""Answering a query from an open Whoosh index: which speeches, exact facets, one page.

1. The set of matching speeches (IndexView.evaluate). A term is a string of the
   folded text: its bigrams at consecutive positions in the gram field, checked only
   in the documents that hold every bigram, rarest first. Every term's documents
   are collapsed onto canonical speeches at once (a copy counts for the speech it
   copies), so AND, OR and NOT work on speeches, and a term that only an edited copy
   holds still finds its speech.
2. Facet counts by intersecting that set with cached per-value document sets (as
   bitmaps for fields of few, large values), each facet under the *other* filters.
3. One page, ranked as speeches.search.engine says (ranking.py), or sorted by a column.
"""

from __future__ import annotations

from collections import OrderedDict
from itertools import chain

import numpy as np
from whoosh import query as wq
from whoosh import sorting

from .. import query as q
from ..analysis import phrase_grams
from ..engine import SORT_COLUMNS, Answer
from ..params import UNDATED
from .fields import count_lengths, decode_positions, starts_from
from .internals import posting_blocks, segment_postings
from .ranking import Ranking

GRAM_FIELD = {"text": "grams", "title": "title_grams"}
# Facet name (speeches.search.engine.FACETS) -> index field.
FACET_FIELDS = {
    "topic": "topics",
    "year": "year_key",
    "document": "document",
    "level": "level",
    "genre": "genre",
    "office": "office",
    "place": "places",
    "occasion": "occasion",
}
# counts(): a value's bitmap costs about 1/50 of a set probe per document in the index
# (measured on 20,000 speeches: an AND and bit count of 20 kB against ~37 ns a probe).
BITMAP_GAIN = 50
# How many term sets a view (one per serving thread) keeps: paging and narrowing by
# facets repeat the query just asked. A set of 20,000 documents is about 1 MB.
CACHED_TERMS = 48


def bitmap(docs, size: int) -> int:
    """Documents as an int with byte d (bit 8*d) set to 1 for each document d."""
    flags = np.zeros(size, np.uint8)
    flags[_array(docs, len(docs))] = 1
    return int.from_bytes(flags.tobytes(), "little")


class _Bounded(OrderedDict):
    """A dict that forgets its least recently stored entries beyond `size`."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        if len(self) > self.size:
            self.popitem(last=False)


class Occurrences:
    """Where one term occurs: its documents (any version), and per document its start
    positions in gram_text where they were decoded (terms of three characters or more),
    and how often it occurs (`counted`: document numbers and counts, as arrays)."""

    def __init__(
        self,
        docs: frozenset[int],
        starts: dict[int, set[int]] | None,
        counted: tuple[np.ndarray, np.ndarray] | None = None,
    ):
        self.docs = docs
        self.starts = starts
        if counted is None:
            found = starts or {}
            counted = (_array(found.keys(), len(found)), np.fromiter(map(len, found.values()), np.float64, len(found)))
        self.counted = counted


def _array(numbers, count: int) -> np.ndarray:
    return np.fromiter(numbers, np.int64, count)


class IndexView:
    """An open searcher plus what is cached for it; all of it stays valid until the
    index changes (a new generation)."""

    def __init__(self, searcher, generation):
        self.searcher = searcher
        self.generation = generation
        self._sets: dict[str, dict[str, frozenset[int]]] = {}
        self._bits: dict[str, dict[str, int] | None] = {}
        self._pool: tuple[frozenset[int], int] | None = None
        self._canonical: frozenset[int] | None = None
        self._copies: dict[int, int | None] = {}  # copy's docnum -> its speech's docnum
        self._alive: dict[int, frozenset[int] | None] = {}
        self._terms: dict[tuple[str, str], Occurrences] = _Bounded(CACHED_TERMS)
        self._speeches: dict[tuple[str, str], frozenset[int]] = _Bounded(CACHED_TERMS)
        self.ranking = Ranking(self)

    def close(self) -> None:
        self.searcher.close()

    def forget(self) -> None:
        """Drop the cached term sets (the benchmark times cold queries)."""
        self._terms.clear()
        self._speeches.clear()

    # --- which speeches match ----------------------------------------------

    def search(
        self,
        tree,
        filters: dict[str, frozenset[str]],
        facets: tuple[str, ...],
        sort: str = "relevance",
        offset: int = 0,
        limit: int = 20,
    ) -> Answer:
        base = self.canonical() if tree is None else self.evaluate(tree)
        narrowed = {name: self.union(FACET_FIELDS[name], values) for name, values in filters.items() if values}
        matches = base.intersection(*narrowed.values()) if narrowed else base
        counted = {}
        for name in facets:
            others = [docs for other, docs in narrowed.items() if other != name]
            pool = base.intersection(*others) if others else base
            counted[name] = self.counts(FACET_FIELDS[name], pool)
        hits = self.page(tree, matches, sort, offset, limit) if matches else []
        return Answer(len(matches), hits, counted)

    def evaluate(self, node) -> frozenset[int]:
        """The canonical speeches (as Whoosh document numbers) the query tree matches."""
        if isinstance(node, q.Term):
            return self.speeches_holding(node)
        if isinstance(node, q.Any):
            return frozenset().union(*(self.evaluate(child) for child in node.children))
        if isinstance(node, q.Not):
            return self.canonical() - self.evaluate(node.child)
        positive = sorted((self.evaluate(c) for c in node.children if not isinstance(c, q.Not)), key=len)
        result = positive[0].intersection(*positive[1:]) if positive else self.canonical()
        for child in node.children:
            if isinstance(child, q.Not) and result:
                result -= self.evaluate(child.child)
        return result

    def speeches_holding(self, term: q.Term) -> frozenset[int]:
        key = (term.field, term.text)
        if key not in self._speeches:
            self._speeches[key] = self.collapse(self.occurrences(term).docs)
        return self._speeches[key]

    def collapse(self, docs: frozenset[int]) -> frozenset[int]:
        """Documents as the canonical speeches they are or copy."""
        canonical = self.canonical()
        found = docs & canonical
        if len(found) == len(docs):
            return found
        speeches = {self.speech_of(doc) for doc in docs - canonical}
        speeches.discard(None)
        return found | speeches

    def speech_of(self, doc: int) -> int | None:
        """The canonical document a copy's document copies (None when it is not indexed)."""
        if doc not in self._copies:
            target = self.searcher.stored_fields(doc).get("copy_of")
            found = self.term_docs("public_id", target) & self.canonical() if target else frozenset()
            self._copies[doc] = min(found) if found else None
        return self._copies[doc]

    def occurrences(self, term: q.Term) -> Occurrences:
        key = (term.field, term.text)
        if key not in self._terms:
            self._terms[key] = self._match_string(GRAM_FIELD[term.field], term.text)
        return self._terms[key]

    def _match_string(self, fieldname: str, text: str) -> Occurrences:
        """Documents holding `text` as a contiguous string of their gram_text.

        Each bigram's posting list is read once, ids and position values together
        (Whoosh stores them in one compressed block), rarest bigram first, and no
        further once no document holds them all. Positions are decoded for the
        candidates only, and only for enough bigrams to cover every character: AB
        at p and CD at p+2 spell ABCD, so BC at p+1 need not be checked.
        """
        grams = phrase_grams(text)
        if not grams:  # one character: every occurrence starts a bigram
            docs = frozenset(self.searcher.docs_for_query(wq.Prefix(fieldname, text)))
            return Occurrences(docs, None, (_array((), 0), np.zeros(0)))
        postings: dict[str, list] = {gram: [] for gram in grams}
        candidates: frozenset[int] | None = None
        for gram in sorted(postings, key=lambda gram: self.searcher.doc_frequency(fieldname, gram)):
            docs = self._read_term_docs(fieldname, gram, postings[gram])
            candidates = docs if candidates is None else candidates & docs
            if not candidates:
                return Occurrences(frozenset(), {})
        if len(grams) == 1:  # two characters: the bigram's positions are the count
            blocks = postings[grams[0]]
            ids = np.concatenate([np.asarray(ids, np.int64) + base for base, ids, _ in blocks])
            lengths = np.fromiter(chain.from_iterable(map(len, values) for _, _, values in blocks), np.int64, len(ids))
            counts = count_lengths(lengths).astype(np.float64)
            return Occurrences(candidates, None, (ids, counts))
        starts: dict[int, set[int]] | None = None
        for offset in sorted({*range(0, len(grams), 2), len(grams) - 1}):
            wanted = starts if starts is not None else candidates
            narrowed = {}
            for base, ids, values in postings[grams[offset]]:
                for doc, value in zip(ids, values, strict=True):
                    doc += base
                    if doc in wanted:
                        found = starts_from(value, offset)
                        left = found if starts is None else starts[doc] & found
                        if left:
                            narrowed[doc] = left
            starts = narrowed
            if not starts:
                break
        return Occurrences(frozenset(starts), starts)

    def positions(self, term: q.Term, docs) -> dict[int, list[int]]:
        """Start positions of the term in each of `docs` (for proximity); a term of
        one character has none (its bigrams are not read)."""
        found = self.occurrences(term)
        if found.starts is not None:
            return {doc: sorted(found.starts[doc]) for doc in docs if doc in found.starts}
        grams = phrase_grams(term.text)
        if len(grams) != 1:
            return {}
        wanted, out = set(docs), {}
        for base, block in self._blocks(GRAM_FIELD[term.field], grams[0]):
            for doc, value in zip(block.ids(), block.values(), strict=True):
                if doc + base in wanted:
                    out[doc + base] = decode_positions(value)
        return out

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

    def _blocks(self, fieldname: str, text: str):
        """(segment offset, block) per block of the term's postings, deleted documents
        included (callers look up live documents only). A block's ids, values and
        weights are read while it is the current one."""
        for offset, _, matcher in self._postings(fieldname, text):
            for block in posting_blocks(matcher):
                yield offset, block

    def _postings(self, fieldname: str, text: str):
        """Per segment: its first document number, its live documents (None when it
        has no deletions) and the raw posting list of the term there."""
        for number, offset, reader, matcher in segment_postings(self.searcher, fieldname, text):
            if number not in self._alive:
                self._alive[number] = frozenset(reader.all_doc_ids()) if reader.has_deletions() else None
            yield offset, self._alive[number], matcher

    def word_counts(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """How often `text` is a whole jieba word of each document, as arrays of document
        numbers and counts; deleted documents included. A word field's weights are its
        frequencies times the field's boost (the title's is 2), so they are divided by it."""
        boost = self.searcher.schema[fieldname].format.field_boost
        ids, weights = [], []
        for base, block in self._blocks(fieldname, text):
            ids.append(np.asarray(block.ids(), np.int64) + base)
            weights.append(np.asarray(block.weights(), np.float64))
        if not ids:
            return _array((), 0), np.zeros(0)
        return np.concatenate(ids), np.concatenate(weights) / boost

    def term_docs(self, fieldname: str, text: str) -> frozenset[int]:
        return self._read_term_docs(fieldname, text)

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
            if fieldname == FACET_FIELDS["year"]:
                # A speech with no year holds no year_key: its value is UNDATED.
                sets[UNDATED] = self.canonical().difference(*sets.values())
            self._sets[fieldname] = sets
        return self._sets[fieldname]

    def union(self, fieldname: str, values) -> frozenset[int]:
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
            use_bits = len(sets) * self.size() < BITMAP_GAIN * held
            self._bits[fieldname] = {v: bitmap(docs, self.size()) for v, docs in sets.items()} if use_bits else None
        bits = self._bits[fieldname]
        if bits is None:
            counts = {value: len(docs & pool) for value, docs in sets.items()}
        else:
            if self._pool is None or self._pool[0] is not pool:
                self._pool = (pool, bitmap(pool, self.size()))
            pool_bits = self._pool[1]
            counts = {value: (value_bits & pool_bits).bit_count() for value, value_bits in bits.items()}
        return {value: n for value, n in counts.items() if n}

    def size(self) -> int:
        return self.searcher.doc_count_all()

    # --- one page ------------------------------------------------------------

    def page(self, tree, matches: frozenset[int], sort: str, offset: int, limit: int) -> list[tuple[int, float]]:
        """Hits offset..offset+limit of `matches`: ranked, or sorted by a column."""
        if tree is not None and sort not in SORT_COLUMNS:
            ranked = self.ranking.rank(tree, matches, offset + limit)
            return [(self.django_id(doc), score) for doc, score in ranked[offset : offset + limit]]
        column, reverse = SORT_COLUMNS.get(sort, ("year", True))
        order = sorting.FieldFacet(column, reverse=reverse)
        if column == "year":
            # An undated speech has no year: Whoosh would sort it as the smallest, first
            # from old to new. Undated speeches come last in either direction.
            dated_first = sorting.QueryFacet({0: wq.Every("year_key")}, other=1)
            order = sorting.MultiFacet([dated_first, order])
        results = self.searcher.search(wq.Every(), filter=set(matches), limit=offset + limit, sortedby=order)
        return [
            (int(results.fields(i)["django_id"]), 0.0) for i in range(offset, min(len(results.top_n), offset + limit))
        ]

    def django_id(self, doc: int) -> int:
        return int(self.searcher.stored_fields(doc)["django_id"])
