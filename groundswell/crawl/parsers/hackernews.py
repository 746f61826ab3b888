"""Hacker News through the Algolia API: ``search`` / ``search_by_date`` hits and ``/items/<id>``.

Search hits are stories (``title``, ``story_text``) or comments (``comment_text``,
``story_title``); an item is a tree whose ``children`` nest recursively.
Permalinks are the public ``news.ycombinator.com/item?id=`` pages (stored, never fetched).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from groundswell.crawl.parsers import ParseError, each_record
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.text import (
    as_text,
    drop_empty,
    html_to_text,
    load_json,
    looks_like_json,
    looks_like_question,
)

KIND = "hackernews"

ITEM_URL = "https://news.ycombinator.com/item?id={}"
STORY_TYPES = ("story", "poll", "job")

ALGOLIA_HOST = "hn.algolia.com"

# Algolia powers many sites; "created_at_i" is what marks the HN index.
_HN_TIMESTAMP = re.compile(r'"created_at_i"\s*:')
_SEARCH_RESULT = re.compile(r'"hits"\s*:\s*\[')
_ITEM_TREE = re.compile(r'"children"\s*:\s*\[')


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if not looks_like_json(text):
        return False
    if _HN_TIMESTAMP.search(text):
        return bool(_SEARCH_RESULT.search(text) or _ITEM_TREE.search(text))
    on_algolia = (urlsplit(url or "").hostname or "").endswith(ALGOLIA_HOST)
    return on_algolia and bool(_SEARCH_RESULT.search(text))


@total
def parse(text: str, url: str) -> list[dict]:
    data = load_json(text, "a Hacker News Algolia")
    if _is_search_result(data):
        return each_record(data["hits"], hit_mention)
    if _is_item(data):
        return each_record([i for i in _walk_item(data) if _has_content(i)], item_mention)
    raise ParseError("expected an Algolia search result (hits) or an /items/<id> tree")


@total
def follow_urls(text: str, url: str) -> list[str]:
    """The next search page while ``page < nbPages - 1``; items have nothing to follow."""
    data = load_json(text, "a Hacker News Algolia")
    if not _is_search_result(data):
        return []
    page, pages = data.get("page"), data.get("nbPages")
    if not isinstance(page, int) or not isinstance(pages, int) or page >= pages - 1:
        return []
    return [with_page(url, page + 1)]


@total
def older_page_urls(text: str, url: str) -> list[str]:
    """``search_by_date`` pages run newest first: the next one holds older items."""
    return follow_urls(text, url) if "/search_by_date" in urlsplit(url).path else []


def with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query["page"] = str(page)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _is_search_result(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("hits"), list)


def _is_item(data: object) -> bool:
    return isinstance(data, dict) and "id" in data and ("children" in data or "type" in data)


def _walk_item(item: dict) -> list[dict]:
    found = [item]
    for child in item.get("children") or []:
        if isinstance(child, dict):
            found.extend(_walk_item(child))
    return found


def _has_content(item: dict) -> bool:
    """Deleted items come back with neither author nor text; their replies are kept."""
    return bool(item.get("text") or item.get("title"))


def hit_mention(hit: dict) -> dict:
    site_id = str(hit.get("objectID"))
    if _hit_is_comment(hit):
        mention = _comment_mention(site_id, hit, body_html=hit.get("comment_text"))
    else:
        mention = _story_mention(
            site_id,
            title=hit.get("title"),
            body_html=hit.get("story_text"),
            tags=hit.get("_tags") or [],
        )
    mention.update(
        author=hit.get("author"),
        published_at=hit.get("created_at") or hit.get("created_at_i"),
        raw={key: value for key, value in hit.items() if key != "_highlightResult"},
    )
    return drop_empty(mention)


def _hit_is_comment(hit: dict) -> bool:
    return "comment" in (hit.get("_tags") or []) or bool(hit.get("comment_text"))


def item_mention(item: dict) -> dict:
    site_id = str(item.get("id"))
    if item.get("type") in STORY_TYPES:
        mention = _story_mention(
            site_id, title=item.get("title"), body_html=item.get("text"), tags=[item["type"]]
        )
    else:
        mention = _comment_mention(site_id, item, body_html=item.get("text"))
    mention.update(
        author=item.get("author"),
        published_at=item.get("created_at") or item.get("created_at_i"),
        raw={key: value for key, value in item.items() if key != "children"},
    )
    return drop_empty(mention)


def _comment_mention(site_id: str, comment: dict, body_html: str | None) -> dict:
    """A comment (search hit or item): its story is the thread, ``parent_id`` its parent."""
    story_id = comment.get("story_id")
    return {
        "site_id": site_id,
        "kind": "comment",
        "url": ITEM_URL.format(site_id),
        "thread_url": ITEM_URL.format(story_id) if story_id else None,
        "parent_site_id": _id_text(comment.get("parent_id")),
        "body": html_to_text(body_html),
    }


def _story_mention(site_id: str, title: str | None, body_html: str | None, tags: list) -> dict:
    title = title or ""
    body = html_to_text(body_html)
    is_question = "ask_hn" in tags or looks_like_question(title, body)
    url = ITEM_URL.format(site_id)
    return {
        "site_id": site_id,
        "kind": "question" if is_question else "post",
        "url": url,
        "thread_url": url,
        "title": title,
        "body": body,
        "is_question": is_question,
    }


def _id_text(value: object) -> str | None:
    return None if value in (None, "") else str(value)
