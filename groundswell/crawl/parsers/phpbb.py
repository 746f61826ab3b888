"""phpBB 3 topic pages (viewtopic.php): prosilver and its many derived themes, subsilver2.

prosilver-like: every post is ``div.post#p<ID>`` holding ``.postbody`` (``p.author`` with the
poster link and the date after '»', ``div.content``, ``div.signature``) and ``dl.postprofile``.
subsilver2: table rows with ``<a name="p<ID>">``, ``b.postauthor``, ``div.postbody``.
Quotes (``blockquote``) and signatures are left out of the body. Times without an offset are
in the time zone the board declares ("All times are UTC+09:00"), else taken as UTC.
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
    looks_like_html,
    make_soup,
    next_page_links,
    parse_date,
    query_param,
    strip_session,
    text_without,
    with_fragment,
)
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.structure import page_zone, with_zone

KIND = "phpbb"

_POST_ID = re.compile(r"^p(\d+)$")
_PROFILE_LINK = 'a[href*="mode=viewprofile"]'


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    if not looks_like_html(text):
        return False
    phpbb = 'id="phpbb"' in text or "phpBB" in text or "viewtopic.php" in (url or "")
    posts = 'class="postbody' in text and ("viewtopic.php" in text or "memberlist.php" in text)
    return phpbb and posts


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    soup = make_soup(text)
    posts = _prosilver_posts(soup) or _subsilver_posts(soup)
    if not posts and 'class="postbody' not in str(text):
        raise ParseError("not a phpBB topic page (no div.post / postbody)")
    thread_url = _thread_url(soup, url)
    topic_title = _topic_title(soup)
    base = base_url(soup, url)
    first_page = _is_first_page(soup, url)
    zone = page_zone(text if isinstance(text, str) else str(text))  # "All times are UTC+09:00"
    out: list[dict[str, Any]] = []
    starter_id: str | None = None
    for index, (post_id, node, style) in enumerate(posts):
        fields = _prosilver_fields(node) if style == "prosilver" else _subsilver_fields(node)
        is_starter = first_page and index == 0
        if is_starter:
            starter_id = post_id
        title = fields["subject"]
        if is_starter:
            title = topic_title or title
        elif title and title.lower().startswith("re:"):
            title = None
        scope = node if style == "prosilver" else (node.find_parent("tr") or node)
        permalink = _permalink(scope, base, post_id) or with_fragment(thread_url, f"p{post_id}")
        out.append(
            forum_post(
                site_id=post_id,
                is_starter=is_starter,
                url=permalink,
                thread_url=thread_url,
                parent_site_id=fields["quoted"] or starter_id,
                author=fields["author"],
                title=title,
                body=fields["body"],
                published_at=with_zone(fields["date"], zone),
            )
        )
    return out


@total
def follow_urls(text: str, url: str) -> list[str]:
    soup = make_soup(text)
    return next_page_links(soup, url, containers=(".pagination", ".pagination li.next"))


# --------------------------------------------------------------------------- prosilver


def _prosilver_posts(soup: BeautifulSoup) -> list[tuple[str, Tag, str]]:
    posts = []
    for node in soup.find_all(id=_POST_ID):
        if "post" in (node.get("class") or []) and node.name != "a":
            posts.append((_POST_ID.match(node["id"]).group(1), node, "prosilver"))
    return posts


def _prosilver_fields(node: Tag) -> dict[str, Any]:
    author_line = node.select_one("p.author") or node.select_one(".author")
    return {
        "author": _prosilver_author(node, author_line),
        "date": _prosilver_date(node, author_line),
        "subject": _subject(node),
        "quoted": _quoted_post(node),
        "body": _body(node.select_one("div.content") or node.select_one(".postbody")),
    }


def _prosilver_author(node: Tag, author_line: Tag | None) -> str | None:
    for scope in (author_line, node.select_one(".postprofile"), node):
        if scope is None:
            continue
        for link in scope.select(f"{_PROFILE_LINK}, a.username, a.username-coloured"):
            name = inline_text(link)
            if name:
                return name
        name_span = scope.select_one("span.username, span.username-coloured")
        if name_span is not None and inline_text(name_span):
            return inline_text(name_span)
    if author_line is not None:  # guests: "by Name » date"
        match = re.search(r"(?:^|\s)\S+\s+(.+?)\s*»", inline_text(author_line))
        if match:
            return match.group(1)
    return None


def _prosilver_date(node: Tag, author_line: Tag | None) -> Any:
    scopes = [s for s in (author_line, node) if s is not None]
    for scope in scopes:
        stamp = scope.find("time", attrs={"datetime": True})
        if stamp is not None:
            return parse_date(stamp["datetime"])
    if node.get("data-date"):
        return parse_date(node["data-date"])
    if author_line is not None:
        text = inline_text(author_line)
        if "»" in text:
            return parse_date(text.rsplit("»", 1)[1])
        found = parse_date(text)
        if found:
            return found
    for selector in (".lastpost__date", ".post-date", ".date"):
        el = node.select_one(selector)
        if el is not None and parse_date(inline_text(el)):
            return parse_date(inline_text(el))
    return None


def _subject(node: Tag) -> str | None:
    heading = node.select_one(".postbody h3") or node.select_one("h3")
    return inline_text(heading) or None if heading is not None else None


# --------------------------------------------------------------------------- subsilver2


def _subsilver_posts(soup: BeautifulSoup) -> list[tuple[str, Tag, str]]:
    posts = []
    for anchor in soup.find_all("a", attrs={"name": _POST_ID}):
        if anchor.find_parent("tr") is None:
            continue
        posts.append((_POST_ID.match(anchor["name"]).group(1), anchor, "subsilver"))
    return posts


def _subsilver_fields(anchor: Tag) -> dict[str, Any]:
    row = anchor.find_parent("tr")
    author = row.select_one("b.postauthor, .postauthor") if row is not None else None
    author = author or anchor.find_next(class_="postauthor")
    details = anchor.find_next(string=re.compile(r"Posted:|Inviato:|Verfasst:|Posté:"))
    date = None
    if details is not None:
        holder = details.find_parent(["div", "td", "span"]) or details.parent
        date = parse_date(re.split(r"Posted:|Inviato:|Verfasst:|Posté:", inline_text(holder))[-1])
    body = anchor.find_next("div", class_="postbody")
    subject = None
    subject_label = anchor.find_next(string=re.compile(r"Post subject:"))
    if subject_label is not None and subject_label.parent is not None:
        link = subject_label.find_next("a")
        subject = inline_text(link) or None if link is not None else None
    return {
        "author": inline_text(author) or None if author is not None else None,
        "date": date,
        "subject": subject,
        "quoted": _quoted_post(body) if body is not None else None,
        "body": _body(body),
    }


# --------------------------------------------------------------------------- shared


def _quoted_post(node: Tag | None) -> str | None:
    """Post id of the first quote that links back to its source post (phpBB 3.2+)."""
    if node is None:
        return None
    for quote in node.select("blockquote"):
        for link in quote.select("cite a[href], a[data-post-id]"):
            if link.get("data-post-id"):
                return str(link["data-post-id"])
            post = query_param(link["href"].replace("&amp;", "&"), "p")
            if post and post.isdigit():
                return post
    return None


def _body(node: Tag | None) -> str:
    return text_without(
        node,
        (
            "blockquote",
            ".quotetitle",
            ".quotecontent",
            "div.signature",
            ".signature",
            ".codebox > p",
            ".codebox > .codebox-header",
            "ul.post-buttons",
            ".notice",
            "div.inline-attachment dl.file dd",
        ),
    )


def _permalink(node: Tag, base: str, post_id: str) -> str | None:
    for link in node.select("a[href]"):
        href = link["href"]
        if "viewtopic.php" in href and re.search(rf"[?&]p={post_id}\b", href):
            return strip_session(absolute(base, href))
    return None


def _topic_title(soup: BeautifulSoup) -> str | None:
    for selector in ("h2.topic-title", "#page-body h2", "h2", "h1"):
        for heading in soup.select(selector):
            link = heading.find("a", href=re.compile(r"viewtopic\.php"))
            if link is not None and inline_text(link):
                return inline_text(link)
    title = soup.find("title")
    if title is None:
        return None
    text = inline_text(title)
    text = re.sub(r"\s*\(View topic\)\s*$", "", text)
    return re.split(r"\s+(?:•|-|–|\|)\s+", text)[0] or None


def _thread_url(soup: BeautifulSoup, url: str) -> str:
    canonical = canonical_url(soup, url)
    return strip_session(canonical) or url


def _is_first_page(soup: BeautifulSoup, url: str) -> bool:
    start = query_param(url, "start")
    if start and start.strip("0"):
        return False
    current = soup.select_one(".pagination li.active span, .pagination strong")
    if current is not None and inline_text(current).isdigit():
        return inline_text(current) == "1"
    return True
