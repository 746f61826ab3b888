"""One spider per platform, made from its parser module: ``scrapy list`` shows them all.

A configured source is a few lines of TOML (kind + url), not code.
"""

from __future__ import annotations

from groundswell.crawl.parsers.registry import parser_modules
from groundswell.crawl.spiders.base import MentionSpider


def platform_spider(kind: str) -> type[MentionSpider]:
    return type(
        f"{kind.title().replace('_', '')}Spider", (MentionSpider,), {"name": kind, "kind": kind}
    )


PLATFORM_SPIDERS = {module.KIND: platform_spider(module.KIND) for module in parser_modules()}
globals().update({spider.__name__: spider for spider in PLATFORM_SPIDERS.values()})
