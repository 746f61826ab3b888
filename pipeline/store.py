"""SQLite storage through sqlite-utils: ``ensure_db_shape(db)`` plus ``save_x(db, items)``.

Every write is an idempotent upsert keyed by a stable id, so crawling a page twice leaves one
row per mention. Raw mentions are stored before any tagging; tags live beside them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

MENTION_COLUMNS = {
    "id": str,
    "source": str,
    "source_kind": str,
    "site_id": str,
    "kind": str,
    "url": str,
    "thread_url": str,
    "parent_id": str,
    "author": str,
    "title": str,
    "body": str,
    "rating": float,
    "published_at": str,
    "fetched_at": str,
    "first_seen_at": str,
    "lang": str,
    "content_hash": str,
    "duplicate_of": str,
    "is_question": int,
    "answered": int,
    "vendor_responded": int,
    "vendor_response": str,
    "sentiment": str,
    "sentiment_score": float,
    "sentiment_confidence": float,
    "sentiment_model": str,
    "rating_sentiment": str,
    "out_of_domain": int,
    "tagged_at": str,
    "raw": str,
}
# Columns a re-crawl may overwrite; tags and first_seen_at are left alone.
CRAWLED_COLUMNS = (
    "source", "source_kind", "site_id", "kind", "url", "thread_url", "parent_id", "author",
    "title", "body", "rating", "published_at", "fetched_at", "content_hash", "is_question",
    "answered", "vendor_responded", "vendor_response", "raw",
)  # fmt: skip
MENTION_INDEXES = (
    ["published_at"], ["source"], ["kind"], ["sentiment"], ["lang"], ["tagged_at"],
    ["duplicate_of"], ["parent_id"], ["content_hash"],
)  # fmt: skip


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating) the database at ``path`` in WAL mode with its tables in shape."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    ensure_db_shape(db)
    return db


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Create every table, index and FTS table this version needs; safe to re-run."""
    db.enable_wal()
    ensure_table(db, "sources", {"name": str, "kind": str, "url": str, "schedule": str,
                                 "enabled": int, "updated_at": str}, pk="name")  # fmt: skip
    ensure_table(db, "crawl_runs", {"id": int, "source": str, "started_at": str,
                                    "finished_at": str, "status": str, "pages": int, "new": int,
                                    "updated": int, "errors": int, "message": str}, pk="id")  # fmt: skip
    ensure_table(db, "mentions", MENTION_COLUMNS, pk="id")
    ensure_table(db, "mention_topics", {"mention_id": str, "topic": str, "score": float,
                                        "sentiment": str}, pk=("mention_id", "topic"))  # fmt: skip
    ensure_table(db, "keyphrases", {"mention_id": str, "phrase": str, "score": float},
                 pk=("mention_id", "phrase"))  # fmt: skip
    ensure_table(db, "mention_monitors", {"mention_id": str, "monitor": str, "competitor": int},
                 pk=("mention_id", "monitor"))  # fmt: skip
    for columns in MENTION_INDEXES:
        db["mentions"].create_index(columns, if_not_exists=True)
    db["crawl_runs"].create_index(["source", "started_at"], if_not_exists=True)
    db["mention_topics"].create_index(["topic"], if_not_exists=True)
    db["mention_monitors"].create_index(["monitor"], if_not_exists=True)
    if not db["mentions"].detect_fts():
        enable_mentions_fts(db)
    ensure_fts_update_trigger(db)
    ensure_denormalised_shape(db)
    ensure_browsing_shape(db)


# sqlite-utils' trigger re-indexes a mention's text after an update of any column: every
# tagging write (sentiment, week, topic lists) paid a full-text delete and insert. This one
# fires only when the indexed text changes.
FTS_UPDATE_TRIGGER = """CREATE TRIGGER "mentions_au" AFTER UPDATE OF title, body ON "mentions" BEGIN
  INSERT INTO "mentions_fts" ("mentions_fts", rowid, "title", "body") VALUES('delete', old.rowid, old."title", old."body");
  INSERT INTO "mentions_fts" (rowid, "title", "body") VALUES (new.rowid, new."title", new."body");
END"""  # fmt: skip


def enable_mentions_fts(db: sqlite_utils.Database) -> None:
    """Full-text search over titles and bodies (English stemming), kept in step by triggers."""
    db["mentions"].enable_fts(["title", "body"], create_triggers=True, tokenize="porter")
    ensure_fts_update_trigger(db)


def ensure_fts_update_trigger(db: sqlite_utils.Database) -> None:
    """Replace the full-text update trigger with one limited to title and body (idempotent)."""
    found = db.execute("select sql from sqlite_master where type = 'trigger' and name = ?",
                       ["mentions_au"]).fetchone()  # fmt: skip
    if found is None or found[0] == FTS_UPDATE_TRIGGER:
        return
    with db.conn:
        db.execute('drop trigger "mentions_au"')
        db.execute(FTS_UPDATE_TRIGGER)


