"""A concordance (keyword in context): every occurrence of the query's terms in the
speeches the search found, one line each, as linguists and historians read a corpus
(KonText, CCL).

Occurrences are found in each paragraph's folded text, one character for one
(analysis.normalize), so a line shows the source's own characters where the term
matched; an occurrence inside a longer word counts, as in the search. Titles are not
paragraphs and are left out, and so are the terms a query looks for in titles only
(title:疫情: the view hands in the query's text_terms, speeches/search/query.py).

Each place of the text is one line at most (occurrences): 疫情 疫情防控 listed every
疫情防控 twice, once as each term, and xx counted each xxx of seed 001 as two xx.
Every count the page and the CSV show is a count of these lines. The search's
highlighting (snippets.py) still marks every overlapping match, merged into one
mark, since a mark shows why a speech was found.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .analysis import normalize

WIDTH = 15
SORTS = {"text": "按出现顺序", "left": "按左侧语境", "right": "按右侧语境"}


@dataclass(frozen=True)
class Line:
    speech: object  # speeches.models.Speech
    paragraph: int  # 1-based: the speech page's anchor p<n>
    left: str
    match: str
    right: str

    @property
    def anchor(self) -> str:
        return f"p{self.paragraph}"


def lines_of(speech, terms: tuple[str, ...], width: int = WIDTH) -> list[Line]:
    """Every occurrence of the terms in the speech's paragraphs, in text order, each
    place counted once (occurrences)."""
    pattern = _pattern(tuple(t for t in dict.fromkeys(normalize(term) for term in terms) if t))
    if pattern is None:
        return []
    found: list[Line] = []
    for number, paragraph in enumerate(speech.text.split("\n"), start=1):
        for start, end in occurrences(normalize(paragraph), pattern):
            found.append(
                Line(
                    speech,
                    number,
                    paragraph[max(0, start - width) : start],
                    paragraph[start:end],
                    paragraph[end : end + width],
                )
            )
    return found


def occurrences(folded: str, pattern: re.Pattern) -> list[tuple[int, int]]:
    """Where the terms stand in a folded paragraph, as a reader and the corpus tools
    (CCL, BCC) count a string: left to right, each looked for after the end of the one
    before, so 哈哈哈 holds 哈哈 once; where terms start at one place the longest is
    the occurrence, so 疫情 疫情防控 counts each 疫情防控 once, not also as 疫情."""
    return [match.span() for match in pattern.finditer(folded)]


@functools.lru_cache(maxsize=64)
def _pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    """The folded terms as one alternation, longest first: at each position the regex
    engine tries them in order, so the longest standing there wins. None for no term
    (an empty alternation would match between every two characters)."""
    if not terms:
        return None
    return re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)))


def sorted_lines(lines: list[Line], order: str) -> list[Line]:
    """By the words nearest the term: the left context read backwards, or the right."""
    if order == "left":
        return sorted(lines, key=lambda line: (normalize(line.left)[::-1], normalize(line.right)))
    if order == "right":
        return sorted(lines, key=lambda line: (normalize(line.right), normalize(line.left)[::-1]))
    return lines
