"""Datasette ``render_cell`` hook: mention ids (and JSON lists of them) link to the mention,
sentiments get a label, ISO weeks read as the date they start.

Loaded by ``groundswell.web.serve.make_datasette`` from ``groundswell/web/plugins/``. Every value is escaped.
"""

from __future__ import annotations

import json

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup

from groundswell.chart_style import day_label, iso_week_monday

# Columns holding a mention id, wherever they appear (tables, views, canned queries).
MENTION_ID_COLUMNS = {"mention_id", "parent_id", "duplicate_of", "target_id", "question_id",
                      "example_id"}  # fmt: skip
# Columns holding a JSON list of mention ids (the community tables' evidence)
MENTION_LIST_COLUMNS = {"evidence", "similar_questions", "past_answers"}
# Tables and views whose ``id`` is a mention id, but that are not the mentions table itself.
MENTION_ID_TABLES = {"mentions_enriched"}
SENTIMENT_COLUMNS = {"sentiment", "topic_sentiment", "rating_sentiment"}
SENTIMENTS = {"negative", "neutral", "positive"}


def is_mention_id(column: str, table: str | None, value: object) -> bool:
    if not isinstance(value, str) or not value or ":" in value:  # alert incident keys have ':'
        return False
    return column in MENTION_ID_COLUMNS or (column == "id" and table in MENTION_ID_TABLES)


def mention_link(datasette, database: str, mention_id: str) -> Markup:
    url = datasette.urls.row(database, "mentions", tilde_encode(mention_id))
    return Markup('<a href="{}">{}</a>').format(url, mention_id)


def mention_links(datasette, database: str, value: str) -> Markup | None:
    try:
        ids = json.loads(value)
    except ValueError:
        return None
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        return None
    return Markup(", ").join(mention_link(datasette, database, i) for i in ids)


def sentiment_label(value: str) -> Markup:
    return Markup('<span class="gs-sentiment gs-sentiment-{}">{}</span>').format(value, value)


def week_label(value: str) -> Markup | None:
    """``2026-W49`` as ``30 Nov 2026 (2026-W49)``: people read dates, SQL filters on codes."""
    monday = iso_week_monday(value)
    if monday is None or len(value) != 8:
        return None
    return Markup('<span class="gs-week" title="ISO week {}, Monday to Sunday">{} '
                  "<small>({})</small></span>").format(value, day_label(monday, True), value)  # fmt: skip


@hookimpl
def render_cell(value, column, table, database, datasette):
    if database != "groundswell":
        return None
    if is_mention_id(column, table, value):
        return mention_link(datasette, database, value)
    if column in MENTION_LIST_COLUMNS and isinstance(value, str):
        return mention_links(datasette, database, value)
    if column in SENTIMENT_COLUMNS and value in SENTIMENTS:
        return sentiment_label(value)
    if column in ("week", "period") and isinstance(value, str):
        return week_label(value)
    return None
