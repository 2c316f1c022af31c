"""Sets of document numbers as sorted arrays (speeches/search/whoosh/docsets.py) answer
as Python's sets do, by binary search and by mask alike."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from speeches.search.whoosh import docsets
from speeches.search.whoosh.docsets import common, held, union, without

numbers = st.lists(st.integers(0, 3_000), max_size=200)
sets = st.sets(st.integers(0, 3_000), max_size=200)


@pytest.mark.parametrize("limit", [0, docsets.MASK_LIMIT], ids=["binary search", "mask"])
@settings(max_examples=80, deadline=None)
@given(a=numbers, b=sets)
def test_held_marks_exactly_the_numbers_the_set_holds(limit, a, b):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(docsets, "MASK_LIMIT", limit)
        patch.setattr(docsets, "MASK_FROM", 10**6)  # the mask whenever the limit allows
        marked = held(np.asarray(a, np.int64), np.asarray(sorted(b), np.int64))
    assert marked.tolist() == [n in b for n in a]


@settings(max_examples=80, deadline=None)
@given(a=sets, b=sets)
def test_common_and_without_are_intersection_and_difference(a, b):
    left, right = (np.asarray(sorted(s), np.int32) for s in (a, b))
    assert common(left, right).tolist() == sorted(a & b)
    assert without(left, right).tolist() == sorted(a - b)


def test_numbers_too_large_for_a_mask_are_searched():
    keys = np.asarray([5 << 32 | 7, 9 << 32], np.int64)  # position keys, as view.py makes them
    assert held(keys, np.asarray([9 << 32], np.int64)).tolist() == [False, True]


@settings(max_examples=80, deadline=None)
@given(st.lists(sets, max_size=6))
def test_union_is_every_number_of_any_set_once_in_order(parts):
    arrays = [np.asarray(sorted(part), np.int32) for part in parts]
    assert union(arrays).tolist() == sorted(set().union(*parts))
