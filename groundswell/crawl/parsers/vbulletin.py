"""vBulletin 4 showthread pages (``<meta name="generator" content="vBulletin 4...">``).

Posts are ``li.postbit*#post_<ID>`` (postbit, postbitlegacy, postbitim) with ``a.username``,
``span.date`` ('04-06-2019, 06:55 AM', or 'Today'/'Yesterday'), an optional per-post
``h2.title``/``h2.posttitle`` and the message in ``div#post_message_<ID>
blockquote.postcontent``. Quotes are ``.bbcode_quote`` boxes (with the source post link in
``.bbcode_postedby``); signatures are ``blockquote.signature`` outside the message.
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
    element_text,
    forum_post,
    inline_text,
    looks_like_html,
    make_soup,
    meta_content,
    next_page_links,
    parse_date,
    query_param,
    strip_session,
    with_fragment,
)

KIND = "vbulletin"

_POST_ID = re.compile(r"^post_(\d+)$")


def matches(url: str, content_type: str, text: str) -> bool:
    if not looks_like_html(text):
        return False
    generator = re.search(r'<meta name="generator" content="vBulletin', text[:20000], re.IGNORECASE)
    vbulletin = bool(generator) or 'id="vbulletin_html"' in text[:5000]
    return vbulletin and 'id="post_message_' in text


def parse(text: str, url: str) -> list[dict[str, Any]]:
    soup = make_soup(text)
    posts = [node for node in soup.find_all("li", id=_POST_ID)]
    if not posts and 'id="post_message_' not in text:
        raise ParseError("not a vBulletin showthread page (no li#post_N)")
    base = base_url(soup, url)
    thread_url = _thread_url(soup, url)
    thread_title = _thread_title(soup)
    first_page = _is_first_page(url)
    out: list[dict[str, Any]] = []
    starter_id: str | None = None
    for index, node in enumerate(posts):
        post_id = _POST_ID.match(node["id"]).group(1)
        is_starter = first_page and index == 0
        if is_starter:
            starter_id = post_id
        message = node.find(id=f"post_message_{post_id}")
        quoted = _quoted_post(message)
        body = _body(message)
        title = _post_title(node)
        if is_starter:
            title = thread_title or title
        elif title and title.lower().startswith("re:"):
            title = None
        out.append(
            forum_post(
                site_id=post_id,
                is_starter=is_starter,
                url=_permalink(node, base, post_id) or with_fragment(thread_url, f"post{post_id}"),
                thread_url=thread_url,
                parent_site_id=quoted or starter_id,
                author=_author(node),
                title=title,
                body=body,
                published_at=_date(node),
            )
        )
    return out


def follow_urls(text: str, url: str) -> list[str]:
    soup = make_soup(text)
    return next_page_links(soup, url, containers=(".pagination", ".prev_next"))


def _author(node: Tag) -> str | None:
    name = node.select_one(".username_container .username, a.username, .username")
    if name is None:
        return None
    return inline_text(name) or None


def _date(node: Tag) -> Any:
    stamp = node.select_one(".posthead span.date, span.date, .postdate")
    return parse_date(inline_text(stamp)) if stamp is not None else None


def _post_title(node: Tag) -> str | None:
    heading = node.select_one("h2.posttitle, h2.title")
    text = inline_text(heading) if heading is not None else ""
    return text or None


def _quoted_post(message: Tag | None) -> str | None:
    if message is None:
        return None
    for posted_by in message.select(".bbcode_postedby"):
        link = posted_by.find("a", href=True)
        if link is None:
            continue
        post = query_param(link["href"], "p")
        match = re.search(r"#post(\d+)", link["href"])
        if post and post.isdigit():
            return post
        if match:
            return match.group(1)
    return None


def _body(message: Tag | None) -> str:
    if message is None:
        return ""
    for quote in message.select(".bbcode_quote"):
        container = quote.find_parent(class_="bbcode_container")
        (container if container is not None and message in container.parents else quote).decompose()
    for signature in message.select("blockquote.signature, .signaturecontainer"):
        signature.decompose()
    content = message.select_one("blockquote.postcontent") or message
    return element_text(content)


def _permalink(node: Tag, base: str, post_id: str) -> str | None:
    for link in node.select("a.postcounter[href], a[href]"):
        href = link["href"]
        if re.search(rf"[?&]p={post_id}\b|#post{post_id}\b", href):
            return strip_session(absolute(base, href))
    return None


def _thread_title(soup: BeautifulSoup) -> str | None:
    for selector in ("span.threadtitle", "#pagetitle .threadtitle", "h1"):
        el = soup.select_one(selector)
        if el is not None and inline_text(el):
            return re.sub(r"^Thread:\s*", "", inline_text(el))
    return meta_content(soup, "og:title")


def _thread_url(soup: BeautifulSoup, url: str) -> str:
    canonical = canonical_url(soup, url)
    return re.sub(r"/page\d+(?=$|[?&#])", "", canonical)


def _is_first_page(url: str) -> bool:
    match = re.search(r"/page(\d+)|[?&]page=(\d+)", url)
    return match is None or (match.group(1) or match.group(2)) == "1"
