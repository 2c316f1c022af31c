"""Plausibility: how a decoded text is judged, on what a reader sees of it."""

from __future__ import annotations

import pytest

from speeches.ingest.plausibility import garbage_share


def test_a_broken_character_counts_once_among_the_bad_characters_and_once_among_all():
    # Ten characters broken into three replaced bytes each, between twenty common ones:
    # ten bad of thirty characters (counted three times among all, it was 10 of 50).
    assert garbage_share("中国\ufffd\ufffd\ufffd" * 10) == pytest.approx(10 / 30)


def test_a_refusal_states_the_share_both_ways_when_broken_characters_may_stand_side_by_side():
    from speeches.ingest.plausibility import refuse_garbage
    from speeches.ingest.types import Decoded, IngestError

    # Six marks in a row between six common characters, ten times: two broken characters
    # side by side (2 of 8 characters) or six characters of another encoding (6 of 12).
    text = "中国人民政府\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd" * 10
    with pytest.raises(IngestError) as refused:
        refuse_garbage(Decoded(text, "utf-8", 0.5))
    assert "25–50%" in str(refused.value)


def test_a_refusal_states_one_share_when_the_marks_can_be_read_only_one_way():
    from speeches.ingest.plausibility import refuse_garbage
    from speeches.ingest.types import Decoded, IngestError

    # Rare characters (outside GB2312's first level) and no replacement marks: 10 of 20.
    with pytest.raises(IngestError) as refused:
        refuse_garbage(Decoded("中国人民政府工作报告" + "鬹鬺鬻齾" * 2 + "囗龘", "gb18030", 0.5))
    assert " 50% " in str(refused.value)
