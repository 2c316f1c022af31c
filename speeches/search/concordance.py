"""A concordance (keyword in context): every occurrence of the query's terms in the
speeches the search found, one line each, as linguists and historians read a corpus
(KonText, CCL).

Occurrences are found in each paragraph's folded text, one character for one
(analysis.normalize), so a line shows the source's own characters where the term
matched; an occurrence inside a longer word counts, as in the search. Titles are not
paragraphs and are left out, and so are the terms a query looks for in titles only
(title:疫情: the view hands in the query's text_terms, speeches/search/query.py).
"""

from __future__ import annotations

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
    """Every occurrence of every term in the speech's paragraphs, in text order."""
    folded_terms = [t for t in dict.fromkeys(normalize(term) for term in terms) if t]
    found: list[Line] = []
    for number, paragraph in enumerate(speech.text.split("\n"), start=1):
        folded = normalize(paragraph)
        spans = []
        for term in folded_terms:
            start = folded.find(term)
            while start != -1:
                spans.append((start, start + len(term)))
                start = folded.find(term, start + 1)
        for start, end in sorted(spans):
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


def sorted_lines(lines: list[Line], order: str) -> list[Line]:
    """By the words nearest the term: the left context read backwards, or the right."""
    if order == "left":
        return sorted(lines, key=lambda line: (normalize(line.left)[::-1], normalize(line.right)))
    if order == "right":
        return sorted(lines, key=lambda line: (normalize(line.right), normalize(line.left)[::-1]))
    return lines
