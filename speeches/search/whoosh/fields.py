"""The Whoosh fields of the archive's index: jieba words for ranking, character
bigrams with positions for matching terms as strings (speeches.search.analysis).

- WordField: jieba's words (accurate mode: a word once, without the sub-words search
  mode adds) with their frequencies, folded to simplified. Ranking reads it to put a term that is a
  whole word of the text above one inside a longer word.
- GramField: every character bigram of gram_text with its position, so that a term
  ABCD is the bigrams AB BC CD at consecutive positions: exactly "ABCD occurs as a
  contiguous string", whatever jieba made of it.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from itertools import accumulate, chain
from typing import NamedTuple

import numpy as np
from whoosh import formats
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import TEXT, FieldType

from ..analysis import gram_text, index_words, is_term, normalize, whole_words


class ChineseTokenizer(Tokenizer):
    """jieba tokens with sequential positions (jieba's own analyzer gives character
    offsets as positions, which breaks Whoosh's phrase matcher)."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        text = normalize(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for word, start, end in index_words(text):
            if not is_term(word):
                continue
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
                pos += 1
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def ChineseAnalyzer():
    return ChineseTokenizer()


class WordField(TEXT):
    """A scored text field of jieba words (frequencies, no positions: phrases use GramField).

    Indexed through WordColumns, without Whoosh's Token per word and two dictionaries
    per text. Same terms, frequencies and weights as TEXT with ChineseAnalyzer
    (test_segments checks it).
    """

    def __init__(self, field_boost: float = 1.0, stored: bool = False):
        super().__init__(analyzer=ChineseAnalyzer(), phrase=False, field_boost=field_boost, stored=stored)

    def index(self, value, **kwargs):
        return _one_document(self.columns(), value)

    def columns(self) -> WordColumns:
        return WordColumns(self.format.field_boost)


class BigramTokenizer(Tokenizer):
    """Every pair of adjacent characters, one position per character.

    A phrase ABCD is then the bigrams AB BC CD at consecutive positions, which
    is exactly "ABCD occurs as a contiguous string", whatever jieba made of it.
    The last character is paired with a newline so that every character starts
    a bigram and a one-character phrase is a prefix query.
    """

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        text = gram_text(value) + "\n"
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i in range(len(text) - 1):
            token.text = text[i : i + 2]
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + i
            if chars:
                token.startchar = start_char + i
                token.endchar = start_char + i + 2
            yield token


def encode_positions(where: list[int]) -> bytes:
    """Positions as a type code and an array (little-endian, as every machine we run on)
    of the first position and the gaps: 3 bytes for the commonest case (one occurrence),
    where Whoosh's Positions format pickles a list after a 4-byte count (14 bytes), and
    decoded by array in C. The code is "H" (two bytes a number, an odd length) or, for
    gaps past 65,535 characters, "II" (four bytes a number, an even length), so that
    count_lengths can count positions from the values' lengths alone."""
    gaps = [where[0], *(b - a for a, b in zip(where, where[1:], strict=False))]
    if max(gaps) < 65536:
        return b"H" + array("H", gaps).tobytes()
    return b"II" + array("I", gaps).tobytes()


def decode_positions(value: bytes) -> list[int]:
    if len(value) == 3:  # one position below 65536, as most values are
        return [value[1] + (value[2] << 8)]
    if value[0] == 73:  # "II"
        return list(accumulate(array("I", value[2:])))
    return list(accumulate(array("H", value[1:])))


# A (document, start) pair as one number: document << KEY_SHIFT | start.
KEY_SHIFT = 32


def start_keys(docs: np.ndarray, values: bytes, lengths: np.ndarray, offset: int) -> np.ndarray:
    """Every position of one bigram's encoded positions in each of `docs` (sorted; the
    values joined in `values`, their lengths in `lengths`) less `offset`, as sorted keys
    document << KEY_SHIFT | start: where a string starts whose bigram at `offset` this
    is. Phrase matching intersects these per bigram; all of it runs in numpy, not a
    Python step per posting (a string most speeches hold has tens of thousands)."""
    lengths = np.asarray(lengths, np.int64)
    if not len(lengths):
        return np.zeros(0, np.int64)
    ends = np.cumsum(lengths)
    wide = (lengths & 1) == 0  # "II": gaps past 65,535 characters, rare
    if wide.any():
        narrow = np.flatnonzero(~wide).tolist()
        keys = [start_keys(docs[~wide], b"".join(_slices(values, ends, lengths, narrow)), lengths[~wide], offset)]
        wide_values = _slices(values, ends, lengths, np.flatnonzero(wide).tolist())
        for doc, value in zip(docs[wide].tolist(), wide_values, strict=True):
            starts = [p - offset for p in decode_positions(value) if p >= offset]
            keys.append((doc << KEY_SHIFT) | np.asarray(starts, np.int64))
        return np.sort(np.concatenate(keys))
    counts = (lengths - 1) >> 1
    blob = np.frombuffer(values, np.uint8)
    owner = np.repeat(np.arange(len(lengths)), counts)
    first = np.cumsum(counts) - counts  # where each value's numbers begin
    at = (ends - lengths)[owner] + 1 + 2 * (np.arange(len(owner)) - first[owner])
    gaps = blob[at].astype(np.int64) | (blob[at + 1].astype(np.int64) << 8)
    running = np.cumsum(gaps)
    positions = running - (running[first] - gaps[first])[owner]
    keep = positions >= offset
    return (docs[owner[keep]] << KEY_SHIFT) | (positions[keep] - offset)


def _slices(values: bytes, ends: np.ndarray, lengths: np.ndarray, which: list[int]) -> list[bytes]:
    return [values[int(ends[i] - lengths[i]) : int(ends[i])] for i in which]


def count_positions(value: bytes) -> int:
    """How many positions a value holds, without decoding them."""
    return (len(value) - 1) >> 1 if len(value) & 1 else (len(value) - 2) >> 2


def count_lengths(lengths: np.ndarray) -> np.ndarray:
    """count_positions for an array of values' lengths."""
    return np.where(lengths & 1, (lengths - 1) >> 1, (lengths - 2) >> 2)


class GramPositions(formats.Positions):
    """Whoosh's Positions format with encode_positions' values, and a weight of 1 for
    every posting: a bigram's frequency is its count of positions, and equal weights
    let Whoosh store none (a tuple of floats per block otherwise)."""

    def word_values(self, value, analyzer, **kwargs):
        where: dict[str, list[int]] = {}
        kwargs["positions"] = True
        for token in analyzer(value, **kwargs):
            where.setdefault(token.text, []).append(token.pos)
        for text, positions in where.items():
            yield text, len(positions), 1.0, encode_positions(positions)

    def encode(self, poses):
        return encode_positions(list(poses))

    def decode_positions(self, valuestring):
        return decode_positions(valuestring)

    def decode_frequency(self, valuestring):
        return count_positions(valuestring)

    def decode_weight(self, valuestring):
        return 1.0


class GramField(FieldType):
    """The string field: character bigrams with positions, never scored.

    Not scorable: ranking (view.py) computes its own BM25 from the occurrences;
    a scorable field makes Whoosh store and look up a length per posting, and this
    field holds two thirds of all postings. Indexed through GramColumns, in numpy
    instead of a Token per character, with the same terms and positions as
    BigramTokenizer.
    """

    def __init__(self):
        super().__init__(GramPositions(), analyzer=BigramTokenizer(), scorable=False, stored=False)

    def index(self, value, **kwargs):
        return _one_document(self.columns(), value)

    def columns(self) -> GramColumns:
        return GramColumns()


class TermPostings(NamedTuple):
    """One term's postings in a segment, as internals.GroupingWriter writes them: the
    documents (ascending) and the gaps between them (the first: the document), the
    term's frequency in each, their weights (None: all 1.0), and the encoded values
    joined in `blob`, `sizes` bytes each. Lists: the writer slices them per block."""

    term: bytes
    ids: list[int]
    gaps: list[int]
    freqs: list[int]
    weights: list[float] | None
    blob: bytes
    sizes: list[int]


class TermTable(NamedTuple):
    """A field's postings in a segment, sorted by term, as arrays: the terms' bytes,
    where each term's postings begin (`firsts`), each posting's document, frequency
    and weight (None: all 1.0), and their encoded values joined in `data`, `sizes`
    bytes each. internals._TermWriter.table writes it whole."""

    terms: list[bytes]
    firsts: np.ndarray
    ids: np.ndarray
    freqs: np.ndarray
    weights: np.ndarray | None
    data: bytes
    sizes: np.ndarray

    def postings(self, which: np.ndarray | None = None) -> Iterator[TermPostings]:
        """TermPostings of every term (or of the terms `which` marks), in order. Each
        term's slices become lists one term at a time: a list of a segment's millions
        of postings holds an object per number (the build's memory doubled)."""
        terms, firsts, ids, freqs, weights, data, sizes = self
        gaps = np.diff(ids, prepend=0)
        gaps[firsts] = ids[firsts]
        ends = np.cumsum(sizes)
        lasts = np.r_[firsts[1:], len(ids)]
        starts, stops = (ends[firsts] - sizes[firsts]).tolist(), ends[lasts - 1].tolist()
        numbers = range(len(terms)) if which is None else np.flatnonzero(which).tolist()
        firsts, lasts = firsts.tolist(), lasts.tolist()
        for number in numbers:
            first, last = firsts[number], lasts[number]
            yield TermPostings(
                terms[number],
                ids[first:last].tolist(),
                gaps[first:last].tolist(),
                freqs[first:last].tolist(),
                None if weights is None else weights[first:last].tolist(),
                data[starts[number] : stops[number]],
                sizes[first:last].tolist(),
            )


class _Columns:
    """A field's postings gathered as arrays (GramColumns, WordColumns): table() hands
    them over whole, terms() one term at a time."""

    def table(self) -> TermTable | None:
        raise NotImplementedError

    def terms(self) -> Iterator[TermPostings]:
        """Every term's postings, in the order of the terms' bytes; once (it empties
        the columns)."""
        table = self.table()
        if table is not None:
            yield from table.postings()


class GramColumns(_Columns):
    """A segment's bigram postings, gathered as arrays while documents are added.

    Each document adds its bigrams as numbers (first character << 21 | second), one
    per position; table() sorts them all at once (by code point, which is the order
    of their UTF-8 bytes) and encodes every posting's positions (encode_positions'
    form) in numpy. Grouping them in Python dictionaries, a call per posting, was
    most of an index build. Same terms, positions and values as BigramTokenizer
    (test_segments)."""

    def __init__(self):
        self._keys: list[np.ndarray] = []
        self._docnums: list[int] = []
        self._boosts: list[float] = []

    def add(self, docnum: int, value: str, boost: float = 1.0) -> int:
        """Adds a document's postings; returns its field length (0: never scored)."""
        codes = np.frombuffer((gram_text(value) + "\n").encode("utf-32-le"), np.uint32).astype(np.int64)
        self._keys.append((codes[:-1] << 21) | codes[1:])
        self._docnums.append(docnum)
        self._boosts.append(boost)
        return 0

    def table(self) -> TermTable | None:
        """Every term's postings as one TermTable (None: no postings); once (it
        empties the columns)."""
        gathered, docnums, boosts = self._keys, self._docnums, self._boosts
        self._keys, self._docnums, self._boosts = [], [], []
        sizes = np.fromiter(map(len, gathered), np.int64, len(gathered))
        if not sizes.sum():
            return None
        keys = np.concatenate(gathered)
        del gathered
        # A segment's documents and a text's positions fit in 32 bits: half the memory.
        docs = np.repeat(np.asarray(docnums, np.int32), sizes)
        positions = np.arange(len(keys), dtype=np.int32) - np.repeat((np.cumsum(sizes) - sizes).astype(np.int32), sizes)
        boosts = np.repeat(np.asarray(boosts), sizes) if any(b != 1.0 for b in boosts) else None
        # Stable: within a bigram, documents and positions keep their ascending order.
        order = np.argsort(keys, kind="stable")
        keys, docs, positions = keys[order], docs[order], positions[order]
        starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])])
        counts = np.diff(np.r_[starts, len(keys)])
        gaps = positions.copy()
        gaps[1:] -= positions[:-1]
        gaps[starts] = positions[starts]
        blob, sizes = _encode_positions(gaps, starts, counts)
        term_keys = keys[starts]
        weights = None if boosts is None else boosts[order][starts]
        firsts = np.flatnonzero(np.r_[True, term_keys[1:] != term_keys[:-1]])
        terms = [(chr(key >> 21) + chr(key & 0x1FFFFF)).encode("utf-8") for key in term_keys[firsts].tolist()]
        return TermTable(terms, firsts, docs[starts], counts, weights, blob.tobytes(), sizes)


