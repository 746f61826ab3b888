"""The crawl frontier: every thread a crawl of a source discovered, and each listing page it has
yet to finish, with its state, so an interrupted or budget-cut crawl is finished by the next one.

States: ``pending`` (discovered or queued, not fetched completely yet), ``fetched`` (every
page of it fetched and its mentions stored), ``error`` (the last fetch failed; tried again by
the next crawl) and ``gone`` (404/410). A row turns ``fetched`` only after its mentions are
stored (the store pipeline writes mentions first), so a kill -9, a timeout or an error leaves
it ``pending`` or ``error``. Listing-page rows exist only while unfinished: a fetched page's row
is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from groundswell.store.schema import utc_now
from groundswell.store.transaction import transaction

LISTED_SQL = """
insert into crawl_frontier (source, url, kind, site_id, state, discovered_at, listed_at,
                            listed_replies, listed_activity, fetches, pages_seen)
values (:source, :url, :kind, :site_id, 'pending', :now, :now, :listed_replies,
        :listed_activity, 0, 0)
on conflict (source, url) do update set
    site_id = coalesce(excluded.site_id, site_id),
    listed_at = excluded.listed_at,
    listed_replies = coalesce(excluded.listed_replies, listed_replies),
    listed_activity = coalesce(excluded.listed_activity, listed_activity)
"""
PENDING_SQL = """
update crawl_frontier set state = 'pending', fetches = coalesce(fetches, 0) + :requested
where source = :source and url = :url
"""
THREAD_FETCHED_SQL = """
update crawl_frontier set state = 'fetched', pages_seen = :pages_seen, last_fetched_at = :now,
    last_error = null, fetched_replies = coalesce(:fetched_replies, listed_replies)
where source = :source and url = :url
"""
PAGE_FETCHED_SQL = "delete from crawl_frontier where source = :source and url = :url"
FAILED_SQL = """
update crawl_frontier set state = :state, last_error = :error
where source = :source and url = :url
"""


def save_listed(db: sqlite_utils.Database, source: str, rows: Iterable[dict],
                now: str | None = None) -> None:  # fmt: skip
    """Record threads (and listing pages) a crawl found: new ones as ``pending``; known ones
    keep their state but take what the listing says now. A row with ``pending`` true turns
    ``pending`` (a fetched thread about to be fetched again, or left for the next crawl); one
    with ``requested`` true is being fetched now (``fetches`` counts it)."""
    now = now or utc_now()
    rows = [{"site_id": None, "listed_replies": None, "listed_activity": None, "kind": "thread",
             **row, "source": source, "now": now} for row in rows]  # fmt: skip
    with transaction(db):
        db.conn.executemany(LISTED_SQL, [without(row, "pending", "requested") for row in rows])
        db.conn.executemany(PENDING_SQL, [
            {"source": source, "url": row["url"], "requested": int(bool(row.get("requested")))}
            for row in rows if row.get("pending") or row.get("requested")])  # fmt: skip


def save_requested(db: sqlite_utils.Database, source: str, rows: Iterable[dict]) -> None:
    """Unfinished rows a crawl takes up again: still ``pending``, one more fetch started."""
    params = [{"source": source, "url": row["url"], "requested": 1} for row in rows]
    with transaction(db):
        db.conn.executemany(PENDING_SQL, params)


def save_fetched(db: sqlite_utils.Database, source: str, rows: Iterable[dict],
                 now: str | None = None) -> None:  # fmt: skip
    """Threads fetched completely (every page, mentions stored) turn ``fetched``; finished
    listing pages leave the frontier."""
    now = now or utc_now()
    threads, pages = [], []
    for row in rows:
        params = {"pages_seen": 1, "fetched_replies": None, **row, "source": source, "now": now}
        (pages if row.get("kind") == "page" else threads).append(params)
    with transaction(db):
        db.conn.executemany(THREAD_FETCHED_SQL, [without(r, "kind") for r in threads])
        db.conn.executemany(PAGE_FETCHED_SQL, [{"source": source, "url": r["url"]} for r in pages])


def save_failed(db: sqlite_utils.Database, source: str, rows: Iterable[dict]) -> None:
    """Fetches that failed: ``error`` (tried again by the next crawl) or ``gone`` (404/410)."""
    params = [{"state": row.get("state", "error"), "error": row.get("error"), "url": row["url"],
               "source": source} for row in rows]  # fmt: skip
    with transaction(db):
        db.conn.executemany(FAILED_SQL, params)


def without(row: dict, *keys: str) -> dict:
    return {key: value for key, value in row.items() if key not in keys}


def load_frontier(db: sqlite_utils.Database, source: str) -> dict[str, dict]:
    """The source's frontier rows by url."""
    sql = "select * from crawl_frontier where source = ?"
    return {row["url"]: row for row in db.query(sql, [source])}


def unfinished(db: sqlite_utils.Database, source: str) -> list[dict]:
    """Threads and listing pages not fetched completely: those never fetched first, oldest
    discovered first; then fetched threads due again, longest since their last fetch first."""
    sql = """select * from crawl_frontier where source = ? and state in ('pending', 'error')
             order by last_fetched_at is not null, coalesce(last_fetched_at, discovered_at),
                      rowid"""
    return list(db.query(sql, [source]))


def frontier_backlog(db: sqlite_utils.Database, source: str) -> dict[str, int]:
    """How many threads and listing pages wait for the next crawl: {'thread': n, 'page': m}."""
    sql = """select kind, count(*) from crawl_frontier where source = ?
             and state in ('pending', 'error') group by kind"""
    counts = {"thread": 0, "page": 0}
    counts.update(dict(db.execute(sql, [source]).fetchall()))
    return counts
