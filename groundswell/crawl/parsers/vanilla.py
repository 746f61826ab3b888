"""Vanilla Forums discussion pages (``/discussion/<id>/<slug>``).

The original post is ``div.ItemDiscussion#Discussion_<ID>`` (only on the first page) and the
replies are ``li.ItemComment#Comment_<ID>``; each has ``a.Username``, ``time[datetime]`` inside
``.DateCreated`` and the message in ``.Message.userContent``. Quotes are
``blockquote.Quote``/``.UserQuote``; signatures ``.UserSignature`` sit beside the message.
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
    inline_text,
    link_urls,
    looks_like_html,
    make_soup,
    meta_content,
    next_page_links,
    parse_date,
    text_without,
    with_fragment,
)
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "vanilla"

_ITEM_ID = re.compile(r"^(Discussion|Comment)_(\d+)$")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    if not looks_like_html(text):
        return False
    vanilla = 'id="vanilla_' in text or "gdn.meta" in text or "Vanilla" in text[:200000]
    items = "ItemDiscussion" in text or "ItemComment" in text
    return vanilla and items and "userContent" in text


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    soup = make_soup(text)
    items = [
        node
        for node in soup.find_all(id=_ITEM_ID)
        if {"ItemDiscussion", "ItemComment"} & set(node.get("class") or [])
    ]
    if not items and "ItemComment" not in text:
        raise ParseError("not a Vanilla discussion page (no ItemDiscussion/ItemComment)")
    base = base_url(soup, url)
    thread_url = _thread_url(soup, url)
    title = _title(soup)
    discussion_id = _discussion_id(soup, url)
    out: list[dict[str, Any]] = []
    for node in items:
        kind_name, number = _ITEM_ID.match(node["id"]).groups()
        is_starter = kind_name == "Discussion"
        site_id = f"{kind_name.lower()}/{number}"
        body = _body(node)
        out.append(
            forum_post(
                site_id=site_id,
                is_starter=is_starter,
                url=_permalink(node, base) or with_fragment(thread_url, node["id"]),
                thread_url=thread_url,
                parent_site_id=discussion_id and f"discussion/{discussion_id}",
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
    next_buttons = "#PagerAfter a.Next[href], .Pager a.Next[href]"
    return link_urls(soup, url, next_buttons) or next_page_links(soup, url)


def _author(node: Tag) -> str | None:
    name = node.select_one(".Author a.Username, a.Username, .Username")
    if name is not None and inline_text(name):
        return inline_text(name)
    photo = node.select_one(".Author a.PhotoWrap[title]")
    return photo["title"] if photo is not None else None


def _date(node: Tag) -> Any:
    stamp = node.select_one(".DateCreated time[datetime], time[datetime]")
    if stamp is not None:
        return parse_date(stamp["datetime"])
    stamp = node.select_one(".DateCreated time[title], .DateCreated")
    if stamp is None:
        return None
    return parse_date(stamp.get("title") or inline_text(stamp))


def _body(node: Tag) -> str:
    message = node.select_one(".Message.userContent") or node.select_one(".Message")
    return text_without(
        message, ("blockquote.Quote", "blockquote.UserQuote", ".UserQuote", ".UserSignature")
    )


def _permalink(node: Tag, base: str) -> str | None:
    link = node.select_one(".DateCreated a.Permalink[href], a.Permalink[href]")
    return absolute(base, link["href"]) if link is not None else None


def _title(soup: BeautifulSoup) -> str | None:
    heading = soup.select_one(".PageTitle h1, #Item_0 h1, h1.H")
    if heading is not None and inline_text(heading):
        return inline_text(heading)
    return meta_content(soup, "og:title")


def _discussion_id(soup: BeautifulSoup, url: str) -> str | None:
    node = soup.find(id=re.compile(r"^Discussion_\d+$"))
    if node is not None:
        return node["id"].split("_", 1)[1]
    match = re.search(r"/discussion/(\d+)", canonical_url(soup, url))
    return match.group(1) if match else None


def _thread_url(soup: BeautifulSoup, url: str) -> str:
    return re.sub(r"/p\d+$", "", canonical_url(soup, url))
