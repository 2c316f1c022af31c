"""How far each character of a reading is ahead (speeches/ingest/mojibake/margins.py),
and the word judge's second look at a dropped pair (word_judge.py)."""

from __future__ import annotations

from speeches.ingest.mojibake.margins import slot_margins
from speeches.ingest.mojibake.pairs import Candidate, Slot, is_dropped_pair
from speeches.ingest.mojibake.word_judge import weigh_words


class _PairModel:
    """A model where each half of the pair (a, x) is far ahead with the other held
    fixed, but the pair (b, y), different in both halves, is close behind as a whole."""

    single = {"a": 0.0, "b": -5.0, "x": 0.0, "y": -5.0}

    def logp3(self, history: str, ch: str) -> float:
        return self.single.get(ch, -1.0) + (9.0 if history.endswith("b") and ch == "y" else 0.0)


def test_the_halves_of_a_dropped_pair_are_doubted_together():
    # 003 "比重超過" was the case: with 長 chosen, 區 was the only partner left and looked
    # certain. Each half here leads by 5 nats alone, the pair by 1: both are marked.
    first = Slot((Candidate("a", "a", 0xB0, 0xAE), Candidate("b", "b", 0xB0, 0xAE)), hidden=True)
    second = Slot((Candidate("x", "x", 0xC6, 0xB0), Candidate("y", "y", 0xC6, 0xB0)), hidden=True)
    assert is_dropped_pair(0xAE, 0xC6)
    path = ((first.cands[0], first), (second.cands[0], second))
    alone = slot_margins(_PairModel(), path, "", "")
    assert alone == [5.0, 5.0]
    weighed, margins = weigh_words(_PairModel(), path, alone, "", "")
    assert weighed == path and margins == [1.0, 1.0]
