"""Send mentions to the fleet's Redis stream instead of SQLite (``groundswell worker``).

A page's mentions are buffered until its ``PageDone``; then one Redis transaction adds them
to the stream and releases the page's lease. A worker killed before that sends nothing for
the page and its lease puts the request back on the queue; after it, the page is done.
"""

from __future__ import annotations

import json

from itemadapter import ItemAdapter

from groundswell.crawl.items import MentionItem
from groundswell.scaleout.keys import INFLIGHT_KEY, STREAM_KEY, connect
from groundswell.scaleout.spider import PageDone


def stream_entry(item) -> dict:
    """One stream entry: the normalised mention as JSON (the writer's ``save_mentions`` row)."""
    return {"mention": json.dumps(ItemAdapter(item).asdict(), ensure_ascii=False, default=str)}


class StreamPipeline:
    def __init__(self, redis_url: str, worker_id: str, stats):
        self.server = connect(redis_url)
        self.inflight_key = f"{INFLIGHT_KEY}:{worker_id}"
        self.stats = stats
        self.waiting: list[dict] = []

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.get("REDIS_URL"), settings.get("GROUNDSWELL_WORKER_ID"),
                   crawler.stats)  # fmt: skip

    def process_item(self, item, spider=None):
        if isinstance(item, MentionItem):
            self.waiting.append(stream_entry(item))
        elif isinstance(item, PageDone):
            self.send(item["lease"])
        return item

    def send(self, lease: str | None) -> None:
        with self.server.pipeline(transaction=True) as pipe:
            for entry in self.waiting:
                pipe.xadd(STREAM_KEY, entry)
            if lease:
                pipe.hdel(self.inflight_key, lease)
            pipe.execute()
        self.stats.inc_value("groundswell/streamed", len(self.waiting))
        self.waiting = []

    def close_spider(self, spider=None):
        if self.waiting:  # mentions of a page whose callback never finished: send them
            self.send(None)
