"""The Whoosh fields of the archive's index: jieba words for ranking, character
bigrams with positions for matching terms as strings (speeches.search.analysis).

- WordField: jieba's search-mode tokens (a word and its dictionary sub-words) with
  their frequencies, folded to simplified. Ranking reads it to put a term that is a
  whole word of the text above one inside a longer word.
- GramField: every character bigram of gram_text with its position, so that a term
  ABCD is the bigrams AB BC CD at consecutive positions: exactly "ABCD occurs as a
  contiguous string", whatever jieba made of it.
"""

from __future__ import annotations

from array import array
from collections import Counter
from functools import lru_cache
from itertools import accumulate

import numpy as np
from whoosh import formats
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import TEXT, FieldType
from whoosh.system import pack_uint

from ..analysis import gram_text, index_words, is_term, normalize, phrase_grams


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


_FREQUENCIES = [pack_uint(freq) for freq in range(256)]


class WordField(TEXT):
    """A scored text field of jieba words (frequencies, no positions: phrases use GramField).

    index() counts the words directly; Whoosh's own path builds a Token per word and
    two dictionaries per text. Same terms, frequencies and weights as TEXT with
    ChineseAnalyzer (test_segments checks it).
    """

    def __init__(self, field_boost: float = 1.0, stored: bool = False):
        super().__init__(analyzer=ChineseAnalyzer(), phrase=False, field_boost=field_boost, stored=stored)

    def index(self, value, **kwargs):
        return zip(*self.postings(value), strict=True)

    def postings(self, value: str) -> tuple[list[bytes], list[int], list[float], list[bytes]]:
        """Terms, frequencies, weights and encoded values, as parallel lists (what
        index() yields as tuples): internals.GroupingWriter takes them in one loop."""
        counts = Counter(word for word, _, _ in index_words(normalize(value)) if is_term(word))
        boost = self.format.field_boost
        freqs = list(counts.values())
        return (
            [word.encode("utf-8") for word in counts],
            freqs,
            [freq * boost for freq in freqs],
            [_FREQUENCIES[freq] if freq < 256 else pack_uint(freq) for freq in freqs],
        )


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
    field holds two thirds of all postings. index() builds each bigram's position
    list in one pass over the string instead of through a Token per character,
    with the same terms and positions as BigramTokenizer.
    """

    def __init__(self):
        super().__init__(GramPositions(), analyzer=BigramTokenizer(), scorable=False, stored=False)

    def index(self, value, **kwargs):
        return zip(*self.postings(value), strict=True)

    def postings(self, value: str) -> tuple[list[bytes], list[int], list[float], list[bytes]]:
        """Terms, frequencies, weights and encoded positions, as parallel lists (what
        index() yields as tuples): internals.GroupingWriter takes them in one loop."""
        text = gram_text(value) + "\n"
        positions: dict[str, list[int]] = {}
        for i, gram in enumerate(phrase_grams(text)):
            where = positions.get(gram)
            if where is None:
                positions[gram] = [i]
            else:
                where.append(i)
        wheres = list(positions.values())
        freqs = [len(where) for where in wheres]
        at = _one_position_values()
        known = len(at)
        return (
            [gram.encode("utf-8") for gram in positions],
            freqs,
            [1.0] * len(freqs),
            [at[where[0]] if len(where) == 1 and where[0] < known else encode_positions(where) for where in wheres],
        )


@lru_cache(maxsize=1)
def _one_position_values() -> list[bytes]:
    """Most bigrams occur once in a speech: their encoded positions, made once (on the
    first text indexed, not when a web process imports this module)."""
    return [encode_positions([position]) for position in range(1 << 15)]


def warm_up_fields() -> None:
    """Make the one-position values before index workers are forked."""
    _one_position_values()
