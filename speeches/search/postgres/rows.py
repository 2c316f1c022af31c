"""A speech as the PostgreSQL engine's search rows, and a term as a tsquery.

PostgreSQL has no Chinese parser here, and needs none: a tsvector can be written
directly as lexemes with positions. The lexemes are the character bigrams of
gram_text (speeches.search.analysis), the last character paired with a newline as
the Whoosh engine does, so every character starts a bigram: a term ABCD is
'AB' <-> 'BC' <-> 'CD' (consecutive positions: exactly "ABCD occurs as a string"),
and a one-character term A is the prefix 'A':*.

A tsvector keeps at most 256 positions per lexeme and positions up to 16,383, and
drops the rest without a word, which would silently lose matches in a long speech.
So a speech's text is cut into chunks of at most CHUNK characters (at whitespace,
which is where paragraphs meet, when there is whitespace near the cut), each
beginning with the last OVERLAP characters of the one before (its `lead`): a term
is at most OVERLAP characters long (speeches.search.query.MAX_QUERY_CHARS), so
each of its occurrences lies whole inside some chunk. Occurrences are counted
only where they start past the lead, so none is counted twice. A chunk in which
some bigram would pass 256 positions is cut again.

Ranking counts occurrences (speeches.search.relevance) from the tsvectors alone,
with ts_rank_cd, which adds 1 for each occurrence when every weight is 1: reading
the rows' text instead (replace() over every matching row) was most of the time of
a common term (发展 at 20,000 speeches: 1.65 s, against 0.54 s for the same counts
from the tsvectors). So:
- a bigram lying wholly in the lead is unlabelled (weight D), every other is
  labelled A. ts_rank_cd weighing every label 1 counts every occurrence in the
  chunk; weighing D alone (A as 0, which makes an occurrence with any A count 0)
  counts those wholly in the lead, which the chunk before holds and counts: the
  difference is the chunk's own;
- `words` is a second tsvector: the chunk's jieba words past its lead, each at its
  ordinal, for "a term that is a whole word of the text counts twice".

Pure Python: no Django, no database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from ..analysis import gram_text, is_term, phrase_grams, whole_words
from ..query import MAX_QUERY_CHARS

CHUNK = 4000
OVERLAP = MAX_QUERY_CHARS
# PostgreSQL's limit of positions per lexeme in one tsvector.
MAX_POSITIONS = 256
# Part 0 is the title (for title: terms and for ranking titles first); the text
# rows (title and body, as the text field is) are parts 1, 2, ...
TITLE_PART = 0


@dataclass(frozen=True)
class Row:
    part: int
    lead: int  # characters at the start repeated from the chunk before
    body: str  # the chunk of gram_text
    words: str  # tsvector of the jieba words of the chunk past its lead, at their ordinals
    grams: str  # tsvector of the bigrams, the chunk's own labelled A


def speech_rows(title: str, text: str) -> list[Row]:
    """The title row, then the text rows of `title\\ntext` (the text field)."""
    folded_title = gram_text(title)
    rows = [_row(TITLE_PART, 0, folded_title)] if folded_title else []
    folded = gram_text(f"{title}\n{text}")
    for number, (lead, chunk) in enumerate(chunks(folded), start=1):
        rows.append(_row(number, lead, chunk))
    return rows


def chunks(text: str, size: int = CHUNK) -> list[tuple[int, str]]:
    """(lead, chunk) pieces of the text: see the module's docstring."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        lead = min(OVERLAP, start)
        end = _cut_at(text, start, size)
        piece = text[start - lead : end]
        while end - start > 1 and _too_many_positions(piece):
            end = start + max(1, (end - start) // 2)
            piece = text[start - lead : end]
        pieces.append((lead, piece))
        start = end
    return pieces


def _cut_at(text: str, start: int, size: int) -> int:
    end = start + size
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", start + size // 2, end)
    return space + 1 if space > 0 else end


def _too_many_positions(piece: str) -> bool:
    """Whether a character of the piece (a space apart) stands in it MAX_POSITIONS times:
    then so may a one-character word of the words vector (PostgreSQL kept 256 of 300
    standalone 煤, and ranking counted fewer than Whoosh) and, no more often than its
    characters, a bigram (a space never stands beside a space in gram_text)."""
    characters = Counter(piece)
    characters.pop(" ", None)
    return bool(characters) and max(characters.values()) >= MAX_POSITIONS


def _grams(text: str) -> list[str]:
    padded = text + "\n"
    return [padded[i : i + 2] for i in range(len(text))]


def _row(part: int, lead: int, chunk: str) -> Row:
    words = [word for word in whole_words(chunk[lead:]) if is_term(word)]
    return Row(part, lead, chunk, word_vector(words), tsvector(chunk, lead))


def tsvector(text: str, lead: int = 0) -> str:
    """Every bigram of the text (the last character with a newline) at its 1-based
    position, in tsvector's input form; those not wholly in the first `lead`
    characters (from position `lead` on) labelled A."""
    return _vector(_grams(text), labelled_from=lead)


def word_vector(words: list[str]) -> str:
    """The words at their 1-based ordinals, in tsvector's input form."""
    return _vector(words)


def _vector(lexemes: list[str], labelled_from: int | None = None) -> str:
    where: dict[str, list[str]] = defaultdict(list)
    for position, text in enumerate(lexemes, start=1):
        labelled = labelled_from is not None and position >= labelled_from
        where[text].append(f"{position}A" if labelled else str(position))
    return " ".join(f"{lexeme(text)}:{','.join(positions)}" for text, positions in where.items())


def lexeme(text: str) -> str:
    """A quoted lexeme of tsvector's and tsquery's input forms."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(term: str) -> str:
    """A term (a string of gram_text) as a tsquery: its bigrams at consecutive
    positions, or one character as the prefix of the bigrams it starts."""
    if len(term) == 1:
        return f"{lexeme(term)}:*"
    return " <-> ".join(lexeme(gram) for gram in phrase_grams(term))
