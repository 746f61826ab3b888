"""Refuse, with a reason, every request outside the source's reach (``groundswell/crawl/reach.py``).

Runs on each request Scrapy sends: the start page, followed links, redirects (a redirect is a
new request) and retries. A refused request reaches the spider's errback as an
``IgnoreRequest`` naming the URL (a stop in the ``crawl_runs`` message) and is counted in
``groundswell/out_of_reach``.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class OutOfReach(IgnoreRequest):  # noqa: N818 - Scrapy's own refusals are IgnoreRequest
    """A request to a host or port the crawl may not reach."""


class ReachMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        # the spider's (a scale-out worker's depends on the job the request belongs to)
        reach = self.crawler.spider.reach_for(request)
        if reach is not None and not reach.allows(request.url):
            self.crawler.stats.inc_value("groundswell/out_of_reach")
            raise OutOfReach(reach.refusal(request.url))
        return None
