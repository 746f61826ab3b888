"""Incremental crawls: what a source has stored already, and which links are worth following.

A crawl loads the source's stored mentions once (``StoredMentions.load``). Two rules use it
with the source's crawl frontier (``groundswell/store/frontier.py``):

- a page of a newest-first listing whose mentions are all stored ends the paging: its
  older-page links (the parser's ``older_page_urls``) are not followed (older pages a crawl
  queued but never finished stay in the frontier and are fetched anyway);
- a thread linked from a listing (the parser's ``thread_urls``) is skipped only when the
  frontier says it was fetched completely and it is quiet: its newest stored mention
  (``published_at``, else ``first_seen_at``) is older than the source's ``recrawl_days`` and
  the listing shows no change since (a newer ``last_activity``, another ``replies`` count).
  A thread never fetched completely (pending, or its last fetch failed) is always fetched.

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

    def newest_in_thread(self, opener_id: str) -> str:
        """When the thread opened by ``opener_id`` was last posted in, as stored ('' if never)."""
        thread = self.thread_of.get(opener_id)
        return self.last_activity.get(thread, "") if thread else ""


def page_mention_ids(mentions: list[dict], kind: str) -> list[str]:
    """The ids the store will give these parsed mentions (``NormalizePipeline``'s ids)."""
    return [mention_id(kind, site_id_text(m.get("site_id")), url_text(m.get("url")))
            for m in mentions]  # fmt: skip


def url_text(url) -> str | None:
    return url if isinstance(url, str) else None


def site_id_text(site_id) -> str | None:
    return str(site_id) if site_id not in (None, "") else None


def activity_time(value) -> str | None:
    """A listing's "last posted at" as ISO 8601 UTC; None when absent or unreadable."""
    try:
        return to_utc_iso(value)
    except (ValueError, OverflowError, OSError, TypeError):
        return None


class IncrementalFilter:
    """Decides, for one crawled listing page, which older pages and threads to leave out;
    counts what it leaves out."""

    def __init__(self, stored: StoredMentions, stats) -> None:
        self.stored = stored
        self.stats = stats

    def older_pages_to_skip(self, parser, text: str, url: str, mentions: list[dict],
                            links: list[str]) -> set[str]:  # fmt: skip
        """The older-page links of a page whose mentions are all stored."""
        older = set(getattr(parser, "older_page_urls", lambda *_: [])(text, url)) & set(links)
        if older and self.stored.all_stored(page_mention_ids(mentions, parser.KIND)):
            self.stats.inc_value("groundswell/incremental_stop")
            return older
        return set()

    def thread_is_done(self, kind: str, thread: dict, frontier_row: dict | None) -> bool:
        """True for a thread fetched completely that is quiet and unchanged since."""
        state = (frontier_row or {}).get("state")
        if state == "gone":
            self.stats.inc_value("groundswell/threads_gone_skipped")
            return True
        if state != "fetched":
            if state in ("pending", "error"):
                self.stats.inc_value("groundswell/threads_resumed")
            return False
        if self.changed_or_recent(kind, thread, frontier_row):
            self.stats.inc_value("groundswell/threads_recrawled")
            return False
        self.stats.inc_value("groundswell/threads_quiet_skipped")
        return True

    def changed_or_recent(self, kind: str, thread: dict, frontier_row: dict) -> bool:
        listed_replies, fetched_replies = thread.get("replies"), frontier_row.get("fetched_replies")
        if listed_replies is not None and fetched_replies is not None:
            if listed_replies != fetched_replies:
                return True
        opener = mention_id(kind, site_id_text(thread.get("site_id")), None)
        newest = self.stored.newest_in_thread(opener)
        listed = activity_time(thread.get("last_activity"))
        return bool(listed and listed > newest) or newest >= self.stored.recent_since


def incremental_filter_for(crawler, source: str) -> IncrementalFilter | None:
    """The filter for a stored crawl (``GROUNDSWELL_INCREMENTAL``); None for extract or --full."""
    settings = crawler.settings
    if not settings.getbool("GROUNDSWELL_INCREMENTAL") or not settings.get("GROUNDSWELL_DB"):
        return None
    stored = StoredMentions.load(settings.get("GROUNDSWELL_DB"), source,
                                 settings.getfloat("GROUNDSWELL_RECRAWL_DAYS"))  # fmt: skip
    return IncrementalFilter(stored, crawler.stats)
