"""Charts of speeches per year and per topic: rows, rates, tables and SVG geometry.

Plain Python, no Django: speeches/search/counts.py and speeches/views.py hand in
plain counts, templates/includes/chart.html draws the shapes this module returns.
No chart library and no script (the Content-Security-Policy allows none inline):
the SVG is written on the server with real axes, every label in full and every
value written beside its bar or point, since a touch screen shows no tooltip. The
table under each chart holds the same numbers; it is the chart's accessible
equivalent and what the CSV download writes.

Each chart is laid out twice, for a wide and for a narrow screen, and the CSS shows
one: an SVG scales with its viewBox, so one layout for both would print a phone's
labels at half the size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from .params import UNDATED

MAX_SERIES = 4
UNDATED_LABEL = "年份不确定"
UNITS = {"count": "篇", "rate": "每千篇"}
# Topics drawn at most; the table lists them all.
TOPICS_DRAWN = 12
MARKERS = ("circle", "square", "triangle", "diamond")


@dataclass(frozen=True)
class Size:
    name: str
    width: int
    font: int
    plot_height: int


# A wide layout is shown at about 0.85-1.15 of its size, a narrow one (a phone) at 1-1.3.
WIDE = Size("wide", 720, 13, 210)
NARROW = Size("narrow", 360, 13, 180)


# --- numbers ---------------------------------------------------------------


def per_thousand(count: int, base: int | None) -> Decimal | None:
    """Matches per 1,000 speeches, to one decimal rounded half up as shown; no rate
    where the archive has no speech to divide by."""
    if not base:
        return None
    return (Decimal(1000 * count) / Decimal(base)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def format_value(value: int | Decimal | None) -> str:
    return "—" if value is None else str(value)


def nice_ticks(top: float, *, whole: bool = True, most: int = 5) -> tuple[float, ...]:
    """Ticks from 0 in a round step (1, 2, 2.5 or 5 times a power of ten), the last
    at or above `top`; whole numbers only when `whole` (counts of speeches)."""
    top = max(top, 1 if whole else 0.1)
    magnitude = 10 ** math.floor(math.log10(top / most))
    steps = [m * magnitude for m in (1, 2, 2.5, 5, 10)]
    step = next(s for s in steps if top / s <= most and (not whole or s == int(s)))
    count = math.ceil(round(top / step, 9))
    return tuple(round(i * step, 9) for i in range(count + 1))


def format_tick(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def text_width(text: str, size: float) -> float:
    """Estimated: a Chinese character is one em wide, a digit or Latin letter at most 0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def pick_terms(q: str, terms: Sequence[str], fold: Callable[[str], str] = str) -> tuple[list[str], list[str]]:
    """The terms to chart, the query first, blanks and repeats left out (a repeat is a
    term that `fold` makes the same as an earlier one: the search's folding makes 經濟發展
    经济发展, one series); and those beyond MAX_SERIES, which are refused."""
    chosen: dict[str, str] = {}
    for term in (q, *terms):
        term = (term or "").strip()[:200]
        if term:
            chosen.setdefault(fold(term), term)
    found = list(chosen.values())
    return found[:MAX_SERIES], found[MAX_SERIES:]


# --- rows and tables -------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str  # a year, UNDATED or a topic's slug
    label: str
    counts: tuple[int, ...]  # one per series
    base: int | None = None  # speeches in the archive under the same filters: the rates' denominator

    @property
    def rates(self) -> tuple[Decimal | None, ...]:
        return tuple(per_thousand(count, self.base) for count in self.counts)

    @property
    def archive_empty(self) -> bool:
        """The archive holds no speech at all here (under the same filters)."""
        return self.base == 0

    def values(self, measure: str) -> tuple[float | None, ...]:
        # Where the archive holds nothing, no count is drawn either, as no rate can be: a
        # 0 there would read as "none of the speeches says it".
        if self.archive_empty:
            return (None,) * len(self.counts)
        found = self.rates if measure == "rate" else self.counts
        return tuple(None if v is None else float(v) for v in found)


