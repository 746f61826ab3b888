"""``WorkerSpider``: ``MentionSpider`` fed by crawl jobs from Redis, for any number of sources.

One worker process runs one spider for every job it is given (scrapy-redis' ``RedisSpider``
pops the jobs). Each request carries its job in ``meta["gs_job"]``; a callback runs the
platform parsing of ``MentionSpider`` with that job's source, kind and fleet budgets, then
says the page is done (``PageDone``), which releases the request's lease once its mentions are
on the stream.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from urllib.parse import urlparse

import scrapy
from scrapy_redis.spiders import RedisMixin

from groundswell.crawl.items import FrontierItem
from groundswell.crawl.reach import Reach
from groundswell.crawl.spiders.base import MentionSpider
from groundswell.scaleout.fleet_frontier import fleet_frontier
from groundswell.scaleout.keys import IdleClock, stream_backlog


class PageDone(scrapy.Item):
    """A page's callback finished: its lease can go (after the mentions before it)."""

    lease = scrapy.Field()


class WorkerSpider(RedisMixin, MentionSpider):
    name = "groundswell-worker"
    redis_batch_size = 16  # jobs taken at once: their start pages go to the shared queue

    def __init__(self, worker_id: str, idle_exit: float = 0, **kwargs):
        super().__init__(url="http://localhost/", source="worker", follow=True, **kwargs)
        self.worker_id = worker_id
        self.idle = IdleClock(idle_exit)  # seconds the fleet has nothing before we stop
        self.frontiers: dict[str, object] = {}
        self.reaches: dict[str, Reach] = {}
        self.job: dict | None = None
        self.allowed_domains = []  # per job, inside ``working_on``

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup_redis(crawler)
        return spider

    def open_frontier(self, spider=None) -> None:
        pass  # each job has its own fleet frontier (``frontier_for``)

    async def start(self):
        for request in self.next_requests():
            yield request

    def make_request_from_data(self, data: bytes):
        """A crawl job (``groundswell.scaleout.jobs``): its start page, as a request."""
        job = json.loads(data)["job"]
        with self.working_on(job):
            fetches, _ = self.frontier.start(job["url"], [])
            return [self.page_request(fetch) for fetch in fetches]

    def frontier_for(self, job: dict):
        if job["id"] not in self.frontiers:
            self.frontiers[job["id"]] = fleet_frontier(self.server, job, self.crawler.stats)
        return self.frontiers[job["id"]]

    @contextmanager
    def working_on(self, job: dict):
        """``MentionSpider``'s per-source attributes, set to ``job``'s for one callback."""
        self.job, self.source, self.kind = job, job["source"], job["kind"]
        self.start_url = job["url"]
        self.allowed_domains = [urlparse(job["url"]).hostname or ""]
        self.reach = self.reach_of(job)
        self.vendor_accounts = {a.lower() for a in job.get("vendor_accounts", ())}
        self.frontier = self.frontier_for(job)
        try:
            yield
        finally:
            self.job, self.allowed_domains = None, []

    def reach_of(self, job: dict) -> Reach:
        """What a crawl of ``job``'s source may request (its host and port, its allowed_hosts)."""
        if job["id"] not in self.reaches:
            self.reaches[job["id"]] = Reach.for_source(job["url"], job.get("allowed_hosts", ()))
        return self.reaches[job["id"]]

    def reach_for(self, request) -> Reach | None:
        """The reach of the job a request belongs to (none for Scrapy's own, e.g. robots.txt)."""
        job = request.meta.get("gs_job")
        return self.reach_of(job) if job else None

    def page_request(self, fetch) -> scrapy.Request:
        request = super().page_request(fetch)
        request.meta["gs_job"] = self.job
        return request

    def parse(self, response):
        return self.within_job(response.request, super().parse(response))

    def on_error(self, failure):
        return self.within_job(failure.request, super().on_error(failure))

    def within_job(self, request, outputs) -> list:
        """Run a callback to the end under its request's job (no other page's callback can
        interleave), drop the SQLite frontier rows, and end with the page's ``PageDone``."""
        with self.working_on(request.meta["gs_job"]):
            kept = [out for out in outputs if not isinstance(out, FrontierItem)]
        return [*kept, PageDone(lease=request.meta.get("gs_lease"))]

    def spider_idle(self):
        """scrapy-redis keeps an idle worker waiting for jobs; with ``idle_exit`` it stops
        once the whole fleet has had nothing to do for that long."""
        if self.idle.expired(self.fleet_is_idle):
            return None
        return super().spider_idle()

    def fleet_is_idle(self) -> bool:
        backlog = stream_backlog(self.server)
        return not (backlog["jobs"] or backlog["requests"] or backlog["inflight"])
