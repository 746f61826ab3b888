"""Monitors: which configured boolean queries each mention matches (``mention_monitors`` rows).

``MonitorMatcher(config.monitor).match(batch)`` parses every query once and tokenises each
mention once; ``save_monitor_matches(db, mention_ids, rows)`` replaces those mentions' rows.
Each row carries the mention's ``stance`` toward that monitor: ``passed_over`` when the author
left it or chose another, ``preferred`` when they rate it above another
(``groundswell.tagging.stance``), else None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlite_utils

from groundswell.config import MonitorConfig
from groundswell.store.transaction import transaction
from groundswell.tagging.query import Document, Query, QueryError, brand_terms, parse_query
from groundswell.tagging.stance import name_pattern, stances
from groundswell.tagging.text_spans import title_and_body

SQL_CHUNK = 500


class MonitorMatcher:
    """Every configured monitor's query, parsed once; matches batches of mention dicts."""

    def __init__(self, monitors: Iterable[MonitorConfig]) -> None:
        self.monitors = list(monitors)
        check_unique_names(self.monitors)
        self.queries: list[tuple[MonitorConfig, Query]] = [
            (monitor, parse_monitor_query(monitor)) for monitor in self.monitors
        ]
        self.name_patterns = {
            monitor.name: name_pattern([monitor.name, *brand_terms(query)])
            for monitor, query in self.queries
        }

    @property
    def names(self) -> list[str]:
        return [monitor.name for monitor in self.monitors]

    def match(self, batch: list[dict]) -> list[dict]:
        """``mention_monitors`` rows: one per (mention, monitor whose query it matches)."""
        rows = []
        for mention in batch:
            document = Document.from_mention(mention)
            matched = [monitor for monitor, query in self.queries if query.matches(document)]
            said = self.stances(mention, [monitor.name for monitor in matched]) if matched else {}
            rows += [monitor_row(mention["id"], monitor, said.get(monitor.name))
                     for monitor in matched]  # fmt: skip
        return rows

    def stances(self, mention: dict, names: list[str]) -> dict[str, str]:
        """The mention's stance toward each of the monitors it matched that it names."""
        patterns = {name: self.name_patterns[name] for name in names if self.name_patterns[name]}
        return stances(title_and_body(mention), patterns) if patterns else {}


def parse_monitor_query(monitor: MonitorConfig) -> Query:
    try:
        return parse_query(monitor.query)
    except QueryError as error:
        raise error.for_monitor(monitor.name) from None


def check_unique_names(monitors: Sequence[MonitorConfig]) -> None:
    names = [monitor.name for monitor in monitors]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"monitor names must be unique; repeated: {', '.join(repeated)}")


def monitor_row(mention_id: str, monitor: MonitorConfig, stance: str | None = None) -> dict:
    return {
        "mention_id": mention_id,
        "monitor": monitor.name,
        "competitor": int(monitor.competitor),
        "stance": stance,
    }


def save_monitor_matches(
    db: sqlite_utils.Database, mention_ids: Iterable[str], rows: Iterable[dict]
) -> None:
    """Replace the ``mention_monitors`` rows of ``mention_ids`` with ``rows`` (idempotent).

    Every row must belong to one of ``mention_ids``; ``ValueError`` otherwise.
    """
    ids = list(dict.fromkeys(mention_ids))
    rows = list(rows)
    strays = sorted({row["mention_id"] for row in rows} - set(ids))
    if strays:
        raise ValueError(f"rows for mentions not in mention_ids: {', '.join(strays)}")
    with transaction(db):
        for start in range(0, len(ids), SQL_CHUNK):
            chunk = ids[start : start + SQL_CHUNK]
            marks = ",".join("?" * len(chunk))
            db.execute(f"delete from mention_monitors where mention_id in ({marks})", chunk)
        if rows:
            db["mention_monitors"].upsert_all(rows, pk=("mention_id", "monitor"))


def rematch_monitors(db: sqlite_utils.Database, matcher: MonitorMatcher) -> int:
    """Match every tagged mention against ``matcher``'s queries again, replacing its
    ``mention_monitors`` rows (after the ``[[monitor]]`` queries changed); returns how many
    mentions match at least one monitor. Untagged mentions wait for ``tag``."""
    sql = """select id, url, thread_url, author, title, body, lang, kind from mentions
             where tagged_at is not null and id > ? order by id limit ?"""
    matched, last = 0, ""
    while batch := [dict(row) for row in db.query(sql, [last, SQL_CHUNK])]:
        rows = matcher.match(batch)
        save_monitor_matches(db, [m["id"] for m in batch], rows)
        matched += len({row["mention_id"] for row in rows})
        last = batch[-1]["id"]
    return matched
