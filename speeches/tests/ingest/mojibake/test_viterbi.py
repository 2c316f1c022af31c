"""The search through a run's lattice (speeches/ingest/mojibake/viterbi.py)."""

from __future__ import annotations

from speeches.ingest.mojibake import default_repairer, viterbi
from speeches.ingest.mojibake.reading import read_in_step
from speeches.ingest.mojibake.runs import hypotheses


def test_the_ways_one_run_may_end_share_their_viterbi_states_and_read_as_alone(monkeypatch):
    # 001 "大家?guī)淼?022年": the ways this run may end read the same bytes up to their
    # last few positions; read with shared states they cost fewer steps and read the same.
    line = "小編給大家?guī)淼?022年全市"
    at = line.index("?")
    model, prev = default_repairer().model, "大家"
    steps = []
    real_step = viterbi._step
    monkeypatch.setattr(viterbi, "_step", lambda *args: steps.append(1) or real_step(*args))
    alone = [read_in_step(model, hyp, prev, line[hyp.end : hyp.end + 1]) for hyp in hypotheses(line, at)]
    steps_alone = len(steps)
    steps.clear()
    shared: dict = {}
    together = [
        read_in_step(model, hyp, prev, line[hyp.end : hyp.end + 1], shared=shared) for hyp in hypotheses(line, at)
    ]
    assert together == alone
    assert sum(found is not None for found in together) >= 3
    assert len(steps) < steps_alone
