"""Sets of Whoosh document numbers as sorted numpy arrays (Docs), for view.py and
ranking.py: a frozenset costs about 50 bytes a document, an array 4, and a view
caches dozens of sets of up to every speech. Operations on sorted arrays use binary
searches (np.isin and np.intersect1d sort both arrays again)."""

from __future__ import annotations

import numpy as np

# A sorted array of distinct Whoosh document numbers.
Docs = np.ndarray
DOC = np.int32
NONE = np.zeros(0, DOC)


# held() marks `b` in a mask of booleans, one per number up to the largest, and looks
# `a` up in it, when `a` is at least a quarter as long as `b` and the numbers are
# document numbers (below MASK_LIMIT; a position key is far larger). Measured: 500,000
# numbers in 75,000 take 15 ms by binary search and 0.5 by mask; 2,000 in 75,000, 0.05
# and 0.16.
MASK_FROM = 4
MASK_LIMIT = 1 << 24


def held(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which numbers of `a` (none negative) the sorted array `b` holds."""
    if not len(b) or not len(a):
        return np.zeros(len(a), bool)
    if len(a) * MASK_FROM >= len(b):
        top = max(int(a.max()), int(b[-1]))
        if top < MASK_LIMIT:
            mask = np.zeros(top + 1, bool)
            mask[b] = True
            return mask[a]
    return b[np.searchsorted(b, a).clip(max=len(b) - 1)] == a


def common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The numbers in both of two sorted arrays of distinct numbers, in order."""
    if len(a) > len(b):
        a, b = b, a
    return a[held(a, b)]


def without(a: Docs, b: Docs) -> Docs:
    return a[~held(a, b)]


def union(sets: list[Docs]) -> Docs:
    """The documents in any of the sets. A stable sort merges their sorted runs (numpy's
    timsort); np.unique hashed every number instead: 6.6 ms against 0.9 for the years
    2005–2020 of 100,000 speeches, which a year filter asks for twice per search."""
    if not sets:
        return NONE
    found = np.sort(np.concatenate(sets), kind="stable").astype(DOC, copy=False)
    if len(found) > 1:
        found = found[np.concatenate(([True], found[1:] != found[:-1]))]
    return found


def all_of(*sets: Docs) -> Docs:
    """The documents in every one of the sets, smallest first."""
    found, *rest = sorted(sets, key=len)
    for other in rest:
        if not len(found):
            break
        found = common(found, other)
    return found


def as_docs(numbers) -> Docs:
    """Document numbers from any iterable, as Docs."""
    return np.unique(np.fromiter(numbers, np.int64)).astype(DOC)


def runs(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct numbers of a sorted array and how often each occurs."""
    if not len(numbers):
        return numbers, np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], numbers[1:] != numbers[:-1])))
    return numbers[starts], np.diff(np.append(starts, len(numbers)))
