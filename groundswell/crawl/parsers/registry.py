"""The parser modules, in the order ``--kind auto`` tries them.

Every module listed here exposes:

- ``KIND``: the spider/source kind name (str), e.g. ``"reddit"``;
- ``matches(url: str, content_type: str, text: str) -> bool``: does this response look like ours?
- ``parse(text: str, url: str) -> list[dict]``: mention dicts (keys from ``groundswell.crawl.items.MENTION_FIELDS``);
- optionally ``follow_urls(text: str, url: str) -> list[str]``: absolute URLs a crawl should
  fetch next (next page, thread expansion). ``extract`` never follows; ``crawl`` does.
- optionally ``older_page_urls(text, url) -> list[str]``: those of ``follow_urls`` that page
  a newest-first listing back in time; an incremental crawl does not follow them from a page
  whose mentions are all stored (``groundswell/crawl/incremental.py``);
- optionally ``thread_urls(text, url) -> dict[str, dict]``: thread links of a listing, each
  to ``{"site_id": <the site id of the mention opening it>, "last_activity": <optional>,
  "replies": <optional reply count>}``; these links are fetched under the thread budget and
  recorded in the crawl frontier, and an incremental crawl fetches a thread fetched
  completely before again only while it is recent or the listing shows it changed.

Specific platforms come before generic shapes (schema.org, feeds). A page none of them
claims is read by its structure: ``FALLBACK_MODULES`` (reviews, discussion, article; see
``groundswell/crawl/parsers/fallback.py``), which can also be chosen as kinds.
"""

from __future__ import annotations

import importlib
from types import ModuleType

PARSER_MODULES: list[str] = [
    # specific platforms first, generic last
    "reddit",
    "reddit_html",
    "hackernews",
    "hackernews_html",
    "discourse",
    "appstore",
    "github",
    "lemmy",
    "google_places",
    "disqus",
    "phpbb",
    "xenforo",
    "vbulletin",
    "vanilla",
    "discourse_html",
    "stackexchange",
    "amazon",
    "yelp",
    "lendingtree",
    "google_play",
    "etsy",
    "mastodon",
    "bluesky",
    "trustpilot",
    "yelp_api",
    "feed",
    "schema_org",
]


# Read by the page's structure, for pages no parser above claims (never auto-detected).
FALLBACK_MODULES: list[str] = ["reviews", "discussion", "article"]


def parser_modules() -> list[ModuleType]:
    return [importlib.import_module(f"groundswell.crawl.parsers.{name}") for name in PARSER_MODULES]


def fallback_modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"groundswell.crawl.parsers.{name}") for name in FALLBACK_MODULES
    ]


def parser_for_kind(kind: str) -> ModuleType:
    """The module of ``kind``; only it is imported (a kind is its module's name)."""
    if kind not in known_kinds():
        known = ", ".join(sorted(known_kinds()))
        raise KeyError(f"unknown source kind {kind!r}; known kinds: {known}")
    return importlib.import_module(f"groundswell.crawl.parsers.{kind}")


def detect_parser(url: str, content_type: str, text: str) -> ModuleType | None:
    for module in parser_modules():
        if module.matches(url, content_type, text):
            return module
    return None


def known_kinds() -> set[str]:
    """Every kind, without importing a parser (validating a config stays cheap)."""
    return set(PARSER_MODULES + FALLBACK_MODULES)
