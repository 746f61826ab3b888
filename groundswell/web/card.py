"""A mention's card: everything a person needs to read it and answer it, in one read.

``mention_card(conn, mention_id)`` returns the mention with its thread (the posts it replies
to, then every reply in the thread in date order), its duplicates (and its original when it is
one), the author's other mentions on the same source, its topics, monitors and key phrases,
its alerts, the inbox state, and the corrections people made. Each part reads an index
(``parent_id``, ``duplicate_of``, ``idx_mentions_author``, the tag tables' keys).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

MAX_ANCESTORS = 10
MAX_REPLIES = 100
MAX_OTHERS = 8
SUMMARY = (
    "id, title, body, source, kind, author, rating, sentiment, topics, url, published_at, "
    "by_vendor, lang, out_of_domain"
)


@dataclass
class MentionCard:
    mention: dict
    root: dict | None = None  # the thread's first post (None when it was never stored)
    replies: list[dict] = field(default_factory=list)  # the thread below the root, by date
    duplicates: list[dict] = field(default_factory=list)
    original: dict | None = None
    by_author: list[dict] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)
    monitors: list[dict] = field(default_factory=list)
    keyphrases: list[str] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)
    inbox: dict = field(default_factory=dict)
    corrections: list[dict] = field(default_factory=list)

    @property
    def thread_size(self) -> int:
        return len(self.replies) + (1 if self.root else 0)

    @property
    def missing_root(self) -> bool:
        """It is in a thread whose first post groundswell has not stored."""
        return self.root is None


def rows(conn: sqlite3.Connection, sql: str, params) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def one(conn: sqlite3.Connection, sql: str, params) -> dict | None:
    found = rows(conn, sql, params)
    return found[0] if found else None


def ancestors_of(conn, mention: dict) -> list[dict]:
    chain, parent, seen = [], mention.get("parent_id"), {mention["id"]}
    while parent and parent not in seen and len(chain) < MAX_ANCESTORS:
        seen.add(parent)
        found = one(conn, f"select {SUMMARY}, parent_id from mentions where id = ?", [parent])
        if found is None:
            break
        chain.insert(0, found)
        parent = found.get("parent_id")
    return chain


THREAD_SQL = f"""
with recursive thread(id, depth) as (
  select :root, 0
  union all
  select m.id, thread.depth + 1 from mentions m join thread on m.parent_id = thread.id
  where thread.depth < 20
)
select {", ".join("m." + c.strip() for c in SUMMARY.split(","))}, m.parent_id, thread.depth
from thread join mentions m on m.id = thread.id
where thread.depth > 0
order by m.published_at, m.id
limit {MAX_REPLIES}
"""


def mention_card(conn: sqlite3.Connection, mention_id: str) -> MentionCard | None:
    mention = one(conn, "select * from mentions where id = ?", [mention_id])
    if mention is None:
        return None
    card = MentionCard(mention)
    ancestors = ancestors_of(conn, mention)
    top = ancestors[0] if ancestors else mention
    # a parent that was never stored still ties the replies to it together
    root_id = top.get("parent_id") or top["id"]
    card.root = None if top.get("parent_id") else top
    card.replies = rows(conn, THREAD_SQL, {"root": root_id})
    card.duplicates = rows(conn, f"select {SUMMARY} from mentions where duplicate_of = ? "
                                 "order by published_at limit 20", [mention_id])  # fmt: skip
    if mention.get("duplicate_of"):
        card.original = one(conn, f"select {SUMMARY} from mentions where id = ?",
                            [mention["duplicate_of"]])  # fmt: skip
    if mention.get("author"):
        card.by_author = rows(conn, f"select {SUMMARY} from mentions where author = ? "
                                    "and source = ? and id != ? order by published_at desc "
                                    f"limit {MAX_OTHERS}",
                              [mention["author"], mention["source"], mention_id])  # fmt: skip
    add_tags_and_state(conn, card, mention_id)
    return card


def add_tags_and_state(conn, card: MentionCard, mention_id: str) -> None:
    card.topics = rows(conn, "select topic, sentiment, score from mention_topics "
                             "where mention_id = ? order by score desc", [mention_id])  # fmt: skip
    card.monitors = rows(conn, "select monitor, competitor, stance from mention_monitors "
                               "where mention_id = ? order by competitor, monitor", [mention_id])  # fmt: skip
    card.keyphrases = [r["phrase"] for r in rows(
        conn, "select phrase from keyphrases where mention_id = ? order by score desc limit 12",
        [mention_id])]  # fmt: skip
    card.alerts = rows(conn, "select id, rule, advocate, status, due_at, acknowledged_by, "
                             "responded_by from alerts where mention_id = ? order by created_at",
                       [mention_id])  # fmt: skip
    card.inbox = one(conn, "select * from inbox where mention_id = ?", [mention_id]) or {}
    card.corrections = rows(conn, "select field, old, new, who, at from corrections "
                                  "where mention_id = ? order by id desc limit 10", [mention_id])  # fmt: skip
