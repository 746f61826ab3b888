"""Hacker News item pages as HTML (news.ycombinator.com/item?id=<id>), the link people paste.

Current layout: the story is ``tr.athing`` (``span.titleline a``, ``a.hnuser``, ``span.age``
whose title holds the ISO time, the text in ``div.toptext``); every comment is
``tr.athing.comtr`` with ``td.ind[indent]`` for its depth, ``a.hnuser``, ``span.age`` and
``div.commtext``. Older pages (to ~2014) give the story in ``td.title``/``td.subtext`` and each
comment as ``td.default`` (``span.comhead`` with the user link and '3 hours ago', the text in
``span.comment``), the depth as the width of the spacer image (40 px a level); their dates are
relative to when the page was fetched. Site ids and permalinks match the ``hackernews`` parser.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import looks_like_question, mention
from groundswell.crawl.parsers.hackernews import ITEM_URL
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.structure import (
    load_page,
    node_text,
    read_date,
    relative_date,
    short_text,
)
from groundswell.crawl.parsers.text import as_text, looks_like_html

KIND = "hackernews_html"

INDENT_PX = 40
_ITEM_LINK = re.compile(r"item\?id=(\d+)")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if not looks_like_html(text):
        return False
    hn = "news.ycombinator.com" in (url or "") or "ycombinator.com" in text[:3000]
    return hn and ('class="athing' in text or 'class="comhead"' in text)


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    page = load_page(as_text(text), url)  # its own tree: comment heads are taken out
    root = page.root
    rows = root.xpath("//tr[contains(concat(' ', @class, ' '), ' comtr ')]")
    story = _story(root, url)
    comments = [_new_comment(row) for row in rows] if rows else _old_comments(root)
    if story is None and not comments:
        raise ParseError("not a Hacker News item page (no story, no comments)")
    out = [story] if story is not None else []
    story_id = (story or {}).get("site_id") or _id_from_url(url)  # a story without an id
    stack: list[tuple[int, str]] = []
    for depth, fields in comments:
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1] if stack else story_id
        stack.append((depth, fields["site_id"]))
        if not fields.get("body"):
            continue  # [deleted] / [flagged] comments keep their place in the tree only
        out.append(
            mention(
                kind="comment",
                url=ITEM_URL.format(fields["site_id"]),
                thread_url=ITEM_URL.format(story_id) if story_id else None,
                parent_site_id=parent,
                **fields,
            )
        )
    return out


def _id_from_url(url: str) -> str | None:
    found = parse_qs(urlsplit(url or "").query).get("id")
    return found[0] if found and found[0].isdigit() else None


def _story(root: Any, url: str) -> dict[str, Any] | None:
    title = root.xpath("//span[@class='titleline']/a | //td[@class='title']/a[contains(@href,'')]")
    subtext = root.xpath("//td[@class='subtext']")
    if not title or not subtext:
        return None
    sub = subtext[0]
    link = sub.xpath(".//a[starts-with(@href,'item?id=')]/@href")
    story_id = _ITEM_LINK.search(link[0]).group(1) if link else _id_from_url(url)
    author = sub.xpath(".//a[starts-with(@href,'user?id=')]")
    text_node = root.xpath("//div[contains(@class,'toptext')]")
    if not text_node:  # old layout: the text is the cell of the row after next
        row = sub.getparent()
        following = row.itersiblings("tr") if row is not None else []
        text_node = [td for tr in following for td in tr.xpath("./td[2]")][:1]
        if text_node and text_node[0].xpath(".//form"):
            text_node = []
    body = node_text(text_node[0]) if text_node else ""
    title_text = short_text(title[0])
    asks = title_text.lower().startswith("ask hn") or looks_like_question(title_text, body)
    item_url = ITEM_URL.format(story_id)
    return mention(
        site_id=story_id,
        kind="question" if asks else "post",
        url=item_url,
        thread_url=item_url,
        author=short_text(author[0]) if author else None,
        title=title_text,
        body=body,
        published_at=_age(sub),
        is_question=asks,
    )


def _age(node: Any) -> str | None:
    age = node.xpath(".//span[contains(@class,'age')]")
    if age:
        stamp = (age[0].get("title") or "").split(" ")[0]
        return read_date(stamp, None) or relative_date(short_text(age[0]))
    return relative_date(short_text(node))


def _new_comment(row: Any) -> tuple[int, dict[str, Any]]:
    indent = row.xpath(".//td[@class='ind']/@indent") or ["0"]
    author = row.xpath(".//a[contains(@class,'hnuser')]")
    text = row.xpath(".//div[contains(@class,'commtext')]")
    return int(indent[0] or 0), {
        "site_id": row.get("id"),
        "author": short_text(author[0]) if author else None,
        "body": _body(text[0]) if text else "",
        "published_at": _age(row),
    }


def _old_comments(root: Any) -> list[tuple[int, dict[str, Any]]]:
    found = []
    for cell in root.xpath("//td[@class='default']"):
        head = cell.xpath(".//span[@class='comhead']")
        if not head:
            continue
        link = head[0].xpath(".//a[starts-with(@href,'item?id=')]/@href")
        if not link:
            continue
        author = head[0].xpath(".//a[starts-with(@href,'user?id=')]")
        spacer = (
            cell.getparent().xpath("./td[1]/img/@width") if cell.getparent() is not None else []
        )
        depth = int(spacer[0]) // INDENT_PX if spacer and spacer[0].isdigit() else 0
        site_id = _ITEM_LINK.search(link[0]).group(1)
        published = relative_date(short_text(head[0]))
        head_block = head[0].getparent()
        if head_block is not None and head_block is not cell:
            head_block.getparent().remove(head_block)  # browsers let <p> escape span.comment
        found.append((depth, {
            "site_id": site_id,
            "author": short_text(author[0]) if author else None,
            "body": _body(cell),
            "published_at": published,
        }))  # fmt: skip
    return found


def _body(node: Any) -> str:
    for reply in node.xpath(".//div[@class='reply'] | .//font[@size='1']"):
        reply.getparent().remove(reply)
    text = node_text(node)
    return "" if text in ("[deleted]", "[flagged]", "[dead]") else text
