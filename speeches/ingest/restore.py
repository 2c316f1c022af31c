"""Per-line restoration: markup, pinyin annotations, mojibake, script."""

from __future__ import annotations

from .annotations import strip_pinyin_annotations
from .markup import strip_markup
from .mojibake import repair_mojibake
from .script import to_simplified
from .types import Line, StepReport


def split_lines(text: str) -> tuple[str, ...]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return tuple(text.split("\n"))


def restore_lines(text: str) -> tuple[tuple[Line, ...], tuple[StepReport, ...]]:
    stripped, tags = strip_markup(text)
    annotated, annotations = strip_pinyin_annotations(stripped)
    repaired, moji = repair_mojibake(annotated)
    simplified = to_simplified(repaired)
    raw_lines = split_lines(stripped)
    new_lines = split_lines(simplified)
    if len(raw_lines) != len(new_lines):  # a step must never add or remove a line
        raise AssertionError("restoration changed the number of lines")
    lines = tuple(
        Line(number=i + 1, raw=raw.strip(), text=new.strip().replace("\u3000", " ").strip())
        for i, (raw, new) in enumerate(zip(raw_lines, new_lines))
    )
    reports = (
        StepReport("markup", {"tags_removed": tags}),
        StepReport("pinyin", {"annotations_removed": annotations}),
        StepReport("mojibake", {"runs_found": moji.found, "runs_repaired": moji.repaired, "runs_marked": moji.marked}),
        StepReport("script", {"characters_changed": sum(a != b for a, b in zip(repaired, simplified))}),
    )
    return lines, reports
