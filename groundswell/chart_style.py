"""What makes a chart readable, shared by the web pages' charts and the weekly digest's.

- At least ``MIN_WIDTH_PX`` wide, both axes labelled in words.
- Time runs in dates ("3 Nov"), never ISO week codes; a week still in progress is marked.
- At most ``MAX_SERIES`` series: the biggest ``MAX_SERIES - 1`` and the rest as "other".
- Colours that stay distinct, also for colour-blind readers (Okabe-Ito), and one meaning per
  colour: red is negative, green positive, grey neutral.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

MIN_WIDTH_PX = 600
MAX_SERIES = 6
OTHER = "other"
# after Okabe & Ito, most distinct first; no red or green (they mean sentiment), no yellow
# (unreadable on white)
SERIES_COLOURS = ("#0072B2", "#E69F00", "#CC79A7", "#56B4E9", "#8C564B", "#000000")
OTHER_COLOUR = "#9aa3ad"
UNREAD = "other language"  # no sentiment: a language the models do not read, and no stars
SENTIMENT_COLOURS = {"negative": "#d64541", "neutral": "#b7bec6", "positive": "#2e9e5b",
                     UNREAD: "#e8c98f", "untagged": "#e3e6ea"}  # fmt: skip
RATING_COLOUR = "#1f3a93"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_label(day: date, with_year: bool = False) -> str:
    """``3 Nov`` (``3 Nov 2026`` with the year)."""
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def week_labels(mondays: list[date]) -> list[str]:
    """Each week as the date it starts; the year on the first label and where it changes."""
    labels = []
    for index, monday in enumerate(mondays):
        new_year = index == 0 or monday.year != mondays[index - 1].year
        labels.append(day_label(monday, with_year=new_year))
    return labels


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def iso_week_monday(label: str) -> date | None:
    """The Monday of an ISO week label (``2026-W44``), or None when it is not one."""
    try:
        year, week = label.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, AttributeError):
        return None


def keep_biggest(totals: Mapping[str, float], limit: int = MAX_SERIES) -> list[str]:
    """The names to chart on their own: all when there are ``limit`` or fewer, else the
    ``limit - 1`` biggest (the rest become "other")."""
    if len(totals) <= limit:
        return sorted(totals, key=lambda name: (-totals[name], name))
    return sorted(totals, key=lambda name: (-totals[name], name))[: limit - 1]


def series_colours(names: list[str]) -> dict[str, str]:
    """A distinct colour per series, "other" in grey, sentiments in their own colours."""
    colours, palette = {}, iter(SERIES_COLOURS)
    for name in names:
        if name in SENTIMENT_COLOURS:
            colours[name] = SENTIMENT_COLOURS[name]
        elif name == OTHER:
            colours[name] = OTHER_COLOUR
        else:
            colours[name] = next(palette, OTHER_COLOUR)
    return colours
