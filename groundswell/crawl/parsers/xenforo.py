"""XenForo 2 thread pages (``/threads/<slug>.<id>/``, ``data-template="thread_view"``).

Every post is ``article.message--post[data-content="post-<ID>"][data-author]`` with the date in
``time.u-dt[datetime]`` of ``.message-attribution``, the body in ``.message-body .bbWrapper``
(quotes are ``.bbCodeBlock--quote`` and name their source post) and the signature in
``.message-signature`` (outside the body).
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Tag

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import (
    absolute,
    base_url,
    canonical_url,
    forum_post,
    has_class,
    inline_text,
    link_urls,
    looks_like_html,
    make_soup,
    next_page_links,
    parse_date,
    text_without,
    with_fragment,
)
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "xenforo"

_POST_KEY = re.compile(r"^post-(\d+)$")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    if not looks_like_html(text):
        return False
    xenforo = 'id="XF"' in text or "data-xf-init" in text
    return xenforo and "message--post" in text and 'data-content="post-' in text


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    soup = make_soup(text)
    posts = [
        node
        for node in soup.find_all(attrs={"data-content": _POST_KEY})
        if has_class(node, "message--post") or "message" in (node.get("class") or [])
    ]
    if not posts and "message--post" not in text:
        raise ParseError("not a XenForo thread page (no article.message--post)")
    base = base_url(soup, url)
    thread_url = _thread_url(soup, url)
    title = inline_text(soup.select_one("h1.p-title-value")) or None
    first_page = not re.search(r"/page-(\d+)", url) or bool(re.search(r"/page-1/?$", url))
    out: list[dict[str, Any]] = []
    starter_id: str | None = None
    for index, node in enumerate(posts):
        post_id = _POST_KEY.match(node["data-content"]).group(1)
        is_starter = first_page and index == 0
        if is_starter:
            starter_id = post_id
        body_node = node.select_one(".message-body .bbWrapper") or node.select_one(".bbWrapper")
        quoted = _quoted_post(body_node)
        body = _body(body_node)
        out.append(
            forum_post(
                site_id=post_id,
                is_starter=is_starter,
                url=_permalink(node, base, post_id) or with_fragment(thread_url, f"post-{post_id}"),
                thread_url=thread_url,
                parent_site_id=quoted or starter_id,
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
    return link_urls(soup, url, "a.pageNav-jump--next[href]") or next_page_links(soup, url)


def _author(node: Tag) -> str | None:
    if node.get("data-author"):
        return node["data-author"].strip() or None
    name = node.select_one(".message-name .username, .username")
    return inline_text(name) or None if name is not None else None


def _date(node: Tag) -> Any:
    for selector in (".message-attribution time[datetime]", "time.u-dt[datetime]", "time"):
        stamp = node.select_one(selector)
        if stamp is None:
            continue
        if stamp.get("datetime"):
            return parse_date(stamp["datetime"])
        if stamp.get("data-time"):
            return int(stamp["data-time"])
    return None


def _quoted_post(body: Tag | None) -> str | None:
    if body is None:
        return None
    for quote in body.select(".bbCodeBlock--quote, blockquote"):
        source = quote.select_one("[data-content-selector]")
        if source is not None:
            match = re.search(r"post-(\d+)", source["data-content-selector"])
            if match:
                return match.group(1)
        link = quote.select_one('a[href*="/goto/post"], a[href*="/posts/"]')
        if link is not None:
            match = re.search(r"(?:id=|/posts/)(\d+)", link["href"])
            if match:
                return match.group(1)
    return None


def _body(body: Tag | None) -> str:
    quotes = (".bbCodeBlock--quote", "blockquote.bbCodeBlock--quote", ".bbCodeBlock-expandLink")
    return text_without(body, (*quotes, ".bbCodeBlock-title"))


def _permalink(node: Tag, base: str, post_id: str) -> str | None:
    for link in node.select(".message-attribution a[href], .message-date a[href], a[href]"):
        href = link["href"]
        if re.search(rf"/post-{post_id}\b|/posts/{post_id}\b", href):
            return absolute(base, href)
    return None


def _thread_url(soup: BeautifulSoup, url: str) -> str:
    canonical = canonical_url(soup, url)
    return re.sub(r"page-\d+/?$", "", canonical)
