"""Upsert mentions into SQLite in batches; counts new and updated mentions in crawl stats.

Frontier changes (``FrontierItem``) are written after the batch of mentions before them is
stored: a thread is marked fetched only once its mentions are in the database.
"""

from __future__ import annotations

from itemadapter import ItemAdapter

from groundswell.crawl.items import FrontierItem
from groundswell.store import (
    open_db,
    save_failed,
    save_fetched,
    save_listed,
    save_mentions,
    save_requested,
)

BATCH_SIZE = 200
FRONTIER_WRITERS = {"listed": save_listed, "requested": save_requested, "fetched": save_fetched,
                    "failed": save_failed}  # fmt: skip


class StorePipeline:
    def __init__(self, db_path: str, stats):
        self.db_path = db_path
        self.stats = stats
        self.batch: list[dict] = []
        self.new_ids: frozenset[str] = frozenset()  # stored for the first time by this crawl
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("GROUNDSWELL_DB"), crawler.stats)

    def open_spider(self, spider=None):
        self.db = open_db(self.db_path)

    def process_item(self, item, spider=None):
        if isinstance(item, FrontierItem):
            self.flush()
            FRONTIER_WRITERS[item["action"]](self.db, item["source"], item["rows"])
            return item
        self.batch.append(ItemAdapter(item).asdict())
        if len(self.batch) >= BATCH_SIZE:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.batch:
            return
        counts = save_mentions(self.db, self.batch)
        # a thread's opening post stored from the listing, then again from the thread page, is
        # one new mention of this crawl, not an update
        updated = counts.updated_ids - self.new_ids
        self.new_ids |= counts.new_ids
        self.stats.inc_value("groundswell/new", counts.new)
        self.stats.inc_value("groundswell/updated", len(updated))
        self.batch = []

    def close_spider(self, spider=None):
        self.flush()
