"""Amazon customer reviews: the data-hook layout (2016-2024) and the legacy (≤2013) layout.

data-hook: ``div[data-hook=review]#<REVIEW ID>`` with ``.a-profile-name``,
``[data-hook=review-star-rating] .a-icon-alt`` ('5.0 out of 5 stars'), ``[data-hook=review-title]``,
``[data-hook=review-date]`` ('Reviewed in the United States on July 1, 2024') and
``[data-hook=review-body]``; next page in ``ul.a-pagination li.a-last a``.

Legacy (product-reviews list and single review permalink pages): each review follows an anchor
``<a name="R…">`` and is the next ``div``: star image/span titled 'x out of 5 stars', ``<b>`` title
with ``<nobr>`` date, 'By' + profile link, then the text as loose nodes of that div. On list pages
the reviews are inside ``table#productReviews`` (the 'most helpful' teasers above are skipped).
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import (
    STARS_OUT_OF,
    absolute,
    base_url,
    canonical_url,
    element_text,
    inline_text,
    link_urls,
    looks_like_html,
    make_soup,
    mention,
    next_page_links,
    normalize_space,
    parse_date,
    stars_out_of,
)
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "amazon"

_REVIEW_ID = re.compile(r"^R[0-9A-Z]{8,}$")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    if not looks_like_html(text, within=5000):
        return False
    amazon = "amazon." in (url or "") or re.search(r"amazon\.|media-amazon|images-amazon", text)
    if not amazon:
        return False
    if 'data-hook="review"' in text:
        return True
    return "out of 5 stars" in text and re.search(r'<a name="R[0-9A-Z]{8,}">', text) is not None


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    soup = make_soup(text)
    base = base_url(soup, url)
    page = canonical_url(soup, url)
    reviews = soup.select('[data-hook="review"]')
    if reviews:
        return [_hook_review(node, base, page) for node in reviews]
    anchors = _legacy_anchors(soup)
    if not anchors and "out of 5 stars" not in text:
        raise ParseError("not an Amazon review page (no data-hook=review, no review anchors)")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for anchor in anchors:
        review_id = anchor["name"]
        if review_id in seen:
            continue
        item = _legacy_review(anchor, base, page)
        if item is not None:
            seen.add(review_id)
            out.append(item)
    return out


@total
def follow_urls(text: str, url: str) -> list[str]:
    soup = make_soup(text)
    return link_urls(soup, url, "ul.a-pagination li.a-last a[href]") or next_page_links(
        soup, url, containers=(".CMpaginate", "span.paging")
    )


# --------------------------------------------------------------------------- data-hook layout


def _hook_review(node: Tag, base: str, page: str) -> dict[str, Any]:
    review_id = node.get("id") or ""
    review_id = review_id.replace("customer_review-", "") or None
    star = node.select_one(
        '[data-hook="review-star-rating"], [data-hook="cmps-review-star-rating"], i.review-rating'
    )
    rating, scale = stars_out_of(inline_text(star))
    title_node = node.select_one('[data-hook="review-title"]')
    title_link = title_node if title_node is not None and title_node.name == "a" else None
    if title_node is not None:
        for noise in title_node.select("i, .a-icon-alt, .a-letter-space"):
            noise.decompose()
    date = node.select_one('[data-hook="review-date"]')
    body = node.select_one('[data-hook="review-body"]')
    if body is not None:
        for noise in body.select(
            ".cr-original-review-content ~ *, .review-text-read-more-expander"
        ):
            noise.decompose()
    helpful = node.select_one('[data-hook="helpful-vote-statement"]')
    if review_id:
        url = absolute(base, f"/gp/customer-reviews/{review_id}")
    else:
        url = absolute(base, title_link["href"]) if title_link is not None else None
    return mention(
        site_id=review_id,
        kind="review",
        url=url,
        thread_url=page,
        author=inline_text(node.select_one(".a-profile-name")) or None,
        title=inline_text(title_node) or None,
        body=element_text(body),
        rating=rating,
        rating_scale=scale,
        published_at=parse_date(inline_text(date)) if date is not None else None,
        raw={
            "date_text": inline_text(date) or None,
            "verified": node.select_one('[data-hook="avp-badge"]') is not None,
            "helpful": inline_text(helpful) or None,
        },
    )


# --------------------------------------------------------------------------- legacy layout


def _legacy_anchors(soup: BeautifulSoup) -> list[Tag]:
    scope = soup.select_one("table#productReviews") or soup
    return [a for a in scope.find_all("a", attrs={"name": _REVIEW_ID})]


def _legacy_review(anchor: Tag, base: str, page: str) -> dict[str, Any] | None:
    block = anchor.find_next_sibling("div") or anchor.find_next("div")
    if block is None:
        return None
    star = block.find(title=STARS_OUT_OF) or block.find("img", alt=STARS_OUT_OF)
    rating, scale = stars_out_of((star.get("title") or star.get("alt")) if star is not None else "")
    title_tag = block.find("b")
    date_tag = block.find("nobr")
    author_link = block.find("a", href=re.compile(r"/gp/pdp/profile/|/profile/"))
    review_id = anchor["name"]
    host = re.match(r"https?://[^/]+", base)
    origin = host.group(0) if host else "https://www.amazon.com"
    return mention(
        site_id=review_id,
        kind="review",
        url=f"{origin}/review/{review_id}",
        thread_url=page,
        author=_legacy_author(author_link),
        title=inline_text(title_tag) or None,
        body=_legacy_body(block),
        rating=rating,
        rating_scale=scale,
        published_at=parse_date(inline_text(date_tag)) if date_tag is not None else None,
        raw={"helpful": _legacy_helpful(block)},
    )


def _legacy_author(link: Tag | None) -> str | None:
    if link is None:
        return None
    name = inline_text(link)
    return name or None


def _legacy_body(block: Tag) -> str:
    """The review text: the loose text nodes (and inline tags) directly inside the review div."""
    parts: list[str] = []
    for child in block.children:
        if isinstance(child, NavigableString):
            parts.append(re.sub(r"\s+", " ", str(child)))
        elif isinstance(child, Tag) and child.name == "br":
            parts.append("\n")
        elif isinstance(child, Tag) and child.name in ("a", "b", "i", "em", "strong", "span", "p"):
            if child.name == "a" and child.get("name"):
                continue
            parts.append(element_text(child) if child.name == "p" else inline_text(child))
    return normalize_space("".join(parts))


def _legacy_helpful(block: Tag) -> str | None:
    text = block.find(string=re.compile(r"people found the following review helpful"))
    return normalize_space(str(text)).rstrip(":") if text is not None else None
