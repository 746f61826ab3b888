"""The health of crawls: configured ``sources`` and one ``crawl_runs`` row per crawl."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from groundswell.store.schema import utc_now
from groundswell.store.transaction import transaction


def save_sources(db: sqlite_utils.Database, sources: Iterable) -> None:
    """Mirror the configured sources into the ``sources`` table (config is the truth)."""
    rows = [
        {"name": s.name, "kind": s.kind, "url": s.url, "schedule": s.schedule,
         "enabled": int(s.enabled), "updated_at": utc_now()}
        for s in sources
    ]  # fmt: skip
    if rows:
        db["sources"].upsert_all(rows, pk="name")


def start_crawl_run(db: sqlite_utils.Database, source: str) -> int:
    """A ``running`` crawl_runs row with this process's pid and host on it (its heartbeat:
    ``groundswell.store.runs.Heartbeat``)."""
    from groundswell.store.runs import start_run

    row = {"source": source, "pages": 0, "new": 0, "updated": 0, "errors": 0}
    return start_run(db, "crawl_runs", row)


def finish_crawl_run(db: sqlite_utils.Database, run_id: int, **fields) -> None:
    db["crawl_runs"].update(run_id, {"finished_at": utc_now(), **fields})


def source_status(db: sqlite_utils.Database) -> list[dict]:
    """Each known source with its last crawl run and how many mentions it holds."""
    sql = """
    select s.name as source, s.kind, s.enabled, r.started_at as last_run, r.status,
           r.pages, r.new, r.updated, r.errors, r.message,
           (select count(*) from mentions m where m.source = s.name) as mentions,
           (select count(*) from crawl_frontier f where f.source = s.name
                and f.state in ('pending', 'error')) as backlog
    from sources s
    left join crawl_runs r on r.id = (
        select id from crawl_runs where source = s.name order by started_at desc, id desc limit 1)
    order by s.name
    """
    return [dict(row) for row in db.query(sql)]


def close_open_crawl_runs(db: sqlite_utils.Database, source: str, status: str, message: str,
                          pid: int | None = None) -> int:  # fmt: skip
    """Finish crawl_runs rows a crawl process left 'running' (it was killed or timed out);
    records one such run when the process died before writing its own row. With ``pid`` (the
    crawl process's), its row is found even when ``open_db`` already closed it as interrupted."""
    where = "source = ? and status = 'running'"
    params: list = [source]
    if pid is not None:
        where = "source = ? and pid = ? and status in ('running', 'interrupted')"
        params.append(pid)
    with transaction(db):
        closed = db.execute(
            f"update crawl_runs set status = ?, finished_at = ?, message = ?, errors = 1 "
            f"where {where}",
            [status, utc_now(), message, *params],
        ).rowcount
    if not closed:
        finish_crawl_run(db, start_crawl_run(db, source), status=status, errors=1, message=message)
    return closed