def year_rows(
    series: Sequence[Mapping[str, int]], base: Mapping[str, int] | None = None, extent: Sequence[int] = ()
) -> list[Row]:
    """Every year from the first to the last, zeros included so gaps show as gaps, then
    年份不确定 if any speech, matching or not, has no year. Keys are years as strings
    and UNDATED, as the search's year facet gives them. The years in `extent` (the
    ends of a range the reader asked for) are on the axis even where nothing is counted."""
    keys = {k for counts in [*series, base or {}] for k, n in counts.items() if n}
    years = [int(k) for k in keys if k != UNDATED] + list(extent)
    labels = [str(year) for year in range(min(years), max(years) + 1)] if years else []
    if UNDATED in keys:
        labels.append(UNDATED)
    return [_row(key, UNDATED_LABEL if key == UNDATED else key, series, base) for key in labels]


def topic_rows(
    series: Sequence[Mapping[str, int]], base: Mapping[str, int] | None, names: Mapping[str, str]
) -> list[Row]:
    """The topics any series counts, the most matches (of the first term, then the next) first."""
    keys = {k for counts in series for k in counts}
    rows = [_row(key, names.get(key, key), series, base) for key in keys]
    return sorted(rows, key=lambda row: ([-n for n in row.counts], row.label))


def _row(key: str, label: str, series: Sequence[Mapping[str, int]], base: Mapping[str, int] | None) -> Row:
    return Row(key, label, tuple(counts.get(key, 0) for counts in series), None if base is None else base.get(key, 0))


def total_row(rows: Sequence[Row]) -> Row:
    base = None if rows and rows[0].base is None else sum(row.base or 0 for row in rows)
    return Row("total", "合计", tuple(map(sum, zip(*(row.counts for row in rows), strict=True))), base)


@dataclass(frozen=True)
class Table:
    caption: str
    first: str  # heads the column of row names
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # a term (or 全部讲话) over its columns: 篇数, 每千篇
    rows: tuple[tuple[str, ...], ...]  # the first cell of each names the row
    foot: tuple[str, ...] = ()

    @property
    def two_rows(self) -> bool:
        return any(sub for _, subs in self.groups for sub in subs)

    @property
    def header(self) -> tuple[str, ...]:
        """One row of headers, as the CSV has it: 疫情防控：篇数."""
        return (self.first, *(f"{name}：{sub}" if sub else name for name, subs in self.groups for sub in subs))

    def csv_rows(self) -> list[tuple[str, ...]]:
        """The table as the CSV writes it: a rate that cannot be (—) is an empty cell."""
        body = [tuple("" if cell == "—" else cell for cell in row) for row in (*self.rows, self.foot) if row]
        return [self.header, *body]


def make_table(caption: str, first: str, series: Sequence[str], rows: Sequence[Row], foot: Row | None = None) -> Table:
    """Counts, and where the rows have denominators, rates and the denominators too."""
    with_rates = bool(rows) and rows[0].base is not None
    if with_rates:
        groups = tuple((name, ("篇数", "每千篇")) for name in series) + (("全部讲话", ("篇数",)),)
    else:
        groups = tuple((name, ("篇数",)) for name in series) if len(series) > 1 else (("篇数", ("",)),)

    def cells(row: Row) -> tuple[str, ...]:
        out = [row.label]
        for count, rate in zip(row.counts, row.rates, strict=True):
            out += [str(count), format_value(rate)] if with_rates else [str(count)]
        return tuple(out + ([str(row.base)] if with_rates else []))

    return Table(caption, first, groups, tuple(cells(row) for row in rows), cells(foot) if foot else ())


# --- shapes ----------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    cls: str
    kind: ClassVar[str] = "rect"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    cls: str
    kind: ClassVar[str] = "line"


