"""The chart above a canned query's results, drawn from its rows by a ``chart`` entry in
``metadata.json``::

    "chart": {"type": "line", "x": "week", "y": "mentions", "series": "topic",
              "x_label": "Week starting", "y_label": "Mentions per week"}

``x`` holding ISO weeks (``2026-W44``) is drawn as the dates the weeks start, the current week
marked as not over yet. More than six series keep the five biggest and add up the rest as
"other" (``"other": "mean"`` with a ``weight`` column averages them instead, weighted).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timezone

from groundswell.chart_style import OTHER, iso_week_monday, keep_biggest, monday_of, week_labels
from groundswell.web.charts import Chart, Series


def number(value) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def categories_of(spec: dict, rows: Sequence, today: date) -> tuple[list, list[str], bool]:
    """The x values in chart order, their labels, and whether the last is still in progress."""
    values = list(dict.fromkeys(row[spec["x"]] for row in rows))
    mondays = [iso_week_monday(str(v)) for v in values]
    if values and all(mondays):
        ordered = sorted(zip(mondays, values, strict=True))
        partial = ordered[-1][0] == monday_of(today)
        return [v for _, v in ordered], week_labels([m for m, _ in ordered]), partial
    return values, [str(v) for v in values], False


def chart_from_rows(spec: dict, rows: Sequence, today: date | None = None) -> Chart | None:
    """The chart of ``rows`` (mappings by column name), or None when there is nothing to draw."""
    if not rows or any(spec.get(key) not in rows[0].keys() for key in ("x", "y")):
        return None
    today = today or datetime.now(timezone.utc).date()
    xs, labels, partial = categories_of(spec, rows, today)
    series_column = spec.get("series")
    if series_column and series_column in rows[0].keys():
        series = grouped_series(spec, rows, xs)
    else:
        by_x = {row[spec["x"]]: number(row[spec["y"]]) for row in rows}
        series = [Series(spec.get("y_label", spec["y"]), [by_x.get(x) for x in xs])]
    return Chart(
        kind=spec.get("type", "line"), title=spec.get("title", spec.get("y_label", "")),
        categories=labels, series=series, x_label=spec.get("x_label", spec["x"]),
        y_label=spec.get("y_label", spec["y"]), partial_last=partial,
        value_format=spec.get("value_format", "{:,.0f}"),
    )  # fmt: skip


def grouped_series(spec: dict, rows: Sequence, xs: list) -> list[Series]:
    """One series per value of the series column: the biggest five and "other"."""
    values: dict[str, dict] = defaultdict(dict)
    weights: dict[str, dict] = defaultdict(dict)
    totals: dict[str, float] = defaultdict(float)
    weight_column = spec.get("weight")
    for row in rows:
        name = str(row[spec["series"]])
        value = number(row[spec["y"]])
        weight = number(row[weight_column]) if weight_column else 1.0
        values[name][row[spec["x"]]] = value
        weights[name][row[spec["x"]]] = weight or 0.0
        totals[name] += (weight or 0.0) if weight_column else (value or 0.0)
    kept = keep_biggest(totals)
    series = [Series(name, [values[name].get(x) for x in xs]) for name in kept]
    rest = [name for name in totals if name not in kept]
    if rest:
        series.append(Series(OTHER, [other_value(spec, rest, values, weights, x) for x in xs]))
    return series


def other_value(spec: dict, names: list[str], values: dict, weights: dict, x) -> float | None:
    pairs = [(values[n][x], weights[n].get(x, 0.0)) for n in names if values[n].get(x) is not None]
    if not pairs:
        return None
    if spec.get("other") == "mean":
        total_weight = sum(w for _, w in pairs)
        return sum(v * w for v, w in pairs) / total_weight if total_weight else None
    return sum(v for v, _ in pairs)
