"""Per-line restoration: markup, pinyin annotations, mojibake, script.

Every step maps text to text without adding or removing a line, so each source line
keeps one Line with its source text (`raw`) beside the restored one (`text`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import ne

from .annotations import strip_pinyin_annotations, strip_readings_after_marks
from .markup import strip_markup
from .mojibake import MARKER, Repairs, add_stats, is_suspect, repair_line_cached, repair_mojibake
from .script import to_simplified, zhang_for_accounts, zhe_for_zhu
from .types import Line, StepReport

MAX_EXAMPLES = 10
_SETTLE_PASSES = 3


@dataclass(frozen=True)
class Restored:
    stripped: str  # the source after markup only: what Line.raw shows
    text: str  # fully restored, simplified
    reports: tuple[StepReport, ...]


def split_lines(text: str) -> tuple[str, ...]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return tuple(text.split("\n"))


def _first_difference(old: str, new: str) -> int:
    for index, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return index
    return min(len(old), len(new))


def _changed_examples(before: str, after: str) -> tuple[str, ...]:
    """Up to ten "before → after" excerpts around a line's first change, so an admin
    can see what a step did."""
    examples = []
    for old, new in zip(split_lines(before), split_lines(after), strict=True):
        if old != new:
            at = max(0, _first_difference(old, new) - 8)
            examples.append(f"…{old[at : at + 24]}… → …{new[at : at + 24]}…")
            if len(examples) >= MAX_EXAMPLES:
                break
    return tuple(examples)


def restore(text: str) -> Restored:
    stripped, tags, entities = strip_markup(text)
    annotated, annotations = strip_pinyin_annotations(stripped)
    repaired, moji = repair_mojibake(annotated)
    # A run's repair can leave a reading next to its restored character (003 "業(yè)"), or
    # next to the one it marked.
    repaired, late_annotations = strip_pinyin_annotations(repaired)
    repaired, orphaned = strip_readings_after_marks(repaired)
    late_annotations += orphaned
    simplified = to_simplified(repaired)
    # Simplifying changes the GBK bytes around a kept `?`, and so what the mojibake step
    # sees; repeating the pair until nothing changes makes restoration idempotent.
    for _ in range(_SETTLE_PASSES):
        again, more = repair_mojibake(simplified)
        if again == simplified:
            break
        simplified, moji = to_simplified(again), add_stats(moji, more)
    # After the passes, which look up the mojibake step's memo by the text they hand it.
    simplified = zhang_for_accounts(zhe_for_zhu(simplified))
    warnings = (
        (
            f"{moji.marked} 段乱码无法确定，已以{MARKER}标出（{moji.marked} mojibake runs left marked with {MARKER}）"
            + marked_places(annotated, simplified),
        )
        if moji.marked
        else ()
    )
    reports = (
        StepReport("markup", {"tags_removed": tags, "entities_unescaped": entities}),
        StepReport("pinyin", {"annotations_removed": annotations + late_annotations}),
        StepReport(
            "mojibake",
            {
                "runs_found": moji.found,
                "runs_repaired": moji.repaired,
                "runs_marked": moji.marked,
                "question_marks_kept": moji.question_marks_kept,
                "title_dots_restored": moji.title_dots,
                "undecodable_marked": moji.undecodable_marked,
                "question_marks_marked": moji.question_marks_marked,
            },
            _changed_examples(annotated, repaired),
            warnings,
        ),
        StepReport("script", {"characters_changed": sum(map(ne, repaired, simplified))}),
    )
    return Restored(stripped, simplified, reports)


# Places quoted in the warning, at most: enough to find them, short enough to read.
MARKED_PLACES = 5


def marked_places(before: str, after: str) -> str:
    """Where the mojibake step marked characters, as the admin can find them: a few
    characters around the first new mark of each line ("：…立足新起点〓开启新征…"). The
    lines are the page's after its markup went, so a quote, not a line number, names them."""
    quotes = []
    for old, new in zip(split_lines(before), split_lines(after), strict=True):
        # Only lines this step marked: not the source's own 〓, nor a mark the decoder made.
        if new.count(MARKER) > old.count(MARKER):
            at = new.find(MARKER)
            quotes.append(f"…{new[max(0, at - 6) : at + 7]}…")
    shown = "；".join(quotes[:MARKED_PLACES])
    return f"：{shown}" + ("等" if len(quotes) > MARKED_PLACES else "") if quotes else ""


def damaged_lines(text: str) -> set[str]:
    """The lines `restore` hands the mojibake step first, as it will see them: after
    markup, with their pinyin annotations removed. Annotations never span a line, so
    only the damaged lines need them removed (on the seeds, 9 ms instead of 35)."""
    stripped = strip_markup(text)[0]
    return {strip_pinyin_annotations(line)[0] for line in stripped.split("\n") if is_suspect(line)}


def line_repairs(lines: Iterable[str]) -> dict[str, Repairs]:
    """For each damaged line, everything `restore` will ask the mojibake step about it:
    its repair, and those of the lines the passes after simplifying hand the step again
    (a kept `?` whose neighbours simplification changed). Every step works line by
    line, so following each line alone asks what the whole text would."""
    out: dict[str, Repairs] = {}
    for line in lines:
        repairs = out[line] = {line: repair_line_cached(line)}
        text = to_simplified(strip_pinyin_annotations(repairs[line][0])[0])
        for _ in range(_SETTLE_PASSES):
            if not is_suspect(text):
                break
            repairs[text] = repair_line_cached(text)
            again = repairs[text][0]
            if again == text:
                break
            text = to_simplified(again)
    return out


def restore_text(text: str) -> str:
    """The restored text alone (for tests, search queries and re-runs)."""
    return restore(text).text


def _clean_text(text: str) -> str:
    return text.strip().replace("\u3000", " ").strip()


def restore_lines(text: str) -> tuple[tuple[Line, ...], tuple[StepReport, ...]]:
    restored = restore(text)
    raw_lines = split_lines(restored.stripped)
    new_lines = split_lines(restored.text)
    if len(raw_lines) != len(new_lines):  # a step must never add or remove a line
        raise AssertionError("restoration changed the number of lines")
    lines = tuple(
        Line(number=i + 1, raw=raw.strip(), text=_clean_text(new))
        for i, (raw, new) in enumerate(zip(raw_lines, new_lines, strict=True))
    )
    return lines, restored.reports
