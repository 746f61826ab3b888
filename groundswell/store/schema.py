"""The one schema: ``ensure_db_shape(db)`` creates every table, index, view and trigger.

Every command that opens a database calls it once, through ``open_db``; no other module creates
tables on first use. It is idempotent: a database in shape is left as it is, an older one gains
the columns, indexes, views and triggers this version adds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from groundswell.store.transaction import transaction

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

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
    "by_vendor": int,  # written by a vendor account (groundswell.community.vendor_posts)
    "sentiment": str,
    "sentiment_score": float,
    "sentiment_confidence": float,
    "sentiment_model": str,
    "rating_sentiment": str,
    "text_sentiment": str,
    "sentiment_disagrees": int,
    "out_of_domain": int,
    "intent": str,
    "intent_confidence": float,
    "tagged_at": str,
    "raw": str,
}
MENTION_INDEXES = (
    ["published_at"], ["source"], ["kind"], ["sentiment"], ["lang"], ["tagged_at"],
    ["duplicate_of"], ["parent_id"], ["content_hash"], ["intent"],
    ["thread_url", "parent_id"],  # a thread's root post (community/advocates.py: the asker)
)  # fmt: skip
SOURCE_COLUMNS = {"name": str, "kind": str, "url": str, "schedule": str, "enabled": int,
                  "updated_at": str}  # fmt: skip
CRAWL_RUN_COLUMNS = {"id": int, "source": str, "started_at": str, "finished_at": str,
                     "status": str, "pages": int, "new": int, "updated": int, "errors": int,
                     "message": str, "pid": int, "host": str, "heartbeat_at": str}  # fmt: skip
# one row per `groundswell tag` run (groundswell.store.runs: heartbeats, interrupted runs)
TAG_RUN_COLUMNS = {"id": int, "started_at": str, "finished_at": str, "status": str,
                   "tagged": int, "message": str, "pid": int, "host": str,
                   "heartbeat_at": str}  # fmt: skip
# one writer at a time (groundswell.store.runs.lease): "tag", "crawl:<source>"
LEASE_COLUMNS = {"name": str, "pid": int, "host": str, "acquired_at": str,
                 "heartbeat_at": str}  # fmt: skip
# the crawl frontier (groundswell.store.frontier): every thread a crawl discovered, and the
# listing pages a crawl has yet to finish, with their state
FRONTIER_COLUMNS = {
    "source": str, "url": str, "kind": str, "site_id": str, "state": str,
    "discovered_at": str, "listed_at": str, "listed_replies": int, "listed_activity": str,
    "fetched_replies": int, "pages_seen": int, "fetches": int, "last_fetched_at": str,
    "last_error": str,
}  # fmt: skip
TOPIC_COLUMNS = {"mention_id": str, "topic": str, "score": float, "sentiment": str}
KEYPHRASE_COLUMNS = {"mention_id": str, "phrase": str, "score": float}
# stance: "passed_over" / "preferred" / null (groundswell.tagging.stance)
MONITOR_COLUMNS = {"mention_id": str, "monitor": str, "competitor": int, "stance": str}
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
    "summary": str, "details": str, "acknowledged_by": str, "responded_by": str,
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

# the inbox (groundswell.alerts.inbox): triage state per mention that needs a response, and
# one row per action a person took (who, when; the nonce makes a double click one action)
INBOX_COLUMNS = {"mention_id": str, "assigned_to": str, "assigned_by": str, "assigned_at": str,
                 "acknowledged_by": str, "acknowledged_at": str, "snoozed_until": str,
                 "snoozed_by": str, "responded_by": str, "responded_at": str,
                 "updated_at": str}  # fmt: skip
INBOX_ACTION_COLUMNS = {"id": int, "nonce": str, "mention_id": str, "action": str,
                        "value": str, "who": str, "at": str}  # fmt: skip
# saved searches (groundswell.store.saved_searches): a named search with an Atom feed and an
# optional daily email of its new matches
SAVED_SEARCH_COLUMNS = {"name": str, "query": str, "fts_query": str, "monitor": str,
                        "source": str, "sentiment": str, "kind": str, "email": str,
                        "created_by": str, "created_at": str, "last_emailed_at": str}  # fmt: skip
# community intelligence (groundswell.community): reply graph, advocates, experts, ideas
VECTOR_COLUMNS = {"mention_id": str, "space": str, "vector": bytes}
INTERACTION_COLUMNS = {
    "mention_id": str, "kind": str, "platform": str, "from_author": str, "to_author": str,
    "target_id": str, "thread_url": str, "at": str, "words": int, "sentiment_score": float,
    "staff": int,
}  # fmt: skip
TIE_COLUMNS = {
    "platform": str, "author_a": str, "author_b": str, "a_to_b": int, "b_to_a": int,
    "interactions": int, "first_at": str, "last_at": str, "frequency": float,
    "recency": float, "reciprocity": float, "intensity": float, "tone": float,
    "strength": float, "staff": int,
}  # fmt: skip
ADVOCATE_CANDIDATE_COLUMNS = {
    "monitor": str, "platform": str, "author": str, "score": float,
    "positive_mentions": int, "answers": int, "accepted_answers": int, "defences": int,
    "reach": int, "first_seen": str, "last_seen": str, "evidence": str, "example_url": str,
}  # fmt: skip
DEFENCE_COLUMNS = {
    "mention_id": str, "monitor": str, "platform": str, "defender": str, "parent_id": str,
    "critic": str, "at": str, "sentiment_score": float, "parent_sentiment_score": float,
    "url": str,
}  # fmt: skip
QUESTION_EXPERT_COLUMNS = {
    "question_id": str, "expert": str, "platform": str, "rank": int, "score": float,
    "similar_questions": str, "past_answers": str, "computed_at": str,
}  # fmt: skip
IDEA_COLUMNS = {
    "id": str, "name": str, "keyphrases": str, "status": str, "mentions": int, "authors": int,
    "votes": int, "sources": str, "first_seen": str, "last_seen": str, "sentiment": float,
    "example_id": str, "created_at": str, "updated_at": str, "status_changed_at": str,
}  # fmt: skip
IDEA_MENTION_COLUMNS = {"mention_id": str, "idea_id": str, "similarity": float,
                        "joined_at": str}  # fmt: skip
IDEA_CENTROID_COLUMNS = {"idea_id": str, "members": int, "vector": bytes}

# table: (columns, primary key)
TABLES = {
    "sources": (SOURCE_COLUMNS, "name"),
    "crawl_runs": (CRAWL_RUN_COLUMNS, "id"),
    "tag_runs": (TAG_RUN_COLUMNS, "id"),
    "leases": (LEASE_COLUMNS, "name"),
    "crawl_frontier": (FRONTIER_COLUMNS, ("source", "url")),
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
    "inbox": (INBOX_COLUMNS, "mention_id"),
    "inbox_actions": (INBOX_ACTION_COLUMNS, "id"),
    "saved_searches": (SAVED_SEARCH_COLUMNS, "name"),
    "mention_vectors": (VECTOR_COLUMNS, "mention_id"),
    "interactions": (INTERACTION_COLUMNS, ("mention_id", "to_author", "kind")),
    "ties": (TIE_COLUMNS, ("platform", "author_a", "author_b")),
    "candidate_advocates": (ADVOCATE_CANDIDATE_COLUMNS, ("monitor", "platform", "author")),
    "defences": (DEFENCE_COLUMNS, ("mention_id", "monitor")),
    "question_experts": (QUESTION_EXPERT_COLUMNS, ("question_id", "expert")),
    "ideas": (IDEA_COLUMNS, "id"),
    "idea_mentions": (IDEA_MENTION_COLUMNS, "mention_id"),
    "idea_centroids": (IDEA_CENTROID_COLUMNS, "idea_id"),
}
# table: [(columns, unique)]
INDEXES = {
    "mentions": [(columns, False) for columns in MENTION_INDEXES],
    "crawl_runs": [(["source", "started_at"], False)],
    "crawl_frontier": [(["source", "state", "discovered_at"], False)],
    "mention_topics": [(["topic"], False)],
    "mention_monitors": [(["monitor"], False)],
    "alerts": [
        (["rule", "mention_id", "advocate"], True),
        (["status", "due_at"], False),
        (["mention_id"], False),
    ],  # fmt: skip
    "inbox_actions": [(["nonce"], True), (["mention_id", "at"], False)],
    "interactions": [
        (["platform", "from_author"], False),
        (["platform", "to_author"], False),
        (["target_id"], False),
    ],  # fmt: skip
    "ties": [(["strength"], False)],
    "candidate_advocates": [(["score"], False)],
    "question_experts": [(["expert"], False)],
    "ideas": [(["status", "mentions"], False), (["last_seen"], False)],
    "idea_mentions": [(["idea_id"], False)],
}


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating) the database at ``path`` in WAL mode with its tables in shape."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    with shaping_lock(path):  # many processes opening one new database create it once
        ensure_db_shape(db)
    from groundswell.store.runs import close_interrupted_runs

    close_interrupted_runs(db)  # status never says "running" for a process that is gone
    return db


@contextmanager
def shaping_lock(path: str | Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``<database>-lock`` while the shape is checked and created;
    a no-op without fcntl. (Never a second handle on the database file itself: closing it
    would drop SQLite's own POSIX locks of this process.)"""
    if fcntl is None or str(path) == ":memory:":
        yield
        return
    with open(f"{path}-lock", "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    with transaction(db):
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
