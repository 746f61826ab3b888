"""Retention and export: prune old mentions, forget an author, back the database up online."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils

from groundswell.store.transaction import transaction

TAG_TABLES = ("mention_topics", "keyphrases", "mention_monitors", "mention_minhash", "alerts",
              "mention_vectors", "interactions", "defences", "idea_mentions")  # fmt: skip
# community tables naming people (rebuilt by the next community pass; a forgotten author
# leaves them at once): table -> its columns that hold an author
PEOPLE_COLUMNS = {
    "interactions": ("from_author", "to_author"), "ties": ("author_a", "author_b"),
    "candidate_advocates": ("author",), "defences": ("defender", "critic"),
    "question_experts": ("expert",),
}  # fmt: skip
AGE_PATTERN = re.compile(r"^(\d+)\s*d$")


def parse_age(text: str) -> timedelta:
    """'400d' → 400 days."""
    match = AGE_PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"expected an age in days like 400d (got {text!r})")
    return timedelta(days=int(match.group(1)))


def delete_mentions(db: sqlite_utils.Database, where: str, params: list) -> int:
    """Delete matching mentions and everything tagged on them, in one transaction."""
    ids = [row[0] for row in db.execute(f"select id from mentions where {where}", params)]
    with transaction(db):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for table in TAG_TABLES:
                if db[table].exists() and "mention_id" in db[table].columns_dict:
                    db.execute(f"delete from {table} where mention_id in ({marks})", chunk)
            db.execute(
                f"update mentions set duplicate_of = null where duplicate_of in ({marks})", chunk
            )
            db.execute(f"update mentions set parent_id = null where parent_id in ({marks})", chunk)
            db.execute(f"delete from mentions where id in ({marks})", chunk)
    return len(ids)


PUBLISHED = "coalesce(published_at, first_seen_at)"


def prune_cutoff(age: timedelta, now: datetime | None = None) -> str:
    return ((now or datetime.now(timezone.utc)) - age).isoformat().replace("+00:00", "Z")


def prune_older_than(db: sqlite_utils.Database, age: timedelta, now: datetime | None = None) -> int:
    """Delete mentions published (else first seen) longer than ``age`` ago."""
    return delete_mentions(db, f"{PUBLISHED} < ?", [prune_cutoff(age, now)])


@dataclass
class PrunePreview:
    """What ``prune_older_than`` would delete: how many of how many, over which dates."""

    now: datetime
    cutoff: str
    count: int
    total: int
    oldest: str | None
    newest: str | None

    def describe(self) -> str:
        share = "every mention in the database" if self.count == self.total else (
            f"{self.count} of {self.total} mention(s)"
        )  # fmt: skip
        span = f", published {self.oldest[:10]} to {self.newest[:10]}" if self.oldest else ""
        return (f"prune would delete {share} (and their tags, alerts and duplicate links)"
                f"{span}: everything before {self.cutoff_text}")  # fmt: skip

    @property
    def cutoff_text(self) -> str:
        """``2026-11-16 08:13 UTC``."""
        return f"{self.cutoff[:16].replace('T', ' ')} UTC"


def prune_preview(
    db: sqlite_utils.Database, age: timedelta, now: datetime | None = None
) -> PrunePreview:
    """What pruning at ``age`` would delete, without deleting anything."""
    now = now or datetime.now(timezone.utc)
    cutoff = prune_cutoff(age, now)
    count, oldest, newest = db.execute(
        f"select count(*), min({PUBLISHED}), max({PUBLISHED}) from mentions where {PUBLISHED} < ?",
        [cutoff],
    ).fetchone()
    total = db.execute("select count(*) from mentions").fetchone()[0]
    return PrunePreview(now, cutoff, count, total, oldest, newest)


def forget_author(db: sqlite_utils.Database, author: str) -> int:
    """A privacy request: delete every mention by ``author`` (case-insensitive), its tags, and
    every community row that names them."""
    deleted = delete_mentions(db, "lower(author) = lower(?)", [author])
    with transaction(db):
        for table, columns in PEOPLE_COLUMNS.items():
            if db[table].exists():
                named = " or ".join(f"lower({c}) = lower(?)" for c in columns)
                db.execute(f"delete from {table} where {named}", [author] * len(columns))
    return deleted


def backup_database(db_path: str | Path, target: str | Path) -> Path:
    """A consistent copy taken with SQLite's online backup API (safe while others write)."""
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db_path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target
