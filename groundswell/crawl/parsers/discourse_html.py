"""Discourse topic pages as served to crawlers / no-JS browsers (``/t/<slug>/<id>``).

Every post is a ``div.crawler-post`` with schema.org microdata ``DiscussionForumPosting``:
``itemprop=author`` > ``itemprop=name``, ``datePublished`` (meta content or time datetime),
``position`` ('#2' or '2') and the cooked HTML in ``itemprop=articleBody`` (older) or
``itemprop=text`` (newer). Quotes are ``aside.quote[data-post]``. Posts have no visible ids, so
``site_id`` is ``<topic id>/<post number>`` and the URL the topic URL plus ``/<post number>``.
The JSON API of Discourse is read by the ``discourse`` module.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Tag

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import (
    canonical_url,
    forum_post,
    inline_text,
    looks_like_html,
    make_soup,
    meta_content,
    next_page_links,
    parse_date,
    text_without,
)
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "discourse_html"

_POSTING = re.compile(r"schema\.org/DiscussionForumPosting$")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    if not looks_like_html(text):
        return False
    discourse = bool(re.search(r'<meta name="generator" content="Discourse', text[:20000]))
    discourse = discourse or "discourse_theme_id" in text[:20000]
    return discourse and "crawler-post" in text


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    soup = make_soup(text)
    posts = _posts(soup)
    if not posts and "crawler-post" not in text:
        raise ParseError("not a Discourse crawler-view topic page (no div.crawler-post)")
    topic_url = _topic_url(soup, url)
    topic_id = _topic_id(topic_url)
    title = _title(soup)
    out: list[dict[str, Any]] = []
    for index, node in enumerate(posts):
        number = _position(node) or str(index + 1)
        is_starter = number == "1"
        quoted = _quoted_number(node)
        body = _body(node)
        site_id = f"{topic_id}/{number}" if topic_id else None
        out.append(
            forum_post(
                site_id=site_id,
                is_starter=is_starter,
                url=f"{topic_url}/{number}",
                thread_url=topic_url,
                parent_site_id=_parent(topic_id, quoted),
                author=_author(node),
                title=title if is_starter else None,
                body=body,
                published_at=_date(node),
            )
        )
    return out


@total
def follow_urls(text: str, url: str) -> list[str]:
    soup = make_soup(text)
    return next_page_links(soup, url)


def _posts(soup: BeautifulSoup) -> list[Tag]:
    posts = [
        node
        for node in soup.find_all(attrs={"itemtype": _POSTING})
        if "crawler-post" in (node.get("class") or []) or node.find(attrs={"itemprop": "author"})
    ]
    return posts or soup.select("div.crawler-post")


def _prop(node: Tag, name: str) -> Tag | None:
    """First ``itemprop=name`` element that belongs to this posting (not a nested item)."""
    for el in node.find_all(attrs={"itemprop": re.compile(rf"(^|\s){name}(\s|$)")}):
        if el.find_parent(attrs={"itemscope": True}) is node:
            return el
    return None


def _author(node: Tag) -> str | None:
    author = _prop(node, "author")
    if author is None:
        return None
    name = author.find(attrs={"itemprop": "name"})
    return inline_text(name or author) or None


def _date(node: Tag) -> Any:
    stamp = _prop(node, "datePublished")
    if stamp is None:
        stamp = node.select_one("time.post-time[datetime]")
    if stamp is None:
        return None
    return parse_date(stamp.get("content") or stamp.get("datetime") or inline_text(stamp))


def _position(node: Tag) -> str | None:
    el = _prop(node, "position")
    if el is not None:
        digits = re.sub(r"\D", "", el.get("content") or inline_text(el))
        if digits:
            return digits
    match = re.match(r"post_(\d+)$", node.get("id") or "")
    return match.group(1) if match else None


def _quoted_number(node: Tag) -> str | None:
    quote = node.select_one("aside.quote[data-post]")
    return quote["data-post"] if quote is not None else None


def _parent(topic_id: str | None, quoted: str | None) -> str | None:
    if not topic_id:
        return None
    return f"{topic_id}/{quoted or 1}"


def _body(node: Tag) -> str:
    content = _prop(node, "articleBody") or _prop(node, "text") or node.select_one("div.post")
    return text_without(content, ("aside.quote", ".lightbox-wrapper .meta", "aside.onebox .source"))


def _title(soup: BeautifulSoup) -> str | None:
    headline = soup.find(attrs={"itemprop": "headline"})
    if headline is not None:
        text = headline.get("content") or inline_text(headline)
        if text:
            return text.strip()
    heading = soup.select_one("#topic-title h1, h1")
    if heading is not None and inline_text(heading):
        return inline_text(heading)
    return meta_content(soup, "og:title")


def _topic_url(soup: BeautifulSoup, url: str) -> str:
    canonical = canonical_url(soup, url).split("?")[0].split("#")[0]
    match = re.match(r"(.*/t/[^/]+/\d+)", canonical) or re.match(r"(.*/t/\d+)", canonical)
    return match.group(1) if match else canonical.rstrip("/")


def _topic_id(topic_url: str) -> str | None:
    match = re.search(r"/t/(?:[^/]+/)?(\d+)$", topic_url)
    return match.group(1) if match else None
