"""Yelp business pages (www.yelp.com/biz/<alias>) with the server-rendered review list.

Class names are hashed (``comment__09f24__D0cxf``), so the parser keys on stable parts: one
``li`` per reviewer holding ``.user-passport-info`` (or ``role=region[aria-label=<name>]``), then
in document order a star rating (``role=img aria-label="N star rating"``), a date, and the text
in ``p[class^=comment__]``. A business-owner reply follows a
``[data-testid=business-owner-passport]`` block and is folded into the review it answers
(``vendor_responded``/``vendor_response``). A 'Previous review' by the same reviewer in the same
``li`` is a review of its own. Review ids and exact timestamps come from the page's Apollo
state (``script[data-apollo-state]``) when it holds the same text; otherwise ``site_id`` is
``<user id>/<date>``.

The mobile/redirect variant renders no review list: ``parse`` returns ``[]`` and
``reviews_not_rendered`` is true, so the crawler can report it.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

from groundswell.crawl.parsers.common import (
    absolute,
    base_url,
    element_text,
    has_class,
    inline_text,
    looks_like_html,
    make_soup,
    mention,
    meta_content,
    next_page_links,
    normalize_space,
    parse_date,
    set_query_param,
    strip_session,
    with_fragment,
)
from groundswell.crawl.parsers.limits import check_json_depth, never_raises, total

KIND = "yelp"

_STAR_LABEL = re.compile(r"^\s*(\d+(?:\.\d+)?) star rating\s*$")
_DATE_TEXT = re.compile(r"^\s*(?:[A-Z][a-z]{2} \d{1,2}, \d{4}|\d{1,2}/\d{1,2}/\d{4})\s*$")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    if not looks_like_html(text, within=5000):
        return False
    yelp = "yelp." in (url or "") or 'content="Yelp"' in text[:100000] or "yelpcdn.com" in text
    biz_page = (
        "/biz/" in (url or "") or re.search(r'og:url"? content="[^"]*/biz/', text) is not None
    )
    return yelp and biz_page


def reviews_not_rendered(text: str) -> bool:
    """True for a Yelp business page that carries no server-rendered review list."""
    return not _review_items(make_soup(text))


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    soup = make_soup(text)
    page = _page_url(soup, url)
    apollo = _apollo_reviews(soup)
    out: list[dict[str, Any]] = []
    for item in _review_items(soup):
        author, user_id = _reviewer(item)
        for review in _reviews_in(item):
            out.append(_mention(review, author, user_id, page, apollo, len(out)))
    return out


@total
def follow_urls(text: str, url: str) -> list[str]:
    soup = make_soup(text)
    links = next_page_links(soup, url, containers=('[aria-label="Pagination navigation"]',))
    base = base_url(soup, url)
    for link in soup.select('a[class*="next-link"][href], a[aria-label="Next"][href]'):
        found = strip_session(absolute(base, link["href"]))
        if found and found not in links:
            links.append(found)
    return links


# --------------------------------------------------------------------------- DOM walk


def _review_items(soup: BeautifulSoup) -> list[Tag]:
    items = []
    for li in soup.find_all("li"):
        if not li.find("p", class_=lambda c: bool(c) and c.startswith("comment__")):
            continue
        if not li.find(attrs={"aria-label": _STAR_LABEL}):
            continue
        if li.find_parent("li") is not None and li.find_parent("li") in items:
            continue
        items.append(li)
    return items


def _reviewer(item: Tag) -> tuple[str | None, str | None]:
    link = item.select_one('.user-passport-info a[href*="user_details"]')
    if link is None:
        link = item.find("a", href=re.compile(r"/user_details\?userid="), string=True)
    name = inline_text(link) if link is not None else ""
    if not name:
        region = item.find(attrs={"role": "region", "aria-label": True})
        name = region["aria-label"] if region is not None else ""
    user_id = None
    if link is not None:
        match = re.search(r"userid=([\w-]+)", link.get("href") or "")
        user_id = match.group(1) if match else None
    return name or None, user_id


def _reviews_in(item: Tag) -> list[dict[str, Any]]:
    """Walk the reviewer's block in order: stars open a review, owner passports open a reply."""
    reviews: list[dict[str, Any]] = []
    in_reply = False
    for node in item.descendants:
        if isinstance(node, NavigableString):
            if reviews and _DATE_TEXT.match(str(node)):
                key = "reply_date" if in_reply else "date"
                reviews[-1].setdefault(key, str(node).strip())
            continue
        if not isinstance(node, Tag):
            continue
        label = node.get("aria-label") or ""
        star = _STAR_LABEL.match(label) if node.get("role") == "img" else None
        if star:
            reviews.append({"rating": float(star.group(1)), "body": None, "reply": None})
            in_reply = False
        elif node.get("data-testid") == "business-owner-passport" and reviews:
            in_reply = True
            owner = node.find("p", attrs={"data-font-weight": "bold"})
            reviews[-1]["reply_author"] = inline_text(owner) or None
        elif node.name == "p" and has_class(node, "comment__") and reviews:
            key = "reply" if in_reply else "body"
            if reviews[-1][key] is None:
                reviews[-1][key] = element_text(node)
    return [review for review in reviews if review["body"] is not None]


