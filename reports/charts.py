"""Charts drawn on the server: no script, no library, printable, light on 3G.

A chart of columns (years, months) is plain geometry computed here (bars, target marks, grid
lines) that a template turns into <svg> elements, shown with its figures as a table beside it.
A chart of rows, one per unit (as many as there are units: 120 communes in a province), is one
table, each row with its bar (a <meter>) and its figure: the figures are not written twice.
"""

import math
from dataclasses import dataclass, field

from django.utils.formats import number_format

# Drawing area, in SVG user units (the SVG scales to its container's width).
WIDTH = 640
COLUMN_HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 36


@dataclass
class Bar:
    label: str
    value: float | None
    text: str
    # Where a column is drawn (SVG user units); rows are laid out by the table.
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
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
    kind: str  # "columns" (drawn in SVG) or "rows" (a table of bars)
    width: int
    height: int
    bars: list = field(default_factory=list)
    grid: list = field(default_factory=list)
    percent: bool = False
    has_target: bool = False
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: float = 0  # the value at a full bar (rows)
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
    """A bar per unit, in rows (compliance per commune), each linking to the unit's page."""
    top = 100 if percent else _nice_max(max([p.value or 0 for p in points] + [1]))
    chart = Chart(kind="rows", width=WIDTH, height=0, percent=percent, top=top)
    for point in points:
        chart.bars.append(
            Bar(
                label=point.label,
                value=point.value,
                text=_text(point.value, percent),
                href=href(point) if href and point.unit_pk else "",
            )
        )
    return chart
