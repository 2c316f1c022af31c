"""Relevance as the help page (templates/speeches/search_help.html) explains it, the
same for every engine; each engine computes the counts from its own index.

1. Speeches whose title holds more of the query's terms come first.
2. Then BM25 over the terms' string occurrences (K1, B below, the speech's length in
   characters), where an occurrence that is also a whole jieba word of the text
   counts twice: 发展 standing as a word ranks above 发展 inside 开发展示. A term of
   one character is counted by its whole-word occurrences only. A speech that holds
   a term only in a copy, or a one-character term not as a word, counts it once.
3. For several terms, the best PROXIMITY_POOL speeches by 1 and 2 gain a bonus the
   closer their terms stand together (full when adjacent, half at PROXIMITY_HALF
   characters apart), and are ordered again. The pool is fixed, so pages never
   overlap.
Ties go to the earlier speech.
"""

from __future__ import annotations

from math import log

from . import query as q

K1, B = 1.2, 0.75
PROXIMITY_POOL = 200
PROXIMITY_HALF = 20


def positive_terms(node) -> list[q.Term]:
    """The terms a hit holds (not those under an exclusion), each once, in order."""
    if isinstance(node, q.Term):
        return [node]
    if node is None or isinstance(node, q.Not):
        return []
    return list(dict.fromkeys(term for child in node.children for term in positive_terms(child)))


def near_terms(terms: list[q.Term]) -> list[q.Term]:
    """The terms whose closeness counts (step 3): text terms of two characters or more."""
    return [term for term in terms if term.field == "text" and len(term.text) > 1]


def idf(total: int, holding: int) -> float:
    return log(1 + (total - holding + 0.5) / (holding + 0.5))


def proximity_bonus(idfs: list[float], gap: int) -> float:
    """What a speech gains when its terms stand `gap` characters apart (step 3)."""
    return sum(idfs) / len(idfs) / (1 + gap / PROXIMITY_HALF)


def starts(text: str, term: str) -> list[int]:
    """Every start of `term` in `text`, overlapping ones too."""
    found, at = [], text.find(term)
    while at >= 0:
        found.append(at)
        at = text.find(term, at + 1)
    return found


def smallest_gap(events: list[tuple[int, int]], sizes: list[int]) -> int:
    """Over windows of (position, term) events holding every term once or more: the
    smallest stretch's length less the terms' own lengths (0 when adjacent)."""
    need, have, left, best = len(sizes), {}, 0, None
    for position, term in events:
        have[term] = have.get(term, 0) + 1
        while len(have) == need:
            start, first = events[left]
            # The last term's end (a longer term just before it may reach further:
            # a character or two, not worth a pass over the window).
            end = position + sizes[term]
            gap = max(0, end - start - sum(sizes))
            best = gap if best is None else min(best, gap)
            have[first] -= 1
            if not have[first]:
                del have[first]
            left += 1
    return best if best is not None else 0
