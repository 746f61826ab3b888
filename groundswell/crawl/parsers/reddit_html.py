"""Old Reddit thread pages (old.reddit.com/r/<sub>/comments/<id>/...) as HTML.

Every post is a ``div.thing``: the submission ``data-type="link"`` (``a.title``, the self text
in ``.expando .md``), each comment ``data-type="comment"`` with ``data-fullname`` (``t1_…``),
``data-author``, ``time[datetime]`` and its text in ``.usertext-body .md``. Replies nest in
the comment's ``div.child``. Site ids are the fullnames the JSON API gives (``t3_``/``t1_``).
"""

from __future__ import annotations

from typing import Any

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import looks_like_question, mention
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.reddit import DELETED_AUTHORS, PUBLIC_ORIGIN
from groundswell.crawl.parsers.structure import cached_page, node_text, read_date, short_text
from groundswell.crawl.parsers.text import as_text, looks_like_html

KIND = "reddit_html"


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if not looks_like_html(text):
        return False
    return 'data-type="comment"' in text and "data-fullname=" in text and "reddit" in text[:20000]


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    page = cached_page(as_text(text), url)
    things = page.root.xpath("//div[contains(concat(' ', @class, ' '), ' thing ')][@data-fullname]")
    if not things:
        raise ParseError("not an old Reddit thread page (no div.thing)")
    out: list[dict[str, Any]] = []
    thread_url = None
    for thing in things:
        kind = thing.get("data-type")
        if kind == "link" and thread_url is None:
            post = _submission(thing)
            thread_url = post.get("url")
            out.append(post)
        elif kind == "comment":
            comment = _comment(thing, thread_url)
            if comment is not None:
                out.append(comment)
    return out


def _permalink(thing: Any) -> str | None:
    link = thing.get("data-permalink")
    if not link:
        found = thing.xpath(".//a[contains(@class, 'bylink')]/@href")
        link = found[0] if found else None
    if not link:
        return None
    return link if link.startswith("http") else PUBLIC_ORIGIN + link


def _author(thing: Any) -> str | None:
    author = thing.get("data-author")
    if not author:
        found = thing.xpath("./div[contains(@class,'entry')]//a[contains(@class,'author')]")
        author = short_text(found[0]) if found else None
    return None if not author or author in DELETED_AUTHORS else author


def _date(thing: Any) -> str | None:
    found = thing.xpath("./div[contains(@class,'entry')]//time/@datetime")
    return read_date(found[0], None) if found else None


def _submission(thing: Any) -> dict[str, Any]:
    title = thing.xpath(".//a[contains(concat(' ', @class, ' '), ' title ')]")
    title_text = short_text(title[0]) if title else None
    body = thing.xpath(".//div[contains(@class,'expando')]//div[contains(@class,'md')]")
    text = node_text(body[0]) if body else ""
    url = _permalink(thing)
    asks = looks_like_question(title_text, text)
    return mention(
        site_id=thing.get("data-fullname"),
        kind="question" if asks else "post",
        url=url,
        thread_url=url,
        author=_author(thing),
        title=title_text,
        body=text,
        published_at=_date(thing),
        is_question=asks,
    )


def _comment(thing: Any, thread_url: str | None) -> dict[str, Any] | None:
    body = thing.xpath("./div[contains(@class,'entry')]//div[contains(@class,'usertext-body')]"
                       "//div[contains(@class,'md')]")  # fmt: skip
    text = node_text(body[0]) if body else ""
    if not text:
        return None
    parent = thing.getparent()
    while parent is not None and "thing" not in (parent.get("class") or "").split():
        parent = parent.getparent()
    parent_id = parent.get("data-fullname") if parent is not None else None
    if parent_id is None or not parent_id.startswith("t1_"):
        parent_id = _link_id(thing) or parent_id
    url = _permalink(thing) or (f"{thread_url.rstrip('/')}/{thing.get('data-fullname', '')[3:]}/"
                                if thread_url else None)  # fmt: skip
    return mention(
        site_id=thing.get("data-fullname"),
        kind="comment",
        url=url,
        thread_url=thread_url,
        parent_site_id=parent_id,
        author=_author(thing),
        body=text,
        published_at=_date(thing),
    )


def _link_id(thing: Any) -> str | None:
    """The submission a top-level comment answers: the page's link thing."""
    links = thing.xpath("//div[@data-type='link']/@data-fullname")
    return links[0] if links else None
