"""Writing crawled mentions: ``save_mentions(db, items)`` (idempotent upserts keyed by a stable
id, so crawling a page twice leaves one row per mention) and the reply flags of threads.

Raw mentions are stored before any tagging; tags live beside them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from groundswell.store.schema import utc_now
from groundswell.store.transaction import transaction

# Columns a re-crawl may overwrite; tags and first_seen_at are left alone.
CRAWLED_COLUMNS = (
    "source", "source_kind", "site_id", "kind", "url", "thread_url", "parent_id", "author",
    "title", "body", "rating", "published_at", "fetched_at", "content_hash", "is_question",
    "answered", "vendor_responded", "vendor_response", "raw",
)  # fmt: skip


@dataclass
class SaveCounts:
    """The mentions a save inserted and those it updated (a caller that saves one crawl in
    several batches reads the ids); ``edited_ids``: the updated ones whose text changed (their
    tags were cleared)."""

    new_ids: frozenset[str] = frozenset()
    updated_ids: frozenset[str] = frozenset()
    edited_ids: frozenset[str] = frozenset()

    @property
    def new(self) -> int:
        return len(self.new_ids)

    @property
    def updated(self) -> int:
        return len(self.updated_ids)

    def __iadd__(self, other: SaveCounts) -> SaveCounts:
        self.new_ids |= other.new_ids
        self.updated_ids |= other.updated_ids
        self.edited_ids |= other.edited_ids
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
    fresh, seen, edited = [], [], []
    for mention_id, row in by_id.items():
        if mention_id not in known:
            fresh.append({**row, "first_seen_at": row.get("fetched_at") or utc_now()})
            continue
        if known[mention_id] != row.get("content_hash"):
            row["tagged_at"] = None
            edited.append(mention_id)
        seen.append(row)
    with transaction(db):
        if fresh:
            db["mentions"].insert_all(fresh, pk="id", alter=True, ignore=True)
        if seen:
            db["mentions"].upsert_all(seen, pk="id", alter=True)
    return SaveCounts(frozenset(row["id"] for row in fresh), frozenset(row["id"] for row in seen),
                      frozenset(edited))  # fmt: skip


def mark_thread_replies(db: sqlite_utils.Database, source: str, vendor_accounts=()) -> None:
    """Set ``answered`` on mentions that have a reply, ``vendor_responded`` where the vendor did."""
    with transaction(db):
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
