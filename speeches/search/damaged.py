"""Possible matches in damaged text: the query's word with a character shown as 〓.

Where the mojibake step cannot tell which character a lost byte belonged to, it writes
MARKER (〓) instead of guessing (about one damaged run in fourteen on the checked seed
excerpts). Such a word is then invisible to an exact search: a researcher who searches
一防三保 would never see the speech whose restored text reads “一防三〓”. So beside the
results, the search offers the speeches where one of the query's words stands with
one character marked (or two neighbours, see below), labelled as possible matches:
the marker says only that a character was lost there, not which.

A word of one or two characters is not widened: with one of two characters unknown,
every marker next to a common character would "match" (发〓, 〓展), and the list would
be noise. With three or more, two known characters side by side beside the marker
keep it specific. For the same reason two markers in a row (〓〓: two characters lost
together, as where two dropped byte pairs met, 003 "对〓〓建设" for 对公路建设) are
allowed only in a word of four characters or more.
"""

from __future__ import annotations

from ..ingest.mojibake import MARKER
from . import query as q

MIN_CHARS = 3
# Two markers in a row are allowed only in a word this long (two known characters left).
MIN_CHARS_TWO_LOST = 4
# Longer strings are phrases copied from a text; about two variants per character would
# make many phrase look-ups for a query that rarely needs them.
MAX_CHARS = 12
# At most this many of the query's words are widened (a query has up to 32 clauses): the
# first ones long enough to be.
MAX_WORDS = 4


def variants(text: str) -> tuple[str, ...]:
    """The text with each of its characters in turn replaced by MARKER, then (from four
    characters) each two neighbours by two; () when the text is not 3 to 12 Han characters."""
    if not MIN_CHARS <= len(text) <= MAX_CHARS or not all("\u4e00" <= ch <= "\u9fff" for ch in text):
        return ()
    ones = [text[:i] + MARKER + text[i + 1 :] for i in range(len(text))]
    if len(text) < MIN_CHARS_TWO_LOST:
        return tuple(ones)
    twos = [text[:i] + MARKER * 2 + text[i + 2 :] for i in range(len(text) - 1)]
    return tuple(ones + twos)


def widened_query(tree) -> tuple[object | None, dict[str, str]]:
    """The query with one of its words (or phrases) allowed a marked character, less
    whatever the query itself matches; and each variant with the text it stands for.
    (None, {}) when no word of the query can be widened."""
    if tree is None:
        return None, {}
    alternatives = []
    stands_for: dict[str, str] = {}
    for leaf in _positive_leaves(tree):
        found = variants(leaf.text)
        if not found:
            continue
        if len(alternatives) == MAX_WORDS:
            break
        widened = q.Any(tuple(q.Term(variant, leaf.field) for variant in found))
        alternatives.append(_replaced(tree, leaf, widened))
        stands_for.update((variant, leaf.text) for variant in found)
    if not alternatives:
        return None, {}
    either = alternatives[0] if len(alternatives) == 1 else q.Any(tuple(alternatives))
    return q.All((either, q.Not(tree))), stands_for


def _positive_leaves(node) -> list:
    """Terms a match must hold (not those under an exclusion), in order."""
    if isinstance(node, q.Term):
        return [node]
    if isinstance(node, q.Not):
        return []
    return [leaf for child in node.children for leaf in _positive_leaves(child)]


def _replaced(node, leaf, replacement):
    """The tree with this very leaf (by identity: a query may repeat a word) replaced."""
    if node is leaf:
        return replacement
    if isinstance(node, q.Not):
        return q.Not(_replaced(node.child, leaf, replacement))
    if isinstance(node, q.All | q.Any):
        return type(node)(tuple(_replaced(child, leaf, replacement) for child in node.children))
    return node
