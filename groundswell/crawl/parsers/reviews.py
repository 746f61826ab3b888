"""Any page of reviews, read by the structure of the page (no platform parser).

Reviews are the page's repeated blocks that carry a star rating (``structure.find_blocks``
with ``want_rating``): numeric text ('4 out of 5'), aria-labels and titles, star glyphs
(★★★★☆), class names, child icons or widths. Each gives a "review" with its author, date,
title and text. Blocks of the same kind without a rating (replies, comments that rate
nothing: common under recipes) are "comment"s under the block they are nested in.
"""

from __future__ import annotations

from typing import Any

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import mention
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.structure import (
    Group,
    block_fields,
    cached_page,
    find_blocks,
    parent_block,
)
from groundswell.crawl.parsers.text import as_text, looks_like_html, looks_like_json

KIND = "reviews"


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if looks_like_json(text) or not looks_like_html(text):
        return False
    return find_blocks(cached_page(text, url), want_rating=True) is not None


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    from groundswell.crawl.parsers.article import canonical_page_url

    page = cached_page(as_text(text), url)
    group = find_blocks(page, want_rating=True)
    if group is None:
        raise ParseError("no repeated blocks with a star rating on this page (not reviews)")
    blocks = _with_unrated(group.members, find_blocks(page))
    members = set(blocks)
    thread_url = canonical_page_url(page)
    out = []
    ids = {}
    for block in blocks:
        fields = block_fields(block, members, page, with_rating=True)
        ids[block] = fields.site_id or fields.url
        if not (fields.body or fields.title):
            continue
        parent = parent_block(block, members)
        out.append(
            mention(
                site_id=ids[block],
                kind="review" if fields.rating is not None else "comment",
                url=fields.url,
                thread_url=thread_url,
                parent_site_id=ids.get(parent) if parent is not None else None,
                author=fields.author,
                title=fields.title,
                body=fields.body,
                rating=fields.rating,
                rating_scale=fields.rating_scale,
                published_at=fields.published_at,
            )
        )
    return out


def _with_unrated(rated: list, posts: Group | None) -> list:
    """The page's posts when they hold the rated blocks (replies and unrated comments of
    the same list), else the rated blocks alone."""
    if posts is None or len(posts.members) <= len(rated):
        return rated
    held = set(posts.members)
    return posts.members if sum(b in held for b in rated) >= 0.9 * len(rated) else rated
