"""Incremental crawls: what a source has stored already, and which links are worth following.

A crawl loads the source's stored mentions once (``StoredMentions.load``). Two rules use it:

- a page of a newest-first listing whose mentions are all stored ends the paging: its
  older-page links (the parser's ``older_page_urls``) are not followed;
- a thread linked from a listing (the parser's ``thread_urls``) is fetched again while it is
  recent, its newest stored mention (``published_at``, else ``first_seen_at``) within the
  source's ``recrawl_days``, or when the listing says it changed since; a stored thread
  quiet for longer is not fetched again.

``groundswell crawl --full`` crawls without these rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlite_utils

from groundswell.crawl.pipelines.normalize import mention_id, to_utc_iso

STORED_SQL = """
select id, coalesce(thread_url, id) as thread, coalesce(published_at, first_seen_at) as at
from mentions where source = ?
"""


@dataclass
class StoredMentions:
    """Ids a source has stored, each mention's thread, and each thread's newest mention."""

    recent_since: str  # ISO 8601 UTC: threads active since then are fetched again
    ids: set[str] = field(default_factory=set)
    thread_of: dict[str, str] = field(default_factory=dict)
    last_activity: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, db_path: str, source: str, recrawl_days: float,
             now: datetime | None = None) -> StoredMentions:  # fmt: skip
        now = now or datetime.now(timezone.utc)
        stored = cls(recent_since=to_utc_iso(now - timedelta(days=recrawl_days)))
        db = sqlite_utils.Database(db_path)
        if not db["mentions"].exists():
            return stored
        for row_id, thread, at in db.execute(STORED_SQL, [source]).fetchall():
            stored.add(row_id, thread, at)
        return stored

    def add(self, row_id: str, thread: str, at: str | None) -> None:
        self.ids.add(row_id)
        self.thread_of[row_id] = thread
        if at and at > self.last_activity.get(thread, ""):
            self.last_activity[thread] = at

    def all_stored(self, ids: Iterable[str]) -> bool:
        """True when there is at least one id and every one is stored."""
        ids = list(ids)
        return bool(ids) and all(i in self.ids for i in ids)

    def thread_is_quiet(self, opener_id: str, listed_activity: str | None = None) -> bool:
        """A stored thread with no mention since ``recent_since`` and, when the listing gives
        the thread's last activity, nothing newer than what is stored."""
        if opener_id not in self.ids:
            return False
        newest = self.last_activity.get(self.thread_of[opener_id], "")
        if listed_activity and listed_activity > newest:
            return False
        return newest < self.recent_since


def page_mention_ids(mentions: list[dict], kind: str) -> list[str]:
    """The ids the store will give these parsed mentions (``NormalizePipeline``'s ids)."""
    return [mention_id(kind, site_id_text(m.get("site_id")), m.get("url")) for m in mentions]


def site_id_text(site_id) -> str | None:
    return str(site_id) if site_id not in (None, "") else None


def activity_time(value) -> str | None:
    """A listing's "last posted at" as ISO 8601 UTC; None when absent or unreadable."""
    try:
        return to_utc_iso(value)
    except (ValueError, OverflowError):
        return None


class IncrementalFilter:
    """Decides, for one crawled page, which of its links to follow; counts what it skips."""

    def __init__(self, stored: StoredMentions, stats) -> None:
        self.stored = stored
        self.stats = stats

    def links_to_follow(self, parser, text: str, url: str, mentions: list[dict],
                        links: list[str]) -> list[str]:  # fmt: skip
        older = set(getattr(parser, "older_page_urls", lambda *_: [])(text, url))
        threads = getattr(parser, "thread_urls", lambda *_: {})(text, url)
        ids = page_mention_ids(mentions, parser.KIND)
        if older & set(links) and self.stored.all_stored(ids):
            self.stats.inc_value("groundswell/incremental_stop")
            links = [link for link in links if link not in older]
        return [link for link in links if not self.quiet_thread(parser.KIND, threads.get(link))]

    def quiet_thread(self, kind: str, thread: dict | None) -> bool:
        if not thread or not thread.get("site_id"):
            return False
        opener = mention_id(kind, site_id_text(thread["site_id"]), None)
        listed = activity_time(thread.get("last_activity"))
        if self.stored.thread_is_quiet(opener, listed):
            self.stats.inc_value("groundswell/threads_quiet_skipped")
            return True
        if opener in self.stored.ids:
            self.stats.inc_value("groundswell/threads_recrawled")
        return False


def incremental_filter_for(crawler, source: str) -> IncrementalFilter | None:
    """The filter for a stored crawl (``GROUNDSWELL_INCREMENTAL``); None for extract or --full."""
    settings = crawler.settings
    if not settings.getbool("GROUNDSWELL_INCREMENTAL") or not settings.get("GROUNDSWELL_DB"):
        return None
    stored = StoredMentions.load(settings.get("GROUNDSWELL_DB"), source,
                                 settings.getfloat("GROUNDSWELL_RECRAWL_DAYS"))  # fmt: skip
    return IncrementalFilter(stored, crawler.stats)
