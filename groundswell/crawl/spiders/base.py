"""``MentionSpider``: fetch a source's URL, hand each response to its platform's parser.

Spiders only parse: the parser modules (``groundswell/crawl/parsers``) turn a response into mention
dicts, the item pipelines validate, normalise and store them. What to follow, under which
budget, is ``CrawlFrontier``'s call (``groundswell/crawl/frontier.py``); the spider yields the
frontier's changes as ``FrontierItem``s. Problems are counted in crawl stats
(``groundswell/errors``) with a one-line reason kept for the ``crawl_runs`` row; ``stops`` say
why pages were not fetched (robots.txt, a redirect off the host, a login wall, a captcha).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlparse

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from groundswell.crawl.frontier import LISTING, THREAD, CrawlFrontier, Fetch
from groundswell.crawl.incremental import incremental_filter_for
from groundswell.crawl.items import MENTION_FIELDS, FrontierItem, MentionItem
from groundswell.crawl.middlewares.offsite_redirect import OffsiteRedirect
from groundswell.crawl.middlewares.reach import OutOfReach
from groundswell.crawl.parsers import RECORD_ERRORS, ParseError, skipped_records
from groundswell.crawl.parsers.fallback import check_coverage, parse_unrecognised
from groundswell.crawl.parsers.limits import DEFAULT_PAGE_CAP, MB, page_cap
from groundswell.crawl.parsers.registry import detect_parser, parser_for_kind
from groundswell.crawl.pipelines.validate import note_item_problem
from groundswell.crawl.reach import Reach
from groundswell.crawl.rendering import render_meta
from groundswell.store import load_frontier, open_db, unfinished

GONE_STATUSES = (404, 410)
BLOCKED_STATUSES = {401: "blocked: the site asks for a login", 403: "blocked: access forbidden"}
PAGE_ERRORS = (ParseError, *RECORD_ERRORS, RecursionError)
BOT_WALL = re.compile(
    r"captcha|are you a robot|are you human|unusual traffic|access denied|cf-chl|"
    r"attention required|verify you are human|bot protection|px-captcha",
    re.IGNORECASE,
)
LOGIN_WALL = re.compile(
    r"type=[\"']?password|(log|sign) ?in to (continue|view|see)|you must be (logged|signed) in|"
    r"login required|please (log|sign) ?in",
    re.IGNORECASE,
)
LISTING_PRIORITY = 1  # listing pages before threads: threads are found early


def looks_like_bot_wall(text: str) -> bool:
    """A challenge or captcha page served instead of content."""
    return bool(text) and len(text) < 200_000 and bool(BOT_WALL.search(text[:50_000]))


def looks_like_login_wall(text: str) -> bool:
    """A login form served instead of content."""
    return bool(text) and len(text) < 500_000 and bool(LOGIN_WALL.search(text[:100_000]))


class MentionSpider(scrapy.Spider):
    name = "mentions"
    kind = "auto"  # platform spiders set their parser's KIND

    def __init__(self, url: str, source: str = "extract", kind: str | None = None,
                 follow: bool = True, max_listing_pages: int = 10, max_thread_pages: int = 300,
                 vendor_accounts=(), render: bool = False, render_wait_for: str | None = None,
                 allowed_hosts=(), **kwargs):  # fmt: skip
        super().__init__(**kwargs)
        self.start_url = url
        # followed links stay on the start URL's host (Scrapy's offsite filtering); every
        # request stays within the source's host and port (ReachMiddleware)
        self.allowed_domains = [urlparse(url).hostname or ""]
        self.reach = Reach.for_source(url, allowed_hosts)
        self.source = source
        self.kind = kind or self.kind
        self.follow = follow in (True, "1", "true", "True")
        self.budgets = (int(max_listing_pages), int(max_thread_pages))
        self.vendor_accounts = {a.lower() for a in vendor_accounts}
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.stops: list[str] = []
        # render = true: a headless browser runs each page's scripts before it is parsed
        self.render_meta = render_meta(render_wait_for) if render in (True, "true") else {}
        self.frontier = CrawlFrontier.with_budgets({}, *self.budgets)
        self.backlog: list[dict] = []

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.open_frontier, signal=signals.spider_opened)
        return spider

    def open_frontier(self, spider=None) -> None:
        """Once, as the crawl opens: the source's frontier and stored mentions (stored crawls)."""
        db_path = self.crawler.settings.get("GROUNDSWELL_DB")
        known = {}
        if db_path and self.follow:
            db = open_db(db_path)
            known, self.backlog = load_frontier(db, self.source), unfinished(db, self.source)
        incremental = incremental_filter_for(self.crawler, self.source)
        self.frontier = CrawlFrontier.with_budgets(known, *self.budgets, incremental,
                                                   stats=self.crawler.stats)  # fmt: skip
        self.crawler.stats.set_value("groundswell/budget/max_listing_pages", self.budgets[0])
        self.crawler.stats.set_value("groundswell/budget/max_thread_pages", self.budgets[1])

    async def start(self):
        fetches, rows = self.frontier.start(self.start_url, self.backlog)
        if rows:
            yield self.frontier_item("requested", rows)
        for fetch in fetches:
            yield self.page_request(fetch)

    def reach_for(self, request) -> Reach | None:
        """What ``request`` may reach (``ReachMiddleware`` asks before sending it)."""
        return self.reach

    def page_request(self, fetch: Fetch) -> scrapy.Request:
        meta = {"role": fetch.role, "thread": fetch.thread, "in_frontier": fetch.in_frontier,
                "frontier_url": fetch.url, "followed": fetch.url != self.start_url,
                **self.render_meta}  # fmt: skip
        priority = LISTING_PRIORITY if fetch.role == LISTING else 0
        return scrapy.Request(fetch.url, callback=self.parse, errback=self.on_error, meta=meta,
                              priority=priority)  # fmt: skip

    def frontier_item(self, action: str, rows: list[dict]) -> FrontierItem:
        return FrontierItem(action=action, source=self.source, rows=rows)

    def parse(self, response):
        self.crawler.stats.inc_value("groundswell/pages")
        cap = self.crawler.settings.getint("GROUNDSWELL_MAX_PAGE_BYTES", DEFAULT_PAGE_CAP)
        if len(response.body) > cap:
            yield from self.over_cap(response.request, f"{len(response.body) / MB:.1f} MB", cap)
            return
        try:
            with skipped_records() as skipped, page_cap(cap):
                parser, mentions, kind = self.read_page(response)
            self.crawler.stats.set_value("groundswell/kind", kind)  # what auto picked
        except PAGE_ERRORS as error:
            reason = self.unreadable_page_reason(response, error)
            self.record_problem(f"{response.url}: {reason}")
            yield from self.page_done(response.request, error=reason)
            return
        self.note_skipped_records(response.url, skipped)
        self.crawler.stats.inc_value("groundswell/parsed", len(mentions))
        if not mentions:
            self.explain_empty(parser, response)
        for mention in mentions:
            yield self.mention_item(mention, kind)
        if self.follow and hasattr(parser, "follow_urls"):
            yield from self.follow_links(parser, response, mentions)
        yield from self.page_done(response.request)

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

    def over_cap(self, request, size: str | None, cap: int):
        """A page over the page cap ([crawl] max_page_mb): noted, counted, not read."""
        self.crawler.stats.inc_value("groundswell/over_cap")
        of_size = f" of {size}" if size else ""
        reason = f"page{of_size} over the {cap / MB:g} MB page cap ([crawl] max_page_mb); not read"
        self.notes.append(f"{request.url}: {reason}")
        yield from self.page_done(request, error=reason)

    def unreadable_page_reason(self, response, error: Exception) -> str:
        text = getattr(response, "text", "")
        if looks_like_bot_wall(text):
            self.crawler.stats.inc_value("groundswell/blocked")
            return "blocked: the site answered with a bot-protection or captcha page"
        if looks_like_login_wall(text):
            self.crawler.stats.inc_value("groundswell/blocked")
            return "blocked: the site answered with a login page"
        return str(error) or type(error).__name__

    def note_skipped_records(self, url: str, skipped: list[str]) -> None:
        if skipped:
            note_item_problem(self.crawler.stats, "invalid/record",
                              f"{url}: {len(skipped)} record(s) of unexpected shape skipped "
                              f"({skipped[0]})", count=len(skipped))  # fmt: skip

    def follow_links(self, parser, response, mentions: list[dict]):
        try:
            links = self.links_on_host(parser.follow_urls(response.text, response.url))
            if response.meta.get("role") == THREAD:
                fetches, rows = self.frontier.from_thread_page(response.meta["thread"], links), []
            else:
                fetches, rows = self.frontier.from_listing(parser, response.text, response.url,
                                                           mentions, links)  # fmt: skip
        except PAGE_ERRORS as error:
            self.record_problem(f"{response.url}: links not followed ({error})")
            return
        if rows:
            yield self.frontier_item("listed", rows)
        for fetch in fetches:
            yield self.page_request(fetch)

    def links_on_host(self, links: list[str]) -> list[str]:
        """The links within the source's reach; the others are counted, not followed."""
        kept = [link for link in links if self.reach.allows(link)]
        if len(kept) < len(links):
            self.crawler.stats.inc_value("groundswell/offsite_links", len(links) - len(kept))
        return kept

    def page_done(self, request, error: str | None = None, gone: bool = False):
        """The frontier update once a page (or the last page of a thread) is done."""
        meta = request.meta
        if meta.get("role") == THREAD and meta.get("thread"):
            update = self.frontier.thread_page_done(meta["thread"], error, gone)
            if update:
                action, row = update
                yield self.frontier_item(action, [row])
        elif meta.get("in_frontier"):
            row = {"url": meta["frontier_url"], "kind": "page"}
            if error:
                yield self.frontier_item("failed", [{**row, "error": error,
                                                     "state": "gone" if gone else "error"}])  # fmt: skip
            else:
                yield self.frontier_item("fetched", [row])

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

    def mention_item(self, mention: dict, kind: str) -> MentionItem:
        item = MentionItem(source=self.source, source_kind=kind,
                           fetched_at=datetime.now(timezone.utc).isoformat())  # fmt: skip
        for field in MENTION_FIELDS:
            if field in mention:
                item[field] = mention[field]
        author = mention.get("author")
        if isinstance(author, str) and author.lower() in self.vendor_accounts:
            self.crawler.stats.inc_value("groundswell/vendor_posts")
        return item

    def on_error(self, failure):
        request = failure.request
        gone = False
        if failure.check(HttpError):
            status = failure.value.response.status
            gone = status in GONE_STATUSES
            if gone and request.meta.get("followed"):
                # a thread or page linked from the start page that is gone: normal on live sites
                self.crawler.stats.inc_value("groundswell/followed_gone")
                self.logger.warning("%s: HTTP %s (linked page gone)", request.url, status)
                yield from self.page_done(request, error=f"HTTP {status}", gone=True)
                return
            reason = f"HTTP {status}"
            if status in BLOCKED_STATUSES:
                self.crawler.stats.inc_value("groundswell/blocked")
                reason += f" ({BLOCKED_STATUSES[status]})"
            self.record_problem(f"{request.url}: {reason}")
        elif failure.check(IgnoreRequest):
            reason = self.refusal_reason(failure.value, request)
        elif "download max size" in failure.getErrorMessage():  # DOWNLOAD_MAXSIZE: the cap
            cap = self.crawler.settings.getint("GROUNDSWELL_MAX_PAGE_BYTES", DEFAULT_PAGE_CAP)
            yield from self.over_cap(request, None, cap)
            return
        else:
            reason = failure.getErrorMessage() or failure.type.__name__
            self.record_problem(f"{request.url}: {reason}")
        yield from self.page_done(request, error=reason, gone=gone)

    def refusal_reason(self, refusal: IgnoreRequest, request) -> str:
        """A request the crawl itself refused (robots.txt, a redirect off the host): a stop
        with its reason; the start page refused is a blocked (robots) or failed crawl."""
        followed = request.meta.get("followed")
        if isinstance(refusal, (OffsiteRedirect, OutOfReach)):
            reason = str(refusal)
            if not followed:
                self.record_problem(reason)
                return reason
        elif "robots.txt" in str(refusal):
            reason = f"robots.txt disallows {request.url} for our user agent"
            self.crawler.stats.inc_value("groundswell/robots_refused")
            if not followed:
                self.crawler.stats.inc_value("groundswell/blocked")
        else:
            reason = f"{request.url}: not fetched ({refusal})"
        self.stops.append(reason)
        if followed:
            self.crawler.stats.inc_value("groundswell/followed_refused")
        return reason

    def record_problem(self, message: str) -> None:
        self.crawler.stats.inc_value("groundswell/errors")
        self.problems.append(message)
        self.logger.error(message)
