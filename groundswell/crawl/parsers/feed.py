"""RSS 1.0/2.0 and Atom feeds through feedparser: news items, Google Alerts, Reddit's Atom.

Entries are ``article`` mentions, except Reddit entries (ids ``t3_``/``t1_``), which are
posts/questions/comments with the same ``site_id`` the Reddit JSON parser gives.
Google Alerts links are ``https://www.google.com/url?...&url=<real>`` redirects; they are
unwrapped to the real URL.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import feedparser
from bs4 import BeautifulSoup

from groundswell.crawl.parsers import ParseError, each_record
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.text import (
    as_text,
    drop_empty,
    html_to_text,
    looks_like_question,
    single_line,
)

KIND = "feed"

REDDIT_USER_PREFIX = "/u/"
BOILERPLATE_SUMMARIES = ("comments",)

_FEED_START = re.compile(
    r"^(?:\ufeff)?\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<(rss|feed|rdf:RDF)\b",
    re.DOTALL | re.IGNORECASE,
)
# feedparser resolves Reddit's bare ``<id>t3_abc</id>`` against xml:base: "/t3_abc" or a URL.
_REDDIT_FULLNAME = re.compile(r"(?:^|/)(t([13])_[0-9a-z]+)$")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    return bool(_FEED_START.match(as_text(text)[:4096]))


@total
def parse(text: str, url: str) -> list[dict]:
    parsed = parse_feed(text, url)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS/Atom root element"
        raise ParseError(f"not an RSS/Atom feed: {reason}")
    return each_record(parsed.entries, entry_mention)


@total
def follow_urls(text: str, url: str) -> list[str]:
    """An Atom ``rel=next`` link (paged feeds); most feeds have none."""
    parsed = parse_feed(text, url)
    return [
        link["href"]
        for link in parsed.feed.get("links", [])
        if link.get("rel") == "next" and link.get("href")
    ]


@total
def older_page_urls(text: str, url: str) -> list[str]:
    """Paged feeds (RFC 5005) run newest first: ``rel=next`` holds older entries."""
    return follow_urls(text, url)


def parse_feed(text: str | bytes, url: str) -> feedparser.FeedParserDict:
    """feedparser on the body as bytes: given a str, feedparser would fetch it if it
    looked like a URL, or open it if it named a file."""
    body = text if isinstance(text, bytes) else text.encode("utf-8")
    return feedparser.parse(body, response_headers={"content-location": url or ""})


def entry_mention(entry: dict) -> dict:
    link = unwrap_redirect(entry.get("link") or "")
    site_id = entry.get("id") or link
    title = single_line(entry.get("title"))
    mention = {
        "site_id": site_id,
        "url": link or None,
        "thread_url": entry.get("comments"),
        "author": author_name(entry),
        "title": title,
        "published_at": published_at(entry),
        "raw": jsonable(entry),
    }
    reddit_fullname = _REDDIT_FULLNAME.search(site_id or "")
    if reddit_fullname:
        mention["site_id"] = reddit_fullname.group(1)
        mention.update(_reddit_fields(entry, title, is_comment=reddit_fullname.group(2) == "1"))
    else:
        mention.update(kind="article", body=_summary_text(entry))
    return drop_empty(mention)


def _reddit_fields(entry: dict, title: str, is_comment: bool) -> dict:
    """Reddit's Atom content is a table around the self text (``div.md``); keep only that."""
    body = reddit_self_text(_content_html(entry))
    if is_comment:
        return {"kind": "comment", "body": body}
    is_question = looks_like_question(title, body)
    return {
        "kind": "question" if is_question else "post",
        "body": body,
        "thread_url": entry.get("link"),
        "is_question": is_question,
    }


def reddit_self_text(content_html: str) -> str:
    if not content_html:
        return ""
    self_text = BeautifulSoup(content_html, "html.parser").find("div", class_="md")
    return html_to_text(str(self_text)) if self_text else ""


def _content_html(entry: dict) -> str:
    contents = entry.get("content") or []
    if contents:
        return contents[0].get("value") or ""
    return entry.get("summary") or ""


def _summary_text(entry: dict) -> str:
    text = html_to_text(_content_html(entry))
    return "" if text.lower() in BOILERPLATE_SUMMARIES else text


def unwrap_redirect(link: str) -> str:
    """``https://www.google.com/url?...&url=<real>`` → ``<real>``; other links unchanged."""
    parts = urlsplit(link)
    host = parts.hostname or ""
    if not (host.startswith("google.") or ".google." in host) or parts.path != "/url":
        return link
    query = parse_qs(parts.query)
    for key in ("url", "q"):
        if query.get(key) and query[key][0].startswith(("http://", "https://")):
            return query[key][0]
    return link


def author_name(entry: dict) -> str | None:
    author = (entry.get("author") or "").strip()
    author = author.removeprefix(REDDIT_USER_PREFIX)
    return author or None


def published_at(entry: dict) -> str | None:
    """ISO 8601 UTC from feedparser's parsed date; the feed's own string if it could not parse."""
    for key in ("published", "updated", "created"):
        parsed = entry.get(f"{key}_parsed")
        try:
            moment = datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
        except (TypeError, ValueError, OverflowError, OSError):
            continue  # no date, or one no calendar has (year -1)
        return moment.isoformat()
    for key in ("published", "updated", "created"):
        if entry.get(key):
            return entry[key]
    return None


def jsonable(value: object) -> object:
    """feedparser's dicts without the time.struct_time values (not JSON-serialisable)."""
    if isinstance(value, dict):
        return {
            str(key): jsonable(item)
            for key, item in value.items()
            if not str(key).endswith("_parsed")
        }
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
