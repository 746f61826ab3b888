"""Apple iTunes / App Store customer reviews RSS, in its JSON form and its Atom (XML) form.

``https://itunes.apple.com/<cc>/rss/customerreviews/[page=N/]id=<app>/sortby=mostrecent/json``:
``feed.entry`` holds the reviews (every value wrapped as ``{"label": ...}``). Some feeds start
with an entry for the app itself (``im:name``, no ``im:rating``); it is skipped. A feed with a
single entry gives ``entry`` as an object instead of a list. The Atom form
(``.../sortby=mostrecent/xml``) has the same entries as ``<entry>`` elements with
``<im:rating>``, ``<author><name>``, ``<content type="text">`` and ``<updated>``; review URLs
are the app's page (the entry's ``link rel="related"``), never built from a bare id.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.text import as_text, drop_empty, load_json, looks_like_json

KIND = "appstore"

RATING_SCALE = 5

_RATING_KEY = re.compile(r'"im:rating"\s*:')
_FEED_KEY = re.compile(r'"feed"\s*:')
_PAGE_IN_PATH = re.compile(r"/page=(\d+)/")
_ATOM_START = re.compile(r"^(?:\ufeff)?\s*(?:<\?[^>]*\?>\s*)?<feed\b", re.IGNORECASE)


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if _ATOM_START.match(text[:2048]):
        return "<im:rating" in text or ("customerreviews" in (url or "") and "<entry" in text)
    if not looks_like_json(text) or not _FEED_KEY.search(text[:256]):
        return False
    return bool(_RATING_KEY.search(text)) or "customerreviews" in text[:4096]


@total
def parse(text: str, url: str) -> list[dict]:
    text = as_text(text)
    if _ATOM_START.match(text[:2048]):
        return atom_reviews(text, url)
    feed = _feed(load_json(text, "an iTunes customer reviews feed"))
    return [review_mention(entry, url) for entry in _entries(feed) if _is_review(entry)]


def atom_reviews(text: str, url: str) -> list[dict]:
    """The Atom form: feedparser reads ``<im:rating>`` as ``im_rating``."""
    import feedparser

    parsed = feedparser.parse(text.encode("utf-8"), response_headers={"content-location": ""})
    if not parsed.get("version") and not parsed.entries:
        raise ParseError("not an App Store reviews Atom feed")
    app_page = _atom_app_page(parsed) or url
    out = []
    for entry in parsed.entries:
        rating = _rating(entry.get("im_rating"))
        if rating is None:
            continue  # the app's own entry
        review_id = (entry.get("id") or "").rsplit("/", 1)[-1] or None
        page = _atom_related(entry) or app_page
        out.append(drop_empty({
            "site_id": review_id,
            "kind": "review",
            "url": f"{page}#review-{review_id}",
            "thread_url": page,
            "author": (entry.get("author") or "").strip() or None,
            "title": entry.get("title"),
            "body": _atom_text(entry),
            "rating": rating,
            "rating_scale": RATING_SCALE,
            "published_at": entry.get("updated") or entry.get("published"),
            "raw": {"version": entry.get("im_version"), "vote_sum": entry.get("im_votesum")},
        }))  # fmt: skip
    return out


def _atom_text(entry: dict) -> str | None:
    for content in entry.get("content") or []:
        if content.get("type") == "text/plain" and content.get("value"):
            return content["value"]
    contents = entry.get("content") or []
    return contents[0].get("value") if contents else entry.get("summary")


def _atom_related(entry: dict) -> str | None:
    for link in entry.get("links") or []:
        if link.get("rel") == "related" and link.get("href"):
            return link["href"]
    return None


def _atom_app_page(parsed) -> str | None:
    for link in parsed.feed.get("links") or []:
        if link.get("rel") == "alternate" and link.get("href"):
            return link["href"]
    return None


@total
def follow_urls(text: str, url: str) -> list[str]:
    """The feed's ``rel=next`` page, moved onto the url's origin and asked for as JSON."""
    if _ATOM_START.match(as_text(text)[:2048]):
        return []
    feed = _feed(load_json(text, "an iTunes customer reviews feed"))
    links = _links(feed)
    next_url = links.get("next")
    if not next_url or _page_number(next_url) > _page_number(links.get("last", next_url)):
        return []
    if not _entries(feed):
        return []
    followed = json_variant(on_origin_of(next_url, url))
    return [] if followed == url else [followed]


@total
def older_page_urls(text: str, url: str) -> list[str]:
    """Feeds asked for ``sortby=mostrecent`` run newest first: the next page is older."""
    return follow_urls(text, url) if "sortby=mostrecent" in url.lower() else []


def on_origin_of(link: str, url: str) -> str:
    """``link`` with the scheme and host of ``url`` (a replay server stays in use)."""
    target = urlsplit(url)
    if not target.scheme or not target.netloc:
        return link
    return urlunsplit(urlsplit(link)._replace(scheme=target.scheme, netloc=target.netloc))


def json_variant(link: str) -> str:
    """Apple's next links ask for ``/xml``; the same page in JSON ends with ``/json``."""
    parts = urlsplit(link)
    if parts.path.endswith("/xml"):
        parts = parts._replace(path=parts.path[: -len("xml")] + "json")
    return urlunsplit(parts)


def _feed(data: object) -> dict:
    if not isinstance(data, dict) or not isinstance(data.get("feed"), dict):
        raise ParseError("expected an iTunes RSS JSON object with a 'feed'")
    return data["feed"]


def _entries(feed: dict) -> list[dict]:
    entries = feed.get("entry") or []
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        raise ParseError("feed.entry is neither a list nor an object")
    return [entry for entry in entries if isinstance(entry, dict)]


def _links(feed: dict) -> dict[str, str]:
    links = feed.get("link") or []
    if isinstance(links, dict):
        links = [links]
    found = {}
    for link in links:
        attributes = (link.get("attributes") or {}) if isinstance(link, dict) else {}
        if attributes.get("rel") and attributes.get("href"):
            found.setdefault(attributes["rel"], attributes["href"])
    return found


def _page_number(link: str) -> int:
    match = _PAGE_IN_PATH.search(urlsplit(link).path + "/")
    return int(match.group(1)) if match else 1


def _is_review(entry: dict) -> bool:
    return label(entry, "im:rating") is not None


def label(entry: dict, *path: str) -> str | None:
    """``entry[path...]["label"]``, or None where any step is missing."""
    node: object = entry
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    if isinstance(node, dict):
        node = node.get("label")
    return node if isinstance(node, str) else None


def review_mention(entry: dict, url: str) -> dict:
    review_id = label(entry, "id")
    review_page = _related_link(entry) or url
    mention = {
        "site_id": review_id,
        "kind": "review",
        "url": f"{review_page}#review-{review_id}",
        "thread_url": review_page,
        "author": label(entry, "author", "name"),
        "title": label(entry, "title"),
        "body": label(entry, "content"),
        "rating": _rating(label(entry, "im:rating")),
        "rating_scale": RATING_SCALE,
        "published_at": label(entry, "updated"),
        "raw": entry,
    }
    return drop_empty(mention)


def _related_link(entry: dict) -> str | None:
    link = entry.get("link")
    if isinstance(link, list):
        link = link[0] if link else None
    if isinstance(link, dict):
        return (link.get("attributes") or {}).get("href")
    return None


def _rating(value: str | None) -> int | float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number
