"""The one schema: ``ensure_db_shape(db)`` creates every table, index, view and trigger.

Every command that opens a database calls it once, through ``open_db``; no other module creates
tables on first use. It is idempotent: a database in shape is left as it is, an older one gains
the columns, indexes, views and triggers this version adds.
"""

from __future__ import annotations

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
    "text_sentiment": str,
    "sentiment_disagrees": int,
    "out_of_domain": int,
    "tagged_at": str,
    "raw": str,
}
MENTION_INDEXES = (
    ["published_at"], ["source"], ["kind"], ["sentiment"], ["lang"], ["tagged_at"],
    ["duplicate_of"], ["parent_id"], ["content_hash"],
)  # fmt: skip
SOURCE_COLUMNS = {"name": str, "kind": str, "url": str, "schedule": str, "enabled": int,
                  "updated_at": str}  # fmt: skip
CRAWL_RUN_COLUMNS = {"id": int, "source": str, "started_at": str, "finished_at": str,
                     "status": str, "pages": int, "new": int, "updated": int, "errors": int,
                     "message": str}  # fmt: skip
TOPIC_COLUMNS = {"mention_id": str, "topic": str, "score": float, "sentiment": str}
KEYPHRASE_COLUMNS = {"mention_id": str, "phrase": str, "score": float}
MONITOR_COLUMNS = {"mention_id": str, "monitor": str, "competitor": int}
# near-duplicate detection's cache of MinHash signatures (groundswell.tagging.dedupe)
MINHASH_COLUMNS = {"mention_id": str, "content_hash": str, "scheme": str, "words": int,
                   "signature": bytes}  # fmt: skip
# the alert outbox (groundswell.alerts.outbox)
ADVOCATE_COLUMNS = {
    "name": str, "channels": str, "escalate_to": str, "operator": int, "fallback": int,
    "routing": str, "updated_at": str,
}  # fmt: skip
ALERT_COLUMNS = {
    "id": str, "rule": str, "kind": str, "mention_id": str, "advocate": str, "channel": str,
    "status": str, "attempts": int, "delivery_token": str, "claimed_at": str,
    "created_at": str, "due_at": str, "sent_at": str, "acknowledged_at": str,
    "responded_at": str, "escalated_at": str, "escalated_from": str, "last_error": str,
    "summary": str, "details": str,
}  # fmt: skip
DELIVERY_COLUMNS = {
    "alert_id": str, "channel": str, "status": str, "token": str, "attempts": int,
    "uncertain_resends": int, "started_at": str, "sent_at": str, "receipt": str,
    "last_error": str,
}  # fmt: skip
# weekly digests (groundswell.digest.build)
DIGEST_COLUMNS = {
    "period": str, "monitor": str, "created_at": str, "mentions": int, "headline": str,
    "html": str, "markdown": str, "cloud_png": bytes, "trend_png": bytes,
}  # fmt: skip
# the scheduler's job state (groundswell.schedule.state)
JOB_RUN_COLUMNS = {"job_id": str, "last_started": str, "last_finished": str,
                   "last_status": str, "last_success": str, "last_error": str, "runs": int,
                   "period_seconds": int}  # fmt: skip

# people's corrections of tags (groundswell.store.corrections)
CORRECTION_COLUMNS = {"id": int, "mention_id": str, "field": str, "old": str, "new": str,
                      "who": str, "at": str, "note": str}  # fmt: skip

# table: (columns, primary key)
TABLES = {
    "sources": (SOURCE_COLUMNS, "name"),
    "crawl_runs": (CRAWL_RUN_COLUMNS, "id"),
    "mentions": (MENTION_COLUMNS, "id"),
    "mention_topics": (TOPIC_COLUMNS, ("mention_id", "topic")),
    "keyphrases": (KEYPHRASE_COLUMNS, ("mention_id", "phrase")),
    "mention_monitors": (MONITOR_COLUMNS, ("mention_id", "monitor")),
    "mention_minhash": (MINHASH_COLUMNS, "mention_id"),
    "advocates": (ADVOCATE_COLUMNS, "name"),
    "alerts": (ALERT_COLUMNS, "id"),
    "alert_deliveries": (DELIVERY_COLUMNS, ("alert_id", "channel")),
    "digests": (DIGEST_COLUMNS, ("period", "monitor")),
    "job_runs": (JOB_RUN_COLUMNS, "job_id"),
    "corrections": (CORRECTION_COLUMNS, "id"),
}
# table: [(columns, unique)]
INDEXES = {
    "mentions": [(columns, False) for columns in MENTION_INDEXES],
    "crawl_runs": [(["source", "started_at"], False)],
    "mention_topics": [(["topic"], False)],
    "mention_monitors": [(["monitor"], False)],
    "alerts": [
        (["rule", "mention_id", "advocate"], True),
        (["status", "due_at"], False),
        (["mention_id"], False),
    ],  # fmt: skip
}


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
    """Create every table, index, view, trigger and the FTS table this version needs;
    safe to re-run."""
    from groundswell.store.denormalise import ensure_denormalised
    from groundswell.store.views import ensure_indexes_for_browsing, ensure_views

    db.enable_wal()
    for name, (columns, pk) in TABLES.items():
        ensure_table(db, name, columns, pk=pk)
    for name, indexes in INDEXES.items():
        for columns, unique in indexes:
            db[name].create_index(columns, unique=unique, if_not_exists=True)
    if not db["mentions"].detect_fts():
        enable_mentions_fts(db)
    ensure_fts_update_trigger(db)
    ensure_denormalised(db)
    ensure_indexes_for_browsing(db)
    ensure_views(db)


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


def ensure_table(db: sqlite_utils.Database, name: str, columns: dict, pk) -> None:
    table = db[name]
    if not table.exists():
        table.create(columns, pk=pk)
        return
    missing = {col: kind for col, kind in columns.items() if col not in table.columns_dict}
    for column, kind in missing.items():
        table.add_column(column, kind)
