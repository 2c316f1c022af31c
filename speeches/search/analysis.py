"""How text becomes search terms, at indexing and at query time alike.

- Traditional and simplified forms are different terms (講話 vs 讲话), so text and
  queries are folded to simplified with OpenCC (normalize).
- Words: jieba's search-mode tokens (a word and its dictionary sub-words) with
  sequential positions (ChineseTokenizer); haystack's StemmingAnalyzer would
  treat a run of Han characters as one token.
- Exact phrases: jieba tokens cannot say "this string occurs contiguously" (会议上
  is 会议 / 上). A second field holds every character bigram with its position
  (GramField), so a phrase is its bigrams at consecutive positions: exactly a
  substring test.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import lru_cache
from pickle import dumps

import jieba
from whoosh import formats
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import TEXT, FieldType
from whoosh.system import pack_uint

from ..ingest.script import to_simplified
from ..ingest.segmenter import default_segmenter, initialized_tokenizer

NOT_A_TERM = re.compile(r"^[\W_]+$", re.UNICODE)
jieba.setLogLevel(logging.WARNING)


def is_term(word: str) -> bool:
    """Whether a token is indexed and searched: not empty, not only punctuation or spaces."""
    return bool(word) and not NOT_A_TERM.match(word)


def normalize(text: str) -> str:
    """Fold script and case so that 講話, 讲话 and their mixes are one term."""
    return to_simplified(text).lower()


def query_words(text: str) -> list[tuple[str, int, int]]:
    """Words for a query: the finest dictionary pieces of each word.

    The index holds jieba's search-mode tokens (the word and its dictionary
    sub-words), so a query for 疫情防控 asks for 疫情 and 防控 and also finds text
    that jieba segmented as 疫情 / 防控.
    """
    dt = initialized_tokenizer()
    out = []
    for word, start, end in dt.tokenize(text):
        pieces = [
            (word[i : i + 2], start + i, start + i + 2)
            for i in range(len(word) - 1)
            if len(word) > 2 and dt.FREQ.get(word[i : i + 2])
        ]
        covered = set()
        for _, s, e in pieces:
            covered.update(range(s, e))
        if pieces and covered == set(range(start, end)):
            out.extend(pieces)
        else:
            out.append((word, start, end))
    return out


def query_terms(text: str) -> list[str]:
    """The searchable pieces of query_words(text)."""
    return [word for word, _, _ in query_words(text) if is_term(word)]


def index_words(text: str) -> list[tuple[str, int, int]]:
    """jieba's search-mode words (through SearchSegmenter: the same words, faster)."""
    return list(default_segmenter().tokenize(text))


class ChineseTokenizer(Tokenizer):
    """jieba tokens with sequential positions (jieba's own analyzer gives character
    offsets as positions, which STACK-NOTES found breaks Whoosh's phrase matcher)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        text = normalize(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        words = query_words(text) if mode == "query" else index_words(text)
        pos = start_pos
        for word, start, end in words:
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
    ChineseAnalyzer (test_segments checks it), which queries still use.
    """

    def __init__(self, field_boost: float = 1.0, stored: bool = False):
        super().__init__(analyzer=ChineseAnalyzer(), phrase=False, field_boost=field_boost, stored=stored)

    def index(self, value, **kwargs):
        return zip(*self.postings(value), strict=True)

    def postings(self, value: str) -> tuple[list[bytes], list[int], list[float], list[bytes]]:
        """Terms, frequencies, weights and encoded values, as parallel lists (what
        index() yields as tuples): speeches.search.segments takes them in one loop."""
        counts = Counter(word for word, _, _ in index_words(normalize(value)) if is_term(word))
        boost = self.format.field_boost
        freqs = list(counts.values())
        return (
            [word.encode("utf-8") for word in counts],
            freqs,
            [freq * boost for freq in freqs],
            [_FREQUENCIES[freq] if freq < 256 else pack_uint(freq) for freq in freqs],
        )


_SPACES = re.compile(r"\s+")


def gram_text(value: str) -> str:
    """The text as the phrase field sees it: folded, whitespace runs as one space."""
    return _SPACES.sub(" ", normalize(value)).strip()


class BigramTokenizer(Tokenizer):
    """Every pair of adjacent characters, one position per character.

    A phrase ABCD is then the bigrams AB BC CD at consecutive positions, which
    is exactly "ABCD occurs as a contiguous string", whatever jieba made of it.
    The last character is paired with a newline so that every character starts
    a bigram and a one-character phrase is a prefix query.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
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


def phrase_grams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


class GramField(FieldType):
    """The exact-phrase field: character bigrams with positions, never scored.

    Not scorable, because ranking uses the jieba words (compile_query(scoring=True));
    a scorable field makes Whoosh store and look up a length per posting, and this
    field holds two thirds of all postings. index() builds each bigram's position
    list in one pass over the string instead of through a Token per character,
    with the same terms and positions as BigramTokenizer (which queries still use).
    """

    def __init__(self):
        super().__init__(formats.Positions(), analyzer=BigramTokenizer(), scorable=False, stored=False)

    def index(self, value, **kwargs):
        return zip(*self.postings(value), strict=True)

    def postings(self, value: str) -> tuple[list[bytes], list[int], list[float], list[bytes]]:
        """Terms, frequencies, weights and encoded positions, as parallel lists (what
        index() yields as tuples): speeches.search.segments takes them in one loop."""
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
            [float(freq) for freq in freqs],
            [at[where[0]] if len(where) == 1 and where[0] < known else _encoded_positions(where) for where in wheres],
        )


def _encoded_positions(where: list[int]) -> bytes:
    """formats.Positions.encode: a count, then the pickled gaps between positions."""
    return pack_uint(len(where)) + dumps([where[0], *(b - a for a, b in zip(where, where[1:], strict=False))], 2)


@lru_cache(maxsize=1)
def _one_position_values() -> list[bytes]:
    """Most bigrams occur once in a speech: their encoded positions, made once (on the
    first text indexed, not when a web process imports this module)."""
    return [_encoded_positions([position]) for position in range(1 << 15)]


def warm_up_analysis(indexing: bool = False) -> None:
    """Load jieba's dictionary and OpenCC, which every query needs; with `indexing`,
    also the index segmenter's tables (a quarter of a second and ~30 MB, which a
    process that only searches never needs), before index workers are forked."""
    initialized_tokenizer()
    normalize("預熱")
    if indexing:
        default_segmenter()
        _one_position_values()
