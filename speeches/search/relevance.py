"""Relevance as the help page (templates/speeches/search_help.html) explains it, the
same for every engine; each engine computes the counts from its own index.

1. Speeches whose title holds more of the query's terms come first.
2. Then BM25 over the terms' string occurrences (K1, B below, the speech's length in
   characters), where an occurrence that is also a whole jieba word of the text
   counts twice: 发展 standing as a word ranks above 发展 inside 开发展示. A term of
   one character is counted by its whole-word occurrences only. A speech that holds
   a term only in a copy, or a one-character term not as a word, counts it once.
3. For several terms ANDed, the best PROXIMITY_POOL speeches by 1 and 2 gain a bonus
   the closer their terms stand together (full when adjacent, half at PROXIMITY_HALF
   characters apart; an OR's alternatives stand for one another: near_groups), and
   are ordered again. The pool is fixed, so pages never
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


def near_groups(tree) -> list[list[q.Term]]:
    """Step 3's terms in groups: each operand of the query's top AND is a group, its
    alternatives (an OR, or 瞭解 and 了解, the two forms a traditional term is looked
    for in) standing for one another. A speech gains the bonus when a term of every
    group stands close to one of every other. Any other query is one group, and gains
    none: the alternatives of 疫情 OR 考试, or of 瞭解, need not stand together. When
    each alternative was a term of its own, a speech had to hold 瞭解 and 了解 both, so
    瞭解 情況 and (防汛 OR 抗旱) 部署 gave no bonus and ordered otherwise than 了解 情况."""
    children = _conjuncts(tree)
    groups = [near_terms(positive_terms(child)) for child in children if not isinstance(child, q.Not)]
    return [group for group in groups if group]


def _conjuncts(node) -> list:
    """The operands of an AND, an AND inside it ("工作 (发展 改革)") opened up."""
    return [c for child in node.children for c in _conjuncts(child)] if isinstance(node, q.All) else [node]


def group_events(where: list[list[list[int]]], groups: list[list[q.Term]]):
    """(events, sizes) for smallest_gap from each group's terms' start lists (None when a
    group has no occurrence): a group's size is its shortest term's."""
    events = sorted((p, g) for g, found in enumerate(where) for starts_of_term in found for p in starts_of_term)
    if len({g for _, g in events}) < len(groups):
        return None
    return events, [min(len(term.text) for term in group) for group in groups]


def group_idfs(groups: list[list[q.Term]], weights: dict) -> list[float]:
    """The idf each group weighs in the bonus: its commonest term's (瞭解, which no
    speech writes, must not weigh more than 了解 for the same query)."""
    return [min(weights[term] for term in group) for group in groups]


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
