"""Bar geometry for the small inline SVG charts (matches per year, per topic).

No chart library: a few rectangles are enough, work without JavaScript and
scale to a phone's width through the SVG viewBox.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, LABEL_SPACE = 600, 160, 36


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT
    label_space: int = LABEL_SPACE

    @property
    def label_every(self) -> int:
        """Label every nth bar so labels do not overlap on a crowded axis."""
        return max(1, -(-len(self.bars) // 12))

    @property
    def labelled(self) -> list[tuple[Bar, bool]]:
        return [(bar, i % self.label_every == 0) for i, bar in enumerate(self.bars)]

    @property
    def total_height(self) -> int:
        return self.height + self.label_space


def bar_chart(rows: list[tuple[str, int]]) -> Chart | None:
    """rows: (label, count) in display order."""
    if not any(count > 0 for _, count in rows):
        return None
    top = max(count for _, count in rows)
    slot = WIDTH / len(rows)
    bars = tuple(
        Bar(label, count, i * slot + slot * 0.1, HEIGHT - HEIGHT * count / top, slot * 0.8, HEIGHT * count / top)
        for i, (label, count) in enumerate(rows)
    )
    return Chart(bars)


def year_rows(counts: dict[int, int]) -> list[tuple[str, int]]:
    """Every year from the first to the last, zeros included, so gaps show as gaps."""
    if not counts:
        return []
    return [(str(year), counts.get(year, 0)) for year in range(min(counts), max(counts) + 1)]