def _encode_positions(gaps: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """encode_positions for every posting at once: the values joined, and their sizes.
    `gaps` holds each posting's first position and gaps, postings from `starts`."""
    wide = np.maximum.reduceat(gaps, starts) >= 65536  # "II": gaps past 65,535 characters
    if not wide.any():  # as almost always: "H" before each posting's two-byte numbers
        return np.insert(gaps.astype("<u2").view(np.uint8), 2 * starts, ord("H")), 1 + 2 * counts
    owner = np.repeat(np.arange(len(starts)), counts)
    rank = np.arange(len(gaps)) - starts[owner]  # which number of its posting
    sizes = np.where(wide, 2 + 4 * counts, 1 + 2 * counts)
    begins = np.cumsum(sizes) - sizes
    blob = np.zeros(int(sizes.sum()), np.uint8)
    blob[begins] = ord("H")
    blob[begins[wide] + 1] = ord("I")
    blob[begins[wide]] = ord("I")
    width = np.where(wide, 4, 2)[owner]
    at = begins[owner] + np.where(wide, 2, 1)[owner] + width * rank
    for byte in range(4):
        some = width > byte
        blob[at[some] + byte] = (gaps[some] >> (8 * byte)) & 0xFF
    return blob, sizes


class WordColumns(_Columns):
    """A segment's jieba-word postings, gathered as arrays (see GramColumns): each
    document adds its words' numbers in a vocabulary of the segment and their counts."""

    def __init__(self, field_boost: float):
        self.field_boost = field_boost
        self._vocabulary = _Vocabulary()
        self._ids: list[list[int]] = []
        self._freqs: list[list[int]] = []
        self._docnums: list[int] = []
        self._boosts: list[float] = []

    def add(self, docnum: int, value: str, boost: float = 1.0) -> int:
        """Adds a document's postings; returns its field length (its words' count)."""
        # Counted first, then the few distinct non-terms (punctuation) dropped: a test
        # per distinct word, not per word.
        counts = Counter(whole_words(normalize(value)))
        for word in [word for word in counts if not word.isalnum() and not is_term(word)]:
            del counts[word]
        self._ids.append(list(map(self._vocabulary.__getitem__, counts)))
        freqs = list(counts.values())
        self._freqs.append(freqs)
        self._docnums.append(docnum)
        self._boosts.append(boost)
        return sum(freqs)

    def table(self) -> TermTable | None:
        """Every term's postings as one TermTable (None: no postings); once (it
        empties the columns)."""
        ids, freqs, docnums, boosts = self._ids, self._freqs, self._docnums, self._boosts
        self._ids, self._freqs, self._docnums, self._boosts = [], [], [], []
        sizes = np.fromiter(map(len, ids), np.int64, len(ids))
        count = int(sizes.sum())
        if not count:
            return None
        words = [word.encode("utf-8") for word in self._vocabulary]
        rank = np.empty(len(words), np.int64)
        rank[sorted(range(len(words)), key=words.__getitem__)] = np.arange(len(words))
        keys = rank[np.fromiter(chain.from_iterable(ids), np.int64, count)]
        freqs = np.fromiter(chain.from_iterable(freqs), np.int64, count)
        docs = np.repeat(np.asarray(docnums, np.int64), sizes)
        boosts = np.repeat(np.asarray(boosts), sizes)
        order = np.argsort(keys, kind="stable")
        keys, freqs, docs, boosts = keys[order], freqs[order], docs[order], boosts[order]
        # As WordField's postings and Whoosh's writer: the frequency times the field's
        # boost, then times the document's (when it has one).
        weights = freqs * self.field_boost
        weights = np.where(boosts != 1.0, weights * boosts, weights)
        data = freqs.astype(">u4").tobytes()  # Whoosh's Frequency format: pack_uint
        by_rank = sorted(words)
        firsts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        terms = [by_rank[key] for key in keys[firsts].tolist()]
        return TermTable(terms, firsts, docs, freqs, weights, data, np.full(len(keys), 4, np.int64))


class _Vocabulary(dict):
    """A word's number, given the first time the word is seen."""

    def __missing__(self, word: str) -> int:
        number = self[word] = len(self)
        return number


def _one_document(columns, value: str):
    """index()'s (term, frequency, weight, value) tuples, through the columns."""
    columns.add(0, value)
    for term in columns.terms():
        yield term.term, term.freqs[0], 1.0 if term.weights is None else term.weights[0], term.blob
