"""Bluesky XRPC: ``app.bsky.feed.searchPosts`` ``{posts: [PostView], cursor}``,
``app.bsky.feed.getPostThread`` ``{thread: ThreadViewPost{post, parent?, replies[]}}`` (replies
recursive) and feeds ``{feed: [{post, reply?}], cursor}`` (getAuthorFeed, getFeed).

A PostView has ``uri`` (at://did/app.bsky.feed.post/<rkey>), ``author{handle, displayName}``,
``record{text, createdAt, reply{parent{uri}}}``. Posts that reply are kind "comment" with the
parent's at-uri as ``parent_site_id``. Web URL: bsky.app/profile/<handle>/post/<rkey>.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from groundswell.crawl.parsers import ParseError, each_record
from groundswell.crawl.parsers.common import (
    load_json,
    looks_like_json,
    mention,
    query_param,
    set_query_param,
    sniff_head,
)
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "bluesky"


@never_raises
def matches(url: str, content_type: str, text: Any) -> bool:
    if not looks_like_json(text, content_type):
        return False
    if "/xrpc/app.bsky." in (url or ""):
        return True
    head = sniff_head(text, 20000)
    return '"at://did:' in head and ('"posts"' in head or '"thread"' in head or '"feed"' in head)


@total
def parse(text: Any, url: str) -> list[dict[str, Any]]:
    data = load_json(text)
    if not isinstance(data, dict):
        raise ParseError("Bluesky XRPC response is not a JSON object")
    if "thread" in data:
        views = list(_thread_posts(data["thread"]))
    elif isinstance(data.get("posts"), list):
        views = data["posts"]
    elif isinstance(data.get("feed"), list):
        views = [item.get("post") for item in data["feed"] if isinstance(item, dict)]
    else:
        raise ParseError("not a Bluesky searchPosts/getPostThread/feed response")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for view in views:
        if not _is_post_view(view) or view["uri"] in seen:
            continue
        seen.add(view["uri"])
        out.append(view)
    return each_record(out, _mention)


@total
def follow_urls(text: Any, url: str) -> list[str]:
    data = load_json(text)
    if isinstance(data, dict) and data.get("cursor") and (data.get("posts") or data.get("feed")):
        return [set_query_param(url, "cursor", str(data["cursor"]))]
    return []


@total
def older_page_urls(text: Any, url: str) -> list[str]:
    """Searches (``sort=latest``, the default) and feeds run newest first."""
    return [] if query_param(url, "sort") == "top" else follow_urls(text, url)


def _thread_posts(node: Any) -> Iterator[dict[str, Any]]:
    """Posts of a ThreadViewPost: ancestors (parent chain) first, then the post, then replies."""
    if not isinstance(node, dict):
        return
    chain = []
    parent = node.get("parent")
    while isinstance(parent, dict):
        if isinstance(parent.get("post"), dict):
            chain.append(parent["post"])
        parent = parent.get("parent")
    yield from reversed(chain)
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current.get("post"), dict):
            yield current["post"]
        replies = [r for r in current.get("replies") or [] if isinstance(r, dict)]
        stack.extend(reversed(replies))


def _is_post_view(view: Any) -> bool:
    return isinstance(view, dict) and isinstance(view.get("uri"), str) and "record" in view


def _web_url(view: dict[str, Any]) -> str:
    author = view.get("author") or {}
    rkey = view["uri"].rstrip("/").rsplit("/", 1)[-1]
    who = author.get("handle") or author.get("did") or view["uri"].split("/")[2]
    return f"https://bsky.app/profile/{who}/post/{rkey}"


def _mention(view: dict[str, Any]) -> dict[str, Any]:
    record = view.get("record") or {}
    author = view.get("author") or {}
    parent = ((record.get("reply") or {}).get("parent") or {}).get("uri")
    root = ((record.get("reply") or {}).get("root") or {}).get("uri")
    return mention(
        site_id=view["uri"],
        kind="comment" if parent else "post",
        url=_web_url(view),
        parent_site_id=parent,
        author=author.get("handle"),
        body=(record.get("text") or "").strip(),
        published_at=record.get("createdAt") or view.get("indexedAt"),
        raw={
            "cid": view.get("cid"),
            "display_name": author.get("displayName"),
            "did": author.get("did"),
            "root_uri": root,
            "langs": record.get("langs"),
            "reply_count": view.get("replyCount"),
            "repost_count": view.get("repostCount"),
            "like_count": view.get("likeCount"),
            "quote_count": view.get("quoteCount"),
        },
    )
