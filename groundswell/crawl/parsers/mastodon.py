"""Mastodon REST API: timelines (``/api/v1/timelines/tag/<tag>``, public, accounts' statuses)
are JSON arrays of Status objects; ``/api/v1/statuses/<id>/context`` is
``{ancestors: [...], descendants: [...]}``. Status ``content`` is HTML.

Statuses that reply to another (``in_reply_to_id``) are kind "comment" with that parent; boosts
are read as the boosted status. Timelines paginate with the HTTP Link header, which parsers do
not see, so ``follow_urls`` rebuilds the next page as ``max_id=<last status id>``.
"""

from __future__ import annotations

from typing import Any

from groundswell.crawl.parsers import ParseError, each_record
from groundswell.crawl.parsers.common import (
    html_to_text,
    load_json,
    looks_like_json,
    mention,
    set_query_param,
)
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "mastodon"

_STATUS_KEYS = ('"account"', '"content"', '"in_reply_to_id"', '"uri"')


@never_raises
def matches(url: str, content_type: str, text: Any) -> bool:
    if not looks_like_json(text, content_type):
        return False
    if isinstance(text, (dict, list)):
        data = text
        return _is_context(data) or (isinstance(data, list) and bool(data) and _is_status(data[0]))
    head = text[:20000]
    if '"ancestors"' in head and '"descendants"' in head:
        return True
    return text.lstrip().startswith("[") and all(key in head for key in _STATUS_KEYS)


@total
def parse(text: Any, url: str) -> list[dict[str, Any]]:
    data = load_json(text)
    if _is_context(data):
        statuses = list(data.get("ancestors") or []) + list(data.get("descendants") or [])
    elif isinstance(data, list):
        statuses = data
    elif isinstance(data, dict) and _is_status(data):
        statuses = [data]
    else:
        raise ParseError("not a Mastodon status list or status context")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for status in statuses:
        if not _is_status(status):
            continue
        status = status.get("reblog") or status
        if str(status.get("id")) in seen:
            continue
        seen.add(str(status.get("id")))
        out.append(status)
    return each_record(out, _mention)


@total
def follow_urls(text: Any, url: str) -> list[str]:
    data = load_json(text)
    if not isinstance(data, list) or not data or "/timelines/" not in (url or ""):
        return []
    last = data[-1]
    if not isinstance(last, dict) or not last.get("id"):
        return []
    return [set_query_param(url, "max_id", str(last["id"]))]


@total
def older_page_urls(text: Any, url: str) -> list[str]:
    """Timelines run newest first: the ``max_id`` page holds older statuses."""
    return follow_urls(text, url)


def _is_context(data: Any) -> bool:
    return isinstance(data, dict) and "ancestors" in data and "descendants" in data


def _is_status(data: Any) -> bool:
    return isinstance(data, dict) and "content" in data and "account" in data and "id" in data


def _mention(status: dict[str, Any]) -> dict[str, Any]:
    account = status.get("account") or {}
    body = html_to_text(status.get("content"))
    spoiler = (status.get("spoiler_text") or "").strip()
    parent = status.get("in_reply_to_id")
    return mention(
        site_id=status.get("id"),
        kind="comment" if parent else "post",
        url=status.get("url") or status.get("uri"),
        parent_site_id=parent,
        author=account.get("acct") or account.get("username"),
        title=spoiler or None,
        body=body,
        published_at=status.get("created_at"),
        raw={
            "uri": status.get("uri"),
            "display_name": account.get("display_name"),
            "account_url": account.get("url"),
            "language": status.get("language"),
            "tags": [tag.get("name") for tag in status.get("tags") or [] if isinstance(tag, dict)],
            "replies_count": status.get("replies_count"),
            "reblogs_count": status.get("reblogs_count"),
            "favourites_count": status.get("favourites_count"),
        },
    )
