"""LendingTree lender review pages (lendingtree.com/reviews/<product>/<lender>/<id>).

Each review is a ``div.mainReviews``: ``p.reviewTitle``, ``p.reviewText``, ``p.consumerName``
('debbie <span>from BURBANK, IL</span>'), ``p.consumerReviewDate`` ('Reviewed in June 2019' →
first of the month), ``.numRec`` '(5 of 5)' as rating and scale, ``input.reviewId`` as id.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import Tag

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import (
    canonical_url,
    element_text,
    inline_text,
    looks_like_html,
    make_soup,
    mention,
    next_page_links,
    parse_date,
    with_fragment,
)
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "lendingtree"

_OF = re.compile(r"(\d+(?:\.\d+)?)\s*of\s*(\d+)")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    if not looks_like_html(text, within=5000):
        return False
    lendingtree = "lendingtree." in (url or "") or "lendingtree.com" in text
    return lendingtree and "mainReviews" in text and "reviewText" in text


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    soup = make_soup(text)
    blocks = soup.select("div.mainReviews")
    if not blocks and "mainReviews" not in text:
        raise ParseError("not a LendingTree review page (no div.mainReviews)")
    page = canonical_url(soup, url)
    return [_review(block, page, index) for index, block in enumerate(blocks)]


@total
def follow_urls(text: str, url: str) -> list[str]:
    soup = make_soup(text)
    return next_page_links(soup, url, containers=(".pagination", ".lenderNav"))


def _review(block: Tag, page: str, index: int) -> dict[str, Any]:
    review_id = block.select_one("input.reviewId[value], input[name=reviewId][value]")
    site_id = review_id["value"] if review_id is not None else None
    rating, scale = _rating(block)
    date = block.select_one(".consumerReviewDate")
    location = _location(block)
    details = {
        inline_text(li.find("p")).rstrip(":"): inline_text(li.find("div"))
        for li in block.select(".reviewPoints li")
        if li.find("p") is not None and li.find("div") is not None
    }
    return mention(
        site_id=site_id,
        kind="review",
        url=with_fragment(page, f"review-{site_id or index + 1}"),
        thread_url=page,
        author=_author(block),
        title=inline_text(block.select_one(".reviewTitle")) or None,
        body=element_text(block.select_one(".reviewText")),
        rating=rating,
        rating_scale=scale,
        published_at=parse_date(inline_text(date)) if date is not None else None,
        raw={"location": location, "details": details or None},
    )


def _rating(block: Tag) -> tuple[float | None, int]:
    match = _OF.search(inline_text(block.select_one(".numRec")))
    if match:
        return float(match.group(1)), int(match.group(2))
    bar = block.select_one(".rating-stars-bar[style]")
    width = re.search(r"width:\s*([\d.]+)%", bar["style"]) if bar is not None else None
    return (round(float(width.group(1)) / 20, 1), 5) if width else (None, 5)


def _author(block: Tag) -> str | None:
    name = block.select_one(".consumerName")
    if name is None:
        return None
    for extra in name.find_all("span"):
        extra.extract()
    return inline_text(name) or None


def _location(block: Tag) -> str | None:
    span = block.select_one(".consumerName span")
    text = inline_text(span) if span is not None else ""
    return re.sub(r"^from\s+", "", text) or None
