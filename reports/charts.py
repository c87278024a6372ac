"""Charts drawn on the server as SVG: no script, no library, printable, light on 3G.

A chart is plain geometry computed here (bars, target marks, grid lines) that a template
turns into <svg> elements; every chart is shown with its figures as a table beside it.
"""

import math
from dataclasses import dataclass, field

from django.utils.formats import number_format

# Drawing area, in SVG user units (the SVG scales to its container's width).
WIDTH = 640
COLUMN_HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 36
ROW_HEIGHT = 22
LABEL_WIDTH = 210


@dataclass
class Bar:
    label: str
    value: float | None
    text: str
    x: float
    y: float
    width: float
    height: float
    target: float | None = None
    target_text: str = ""
    target_pos: float | None = None  # y of the target mark
    x_end: float = 0
    behind: bool = False  # below its target
    href: str = ""
    label_x: float = 0
    label_y: float = 0
    text_x: float = 0
    text_y: float = 0


@dataclass
class GridLine:
    pos: float
    text: str


@dataclass
class Chart:
    kind: str  # "columns" or "rows"
    width: int
    height: int
    bars: list = field(default_factory=list)
    grid: list = field(default_factory=list)
    percent: bool = False
    has_target: bool = False
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: float = 0

    @property
    def axis_y(self) -> float:
        return self.baseline + 14


def _nice_max(value: float) -> float:
    """A round top for the axis: 1, 2 or 5 times a power of ten, at or above `value`."""
    if value <= 8:
        return 8  # small counts: whole-number grid lines 0, 2, 4, 6, 8
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _text(value, percent: bool) -> str:
    if value is None:
        return "—"
    if percent:
        return f"{number_format(value, 1)}%"
    return number_format(value, 0, force_grouping=True)


def columns(points, *, percent: bool = False) -> Chart:
    """Vertical bars, one per point (years, months), with each point's target marked."""
    top = (
        100
        if percent
        else _nice_max(max([p.value or 0 for p in points] + [p.target or 0 for p in points] + [1]))
    )
    chart = Chart(kind="columns", width=WIDTH, height=COLUMN_HEIGHT, percent=percent)
    inner_h = COLUMN_HEIGHT - TOP - BOTTOM
    inner_w = WIDTH - LEFT - RIGHT
    chart.baseline = TOP + inner_h
    slot = inner_w / max(len(points), 1)
    for i in range(5):
        value = top * i / 4
        chart.grid.append(GridLine(TOP + inner_h - inner_h * i / 4, _text(value, percent)))
    for n, point in enumerate(points):
        value = point.value or 0
        height = inner_h * min(value, top) / top
        x = LEFT + n * slot + slot * 0.15
        bar = Bar(
            label=point.label,
            value=point.value,
            text=_text(point.value, percent),
            x=x,
            y=TOP + inner_h - height,
            width=slot * 0.7,
            height=height,
            label_x=x + slot * 0.35,
            label_y=COLUMN_HEIGHT - BOTTOM + 14,
            text_x=x + slot * 0.35,
            text_y=TOP + inner_h - height - 3,
            x_end=x + slot * 0.7,
        )
        if point.target is not None:
            chart.has_target = True
            bar.target = point.target
            bar.target_text = _text(point.target, percent)
            bar.target_pos = TOP + inner_h - inner_h * min(point.target, top) / top
            bar.behind = value < point.target
        chart.bars.append(bar)
    return chart


def rows(points, *, percent: bool = True, href=None) -> Chart:
    """Horizontal bars, one per unit, as many as there are units (compliance per commune)."""
    top = 100 if percent else _nice_max(max([p.value or 0 for p in points] + [1]))
    height = TOP + ROW_HEIGHT * max(len(points), 1) + 24
    chart = Chart(kind="rows", width=WIDTH, height=height, percent=percent, left=LABEL_WIDTH)
    inner_w = WIDTH - LABEL_WIDTH - RIGHT - 44
    chart.baseline = TOP + ROW_HEIGHT * len(points)
    for i in range(5):
        value = top * i / 4
        chart.grid.append(GridLine(LABEL_WIDTH + inner_w * i / 4, _text(value, percent)))
    for n, point in enumerate(points):
        value = point.value or 0
        width = inner_w * min(value, top) / top
        y = TOP + n * ROW_HEIGHT + 3
        chart.bars.append(
            Bar(
                label=point.label,
                value=point.value,
                text=_text(point.value, percent),
                x=LABEL_WIDTH,
                y=y,
                width=width,
                height=ROW_HEIGHT - 6,
                href=href(point) if href and point.unit_pk else "",
                label_x=LABEL_WIDTH - 6,
                label_y=y + ROW_HEIGHT / 2,
                text_x=LABEL_WIDTH + width + 4,
                text_y=y + ROW_HEIGHT / 2,
            )
        )
    return chart
