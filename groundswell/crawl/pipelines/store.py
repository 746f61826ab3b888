"""Upsert mentions into SQLite in batches; counts new and updated mentions in crawl stats."""

from __future__ import annotations

from itemadapter import ItemAdapter

from groundswell.store import open_db, save_mentions

BATCH_SIZE = 200


class StorePipeline:
    def __init__(self, db_path: str, stats):
        self.db_path = db_path
        self.stats = stats
        self.batch: list[dict] = []
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("GROUNDSWELL_DB"), crawler.stats)

    def open_spider(self, spider=None):
        self.db = open_db(self.db_path)

    def process_item(self, item, spider=None):
        self.batch.append(ItemAdapter(item).asdict())
        if len(self.batch) >= BATCH_SIZE:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.batch:
            return
        counts = save_mentions(self.db, self.batch)
        self.stats.inc_value("groundswell/new", counts.new)
        self.stats.inc_value("groundswell/updated", counts.updated)
        self.batch = []

    def close_spider(self, spider=None):
        self.flush()
