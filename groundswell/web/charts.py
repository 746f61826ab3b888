"""Charts as inline SVG, drawn on the server: no JavaScript, no network, readable in a screenshot.

``svg_chart(chart)`` draws a ``Chart``: lines over time (``line``), bars stacked per category
(``stacked``) or horizontal bars per category (``hbar``, stacked when it has several series).
The readability rules are ``groundswell.chart_style``'s: at least 600 px wide, both axes
labelled in words, dates rather than week codes, at most six series (the rest as "other"),
distinct colours, and a category still in progress (this week) drawn lighter and labelled
"so far". Every text is escaped; each point has a tooltip (``<title>``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from groundswell.chart_style import MIN_WIDTH_PX, series_colours

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
AXIS_COLOUR = "#5f6b76"
GRID_COLOUR = "#e8ebef"
LEGEND_WIDTH = 150


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class Chart:
    kind: str  # line, stacked or hbar
    title: str
    categories: list[str]
    series: list[Series]
    x_label: str
    y_label: str
    partial_last: bool = False  # the last category is still in progress (this week)
    value_format: str = "{:,.0f}"
    colours: dict[str, str] = field(default_factory=dict)

    def colour(self, name: str) -> str:
        if not self.colours:
            self.colours = series_colours([s.name for s in self.series])
        return self.colours[name]

    def fmt(self, value: float | None) -> str:
        return "no data" if value is None else self.value_format.format(value)


@dataclass
class Frame:
    """The plotting area inside the SVG (pixels)."""

    left: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low``..``high`` (always including 0 when in range)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 0:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [round(math.floor(low / step) * step, 10)]
    while ticks[-1] < high - step * 1e-9:  # the last tick at or past the highest value
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def tick_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def scale(value: float, ticks: list[float], start: float, length: float) -> float:
    low, high = ticks[0], ticks[-1]
    return start + (value - low) / (high - low) * length


def text(x: float, y: float, content: str, anchor: str = "middle", css: str = "",
         size: int = 12, colour: str = AXIS_COLOUR, extra: str = "") -> str:  # fmt: skip
    css_class = f' class="{css}"' if css else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{colour}"{css_class}{extra}>{escape(content)}</text>')  # fmt: skip


def stacked_totals(chart: Chart) -> list[float]:
    return [sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.categories))]


def value_range(chart: Chart) -> tuple[float, float]:
    if chart.kind == "stacked" or (chart.kind == "hbar" and len(chart.series) > 1):
        totals = stacked_totals(chart)
        return 0.0, max(totals, default=0.0)
    values = [v for s in chart.series for v in s.values if v is not None]
    return min(values, default=0.0), max(values, default=0.0)


def svg_chart(chart: Chart, width: int = 760, height: int = 320) -> Markup:
    """The chart as an ``<svg>`` element (``width`` at least 600 px)."""
    width = max(width, MIN_WIDTH_PX)
    legend = len(chart.series) > 1 or chart.partial_last
    if chart.kind == "hbar":
        height = max(height, 60 + 30 * len(chart.categories))
        left = 16 + 7 * max((len(c) for c in chart.categories), default=4)
        frame = Frame(min(left, 220), 16, 0, height - 70)
    else:
        frame = Frame(70, 16, 0, height - 86)
    frame.width = width - frame.left - (LEGEND_WIDTH if legend else right_margin(chart))
    ticks = nice_ticks(*value_range(chart))
    parts = [axes_svg(chart, frame, ticks)]
    parts.append({"line": lines_svg, "stacked": columns_svg, "hbar": hbars_svg}[chart.kind](
        chart, frame, ticks))  # fmt: skip
    if legend:
        parts.append(legend_svg(chart, frame.right + 16, frame.top))
    return Markup(
        f'<svg class="gs-chart gs-chart-{chart.kind}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(chart.title)}" font-family="{FONT}">'
        f"<title>{escape(chart.title)}</title>{''.join(parts)}</svg>"
    )


def right_margin(chart: Chart) -> int:
    """Room right of the plot: a single-series bar chart writes each value past its bar."""
    if chart.kind == "hbar" and len(chart.series) == 1:
        return 16 + 7 * max((len(chart.fmt(v)) for v in chart.series[0].values), default=4)
    return 24


def axes_svg(chart: Chart, frame: Frame, ticks: list[float]) -> str:
    """Grid lines with the value ticks, the category labels and both axis titles."""
    parts = []
    horizontal = chart.kind == "hbar"
    for tick in ticks:
        if horizontal:
            x = scale(tick, ticks, frame.left, frame.width)
            parts.append(f'<line x1="{x:.1f}" y1="{frame.top}" x2="{x:.1f}" y2="{frame.bottom}" '
                         f'stroke="{GRID_COLOUR}"/>')  # fmt: skip
            parts.append(text(x, frame.bottom + 16, tick_text(tick), size=11))
        else:
            y = scale(tick, ticks, frame.bottom, -frame.height)
            parts.append(f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.right}" y2="{y:.1f}" '
                         f'stroke="{GRID_COLOUR}"/>')  # fmt: skip
            parts.append(text(frame.left - 8, y + 4, tick_text(tick), anchor="end", size=11))
    parts += category_labels(chart, frame)
    return "".join(parts) + axis_titles(chart, frame)


def axis_titles(chart: Chart, frame: Frame) -> str:
    middle_x = frame.left + frame.width / 2
    x_title = text(middle_x, frame.bottom + (38 if chart.kind == "hbar" else 52), chart.x_label,
                   css="gs-axis-label gs-x-label", size=13, colour="#3d4852")  # fmt: skip
    if chart.kind == "hbar":
        return x_title  # the categories name themselves
    middle_y = frame.top + frame.height / 2
    y_title = text(0, 0, chart.y_label, css="gs-axis-label gs-y-label", size=13, colour="#3d4852",
                   extra=f' transform="translate(18 {middle_y:.1f}) rotate(-90)"')  # fmt: skip
    return x_title + y_title


def category_positions(chart: Chart, frame: Frame) -> list[float]:
    """Centres of the categories along the category axis."""
    count = max(len(chart.categories), 1)
    if chart.kind == "hbar":
        step = frame.height / count
        return [frame.top + step * (i + 0.5) for i in range(count)]
    step = frame.width / count
    return [frame.left + step * (i + 0.5) for i in range(count)]


def category_labels(chart: Chart, frame: Frame) -> list[str]:
    positions = category_positions(chart, frame)
    every = max(1, math.ceil(len(chart.categories) / (frame.width / 64)))
    labels = []
    for index, (label, position) in enumerate(zip(chart.categories, positions, strict=True)):
        last = index == len(chart.categories) - 1
        if chart.kind == "hbar":
            labels.append(text(frame.left - 8, position + 4, label, anchor="end", size=12,
                               colour="#27313b"))  # fmt: skip
        elif index % every == 0 or last:
            labels.append(text(position, frame.bottom + 18, label, size=11))
            if last and chart.partial_last:
                labels.append(text(position, frame.bottom + 32, "so far", size=10,
                                   css="gs-partial-label", colour="#8a6d00"))  # fmt: skip
    return labels


def lines_svg(chart: Chart, frame: Frame, ticks: list[float]) -> str:
    xs = category_positions(chart, frame)
    parts = []
    for series in chart.series:
        colour = chart.colour(series.name)
        points = [(x, scale(v, ticks, frame.bottom, -frame.height), v, label)
                  for x, v, label in zip(xs, series.values, chart.categories, strict=True)
                  if v is not None]  # fmt: skip
        settled = points[:-1] if chart.partial_last and len(points) > 1 else points
        parts.append(polyline(settled, colour, ""))
        if chart.partial_last and len(points) > 1:
            parts.append(polyline(points[-2:], colour, ' stroke-dasharray="5 4"'))
        for index, (x, y, value, label) in enumerate(points):
            hollow = chart.partial_last and index == len(points) - 1
            fill = "#fff" if hollow else colour
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{fill}" '
                         f'stroke="{colour}" stroke-width="2"><title>{escape(series.name)}, '
                         f"{escape(label)}: {escape(chart.fmt(value))}</title></circle>")  # fmt: skip
    return "".join(parts)


def polyline(points: list[tuple], colour: str, extra: str) -> str:
    if len(points) < 2:
        return ""
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y, *_ in points)
    return (f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5" '
            f'stroke-linejoin="round"{extra}/>')  # fmt: skip


def columns_svg(chart: Chart, frame: Frame, ticks: list[float]) -> str:
    xs = category_positions(chart, frame)
    bar = min(48.0, frame.width / max(len(xs), 1) * 0.66)
    parts = []
    for index, (x, label) in enumerate(zip(xs, chart.categories, strict=True)):
        opacity = 0.45 if chart.partial_last and index == len(xs) - 1 else 1
        base = 0.0
        for series in chart.series:
            value = series.values[index] or 0
            y_top = scale(base + value, ticks, frame.bottom, -frame.height)
            y_base = scale(base, ticks, frame.bottom, -frame.height)
            parts.append(f'<rect x="{x - bar / 2:.1f}" y="{y_top:.1f}" width="{bar:.1f}" '
                         f'height="{max(y_base - y_top, 0):.1f}" fill="{chart.colour(series.name)}" '
                         f'fill-opacity="{opacity}"><title>{escape(label)}, {escape(series.name)}: '
                         f"{escape(chart.fmt(value))}</title></rect>")  # fmt: skip
            base += value
    return "".join(parts)


def hbars_svg(chart: Chart, frame: Frame, ticks: list[float]) -> str:
    ys = category_positions(chart, frame)
    bar = min(22.0, frame.height / max(len(ys), 1) * 0.7)
    zero = scale(0, ticks, frame.left, frame.width)
    parts = []
    for index, (y, label) in enumerate(zip(ys, chart.categories, strict=True)):
        base = 0.0
        for series in chart.series:
            value = series.values[index] or 0
            x1 = scale(base, ticks, frame.left, frame.width)
            x2 = scale(base + value, ticks, frame.left, frame.width)
            parts.append(f'<rect x="{min(x1, x2):.1f}" y="{y - bar / 2:.1f}" '
                         f'width="{abs(x2 - x1):.1f}" height="{bar:.1f}" '
                         f'fill="{chart.colour(series.name)}"><title>{escape(label)}, '
                         f"{escape(series.name)}: {escape(chart.fmt(value))}</title></rect>")  # fmt: skip
            base += value
        if len(chart.series) == 1:
            value = chart.series[0].values[index]
            end = scale(value or 0, ticks, frame.left, frame.width)
            anchor, shift = ("start", 6) if (value or 0) >= 0 else ("end", -6)
            parts.append(text(end + shift, y + 4, chart.fmt(value), anchor=anchor, size=11))
    parts.append(f'<line x1="{zero:.1f}" y1="{frame.top}" x2="{zero:.1f}" y2="{frame.bottom}" '
                 f'stroke="{AXIS_COLOUR}"/>')  # fmt: skip
    return "".join(parts)


def legend_svg(chart: Chart, x: float, y: float) -> str:
    parts = ['<g class="gs-legend">']
    rows = [s.name for s in chart.series] if len(chart.series) > 1 else []
    for index, name in enumerate(rows):
        top = y + index * 20
        parts.append(f'<rect x="{x}" y="{top:.1f}" width="12" height="12" rx="2" '
                     f'fill="{chart.colour(name)}"/>')  # fmt: skip
        parts.append(text(x + 18, top + 10, name[:20], anchor="start", size=12, colour="#27313b"))
    if chart.partial_last:
        top = y + len(rows) * 20 + 10
        note = "dashed" if chart.kind == "line" else "lighter"
        parts.append(text(x, top + 10, f"{note}: this week", anchor="start", size=11,
                          colour="#8a6d00"))  # fmt: skip
        parts.append(text(x, top + 25, "so far (not over yet)", anchor="start", size=11,
                          colour="#8a6d00"))  # fmt: skip
    return "".join(parts) + "</g>"
