"""Fleet-wide politeness: ``download_delay`` between two requests to one host, whichever
workers send them.

Scrapy keeps the delay per worker (its download slots); with N workers a host would see up
to N times the rate. Before a request goes to its slot, this downloader middleware takes the
host's token in Redis (``SET NX PX delay``): the token is free again ``download_delay``
seconds after the last request to the host from any worker. A worker killed while holding it
only delays the host by that much.
"""

from __future__ import annotations

import asyncio

from groundswell.scaleout.keys import PREFIX, connect
from groundswell.scaleout.leases import host_of

POLITE_KEY = f"{PREFIX}:polite"  # + ":<host>": held for download_delay after a request


class FleetPolitenessMiddleware:
    def __init__(self, server, delay: float, stats) -> None:
        self.server, self.delay_ms, self.stats = server, int(delay * 1000), stats

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(connect(settings.get("REDIS_URL")),
                   settings.getfloat("GROUNDSWELL_FLEET_DELAY"), crawler.stats)  # fmt: skip

    async def process_request(self, request, spider=None):
        if self.delay_ms <= 0 or request.meta.get("dont_wait_for_fleet"):
            return None
        key = f"{POLITE_KEY}:{host_of(request.url)}"
        while not self.server.set(key, 1, nx=True, px=self.delay_ms):
            self.stats.inc_value("groundswell/fleet_politeness_waits")
            wait_ms = self.server.pttl(key)
            await asyncio.sleep(max(wait_ms, 10) / 1000)
        return None
