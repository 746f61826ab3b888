"""vBulletin showthread pages: vBulletin 4 (``<meta name="generator" content="vBulletin 4...">``),
vBulletin 3 and 2 (``table#post<ID>`` / ``div#post<ID>``, the message in ``#post_message_<ID>``)
and customised vBulletin 2 boards such as Something Awful's (``table.post#post<ID>`` with
``dt.author``, ``td.postdate`` and ``td.postbody``).

Posts are ``li.postbit*#post_<ID>`` (postbit, postbitlegacy, postbitim) with ``a.username``,
``span.date`` ('04-06-2019, 06:55 AM', or 'Today'/'Yesterday'), an optional per-post
``h2.title``/``h2.posttitle`` and the message in ``div#post_message_<ID>
blockquote.postcontent``. Quotes are ``.bbcode_quote`` boxes (with the source post link in
``.bbcode_postedby``); signatures are ``blockquote.signature`` outside the message.
Dates without a ``span.date`` are read from the post's header text, day first where dotted
(03.03.2011), in the time zone the board declares ("All times are GMT +1").
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
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.structure import DATE_TEXT, page_zone, read_date
from groundswell.crawl.parsers.text import as_text

KIND = "vbulletin"

_POST_ID = re.compile(r"^post_(\d+)$")
_OLD_POST_ID = re.compile(r"^post(\d+)$")
_OLD_POST = re.compile(r'<(?:table|div)[^>]*\bid="post\d+"')


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    if not looks_like_html(text):
        return False
    generator = re.search(r'<meta name="generator" content="vBulletin', text[:20000], re.IGNORECASE)
    vbulletin = bool(generator) or 'id="vbulletin_html"' in text[:5000]
    if vbulletin and 'id="post_message_' in text:
        return True
    showthread = "showthread.php" in text or "showthread.php" in (url or "")
    old_posts = bool(_OLD_POST.search(text)) and (
        'id="post_message_' in text or 'class="postbody"' in text
    )
    return showthread and old_posts


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    text = as_text(text)
    soup = make_soup(text)
    posts = [(_POST_ID.match(n["id"]).group(1), n) for n in soup.find_all("li", id=_POST_ID)]
    if not posts:
        posts = [(_OLD_POST_ID.match(n["id"]).group(1), n)
                 for n in soup.find_all(["table", "div"], id=_OLD_POST_ID)]  # fmt: skip
    if not posts and 'id="post_message_' not in text:
        raise ParseError("not a vBulletin showthread page (no li#post_N)")
    zone = page_zone(text)
    base = base_url(soup, url)
    thread_url = _thread_url(soup, url)
    thread_title = _thread_title(soup)
    first_page = _is_first_page(url)
    out: list[dict[str, Any]] = []
    starter_id: str | None = None
    for index, (post_id, node) in enumerate(posts):
        is_starter = first_page and index == 0
        if is_starter:
            starter_id = post_id
        message = node.find(id=f"post_message_{post_id}") or node.select_one("td.postbody")
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
                published_at=_date(node, message, zone),
            )
        )
    return out


@total
def follow_urls(text: str, url: str) -> list[str]:
    soup = make_soup(text)
    return next_page_links(soup, url, containers=(".pagination", ".prev_next"))


def _author(node: Tag) -> str | None:
    name = node.select_one(
        ".username_container .username, a.username, .username, a.bigusername, dt.author, "
        '[id^="postmenu_"] a'
    )
    if name is None:
        return None
    return inline_text(name) or None


def _date(node: Tag, message: Tag | None, zone) -> Any:
    """The post's date: ``span.date`` (vBulletin 4) or the first date in the post's header
    (vBulletin 2/3 ``td.thead``, ``td.postdate``, custom user panels), outside the message."""
    for stamp in node.select(
        ".posthead span.date, span.date, .postdate, td.thead, dl.userstats dd"
    ):
        found = _date_in(inline_text(stamp), zone) or read_date(inline_text(stamp), zone, False)
        if found:
            return found
    for string in node.find_all(string=DATE_TEXT):
        if message is not None and message in string.parents:
            continue
        found = _date_in(str(string), zone)
        if found:
            return found
    return None


def _date_in(text: str, zone) -> Any:
    match = DATE_TEXT.search(text)
    if match:
        return read_date(match.group(0), zone, dayfirst=False)
    if re.search(r"\b(?:today|yesterday|heute|gestern)\b", text, re.IGNORECASE):
        return parse_date(text)
    return None


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
    for quote in message.select("div.bbc-block, .quote, div.smallfont + table"):
        quote.decompose()
    for noise in message.select("p.editedby, .editedby"):
        noise.decompose()
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
    match = re.search(r"/page(\d+)|[?&](?:page|pagenumber)=(\d+)", url)
    return match is None or (match.group(1) or match.group(2)) == "1"
