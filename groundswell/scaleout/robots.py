"""robots.txt fetched once per site for the whole fleet, not once per worker.

Scrapy's ``RobotsTxtMiddleware`` downloads a site's robots.txt before the first request a
crawl sends there and keeps its rules for the crawl. In a fleet every worker, and every worker
restarted after a crash, would download it again before its first page. This subclass keeps
the body in Redis for ``ROBOTS_TTL_SECONDS``: the first worker to need it downloads and stores
it, the others parse the stored copy. A robots.txt that failed (no answer, 429 or 5xx) is not
stored: each worker tries again, as Scrapy does. With Redis unreachable a worker downloads it.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from groundswell.scaleout.keys import ROBOTS_KEY, ROBOTS_TTL_SECONDS, connect

logger = logging.getLogger(__name__)


def robots_key(scheme: str, netloc: str) -> str:
    return f"{ROBOTS_KEY}:{scheme}://{netloc}"


def is_lasting(status: int) -> bool:
    """An answer other workers may reuse: the rules (200), or none at all (404 and the like)."""
    return status < 500 and status != 429


class FleetRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.server = connect(crawler.settings.get("REDIS_URL"), check=False)

    async def robot_parser(self, request):
        url = urlparse_cached(request)
        if url.netloc not in self._parsers:
            body = self.stored_body(robots_key(url.scheme, url.netloc))
            if body is not None:
                parser = build_from_crawler(self._parserimpl, self.crawler, body)
                self._parsers[url.netloc] = parser
                self._stats.inc_value("groundswell/robotstxt_from_fleet")
                await self.crawler.signals.send_catch_log_async(
                    signal=signals.robots_parsed, robotparser=parser, request=request
                )
        return await super().robot_parser(request)

    async def _parse_robots(self, response, netloc: str, request) -> None:
        if is_lasting(response.status):
            url = urlparse_cached(response)
            self.store_body(robots_key(url.scheme, netloc), response.body)
        await super()._parse_robots(response, netloc, request)

    def stored_body(self, key: str) -> bytes | None:
        try:
            return self.server.get(key)
        except Exception as error:  # Redis restarting: download it as a single crawl would
            logger.warning("stored robots.txt not read: %s", error)
            return None

    def store_body(self, key: str, body: bytes) -> None:
        try:
            self.server.set(key, body, ex=ROBOTS_TTL_SECONDS)
        except Exception as error:
            logger.warning("robots.txt not stored for the fleet: %s", error)
