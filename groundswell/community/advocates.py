"""Candidate advocates: people who keep speaking well of a monitored brand, weighted by how
far they are heard and how much they help (docs/community.md).

Per monitor, platform and author (vendor accounts left out):

- ``positive_mentions``: their mentions matching the monitor that count as positive
  (``groundswell.community.positive``: the stars, a person's correction, or a confident
  reading of the text), leaving out those that passed the monitor over ("we moved to Acme
  from Zenlytics" does not speak well of Zenlytics: ``mention_monitors.stance``), questions
  (asking is not recommending) and what they wrote in a thread they started (the asker
  thanking whoever helped); ``defences``: their rows in ``defences``;
- ``answers`` / ``accepted_answers``: their answers (``interactions``) in threads where some
  mention matches the monitor, and those the site marks accepted;
- ``reach``: votes and reposts of their evidence mentions plus their largest follower count;
- ``score = (positive_mentions + 2 * defences) * (1 + log10(1 + reach))
            + answers + 2 * accepted_answers``.

Someone is a candidate with at least ``min_acts`` (default 2) distinct positive mentions and
defences. ``evidence`` lists the mention ids behind the row, newest first.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field

import sqlite_utils

from groundswell.community.positive import reads_positive_sql
from groundswell.community.reach import mention_reach
from groundswell.community.tables import replace_rows
from groundswell.config import account_names
from groundswell.tagging.stance import PASSED_OVER

EVIDENCE_LIMIT = 20
POSITIVE_SQL = f"""
select mm.monitor, m.source_kind as platform, m.author, m.id, m.published_at as at, m.url, m.raw
from mention_monitors mm join mentions m on m.id = mm.mention_id
where m.duplicate_of is null and m.author is not null and m.author != ''
  and {reads_positive_sql("m")} and coalesce(mm.stance, '') != '{PASSED_OVER}'
  and m.kind != 'question' and coalesce(m.is_question, 0) = 0
  and not exists (select 1 from mentions r where r.thread_url = m.thread_url
                  and r.parent_id is null and r.id != m.id and lower(r.author) = lower(m.author))
"""
THREAD_MONITORS_SQL = """
select distinct m.thread_url, mm.monitor from mentions m
join mention_monitors mm on mm.mention_id = m.id where m.thread_url is not null
"""
ANSWERS_SQL = """
select i.mention_id as id, i.platform, i.from_author as author, i.thread_url, i.at, m.url, m.raw
from interactions i join mentions m on m.id = i.mention_id
where i.kind = 'answer' and coalesce(i.staff, 0) = 0
"""
DEFENCES_SQL = """
select d.monitor, d.platform, d.defender as author, d.mention_id as id, d.at, d.url, m.raw
from defences d join mentions m on m.id = d.mention_id
"""


@dataclass
class Tally:
    author: str
    positive: set[str] = field(default_factory=set)
    defences: set[str] = field(default_factory=set)
    answers: set[str] = field(default_factory=set)
    accepted: set[str] = field(default_factory=set)
    votes: dict[str, int] = field(default_factory=dict)
    followers: int = 0
    seen: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (at, url)

    def add(self, row: dict, bucket: set[str]) -> bool:
        votes, followers, accepted = mention_reach(row["raw"])
        bucket.add(row["id"])
        self.votes[row["id"]] = votes
        self.followers = max(self.followers, followers)
        self.seen[row["id"]] = (row["at"] or "", row["url"] or "")
        return accepted


def tallies(db: sqlite_utils.Database, vendors: frozenset[str]) -> dict[tuple, Tally]:
    found: dict[tuple, Tally] = {}

    def tally(monitor: str, row: dict) -> Tally | None:
        if row["author"].strip().lower() in vendors:
            return None
        key = (monitor, row["platform"] or "", row["author"].strip().lower())
        return found.setdefault(key, Tally(row["author"]))

    for row in db.query(POSITIVE_SQL):
        if entry := tally(row["monitor"], row):
            entry.add(row, entry.positive)
    for row in db.query(DEFENCES_SQL):
        if entry := tally(row["monitor"], row):
            entry.add(row, entry.defences)
    monitors_of = defaultdict(set)
    for thread, monitor in db.execute(THREAD_MONITORS_SQL):
        monitors_of[thread].add(monitor)
    for row in db.query(ANSWERS_SQL):
        for monitor in monitors_of.get(row["thread_url"], ()):
            if (monitor, row["platform"] or "", row["author"].strip().lower()) in found:
                entry = found[(monitor, row["platform"] or "", row["author"].strip().lower())]
                if entry.add(row, entry.answers):
                    entry.accepted.add(row["id"])
    return found


def advocate_row(key: tuple, entry: Tally) -> dict:
    monitor, platform, _ = key
    reach = sum(entry.votes.values()) + entry.followers
    score = (len(entry.positive) + 2 * len(entry.defences)) * (1 + math.log10(1 + reach))
    score += len(entry.answers) + 2 * len(entry.accepted)
    newest = sorted(entry.seen, key=lambda i: entry.seen[i], reverse=True)
    moments = sorted(at for at, _ in entry.seen.values() if at)
    return {
        "monitor": monitor, "platform": platform, "author": entry.author,
        "score": round(score, 3), "positive_mentions": len(entry.positive),
        "answers": len(entry.answers), "accepted_answers": len(entry.accepted),
        "defences": len(entry.defences), "reach": reach,
        "first_seen": moments[0] if moments else None,
        "last_seen": moments[-1] if moments else None,
        "evidence": json.dumps(newest[:EVIDENCE_LIMIT]),
        "example_url": entry.seen[newest[0]][1] if newest else None,
    }  # fmt: skip


def find_advocates(db: sqlite_utils.Database, vendor_accounts=(), min_acts: int = 2) -> list[dict]:
    vendors = account_names(vendor_accounts)
    rows = [
        advocate_row(key, entry)
        for key, entry in tallies(db, vendors).items()
        if len(entry.positive | entry.defences) >= min_acts
    ]
    return sorted(rows, key=lambda r: (-r["score"], r["author"]))


def save_advocates(db: sqlite_utils.Database, rows: list[dict]) -> None:
    """Replace the whole ``candidate_advocates`` table with ``rows``."""
    replace_rows(db, "candidate_advocates", rows)


def build_advocates(db: sqlite_utils.Database, vendor_accounts=(), min_acts: int = 2) -> int:
    rows = find_advocates(db, vendor_accounts, min_acts)
    save_advocates(db, rows)
    return len(rows)
