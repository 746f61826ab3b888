"""Etsy listing pages (etsy.com/<locale>/listing/<id>/<slug>): the visible review list.

The JSON-LD on these pages has only the AggregateRating, so the parser reads the markup inside
``[data-reviews-container]``: one ``li.listing-page__review`` (older) or ``[data-review-region]``
(newer) per review, with the reviewer link (``/people/<name>``) followed by the date text, a
hidden ``input[name=rating]`` (or 'N out of 5 stars'), the text in
``[id^=review-preview-toggle-]`` and a link to the listing the review is about. Reviews with a
rating (and a photo) but no text are skipped: the store drops mentions without text.
Reviews without an id on the page get ``<reviewer handle>/<date>`` as ``site_id``.
"""

from __future__ import annotations

import re
from typing import Any

from bs4 import NavigableString, Tag

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import (
    STARS_OUT_OF,
    absolute,
    base_url,
    canonical_url,
    element_text,
    inline_text,
    looks_like_html,
    make_soup,
    mention,
    next_page_links,
    parse_date,
    stars_out_of,
    with_fragment,
)
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "etsy"

_DATE = re.compile(r"\d{1,2} [A-Z][a-z]{2},? \d{4}|[A-Z][a-z]{2} \d{1,2}, \d{4}")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    if not looks_like_html(text, within=5000):
        return False
    etsy = "etsy." in (url or "") or 'content="Etsy"' in text[:100000]
    return etsy and ("data-reviews-container" in text or "data-review-region" in text)


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    soup = make_soup(text)
    container = soup.select_one("[data-reviews-container]") or soup
    reviews = container.select("li.listing-page__review") or container.select(
        "[data-review-region]"
    )
    if not reviews and "review" not in text:
        raise ParseError("not an Etsy listing page with reviews")
    base = base_url(soup, url)
    page = canonical_url(soup, url)
    parsed = [_review(node, base, page, index) for index, node in enumerate(reviews)]
    # a star rating with a photo but no words is not a mention the store can keep
    return [item for item in parsed if item.get("body") or item.get("title")]


@total
def follow_urls(text: str, url: str) -> list[str]:
    soup = make_soup(text)
    return next_page_links(soup, url, containers=("[data-reviews-pagination]", ".wt-action-group"))


def _review(node: Tag, base: str, page: str, index: int) -> dict[str, Any]:
    author_link = node.find("a", href=re.compile(r"/people/"), string=True)
    published = _date(node, author_link)
    site_id = node.get("data-review-region") or _transaction(node)
    if not site_id and author_link is not None and published:
        # no id on the page: the reviewer's handle and the day are unique per review
        handle = author_link["href"].rstrip("/").rsplit("/", 1)[-1]
        site_id = f"{handle}/{str(published)[:10]}"
    rating, scale = _rating(node)
    listing = node.select_one("a[data-review-link][href]")
    listing_url = absolute(base, listing["href"].split("?")[0]) if listing is not None else None
    text_node = node.select_one('[id^="review-preview-toggle-"]') or node.select_one(
        "[data-review-text]"
    )
    return mention(
        site_id=site_id,
        kind="review",
        url=with_fragment(page, f"review-{site_id or index + 1}"),
        thread_url=page,
        author=inline_text(author_link) or None if author_link is not None else None,
        body=element_text(text_node),
        rating=rating,
        rating_scale=scale,
        published_at=published,
        raw={"listing_url": listing_url},
    )


def _transaction(node: Tag) -> str | None:
    holder = node.find(attrs={"data-transaction-id": True})
    return holder["data-transaction-id"] if holder is not None else None


def _rating(node: Tag) -> tuple[float | None, int]:
    hidden = node.find("input", attrs={"name": "rating", "value": True})
    if hidden is not None:
        try:
            return float(hidden["value"]), 5
        except ValueError:
            pass
    label = node.find(string=STARS_OUT_OF)
    return stars_out_of(str(label) if label is not None else None)


def _date(node: Tag, author_link: Tag | None) -> Any:
    if author_link is not None:
        sibling = author_link.next_sibling
        if isinstance(sibling, NavigableString) and _DATE.search(str(sibling)):
            return parse_date(_DATE.search(str(sibling)).group(0))
    for text in node.find_all(string=_DATE):
        return parse_date(_DATE.search(str(text)).group(0))
    return None
