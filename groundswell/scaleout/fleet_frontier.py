"""``CrawlFrontier`` for a fleet: budgets counted in Redis across every worker.

Pages of one crawl are fetched by whichever worker is free, so nothing per crawl can live in
one worker's memory: the shared queue is the frontier (it survives a worker's kill), the
duplicate filter says what was scheduled, and ``max_listing_pages`` / ``max_thread_pages``
are counters in Redis. Worker crawls are full crawls: the incremental rules and the SQLite
frontier (``crawl_frontier``) belong to in-process crawls.
"""

from __future__ import annotations

from dataclasses import dataclass

from groundswell.crawl.frontier import LISTING, THREAD, Budget, CrawlFrontier, Fetch
from groundswell.scaleout.keys import BUDGET_KEY, JOB_TTL_SECONDS


@dataclass
class RedisBudget(Budget):
    """A budget taken from one Redis counter per job and kind of page."""

    server: object = None
    key: str = ""

    def take(self, url: str) -> bool:
        with self.server.pipeline() as pipe:
            taken, _ = pipe.incr(self.key).expire(self.key, JOB_TTL_SECONDS).execute()
        if taken > self.limit:
            self.refused.add(url)
            return False
        self.used += 1
        return True


def fleet_frontier(server, job: dict, stats=None) -> FleetFrontier:
    key = f"{BUDGET_KEY}:{job['id']}"
    listing = RedisBudget("max_listing_pages", int(job["max_listing_pages"]), server=server,
                          key=f"{key}:listing")  # fmt: skip
    threads = RedisBudget("max_thread_pages", int(job["max_thread_pages"]), server=server,
                          key=f"{key}:thread")  # fmt: skip
    return FleetFrontier({}, listing, threads, None, stats)


class FleetFrontier(CrawlFrontier):
    """No per-thread progress (another worker may fetch a thread's next page) and no
    frontier rows: what a worker schedules goes to the shared queue."""

    def listing_page(self, url: str) -> Fetch | None:
        if not self.listing.take(url):
            return None
        self.scheduled.add(url)
        return Fetch(url, LISTING)

    def thread(self, url: str, replies: int | None) -> Fetch | None:
        if not self.threads.take(url):
            return None
        self.scheduled.add(url)
        return Fetch(url, THREAD, thread=url)

    def thread_link(self, kind: str, link: str, info: dict) -> Fetch | None:
        return self.thread(link, info.get("replies"))

    def from_thread_page(self, thread: str, links: list[str]) -> list[Fetch]:
        fetches = []
        for link in links:
            if link not in self.scheduled and self.threads.take(link):
                self.scheduled.add(link)
                fetches.append(Fetch(link, THREAD, thread=thread))
        return fetches

    def thread_page_done(self, thread: str, error: str | None = None,
                         gone: bool = False) -> tuple[str, dict] | None:  # fmt: skip
        return None
