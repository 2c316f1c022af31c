"""Reading Whoosh posting lists a block at a time, and the small pieces of Whoosh
machinery the index view needs (a query for exactly given documents, bitmaps).

Whoosh 2.7.4's W3LeafMatcher is read through private methods (_read_ids,
_read_values, _next_block): Whoosh is pinned, and test_index_view's hypothesis and
multi-segment tests would catch a change in them.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate
from pickle import loads

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.mcore import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE


def bitmap(docs, size: int) -> int:
    """Documents as an int with byte d (bit 8*d) set to 1 for each document d."""
    flags = bytearray(size)
    for doc in docs:
        flags[doc] = 1
    return int.from_bytes(flags, "little")


def decode_positions(value: bytes) -> list[int]:
    """Whoosh's Positions value: a 4-byte count, then the pickled list of gaps
    between positions, sometimes stored without pickle's final "." (as
    formats.Positions.decode_positions, with the running sum done in C)."""
    body = value[_INT_SIZE:]
    return list(accumulate(loads(body if body.endswith(b".") else body + b".")))


class _Block:
    """One block (up to 128 postings) of a posting list, decoded only on demand."""

    def __init__(self, matcher):
        self.matcher = matcher

    def ids(self):
        # W3LeafMatcher._read_ids, with the running sum of the gaps done in C
        # (accumulate) instead of a Python generator: a third of reading a block.
        matcher = self.matcher
        if matcher._ids is None:
            if matcher._data is None:
                matcher._read_data()
            ids = matcher._data[0]
            matcher._ids = ids if matcher._byteids else tuple(accumulate(ids))
        return matcher._ids

    def values(self):
        self.matcher._read_values()
        return self.matcher._values

    def weights(self):
        self.matcher._read_weights()
        return self.matcher._weights


class _WholeList:
    """A short posting list (inlined in the term index) as a single block."""

    def __init__(self, matcher):
        self._ids, self._values, self._weights = [], [], []
        while matcher.is_active():
            self._ids.append(matcher.id())
            self._values.append(matcher.value())
            self._weights.append(matcher.weight())
            matcher.next()

    def ids(self):
        return self._ids

    def values(self):
        return self._values

    def weights(self):
        return self._weights


def segment_postings(searcher, fieldname: str, text: str):
    """Per segment holding the term: (segment number, its first document number,
    its reader, the term's raw posting list there). Raw: deleted documents are
    still in it (Whoosh's FilterMatcher hides them one call per posting), so the
    caller keeps only the documents it wants."""
    for number, (leaf, base) in enumerate(searcher.leaf_searchers()):
        reader = leaf.reader()
        try:
            matcher = reader.postings(fieldname, text)
        except TermNotFound:
            continue
        if isinstance(matcher, FilterMatcher):
            matcher = matcher.child
        yield number, base, reader, matcher


def posting_blocks(matcher):
    """A posting list a block at a time.

    Whoosh's matcher interface hands out one posting per Python call; for the
    posting lists of common words (thousands of documents) that was most of a
    query's time. Whoosh 2.7's own W3LeafMatcher is read here through its block
    methods; any other matcher (short lists inlined in the term index) is one block.
    """
    if not isinstance(matcher, W3LeafMatcher):
        yield _WholeList(matcher)
        return
    while matcher.is_active():
        yield _Block(matcher)
        matcher._next_block()


class OnlyDocs(wq.Query):
    """Exactly the given documents, each scoring 0.

    ANDed with a ranking query it makes Whoosh's intersection visit only these
    documents: a filter would not, Whoosh scores every document the ranking query
    matches and drops the unfiltered ones afterwards.
    """

    def __init__(self, docs: frozenset[int]):
        self.docs = sorted(docs)

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)

    def estimate_size(self, ixreader):
        return len(self.docs)

    def matcher(self, searcher, context=None):
        parent = searcher.get_parent() if searcher.has_parent() else None
        offset = parent._offset_for_subsearcher(searcher) if parent is not None else 0
        count = searcher.doc_count_all()
        low, high = bisect_left(self.docs, offset), bisect_left(self.docs, offset + count)
        return _ZeroScore([doc - offset for doc in self.docs[low:high]])


class _ZeroScore(ListMatcher):
    def score(self):
        return 0.0
