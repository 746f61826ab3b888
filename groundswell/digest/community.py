"""The digest's community section: new ideas of the week and the defenders who stepped in.

Read from the community pass's tables (``groundswell/community/``); an older database
without them, or a week without either, gives an empty section.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils


@dataclass
class NewIdea:
    id: str
    name: str
    mentions: int
    authors: int
    sources: list[str]
    url: str | None


@dataclass
class Defence:
    defender: str
    critic: str | None
    monitor: str
    at: str
    url: str | None
    text: str | None


@dataclass
class CommunitySection:
    new_ideas: list[NewIdea] = field(default_factory=list)
    defences: list[Defence] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.new_ideas and not self.defences


NEW_IDEAS_SQL = """
select i.id, i.name, i.mentions, i.authors, i.sources, m.url from ideas i
left join mentions m on m.id = i.example_id
where i.first_seen >= :start and i.first_seen < :end
  and (:monitor = '' or i.id in (select im.idea_id from idea_mentions im join mention_monitors mm
                                 on mm.mention_id = im.mention_id where mm.monitor = :monitor))
order by i.mentions desc, i.authors desc, i.first_seen limit :limit
"""
DEFENCES_SQL = """
select d.defender, d.critic, d.monitor, d.at, d.url, m.body from defences d
left join mentions m on m.id = d.mention_id
where d.at >= :start and d.at < :end and (:monitor = '' or d.monitor = :monitor)
order by d.at desc limit :limit
"""


def collect_community(db: sqlite_utils.Database, start: str, end: str, monitor: str | None,
                      limit: int) -> CommunitySection:  # fmt: skip
    """Ideas first asked, and defences made, between ``start`` and ``end`` (ISO dates)."""
    if not {"ideas", "defences"} <= set(db.table_names()):
        return CommunitySection()
    params = {"start": start, "end": end, "monitor": monitor or "", "limit": limit}
    ideas = [
        NewIdea(r["id"], r["name"], r["mentions"], r["authors"],
                json.loads(r["sources"] or "[]"), r["url"])
        for r in db.query(NEW_IDEAS_SQL, params)
    ]  # fmt: skip
    defences = [
        Defence(r["defender"], r["critic"], r["monitor"], r["at"], r["url"], r["body"])
        for r in db.query(DEFENCES_SQL, params)
    ]
    return CommunitySection(ideas, defences)