def ensure_denormalised_shape(db: sqlite_utils.Database) -> None:
    """Week, topic and monitor lists on mentions; mention columns on tag rows (with triggers)."""
    from pipeline.denormalise import ensure_denormalised

    ensure_denormalised(db)


def ensure_browsing_shape(db: sqlite_utils.Database) -> None:
    """Indexes and views that Datasette's pages and canned queries need (pipeline/views.py)."""
    from pipeline.views import ensure_indexes_for_browsing, ensure_views

    ensure_indexes_for_browsing(db)
    ensure_views(db)


def ensure_table(db: sqlite_utils.Database, name: str, columns: dict, pk) -> None:
    table = db[name]
    if not table.exists():
        table.create(columns, pk=pk)
        return
    missing = {col: kind for col, kind in columns.items() if col not in table.columns_dict}
    for column, kind in missing.items():
        table.add_column(column, kind)


@dataclass
class SaveCounts:
    new: int = 0
    updated: int = 0

    def __iadd__(self, other: SaveCounts) -> SaveCounts:
        self.new += other.new
        self.updated += other.updated
        return self


def existing_hashes(db: sqlite_utils.Database, ids: list[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"select id, content_hash from mentions where id in ({marks})"
        found.update(dict(db.execute(sql, chunk).fetchall()))
    return found


def mention_row(item: dict) -> dict:
    row = {key: item.get(key) for key in CRAWLED_COLUMNS if key in item}
    row["id"] = item["id"]
    if isinstance(row.get("raw"), (dict, list)):
        row["raw"] = json.dumps(row["raw"], ensure_ascii=False, default=str)
    for flag in ("is_question", "answered", "vendor_responded"):
        if row.get(flag) is not None:
            row[flag] = int(bool(row[flag]))
    return row


def save_mentions(db: sqlite_utils.Database, items: Iterable[dict]) -> SaveCounts:
    """Upsert normalised mentions; a mention seen before counts as updated, not new.

    A mention whose text changed loses its tags (``tagged_at`` cleared) so it is tagged again.
    """
    rows = [mention_row(item) for item in items]
    by_id = {row["id"]: row for row in rows}  # last copy of a repeated id wins
    known = existing_hashes(db, list(by_id))
    fresh, seen = [], []
    for mention_id, row in by_id.items():
        if mention_id not in known:
            fresh.append({**row, "first_seen_at": row.get("fetched_at") or utc_now()})
            continue
        if known[mention_id] != row.get("content_hash"):
            row["tagged_at"] = None
        seen.append(row)
    with db.conn:
        if fresh:
            db["mentions"].insert_all(fresh, pk="id", alter=True, ignore=True)
        if seen:
            db["mentions"].upsert_all(seen, pk="id", alter=True)
    return SaveCounts(new=len(fresh), updated=len(seen))


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
    row = {"source": source, "started_at": utc_now(), "status": "running", "pages": 0,
           "new": 0, "updated": 0, "errors": 0}  # fmt: skip
    return db["crawl_runs"].insert(row).last_pk


def finish_crawl_run(db: sqlite_utils.Database, run_id: int, **fields) -> None:
    db["crawl_runs"].update(run_id, {"finished_at": utc_now(), **fields})


def source_status(db: sqlite_utils.Database) -> list[dict]:
    """Each known source with its last crawl run and how many mentions it holds."""
    sql = """
    select s.name as source, s.kind, s.enabled, r.started_at as last_run, r.status,
           r.pages, r.new, r.updated, r.errors, r.message,
           (select count(*) from mentions m where m.source = s.name) as mentions
    from sources s
    left join crawl_runs r on r.id = (
        select id from crawl_runs where source = s.name order by started_at desc, id desc limit 1)
    order by s.name
    """
    return [dict(row) for row in db.query(sql)]


def mark_thread_replies(db: sqlite_utils.Database, source: str, vendor_accounts=()) -> None:
    """Set ``answered`` on mentions that have a reply, ``vendor_responded`` where the vendor did."""
    with db.conn:
        db.execute(
            """update mentions set answered = 1 where source = ? and coalesce(answered, 0) = 0
               and id in (select parent_id from mentions where parent_id is not null)""",
            [source],
        )
        accounts = [a.lower() for a in vendor_accounts]
        if not accounts:
            return
        marks = ",".join("?" * len(accounts))
        db.execute(
            f"""update mentions set vendor_responded = 1 where source = ?
               and id in (select parent_id from mentions where parent_id is not null
                          and lower(author) in ({marks}))""",
            [source, *accounts],
        )


def close_open_crawl_runs(db: sqlite_utils.Database, source: str, status: str, message: str) -> int:
    """Finish crawl_runs rows a crawl process left 'running' (it was killed or timed out);
    records one such run when the process died before writing its own row."""
    with db.conn:
        closed = db.execute(
            """update crawl_runs set status = ?, finished_at = ?, message = ?, errors = 1
               where source = ? and status = 'running'""",
            [status, utc_now(), message, source],
        ).rowcount
    if not closed:
        finish_crawl_run(db, start_crawl_run(db, source), status=status, errors=1, message=message)
    return closed
