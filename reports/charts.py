"""Charts drawn on the server: the geometry of bar charts, a monthly series and a heat map, in the
page's direction (right to left mirrors the x axis). templates/reports/_charts.html writes the SVG,
with a title, a description and the numbers as a table beside it; no script draws anything."""

from dataclasses import dataclass, field

WIDTH = 640
LABEL = 210  # the labels' column of a bar chart
VALUE = 70  # the value's column
ROW = 26
WEEKDAYS = 7
HOURS = range(6, 24)  # the heat map's hours (the rooms open at 6 at the earliest by default)


@dataclass
class Shape:
    x: float
    y: float
    width: float
    height: float
    text: str = ""
    level: int = 0


@dataclass
class Chart:
    width: int
    height: int
    bars: list = field(default_factory=list)
    texts: list = field(default_factory=list)
    lines: list = field(default_factory=list)  # (points, style)


def _mirror(x: float, width: float, rtl: bool) -> float:
    """The x of a shape in the page's direction. Text anchors are not flipped here: the SVG inherits the
    page's CSS direction, which turns "start" and "end" around by itself."""
    return WIDTH - x - width if rtl else x


def bars(rows, rtl: bool) -> Chart:
    """rows: (label, value, previous or None, formatted value). Two bars a row: the period, a year earlier."""
    top = max([max(value, previous or 0) for _label, value, previous, _text in rows] + [0]) or 1
    span = WIDTH - LABEL - VALUE
    chart = Chart(WIDTH, max(len(rows), 1) * ROW + 8)
    for i, (label, value, previous, text) in enumerate(rows):
        y = 4 + i * ROW
        chart.texts.append(Shape(_mirror(LABEL - 8, 0, rtl), y + 15, 0, 0, _short(label), level=-1))
        width = span * value / top
        chart.bars.append(Shape(_mirror(LABEL, width, rtl), y + 2, width, 12, text))
        if previous is not None:
            old = span * previous / top
            chart.bars.append(Shape(_mirror(LABEL, old, rtl), y + 15, old, 6, level=1))
        chart.texts.append(Shape(_mirror(LABEL + width + 6, 0, rtl), y + 13, 0, 0, text, level=1))
    return chart


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def series(points, rtl: bool, height: int = 200) -> Chart:
    """points: (short label, value, previous or None). A line for the period, a dashed one a year earlier."""
    top = max([max(value, previous or 0) for _label, value, previous in points] + [0]) or 1
    left, bottom, plot = 50, height - 30, height - 50
    step = (WIDTH - left - 30) / max(len(points) - 1, 1)
    chart = Chart(WIDTH, height)

    def at(i, value):
        return round(_mirror(left + i * step, 0, rtl), 1), round(bottom - plot * value / top, 1)

    current = [at(i, value) for i, (_label, value, _previous) in enumerate(points)]
    earlier = [at(i, previous) for i, (_label, _value, previous) in enumerate(points) if previous is not None]
    if earlier:
        chart.lines.append((" ".join(f"{x},{y}" for x, y in earlier), "previous"))
    chart.lines.append((" ".join(f"{x},{y}" for x, y in current), "current"))
    for (x, y), (label, _value, _previous) in zip(current, points, strict=True):
        chart.bars.append(Shape(x - 3, y - 3, 6, 6))
        chart.texts.append(Shape(x, height - 10, 0, 0, label, level=0))
    chart.texts.append(Shape(_mirror(left - 6, 0, rtl), bottom - plot + 4, 0, 0, f"{top:g}", level=-1))
    chart.texts.append(Shape(_mirror(left - 6, 0, rtl), bottom + 4, 0, 0, "0", level=-1))
    return chart


def heat_map(grid, weekday_names, rtl: bool) -> Chart:
    """grid: 7 × 24 counts (Monday first). Cells shaded in five steps of the busiest hour."""
    cell, left = (WIDTH - 50) / len(HOURS), 50
    top = max((max(row) for row in grid), default=0) or 1
    chart = Chart(WIDTH, 22 + WEEKDAYS * 24)
    for i, hour in enumerate(HOURS):
        chart.texts.append(Shape(_mirror(left + i * cell + cell / 2, 0, rtl), 14, 0, 0, f"{hour}", level=0))
    for day in range(WEEKDAYS):
        y = 20 + day * 24
        chart.texts.append(Shape(_mirror(left - 6, 0, rtl), y + 15, 0, 0, weekday_names[day], level=-1))
        for i, hour in enumerate(HOURS):
            count = grid[day][hour]
            level = 0 if not count else 1 + min(4, int(4 * count / top))
            chart.bars.append(Shape(_mirror(left + i * cell, cell - 2, rtl), y, cell - 2, 20, str(count), level))
    return chart