@dataclass(frozen=True)
class Path:
    d: str
    cls: str
    kind: ClassVar[str] = "path"


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    cls: str
    size: int
    anchor: str = "middle"
    angle: int = 0  # -90: read upwards, for values too wide for their bar
    kind: ClassVar[str] = "text"


@dataclass(frozen=True)
class Layout:
    size: str  # "wide" or "narrow"
    width: float
    height: float
    font: int
    shapes: tuple
    all_values_written: bool


def marker(shape: str, x: float, y: float, r: float = 4.5) -> str:
    """A point's marker as path data: circle, square, triangle or diamond, so that the
    series differ in greyscale and for colour-blind readers too."""
    if shape == "square":
        r *= 0.9
        return f"M{x - r:.1f},{y - r:.1f}h{2 * r:.1f}v{2 * r:.1f}h{-2 * r:.1f}Z"
    if shape == "triangle":
        return f"M{x:.1f},{y - 1.2 * r:.1f}L{x + 1.1 * r:.1f},{y + 0.8 * r:.1f}L{x - 1.1 * r:.1f},{y + 0.8 * r:.1f}Z"
    if shape == "diamond":
        r *= 1.25
        return f"M{x:.1f},{y - r:.1f}L{x + r:.1f},{y:.1f}L{x:.1f},{y + r:.1f}L{x - r:.1f},{y:.1f}Z"
    return f"M{x - r:.1f},{y:.1f}a{r},{r} 0 1,0 {2 * r:.1f},0a{r},{r} 0 1,0 {-2 * r:.1f},0Z"


def _r(value: float) -> float:
    return round(value, 1)


def _value_text(value: float, measure: str) -> str:
    return str(int(value)) if measure == "count" else f"{value:.1f}"


def label_step(slot: float, widest: float) -> int:
    """Label every year, or every 2nd, 5th, 10th… (years ending so), whichever first
    leaves room for the widest label."""
    return next((k for k in (1, 2, 5, 10, 20, 50, 100) if k * slot >= widest), 100)


def time_layout(rows: Sequence[Row], measure: str, size: Size) -> Layout:
    """Years along the bottom: bars for one series, a line per series for several."""
    values = [row.values(measure) for row in rows]
    series = len(rows[0].counts)
    small = size.font - 1
    top = max(v for vs in values for v in vs if v is not None)
    ticks = nice_ticks(top, whole=measure == "count")
    left = max(text_width(format_tick(t), small) for t in ticks) + 10
    slot = (size.width - left - 8) / len(rows)
    widest = max(text_width(_value_text(v, measure), small) for vs in values for v in vs if v is not None)
    # A bar's value is written level above it if it fits, else reading upwards, else not at all.
    level = series > 1 or widest <= slot - 2
    upright = not level and small * 0.85 <= slot  # digits stand about 0.75 em tall
    plot_top = size.font + 8 + (small + 6 if level else widest + 8 if upright else 4)
    bottom = plot_top + size.plot_height

    def y(value: float) -> float:
        return bottom - size.plot_height * value / ticks[-1]

    shapes = [Text(0, size.font, UNITS[measure], "unit", small, "start")]
    shapes += _value_axis(ticks, y, left, size.width - 8, small)
    shapes += [Line(left, plot_top - 4, left, bottom, "axis")]
    shapes += _year_axis(rows, left, slot, bottom, size.font)
    if series == 1:
        written = level or upright
        shapes += _bars(values, measure, left, slot, y, small, "level" if level else "upright" if upright else "")
    else:
        lines, written = _lines(values, measure, left, slot, y, small, (size.font + 4, bottom, size.width))
        shapes += lines
    return Layout(size.name, size.width, bottom + size.font + 12, size.font, tuple(shapes), written)


