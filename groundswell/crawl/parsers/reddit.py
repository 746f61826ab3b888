"""Reddit JSON: Listings of posts (``/new.json``, ``search.json``) and thread JSON.

A thread is ``[Listing(t3 submission), Listing(t1 comments)]`` with replies nested in
``data.replies`` (a Listing, or ``""`` when there are none); ``more`` stubs are skipped.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from groundswell.crawl.parsers import ParseError, each_record
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.text import (
    as_text,
    drop_empty,
    load_json,
    looks_like_json,
    looks_like_question,
    origin,
)

KIND = "reddit"

PUBLIC_ORIGIN = "https://www.reddit.com"
DELETED_AUTHORS = ("[deleted]", "[removed]")  # placeholders, not people: no author
DEFAULT_PAGE_SIZE = "100"

_LISTING = re.compile(r'"kind"\s*:\s*"Listing"')
_THING = re.compile(r'"kind"\s*:\s*"t[13]"')


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if not looks_like_json(text) or not _LISTING.search(text):
        return False
    return bool(_THING.search(text)) or _is_reddit_host(url)


@total
def parse(text: str, url: str) -> list[dict]:
    data = load_json(text, "a Reddit Listing or thread")
    site = mention_origin(url)
    if _is_listing(data):
        return _parse_listing(data, site)
    if _is_thread(data):
        return _parse_thread(data, site)
    raise ParseError("expected a Reddit Listing or a [Listing, Listing] thread")


@total
def follow_urls(text: str, url: str) -> list[str]:
    """Next page of a listing, then the thread JSON of each post that has comments."""
    data = load_json(text, "a Reddit Listing or thread")
    if not _is_listing(data):
        return []
    urls = []
    after = data["data"].get("after")
    if after:
        urls.append(next_page_url(url, after))
    fetch_origin = origin(url) or PUBLIC_ORIGIN
    for post in _things(data, "t3"):
        if _has_permalink(post) and post.get("num_comments", 1) != 0:
            urls.append(thread_json_url(fetch_origin, post["permalink"]))
    return urls


@total
def older_page_urls(text: str, url: str) -> list[str]:
    """The next page of a newest-first listing (``/new.json``, ``sort=new``): older posts."""
    data = load_json(text, "a Reddit Listing or thread")
    after = data["data"].get("after") if _is_listing(data) else None
    if not after or not _newest_first(url):
        return []
    return [next_page_url(url, after)]


@total
def thread_urls(text: str, url: str) -> dict[str, dict]:
    """Each followed thread JSON url → the site id of the post that opens it and how many
    comments the listing says it has."""
    data = load_json(text, "a Reddit Listing or thread")
    if not _is_listing(data):
        return {}
    fetch_origin = origin(url) or PUBLIC_ORIGIN
    return {
        thread_json_url(fetch_origin, post["permalink"]): {
            "site_id": post.get("name"),
            "replies": post.get("num_comments") if type(post.get("num_comments")) is int else None,
        }
        for post in _things(data, "t3")
        if _has_permalink(post) and isinstance(post.get("name"), str)
    }


def _has_permalink(post: dict) -> bool:
    return isinstance(post.get("permalink"), str) and bool(post["permalink"])


def _newest_first(url: str) -> bool:
    parts = urlsplit(url)
    sort = dict(parse_qsl(parts.query)).get("sort")
    return sort == "new" or (sort is None and parts.path.rstrip("/").endswith("/new.json"))


def next_page_url(url: str, after: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for key in ("before", "count"):
        query.pop(key, None)
    query["after"] = after
    query.setdefault("limit", DEFAULT_PAGE_SIZE)
    return urlunsplit(parts._replace(query=urlencode(query)))


def thread_json_url(fetch_origin: str, permalink: str) -> str:
    path = urlsplit(permalink).path.rstrip("/")
    return f"{fetch_origin}{path}.json"


def mention_origin(url: str) -> str:
    """Origin for permalinks: www.reddit.com for Reddit's own hosts, else the url's origin.

    API responses come from oauth.reddit.com or old.reddit.com, but people read
    www.reddit.com; a replayed crawl (loopback) keeps its own origin.
    """
    if _is_reddit_host(url) or not origin(url):
        return PUBLIC_ORIGIN
    return origin(url)


def _is_reddit_host(url: str) -> bool:
    host = urlsplit(url or "").hostname or ""
    return host == "reddit.com" or host.endswith(".reddit.com")


def _is_listing(data: object) -> bool:
    return (
        isinstance(data, dict)
        and data.get("kind") == "Listing"
        and isinstance(data.get("data"), dict)
        and isinstance(data["data"].get("children"), list)
    )


def _is_thread(data: object) -> bool:
    return isinstance(data, list) and len(data) == 2 and all(_is_listing(part) for part in data)


def _things(listing: dict, kind: str) -> list[dict]:
    return [
        child["data"]
        for child in listing["data"]["children"]
        if isinstance(child, dict)
        and child.get("kind") == kind
        and isinstance(child.get("data"), dict)
    ]


def _parse_listing(listing: dict, site: str) -> list[dict]:
    def child_mention(child) -> dict | None:
        if not isinstance(child, dict) or child.get("kind") not in ("t1", "t3"):
            return None
        if not isinstance(child.get("data"), dict):
            raise TypeError(f"{child['kind']} data is a {type(child.get('data')).__name__}")
        if child.get("kind") == "t3":
            return post_mention(child["data"], site)
        if child.get("kind") == "t1":
            return comment_mention(child["data"], site, thread_url=None)
        return None

    return each_record(listing["data"]["children"], child_mention)


def _parse_thread(thread: list, site: str) -> list[dict]:
    submissions, comment_listing = thread
    posts = each_record(_things(submissions, "t3"), lambda post: post_mention(post, site))
    thread_url = posts[0].get("url") if posts else None
    comments = each_record(
        _walk_comments(comment_listing), lambda comment: comment_mention(comment, site, thread_url)
    )
    return posts + comments


def _walk_comments(listing: dict) -> list[dict]:
    """Every t1 in a comment Listing, depth first, in page order; ``more`` stubs skipped."""
    found = []
    for comment in _things(listing, "t1"):
        found.append(comment)
        replies = comment.get("replies")
        if _is_listing(replies):
            found.extend(_walk_comments(replies))
    return found


def post_mention(post: dict, site: str) -> dict:
    title = post.get("title") or ""
    body = post.get("selftext") or ""
    url = permalink_url(site, post.get("permalink")) or post.get("url")
    is_question = looks_like_question(title, body)
    mention = {
        "site_id": post.get("name") or f"t3_{post.get('id')}",
        "kind": "question" if is_question else "post",
        "url": url,
        "thread_url": url,
        "author": author_name(post.get("author")),
        "title": title,
        "body": body,
        "published_at": post.get("created_utc"),
        "is_question": is_question,
        "raw": post,
    }
    return drop_empty(mention)


def comment_mention(comment: dict, site: str, thread_url: str | None) -> dict:
    thread_url = thread_url or _comment_thread_url(comment, site)
    url = permalink_url(site, comment.get("permalink"))
    if not url and thread_url:
        url = f"{thread_url.rstrip('/')}/{comment.get('id')}/"
    raw = {key: value for key, value in comment.items() if key != "replies"}
    mention = {
        "site_id": comment.get("name") or f"t1_{comment.get('id')}",
        "kind": "comment",
        "url": url,
        "thread_url": thread_url,
        "parent_site_id": comment.get("parent_id"),
        "author": author_name(comment.get("author")),
        "body": comment.get("body") or "",
        "published_at": comment.get("created_utc"),
        "raw": raw,
    }
    return drop_empty(mention)


def _comment_thread_url(comment: dict, site: str) -> str | None:
    if comment.get("link_permalink"):
        return permalink_url(site, comment["link_permalink"])
    link_id = comment.get("link_id") or ""
    if link_id.startswith("t3_"):
        return f"{site}/comments/{link_id[3:]}/"
    return None


def permalink_url(site: str, permalink: str | None) -> str | None:
    """Absolute permalink without tracking query (``?ref=search_posts``)."""
    if not permalink:
        return None
    absolute = urljoin(site + "/", permalink)
    return urlunsplit(urlsplit(absolute)._replace(query="", fragment=""))


def author_name(author: str | None) -> str | None:
    if not author or author in DELETED_AUTHORS:
        return None
    return author
