"""Why a list of mentions is empty, in words, instead of "0 results".

``explain_no_mentions(conn, args)`` reads the filters of a mentions page (Datasette's query
string: ``_search``, ``column=value``, ``column__op=value``) and says what they asked for and
what the data holds: the newest mention overall, the newest mention of the monitor asked for,
whether anything matches the search at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from groundswell.chart_style import day_label

OPERATORS = {"gte": "on or after", "gt": "after", "lte": "on or before", "lt": "before",
             "exact": "=", "not": "≠", "contains": "contains", "arraycontains": "includes",
             "like": "like", "isnull": "is empty", "notnull": "is not empty",
             "notblank": "is not blank", "startswith": "starts with"}  # fmt: skip


def date_text(stamp: str | None) -> str:
    from datetime import date

    try:
        return day_label(date.fromisoformat(str(stamp)[:10]), with_year=True)
    except ValueError:
        return str(stamp)


def asked_for(args: Mapping[str, str]) -> list[str]:
    """The filters in words: ``search “refund”``, ``sentiment = negative``..."""
    words = []
    if args.get("_search"):
        words.append(f"search “{args['_search']}”")
    for key, value in args.items():
        if key.startswith("_"):
            continue
        column, _, op = key.partition("__")
        words.append(f"{column} {OPERATORS.get(op or 'exact', op)} {value}".strip())
    return words


def search_matches(conn: sqlite3.Connection, query: str) -> int | None:
    from datasette.utils import escape_fts

    try:
        sql = "select count(*) from mentions_fts where mentions_fts match ?"
        return conn.execute(sql, [escape_fts(query)]).fetchone()[0]
    except sqlite3.Error:
        return None


def newest_of_monitor(conn: sqlite3.Connection, monitor: str) -> str | None:
    sql = "select max(published_at) from mention_monitors where monitor = ?"
    return conn.execute(sql, [monitor]).fetchone()[0]


def explain_no_mentions(conn: sqlite3.Connection, args: Mapping[str, str]) -> list[str]:
    """Sentences saying why no mention matched ``args``."""
    newest = conn.execute("select max(published_at) from mentions").fetchone()[0]
    if newest is None:
        return ["The database has no mentions yet: groundswell crawl fetches them from the "
                "configured sources (groundswell demo fills a demo database)."]  # fmt: skip
    words = asked_for(args)
    lines = [f"No mention matched {', '.join(words)}." if words else "No mention to show."]
    monitor = args.get("monitors__arraycontains")
    if monitor:
        seen = newest_of_monitor(conn, monitor)
        lines.append(f"The newest mention of the monitor “{monitor}” is from {date_text(seen)}."
                     if seen else f"No mention has ever matched the monitor “{monitor}”.")  # fmt: skip
    if args.get("_search"):
        found = search_matches(conn, args["_search"])
        if found == 0:
            lines.append(f"No mention at all contains “{args['_search']}”.")
        elif found:
            lines.append(f"{found:,} mention(s) contain “{args['_search']}” without the other "
                         "filters.")  # fmt: skip
    lines.append(f"The newest mention is from {date_text(newest)}.")
    return lines