def _value_axis(ticks, y, left: float, right: float, small: int) -> list:
    """Grid lines at the ticks, drawn first so bars and lines lie over them, and the ticks' values."""
    shapes: list = [Line(left, _r(y(t)), right, _r(y(t)), "grid") for t in ticks]
    return shapes + [Text(left - 6, _r(y(t) + small * 0.35), format_tick(t), "tick", small, "end") for t in ticks]


def _year_axis(rows: Sequence[Row], left: float, slot: float, bottom: float, font: int) -> list:
    """The baseline, a tick under every year, and the years that fit written in full."""
    shapes: list = [Line(left, bottom, _r(left + slot * len(rows)), bottom, "axis")]
    step = label_step(slot, text_width(rows[-1].label, font) + 8)
    for i, row in enumerate(rows):
        cx = _r(left + (i + 0.5) * slot)
        shapes.append(Line(cx, bottom, cx, bottom + 4, "axis"))
        if int(row.key) % step == 0:
            shapes.append(Text(cx, bottom + font + 5, row.label, "label", font))
    return shapes


def _bars(values, measure, left, slot, y, small, written: str) -> list:
    """One bar per year (none where a rate cannot be), its value above it as `written`."""
    shapes: list = []
    base = y(0)
    for i, (value,) in enumerate(values):
        if value is None:
            continue
        cx = left + (i + 0.5) * slot
        width = min(slot * 0.7, 48)
        shapes.append(Rect(_r(cx - width / 2), _r(y(value)), _r(width), _r(base - y(value)), "bar series-0"))
        text = _value_text(value, measure)
        if written == "level":
            shapes.append(Text(_r(cx), _r(y(value) - 4), text, "value", small))
        elif written == "upright":
            shapes.append(Text(_r(cx + small * 0.35), _r(y(value) - 4), text, "value", small, "start", -90))
    return shapes


def _lines(values, measure, left, slot, y, small, frame) -> tuple[list, bool]:
    """A line per series, broken where a year has no rate, with a marker on each point
    above zero (on the axis, the markers of every series would pile up). Each value is
    written above (else below) its point where it overlaps no other value or marker;
    once where several series share the point."""
    ceiling, bottom, width = frame
    shapes: list = []
    points = []
    for s in range(len(values[0])):
        path, pen = [], "M"
        for i, vs in enumerate(values):
            if vs[s] is None:
                pen = "M"
                continue
            x, py = left + (i + 0.5) * slot, y(vs[s])
            path.append(f"{pen}{x:.1f},{py:.1f}")
            pen = "L"
            if vs[s]:
                points.append((vs[s], s, x, py))
        shapes.append(Path("".join(path), f"line series-{s}"))
    # After every line, the first series' markers largest: where points meet, all show.
    shapes += [Path(marker(MARKERS[s], x, py, 5.5 - 0.6 * s), f"marker series-{s}") for _, s, x, py in points]
    taken = [(x - 5, py - 5, x + 5, py + 5) for _, _, x, py in points]
    written, labelled = True, set()
    for value, _, x, py in sorted(points, key=lambda p: -p[0]):
        if (x, value) in labelled:
            continue
        text = _value_text(value, measure)
        half = text_width(text, small) / 2
        for top in (py - 7 - small, py + 7):
            box = (x - half, top, x + half, top + small)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= ceiling and box[3] <= bottom
            if inside and not _overlaps(box, taken):
                taken.append(box)
                labelled.add((x, value))
                shapes.append(Text(_r(x), _r(top + small * 0.85), text, "value", small))
                break
        else:
            written = False
    return shapes, written


def _overlaps(box, boxes) -> bool:
    return any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes)


