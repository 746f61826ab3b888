"""Name a redirect off the source's host instead of dropping it without a word.

Scrapy follows a redirect by scheduling a new request, which its offsite filter then drops
silently: a start page that moved to another host ended as an ``empty`` crawl with no reason.
This middleware sits before Scrapy's redirect middleware and turns such a redirect into an
``IgnoreRequest`` naming both URLs, which reaches the request's errback (and so the crawl_runs
message).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
REDIRECT_ORDER = 650  # process_response runs before RedirectMiddleware's (600)


class OffsiteRedirect(IgnoreRequest):
    """A redirect to a host the crawl does not follow."""

    def __init__(self, url: str, target: str):
        super().__init__(f"redirected off the source's host: {url} -> {target}")
        self.url, self.target = url, target


def on_host(url: str, domains: list[str]) -> bool:
    """Scrapy's offsite rule: the host is one of ``domains`` or a subdomain of one."""
    host = urlsplit(url).hostname or ""
    return not domains or any(host == d or host.endswith(f".{d}") for d in domains if d)


class OffsiteRedirectMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        location = response.headers.get("Location")
        if response.status not in REDIRECT_STATUSES or not location or request.dont_filter:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        domains = list(getattr(self.crawler.spider, "allowed_domains", None) or [])
        if on_host(target, domains):
            return response
        self.crawler.stats.inc_value("groundswell/offsite_redirects")
        raise OffsiteRedirect(request.url, target)