# --------------------------------------------------------------------------- apollo state


def _apollo_reviews(soup: BeautifulSoup) -> list[dict[str, Any]]:
    """Review records from the Apollo cache: {encid, text, rating, created, user}."""
    out = []
    for script in soup.find_all("script", attrs={"data-apollo-state": True}):
        raw = html.unescape(script.string or "").strip()
        raw = re.sub(r"^<!--|-->$", "", raw).strip()
        try:
            state = check_json_depth(json.loads(raw))
        except (ValueError, RecursionError):  # ParseError (too deep) is a ValueError
            continue
        if not isinstance(state, dict):
            continue
        for key, value in state.items():
            if not key.startswith("Review:") or not isinstance(value, dict):
                continue
            text = (
                (value.get("text") or {}).get("full")
                if isinstance(value.get("text"), dict)
                else None
            )
            if not text:
                continue
            out.append(
                {
                    "encid": value.get("encid") or key.split(":", 1)[1],
                    "text": _squash(text),
                    "full": normalize_space(html.unescape(text)),
                    "rating": value.get("rating"),
                    "created": (value.get("createdAt") or {}).get("localDateTimeForBusiness"),
                    "user": ((value.get("author") or {}).get("__ref") or "").replace("User:", ""),
                }
            )
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _apollo_match(
    review: dict[str, Any], user_id: str | None, apollo: list[dict[str, Any]]
) -> dict[str, Any] | None:
    body = _squash(review["body"] or "")[:80]
    for record in apollo:
        if user_id and record["user"] and record["user"] != user_id:
            continue
        if body and record["text"].startswith(body):
            return record
    return None


# --------------------------------------------------------------------------- mentions


def _mention(
    review: dict[str, Any],
    author: str | None,
    user_id: str | None,
    page: str,
    apollo: list[dict[str, Any]],
    index: int,
) -> dict[str, Any]:
    record = _apollo_match(review, user_id, apollo)
    review_id = record["encid"] if record else None
    published = parse_date(record["created"]) if record and record["created"] else None
    published = published or parse_date(review.get("date"))
    if review_id:
        url = set_query_param(page, "hrid", review_id)
        site_id = review_id
    else:
        url = with_fragment(page, f"review-{index + 1}")
        # no review id in the page: reviewer + day identify the review (one per user and day)
        site_id = f"{user_id}/{str(published)[:10]}" if user_id and published else None
    reply = review.get("reply")
    return mention(
        site_id=site_id,
        kind="review",
        url=url,
        thread_url=page,
        author=author,
        body=record["full"] if record else review["body"],
        rating=review["rating"],
        rating_scale=5,
        published_at=published,
        vendor_responded=bool(reply),
        vendor_response=reply,
        raw={
            "date_text": review.get("date"),
            "user_id": user_id,
            "reply_author": review.get("reply_author"),
            "reply_date": review.get("reply_date"),
        },
    )


def _page_url(soup: BeautifulSoup, url: str) -> str:
    og = meta_content(soup, "og:url")
    page = og or url
    page = normalize_space(page)
    return page.split("?")[0] if "/biz/" in page else page
