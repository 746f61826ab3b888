"""Any forum thread or comment section, read by the structure of the page (no platform parser).

The page's repeated post blocks (``structure.find_blocks``) are its posts: the first opens the
thread (a "post", or a "question" when it asks), the others are comments under the block they
are nested in, else under the first. A comment section under an article (blocks in a
"comments" container) gives the article itself (``article.article_mention``) and its comments.
"""

from __future__ import annotations

import re
from typing import Any

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import looks_like_question, mention
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.structure import (
    BlockFields,
    Group,
    Page,
    block_fields,
    cached_page,
    classes_of,
    find_blocks,
    page_title,
    parent_block,
)
from groundswell.crawl.parsers.text import as_text, looks_like_html, looks_like_json

KIND = "discussion"

COMMENT_SECTION = re.compile(r"comment|kommentar|komment|reaction|respons|disqus|replies", re.I)
FORUM_WORDS = re.compile(r"post|message|forum|thread|topic|beitrag", re.I)
ANSWER_WORDS = re.compile(r"answer|antwort|réponse|respuesta", re.I)


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if looks_like_json(text) or not looks_like_html(text):
        return False
    return find_blocks(cached_page(text, url)) is not None


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    text = as_text(text)
    page = cached_page(text, url)
    group = find_blocks(page)
    if group is None:
        raise ParseError("no repeated post blocks on this page (not a thread or comment section)")
    return discussion_mentions(page, group, text)


def discussion_mentions(page: Page, group: Group, text: str) -> list[dict[str, Any]]:
    from groundswell.crawl.parsers.article import article_mention, canonical_page_url

    thread_url = canonical_page_url(page)
    members = set(group.members)
    out: list[dict[str, Any]] = []
    starter_id = None
    if is_comment_section(group):
        article = article_mention(text, page.url, thread_url)
        if article is not None:
            out.append(article)
            starter_id = article.get("site_id")
    ids = {}
    for index, block in enumerate(group.members):
        fields = block_fields(block, members, page)
        ids[block] = fields.site_id or fields.url
        if not fields.body and not fields.title or is_placeholder(fields):
            continue
        is_starter = not out and index == 0
        parent = parent_block(block, members)
        parent_id = ids.get(parent) if parent is not None else starter_id
        if is_starter:
            starter_id = ids[block]
            title = page_title(page)
            asks = looks_like_question(title, fields.body)
            kind = "question" if asks else "post"
        else:
            title = fields.title
            kind = "answer" if ANSWER_WORDS.search(" ".join(group.key[2:])) else "comment"
            asks = None
        out.append(
            mention(
                site_id=ids[block],
                kind=kind,
                url=fields.url,
                thread_url=thread_url,
                parent_site_id=None if is_starter else parent_id,
                author=fields.author,
                title=title,
                body=fields.body,
                published_at=fields.published_at,
                is_question=asks,
            )
        )
    return out


SPONSORED = re.compile(r"sponsor|gesponsert|anzeige|advert|werbung|publicit|promoted", re.I)
LABEL = re.compile(r"^\W*(?:#|post|beitrag|message|reply|antwort)?\s*#?\d+\W*$", re.I)


def is_placeholder(fields: BlockFields) -> bool:
    """An ad slot in the thread ("Sponsored content", "Beitrag #4") or a post label alone."""
    if fields.author and SPONSORED.search(fields.author):
        return True
    return not fields.published_at and bool(LABEL.match(fields.body or ""))


def is_comment_section(group: Group) -> bool:
    """Blocks named comments, or inside a comments container: the comments of an article."""
    words = " ".join(group.key[2:])
    if COMMENT_SECTION.search(words):
        return not FORUM_WORDS.search(words)
    first = group.members[0]
    node = first.getparent()
    for _ in range(8):
        if node is None:
            break
        if COMMENT_SECTION.search(classes_of(node)):
            return True
        node = node.getparent()
    return False
