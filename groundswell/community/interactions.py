"""The reply graph: one ``interactions`` row per time one person addressed another.

Read from the thread structure the spiders store (``parent_id``, ``thread_url``, the site's
``raw`` record) and the text:

- ``answer``: a reply to a question (``is_question`` or kind ``question``) by someone other
  than the asker;
- ``reply``: any other reply; a Discourse post's ``reply_to_post_number`` names the post it
  answers inside the topic (the parser links every post to the topic's first post);
- ``quote``: an ``@name`` in a reply that names someone else who wrote in the same thread.

Self-replies and mentions without an author are left out. ``staff`` marks an interaction with a
vendor account on either side (``vendor_accounts`` of the sources and of ``[community]``).
``build_interactions`` rebuilds the whole table from the mentions (idempotent).
"""

from __future__ import annotations

import re
from collections import defaultdict

import sqlite_utils

from groundswell.community.tables import replace_rows
from groundswell.config import account_names

MENTION_HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9_.-]{1,38}[A-Za-z0-9_])")

REPLIES_SQL = """
select c.id, c.source_kind, c.author, c.thread_url, c.published_at, c.body, c.sentiment_score,
       case when c.source_kind like 'discourse%' and json_valid(c.raw)
            then json_extract(c.raw, '$.reply_to_post_number') end as reply_to_post,
       p.id as parent_id, p.author as parent_author,
       (coalesce(p.is_question, 0) = 1 or p.kind = 'question') as parent_asks
from mentions c join mentions p on p.id = c.parent_id
where c.author is not null and c.author != '' and c.duplicate_of is null
"""
DISCOURSE_POSTS_SQL = """
select id, author, thread_url, json_extract(raw, '$.post_number') as post_number,
       (coalesce(is_question, 0) = 1 or kind = 'question') as asks
from mentions where source_kind like 'discourse%' and json_valid(raw)
  and json_extract(raw, '$.post_number') is not null
"""
PARTICIPANTS_SQL = """
select thread_url, author, id, published_at from mentions
where thread_url is not null and author is not null and author != ''
order by published_at, id
"""


def same_person(a: str | None, b: str | None) -> bool:
    return (a or "").strip().lower() == (b or "").strip().lower()


def is_staff(*authors: str | None, vendor_accounts: frozenset[str]) -> int:
    return int(any((a or "").strip().lower() in vendor_accounts for a in authors))


def discourse_targets(db: sqlite_utils.Database) -> dict[tuple[str, int], tuple[str, str, bool]]:
    """(thread url, post number) → (mention id, author, asks) for Discourse posts."""
    return {
        (row[2], int(row[3])): (row[0], row[1], bool(row[4]))
        for row in db.execute(DISCOURSE_POSTS_SQL)
        if row[2] and isinstance(row[3], (int, float))
    }


def thread_participants(db: sqlite_utils.Database) -> dict[str, dict[str, tuple[str, str]]]:
    """thread url → lower-cased author → (their latest mention id, author as written)."""
    threads: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for thread, author, mention_id, _ in db.execute(PARTICIPANTS_SQL):
        threads[thread][author.strip().lower()] = (mention_id, author)
    return threads


def reply_target(row: dict, posts: dict) -> tuple[str, str, bool]:
    """(target mention id, its author, target asks) for one reply row."""
    number = row["reply_to_post"]
    if isinstance(number, (int, float)) and row["thread_url"]:
        found = posts.get((row["thread_url"], int(number)))
        if found:
            return found
    return row["parent_id"], row["parent_author"], bool(row["parent_asks"])


def interaction(row: dict, kind: str, to_author: str, target: str, staff: int) -> dict:
    return {
        "mention_id": row["id"], "kind": kind, "platform": row["source_kind"],
        "from_author": row["author"], "to_author": to_author, "target_id": target,
        "thread_url": row["thread_url"], "at": row["published_at"],
        "words": len((row["body"] or "").split()), "sentiment_score": row["sentiment_score"],
        "staff": staff,
    }  # fmt: skip


def quotes(row: dict, addressed: str, participants: dict, vendors: frozenset[str]) -> list[dict]:
    """``@name`` of another participant of the thread (not the author, not the one replied to)."""
    found, people = [], participants.get(row["thread_url"] or "", {})
    for handle in dict.fromkeys(h.lower() for h in MENTION_HANDLE.findall(row["body"] or "")):
        if handle not in people or same_person(handle, row["author"]):
            continue
        if same_person(handle, addressed):
            continue
        target, name = people[handle]
        staff = is_staff(row["author"], name, vendor_accounts=vendors)
        found.append(interaction(row, "quote", name, target, staff))
    return found


def find_interactions(db: sqlite_utils.Database, vendor_accounts=()) -> list[dict]:
    vendors = account_names(vendor_accounts)
    posts = discourse_targets(db)
    participants = thread_participants(db)
    rows: list[dict] = []
    for row in db.query(REPLIES_SQL):
        target, to_author, asks = reply_target(row, posts)
        if to_author and not same_person(to_author, row["author"]):
            kind = "answer" if asks else "reply"
            staff = is_staff(row["author"], to_author, vendor_accounts=vendors)
            rows.append(interaction(row, kind, to_author, target, staff))
        rows += quotes(row, to_author, participants, vendors)
    return rows


def save_interactions(db: sqlite_utils.Database, rows: list[dict]) -> None:
    """Replace the whole ``interactions`` table with ``rows``."""
    replace_rows(db, "interactions", rows)


def build_interactions(db: sqlite_utils.Database, vendor_accounts=()) -> int:
    rows = find_interactions(db, vendor_accounts)
    save_interactions(db, rows)
    return len(rows)
