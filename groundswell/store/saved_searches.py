"""Saved searches: a named search (words, monitor, source, sentiment, kind) people come back to.

``save_search(db, ...)`` stores one (replacing one of the same name); ``search_matches(db,
name, since)`` runs it. The same SQL is the ``saved_search_feed`` canned query, whose
``.atom`` rendering (datasette-atom) is the search's feed of new matches; ``groundswell
searches --email`` mails each search's new matches once a day (``groundswell.digest.searches``).
The words are searched as Datasette's search box does (each word quoted, so ``AND`` or ``*``
are plain words).
"""

from __future__ import annotations

import re

import sqlite_utils

from groundswell.errors import GroundswellError
from groundswell.store.schema import utc_now
from groundswell.store.transaction import transaction

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,79}$")
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+$")
SENTIMENTS = ("", "negative", "neutral", "positive")
KINDS = ("", "review", "post", "comment", "question", "answer", "article")
FEED_LIMIT = 50

# The saved_search_feed canned query (groundswell/web/metadata.json holds the same text: a
# test keeps them equal). The search words are matched once (not per mention).
FEED_SQL = """with s as (select * from saved_searches where name = :name)
select m.id as atom_id,
  coalesce(nullif(m.title, ''), substr(m.body, 1, 80)) as atom_title,
  m.published_at as atom_updated,
  m.body as atom_content,
  m.url as atom_link,
  m.author as atom_author_name,
  m.source, m.kind, m.rating, m.sentiment, m.first_seen_at as found_at
from mentions m
where exists (select 1 from s)
  and coalesce(m.first_seen_at, m.published_at) >= coalesce(nullif(:since, ''), '0000')
  and likely(m.duplicate_of is null)
  and (coalesce((select fts_query from s), '') = ''
       or m.rowid in (select rowid from mentions_fts
                      where mentions_fts match (select fts_query from s)))
  and coalesce((select source from s), '') in ('', m.source)
  and coalesce((select sentiment from s), '') in ('', m.sentiment)
  and coalesce((select kind from s), '') in ('', m.kind)
  and (coalesce((select monitor from s), '') = ''
       or exists (select 1 from mention_monitors mm
                  where mm.mention_id = m.id and mm.monitor = (select monitor from s)))
order by m.published_at desc
limit 50"""


class SavedSearchError(GroundswellError, ValueError):
    """A saved search with a bad name, e-mail address or filter, or one that does not exist."""


def fts_query(words: str) -> str:
    """Datasette's search-box escaping: every word (or "quoted phrase") quoted."""
    from datasette.utils import escape_fts

    return escape_fts(words.strip()) if words.strip() else ""


def check_search(name: str, email: str, sentiment: str, kind: str) -> None:
    if not NAME_PATTERN.match(name):
        raise SavedSearchError("a saved search needs a name: letters, digits, spaces, _ . - "
                               "(up to 80, starting with a letter or digit)")  # fmt: skip
    if email and not EMAIL_PATTERN.match(email):
        raise SavedSearchError(f"not an e-mail address: {email!r}")
    if sentiment not in SENTIMENTS:
        raise SavedSearchError(f"sentiment must be one of {', '.join(SENTIMENTS[1:])}")
    if kind not in KINDS:
        raise SavedSearchError(f"kind must be one of {', '.join(KINDS[1:])}")


def save_search(db: sqlite_utils.Database, name: str, who: str, query: str = "",
                monitor: str = "", source: str = "", sentiment: str = "", kind: str = "",
                email: str = "") -> dict:  # fmt: skip
    """Store (or replace) the saved search ``name``; returns its row."""
    name, email = name.strip(), email.strip()
    check_search(name, email, sentiment, kind)
    row = {"name": name, "query": query.strip(), "fts_query": fts_query(query),
           "monitor": monitor.strip(), "source": source.strip(), "sentiment": sentiment,
           "kind": kind, "email": email or None, "created_by": who, "created_at": utc_now(),
           "last_emailed_at": None}  # fmt: skip
    with transaction(db):
        db["saved_searches"].upsert(row, pk="name")
    return row


def delete_search(db: sqlite_utils.Database, name: str) -> bool:
    with transaction(db):
        return db.execute("delete from saved_searches where name = ?", [name]).rowcount == 1


def list_searches(db: sqlite_utils.Database) -> list[dict]:
    return [dict(row) for row in db.query("select * from saved_searches order by name")]


def search_matches(db: sqlite_utils.Database, name: str, since: str | None = None) -> list[dict]:
    """The newest mentions (up to 50) the search finds, first stored at ``since`` or later."""
    return [dict(row) for row in db.query(FEED_SQL, {"name": name, "since": since or ""})]


def datasette_filters(search: dict) -> dict[str, str]:
    """The search as the mentions table's query string (search box, facets, monitor)."""
    filters = {"_search": search.get("query") or "", "source": search.get("source") or "",
               "sentiment": search.get("sentiment") or "", "kind": search.get("kind") or "",
               "monitors__arraycontains": search.get("monitor") or ""}  # fmt: skip
    return {key: value for key, value in filters.items() if value}


def mark_emailed(db: sqlite_utils.Database, name: str, at: str) -> None:
    with transaction(db):
        db.execute("update saved_searches set last_emailed_at = ? where name = ?", [at, name])
