"""``MentionSpider``: fetch a source's URL, hand each response to its platform's parser.

Spiders only parse: the parser modules (``groundswell/crawl/parsers``) turn a response into mention
dicts, the item pipelines normalise and store them. Problems are counted in crawl stats
(``groundswell/errors``) with a one-line reason kept for the ``crawl_runs`` row.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlparse

import scrapy
from scrapy import signals
from scrapy.spidermiddlewares.httperror import HttpError

from groundswell.crawl.incremental import incremental_filter_for
from groundswell.crawl.items import MENTION_FIELDS, MentionItem
from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.fallback import check_coverage, parse_unrecognised
from groundswell.crawl.parsers.registry import detect_parser, parser_for_kind
from groundswell.crawl.rendering import render_meta

GONE_STATUSES = (404, 410)
BLOCKED_STATUSES = (401, 403)
BOT_WALL = re.compile(
    r"captcha|are you a robot|are you human|unusual traffic|access denied|cf-chl|"
    r"attention required|verify you are human|bot protection|px-captcha",
    re.IGNORECASE,
)


def looks_like_bot_wall(text: str) -> bool:
    """A challenge or captcha page served instead of content."""
    return bool(text) and len(text) < 200_000 and bool(BOT_WALL.search(text[:50_000]))


class MentionSpider(scrapy.Spider):
    name = "mentions"
    kind = "auto"  # platform spiders set their parser's KIND

    def __init__(self, url: str, source: str = "extract", kind: str | None = None,
                 follow: bool = True, max_pages: int = 20, vendor_accounts=(),
                 render: bool = False, render_wait_for: str | None = None, **kwargs):  # fmt: skip
        super().__init__(**kwargs)
        self.start_url = url
        # followed links stay on the start URL's host (Scrapy's offsite filtering)
        self.allowed_domains = [urlparse(url).hostname or ""]
        self.source = source
        self.kind = kind or self.kind
        self.follow = follow in (True, "1", "true", "True")
        self.max_pages = int(max_pages)
        self.vendor_accounts = {a.lower() for a in vendor_accounts}
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.pages_requested = 0
        # render = true: a headless browser runs each page's scripts before it is parsed
        self.render_meta = render_meta(render_wait_for) if render in (True, "true") else {}
        self.incremental = None  # set as the spider opens, for stored crawls without --full

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.load_stored_mentions, signal=signals.spider_opened)
        return spider

    def load_stored_mentions(self, spider=None) -> None:
        """Once, as the crawl opens: what this source stored, for the incremental rules."""
        self.incremental = incremental_filter_for(self.crawler, self.source)

    async def start(self):
        yield self.page_request(self.start_url)

    def page_request(self, url: str, followed: bool = False) -> scrapy.Request:
        self.pages_requested += 1
        return scrapy.Request(url, callback=self.parse, errback=self.on_error,
                              meta={"followed": followed, **self.render_meta})  # fmt: skip

    def parse(self, response):
        self.crawler.stats.inc_value("groundswell/pages")
        try:
            parser, mentions, kind = self.read_page(response)
            self.crawler.stats.set_value("groundswell/kind", kind)  # what auto picked
        except (ParseError, ValueError, AttributeError) as error:
            reason = str(error)
            if looks_like_bot_wall(getattr(response, "text", "")):
                self.crawler.stats.inc_value("groundswell/blocked")
                reason = "blocked: the site answered with a bot-protection or captcha page"
            self.record_problem(f"{response.url}: {reason}")
            return
        self.crawler.stats.inc_value("groundswell/parsed", len(mentions))
        if not mentions:
            self.explain_empty(parser, response)
        for mention in mentions:
            yield self.mention_item(mention, kind)
        if self.follow and hasattr(parser, "follow_urls"):
            yield from self.follow_requests(self.links_to_follow(parser, response, mentions))

    def read_page(self, response) -> tuple:
        """(parser, mentions, source kind): the platform's parser, or the page's structure
        where none claims it; a page read only in part is counted and noted."""
        parser = self.parser_for(response)
        if parser is None:
            parser, mentions = parse_unrecognised(response.text, response.url)
        else:
            mentions = parser.parse(response.text, response.url)
        coverage = check_coverage(response.text, response.url, parser.KIND, mentions,
                                  auto=self.kind == "auto")  # fmt: skip
        if coverage.partial:
            self.crawler.stats.inc_value("groundswell/partial")
        if coverage.note:
            self.notes.append(coverage.note)
        return parser, coverage.mentions, coverage.kind

    def links_to_follow(self, parser, response, mentions: list[dict]) -> list[str]:
        links = parser.follow_urls(response.text, response.url)
        if self.incremental is None:
            return links
        return self.incremental.links_to_follow(parser, response.text, response.url,
                                                mentions, links)  # fmt: skip

    def explain_empty(self, parser, response) -> None:
        not_rendered = getattr(parser, "reviews_not_rendered", None)
        if not_rendered and not_rendered(response.text):
            self.crawler.stats.inc_value("groundswell/not_rendered")
            hint = "" if self.render_meta else "; render = true runs the page's scripts"
            self.notes.append(f"{response.url}: no reviews rendered in this page variant "
                              f"(the site shows them with JavaScript or to other clients{hint})")  # fmt: skip

    def parser_for(self, response):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        text = response.text if hasattr(response, "text") else ""
        if self.kind == "auto":
            return detect_parser(response.url, content_type, text)  # None: read by structure
        parser = parser_for_kind(self.kind)
        if not parser.matches(response.url, content_type, text):
            raise ParseError(f"response does not look like a {self.kind!r} page")
        return parser

    def follow_requests(self, urls: list[str]):
        for url in urls:
            if self.pages_requested >= self.max_pages:
                self.crawler.stats.inc_value("groundswell/pages_skipped_max")
                return
            yield self.page_request(url, followed=True)

    def mention_item(self, mention: dict, kind: str) -> MentionItem:
        item = MentionItem(source=self.source, source_kind=kind,
                           fetched_at=datetime.now(timezone.utc).isoformat())  # fmt: skip
        for field in MENTION_FIELDS:
            if field in mention:
                item[field] = mention[field]
        if self.vendor_accounts and (mention.get("author") or "").lower() in self.vendor_accounts:
            self.crawler.stats.inc_value("groundswell/vendor_posts")
        return item

    def on_error(self, failure):
        request = failure.request
        if failure.check(HttpError):
            status = failure.value.response.status
            if status in GONE_STATUSES and request.meta.get("followed"):
                # a thread or page linked from the start page that is gone: normal on live sites
                self.crawler.stats.inc_value("groundswell/followed_gone")
                self.logger.warning("%s: HTTP %s (linked page gone)", request.url, status)
                return
            reason = f"HTTP {status}"
            if status in BLOCKED_STATUSES:
                self.crawler.stats.inc_value("groundswell/blocked")
                reason += " (blocked)"
        else:
            reason = failure.getErrorMessage() or failure.type.__name__
        self.record_problem(f"{request.url}: {reason}")

    def record_problem(self, message: str) -> None:
        self.crawler.stats.inc_value("groundswell/errors")
        self.problems.append(message)
        self.logger.error(message)
