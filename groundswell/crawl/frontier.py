"""What one crawl of a source fetches, under two budgets, and what it leaves for the next one.

Listing pages (the start page, next and older pages) and thread pages (a thread linked from a
listing, and the further pages of that thread) have separate budgets
(``max_listing_pages``, ``max_thread_pages``), so paging can never starve threads. A crawl
first takes the source's unfinished frontier rows (``groundswell/store/frontier.py``), oldest
first, then what its listing pages link to. A link a budget refuses stays ``pending`` for the
next crawl, and the run is ``partial``.

``CrawlFrontier`` only decides; the spider makes the requests and yields the frontier rows it
returns as ``FrontierItem``s, which the store pipeline writes after the mentions before them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from groundswell.crawl.incremental import IncrementalFilter, activity_time, page_mention_ids

LISTING, THREAD = "listing", "thread"


@dataclass
class Budget:
    """Pages one crawl may request of one kind; ``refused`` holds the links it left out."""

    setting: str  # the config key, for the crawl_runs message
    limit: int
    used: int = 0
    refused: set[str] = field(default_factory=set)

    def take(self, url: str) -> bool:
        if self.used >= self.limit:
            self.refused.add(url)
            return False
        self.used += 1
        return True


@dataclass
class ThreadProgress:
    """One thread this crawl is fetching: its pages in flight and whether one failed."""

    url: str
    replies: int | None = None  # what the listing said, recorded once the thread is fetched
    outstanding: int = 1
    pages_done: int = 0
    error: str | None = None
    gone: bool = False
    cut: bool = False  # the thread budget refused one of its pages


@dataclass
class Fetch:
    """A page to request: its url, its role (listing or thread) and the thread it belongs to."""

    url: str
    role: str
    thread: str | None = None
    in_frontier: bool = False  # a listing page with a frontier row, deleted once fetched


@dataclass
class CrawlFrontier:
    known: dict[str, dict]  # the source's frontier rows by url
    listing: Budget
    threads: Budget
    incremental: IncrementalFilter | None = None
    stats: object = None  # the crawl's stats collector, when there is one
    progress: dict[str, ThreadProgress] = field(default_factory=dict)
    scheduled: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)  # ids of the mentions parsed so far

    @classmethod
    def with_budgets(cls, known: dict[str, dict], listing_pages: int, thread_pages: int,
                     incremental: IncrementalFilter | None = None,
                     stats=None) -> CrawlFrontier:  # fmt: skip
        return cls(known, Budget("max_listing_pages", listing_pages),
                   Budget("max_thread_pages", thread_pages), incremental, stats)  # fmt: skip

    def start(self, url: str, backlog: list[dict]) -> tuple[list[Fetch], list[dict]]:
        """The start page, then the unfinished rows (oldest first) the budgets allow; and the
        frontier rows saying which of those are being fetched."""
        self.listing.take(url)
        self.scheduled.add(url)
        fetches, rows = [Fetch(url, LISTING)], []
        for row in backlog:
            if row["url"] in self.scheduled:
                continue
            if row["kind"] == "page":
                fetch = self.listing_page(row["url"])
            else:
                fetch = self.thread(row["url"], row.get("listed_replies"))
            if fetch:
                fetches.append(fetch)
                rows.append({"url": row["url"]})
        return fetches, rows

    def from_listing(self, parser, text: str, url: str, mentions: list[dict],
                     links: list[str]) -> tuple[list[Fetch], list[dict]]:  # fmt: skip
        """What a listing page links to: the pages to fetch now, and the frontier rows
        recording every thread it lists and every page left for later."""
        if self.repeats_this_crawl(page_mention_ids(mentions, parser.KIND)):
            return [], []  # a next page that shows the same mentions again: the end
        threads = getattr(parser, "thread_urls", lambda *_: {})(text, url) or {}
        if self.incremental is not None:
            skipped = self.incremental.older_pages_to_skip(parser, text, url, mentions, links)
            links = [link for link in links if link not in skipped]
        fetches, rows = [], []
        for link in dict.fromkeys(links):
            info = threads.get(link)
            if not info and link in self.scheduled:
                continue  # a listing page this crawl has fetched or queued already
            row = self.listed_thread(link, info) if info else {"url": link, "kind": "page"}
            fetch = self.thread_link(parser.KIND, link, info) if info else self.listing_page(link)
            if fetch:
                fetches.append(fetch)
                row["requested"] = True
            if fetch or link not in self.scheduled:
                row["pending"] = True  # being fetched, or left for the next crawl
            rows.append(row)
        return fetches, rows

    def repeats_this_crawl(self, ids: list[str]) -> bool:
        """True for a page whose mentions were all parsed earlier in this crawl (a site that
        answers a page number past its last page with the last page again)."""
        repeated = bool(ids) and all(i in self.seen for i in ids)
        self.seen.update(ids)
        if repeated and self.stats is not None:
            self.stats.inc_value("groundswell/repeated_page_stop")
        return repeated

    def listed_thread(self, link: str, info: dict) -> dict:
        return {"url": link, "kind": "thread", "site_id": info.get("site_id"),
                "listed_replies": info.get("replies"),
                "listed_activity": activity_time(info.get("last_activity"))}  # fmt: skip

    def thread_link(self, kind: str, link: str, info: dict) -> Fetch | None:
        if link in self.progress:  # from the backlog: fetched already in this crawl
            self.progress[link].replies = info.get("replies")
            return None
        if self.incremental is not None and self.incremental.thread_is_done(
            kind, info, self.known.get(link)
        ):
            self.scheduled.add(link)  # done: nothing is left for later
            return None
        return self.thread(link, info.get("replies"))

    def listing_page(self, url: str) -> Fetch | None:
        if not self.listing.take(url):
            return None
        self.scheduled.add(url)
        return Fetch(url, LISTING, in_frontier=True)

    def thread(self, url: str, replies: int | None) -> Fetch | None:
        if not self.threads.take(url):
            return None
        self.scheduled.add(url)
        self.progress[url] = ThreadProgress(url, replies=replies)
        return Fetch(url, THREAD, thread=url)

    def from_thread_page(self, thread: str, links: list[str]) -> list[Fetch]:
        """A thread page's further pages, within the thread budget."""
        progress, fetches = self.progress[thread], []
        for link in links:
            if link in self.scheduled:
                continue
            if not self.threads.take(link):
                progress.cut = True
                continue
            self.scheduled.add(link)
            progress.outstanding += 1
            fetches.append(Fetch(link, THREAD, thread=thread))
        return fetches

    def thread_page_done(self, thread: str, error: str | None = None,
                         gone: bool = False) -> tuple[str, dict] | None:  # fmt: skip
        """One page of ``thread`` answered (or failed with ``error``); once its last page has,
        the frontier update: ('fetched', row) or ('failed', row)."""
        progress = self.progress[thread]
        progress.outstanding -= 1
        if error:
            progress.error, progress.gone = progress.error or error, progress.gone or gone
        else:
            progress.pages_done += 1
        if progress.outstanding > 0:
            return None
        if progress.error:
            state = "gone" if progress.gone and not progress.pages_done else "error"
            return "failed", {"url": thread, "kind": "thread", "state": state,
                              "error": progress.error}  # fmt: skip
        if progress.cut:
            return "failed", {"url": thread, "kind": "thread", "state": "pending",
                              "error": f"{self.threads.setting} reached before its last page"}  # fmt: skip
        return "fetched", {"url": thread, "kind": "thread", "pages_seen": progress.pages_done,
                           "fetched_replies": progress.replies}  # fmt: skip
