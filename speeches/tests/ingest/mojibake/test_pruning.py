"""Lost-byte slots cut down before the search (speeches/ingest/mojibake/pruning.py)."""

from __future__ import annotations

from speeches.ingest.mojibake.language_model import char_lm
from speeches.ingest.mojibake.lattice import Lattice, Option, Position
from speeches.ingest.mojibake.pairs import Slot, pair_slot
from speeches.ingest.mojibake.pruning import BoundaryPruner


def test_a_lost_byte_slot_is_pruned_beside_a_neighbour_with_few_candidates():
    # 002 "程序?qū)徟?BR>": the annotation leaves 審 or 袕 before the last slot (lead C5,
    # trail lost). Pruned as if that neighbour were unknown, 批 was cut; beside 審 it stays.
    first = Slot(tuple(c for c in pair_slot(None, 0x8F).cands if c.ch in "審袕"))
    lattice = Lattice(tuple(Position((Option((slot,)),)) for slot in (first, pair_slot(0xC5, None))))
    pruned = BoundaryPruner(char_lm()).prune(lattice, "程序", " ")
    assert "批" in "".join(c.ch for c in pruned.positions[1].options[0].slots[0].cands)
