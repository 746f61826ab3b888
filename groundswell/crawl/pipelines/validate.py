"""Drop mentions that cannot be stored (no URL, no text), counting each reason in crawl stats."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from groundswell.crawl.items import MENTION_KINDS


def problems_with(adapter: ItemAdapter) -> list[str]:
    problems = []
    if not adapter.get("url"):
        problems.append("no_url")
    if not (adapter.get("body") or adapter.get("title")):
        problems.append("no_text")
    if adapter.get("kind") not in MENTION_KINDS:
        problems.append("bad_kind")
    return problems


class ValidatePipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item, spider=None):
        problems = problems_with(ItemAdapter(item))
        for problem in problems:
            self.stats.inc_value(f"groundswell/dropped/{problem}")
        if problems:
            raise DropItem(f"mention dropped: {', '.join(problems)}")
        return item