def bar_layout(rows: Sequence[Row], measure: str, size: Size) -> Layout:
    """Topics down the side, each label in full (wrapped if long), a bar per series with
    its value (and, for several series, its marker) at the end."""
    values = [row.values(measure) for row in rows]
    series = len(rows[0].counts)
    small = size.font - 1
    top = max(v for vs in values for v in vs if v is not None)
    label_room = min(max(text_width(row.label, size.font) for row in rows), size.width * 0.3)
    per_line = max(1, int(label_room // size.font))
    widest = max(text_width(_value_text(top, measure), small), text_width("—", small))
    left, right = label_room + 8, widest + (16 if series > 1 else 6)
    plot = size.width - left - right
    ticks = nice_ticks(top, whole=measure == "count", most=max(2, min(5, int(plot // (widest + 16)))))

    def x(value: float) -> float:
        return left + plot * value / ticks[-1]

    bar = 11 if series > 1 else 14
    shapes: list = [Text(size.width, size.font, UNITS[measure], "unit", small, "end")]
    y = size.font + 10
    for row, vs in zip(rows, values, strict=True):
        count = -(-len(row.label) // per_line)
        even = -(-len(row.label) // count)  # lines of even length: no one character left alone
        lines = [row.label[i : i + even] for i in range(0, len(row.label), even)]
        height = max(series * (bar + 2) - 2, len(lines) * size.font * 1.2)
        first = y + height / 2 - (len(lines) - 1) * size.font * 0.6 + size.font * 0.35
        shapes += [
            Text(left - 6, _r(first + j * size.font * 1.2), line, "label", size.font, "end")
            for j, line in enumerate(lines)
        ]
        for s, value in enumerate(vs):
            by = y + (height - series * (bar + 2) + 2) / 2 + s * (bar + 2)
            end = x(value or 0)
            shapes.append(Rect(_r(left), _r(by), _r(end - left), bar, f"bar series-{s}"))
            if series > 1:
                shapes.append(Path(marker(MARKERS[s], end + 7, by + bar / 2, 4), f"marker series-{s}"))
            text = "—" if value is None else _value_text(value, measure)
            shapes.append(
                Text(
                    _r(end + (14 if series > 1 else 4)), _r(by + bar / 2 + small * 0.35), text, "value", small, "start"
                )
            )
        y += height + 10
    # The grid goes under the bars and their values, so it is drawn first.
    grid = [Line(_r(x(t)), size.font + 6, _r(x(t)), y, "grid") for t in ticks]
    shapes += [Text(_r(x(t)), _r(y + size.font + 4), format_tick(t), "tick", small) for t in ticks]
    shapes += [Line(left, size.font + 6, left, y, "axis"), Line(left, y, _r(x(ticks[-1])), y, "axis")]
    return Layout(size.name, size.width, _r(y + size.font + 12), size.font, tuple(grid + shapes), True)


# --- figures ---------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A chart (laid out wide and narrow) with its table, or a sentence saying why none."""

    key: str  # names its element ids: "year", "topic"
    title: str
    series: tuple[str, ...]
    measure: str
    layouts: tuple[Layout, ...]
    table: Table
    description: str  # the SVG's accessible name
    empty: str = ""  # why there is no chart
    notes: tuple[str, ...] = ()  # what the chart leaves to the table, in words

    @property
    def legend(self) -> list[tuple[int, str, str]]:
        """(series, name, marker path) for several series: the line and marker drawn 28 by 12."""
        if len(self.series) < 2:
            return []
        return [(i, name, marker(MARKERS[i], 14, 6, 4)) for i, name in enumerate(self.series)]


def year_figure(
    title: str,
    series: Sequence[str],
    rows: Sequence[Row],
    measure: str = "count",
    caption: str = "",
    empty: str = "没有标有年份的讲话，无法按年份作图。",
) -> Figure:
    """Speeches per year. 年份不确定 is a row of the table and a sentence, not a bar: a time
    axis has no place for it, and in this archive it outnumbers all the years together,
    so on one scale with them it would flatten every bar."""
    dated = [row for row in rows if row.key != UNDATED]
    table = make_table(caption or title, "年份", series, rows, total_row(rows) if rows else None)
    drawable = any(v for row in dated for v in row.values(measure) if v)
    layouts = tuple(time_layout(dated, measure, size) for size in (WIDE, NARROW)) if drawable else ()
    notes = [_undated_sentence(series, rows)] if any(row.key == UNDATED and any(row.counts) for row in rows) else []
    if layouts and any(row.archive_empty for row in dated):
        notes.append("图上空缺的年份，本馆没有该年的讲话。")
    if layouts and not all(layout.all_values_written for layout in layouts):
        notes.append("图上放不下的数值见数据表。")
    empty = "" if drawable else empty
    description = _describe(title, series, dated, measure)
    return Figure("year", title, tuple(series), measure, layouts, table, description, empty, tuple(notes))


def _undated_sentence(series: Sequence[str], rows: Sequence[Row]) -> str:
    dated = [sum(row.counts[i] for row in rows if row.key != UNDATED) for i in range(len(series))]
    undated = next(row.counts for row in rows if row.key == UNDATED)
    parts = [
        f"图中 {d} 篇标有年份，另有 {u} 篇年份不确定" if d else f"另有 {u} 篇年份不确定"
        for d, u in zip(dated, undated, strict=True)
    ]
    if len(series) > 1:
        parts = [f"“{name}”{part}" for name, part in zip(series, parts, strict=True)]
    return "；".join(parts) + "（见数据表“年份不确定”一行）。"


def topic_figure(
    title: str, series: Sequence[str], rows: Sequence[Row], measure: str = "count", caption: str = ""
) -> Figure:
    drawn = list(rows[:TOPICS_DRAWN])
    table = make_table(caption or title, "主题", series, rows)
    drawable = any(v for row in drawn for v in row.values(measure) if v)
    layouts = tuple(bar_layout(drawn, measure, size) for size in (WIDE, NARROW)) if drawable else ()
    notes = ["一篇讲话可属几个主题，各主题篇数相加可能多于总篇数；未归入主题的讲话不在其中。"]
    if len(rows) > len(drawn):
        notes.insert(0, f"图中为篇数最多的 {len(drawn)} 个主题，全部 {len(rows)} 个见数据表。")
    empty = "" if drawable else "相符的讲话都未归入主题。"
    description = _describe(title, series, drawn, measure)
    return Figure("topic", title, tuple(series), measure, layouts, table, description, empty, tuple(notes))


def _describe(title: str, series: Sequence[str], rows: Sequence[Row], measure: str) -> str:
    """The chart's accessible name: what it shows, its range and its largest value; the
    table below holds every value."""
    if not rows:
        return title
    if not rows[0].key.isdigit():
        span = f"{len(rows)} 个主题"
    elif len(rows) == 1:
        span = f"{rows[0].label} 年"
    else:
        span = f"{rows[0].label}–{rows[-1].label} 年"
    parts = [f"{title}（{'、'.join(series)}），{span}"] if len(series) > 1 else [f"{title}，{span}"]
    for i, name in enumerate(series):
        found = [(row.values(measure)[i], row.label) for row in rows if row.values(measure)[i] is not None]
        if found and not any(v for v, _ in found):
            # Zero everywhere: a highest value named at 17 places at once says nothing.
            parts.append(f"{name + '：' if len(series) > 1 else ''}无一篇")
        elif found:
            value = max(v for v, _ in found)
            tied = [label for v, label in found if v == value]
            # Equal highest values are named together (or counted): one of them alone misleads.
            where = "、".join(tied) if len(tied) <= 3 else f"{tied[0]}等 {len(tied)} 项"
            shown = f"每千篇 {value:.1f}" if measure == "rate" else f"{int(value)} 篇"
            parts.append(
                f"{name + '：' if len(series) > 1 else ''}最多为{where}（{'各' if len(tied) > 1 else ''}{shown}）"
            )
    return "；".join(parts) + "。各项数值见下方数据表。"
