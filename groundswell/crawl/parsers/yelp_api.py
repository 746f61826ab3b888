"""Yelp API: a v2 business record ``{id, url, rating, review_count, reviews: [{id, rating,
excerpt, time_created (unix), user{id, name}}]}`` and the v3 reviews endpoint
``{reviews: [{id, url, text, rating, time_created 'YYYY-MM-DD HH:MM:SS', user{id, name}}],
total, possible_languages}``. The API only ever returns excerpts of the review text.
"""

from __future__ import annotations

from typing import Any

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import (
    load_json,
    looks_like_json,
    mention,
    parse_date,
    set_query_param,
    sniff_head,
)
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "yelp_api"


@never_raises
def matches(url: str, content_type: str, text: Any) -> bool:
    if not looks_like_json(text, content_type):
        return False
    if "api.yelp.com" in (url or ""):
        return True
    head = sniff_head(text, 50000)
    reviews = '"reviews"' in head and '"time_created"' in head and '"user"' in head
    yelp = "yelp.com" in head or '"possible_languages"' in head
    return reviews and yelp


@total
def parse(text: Any, url: str) -> list[dict[str, Any]]:
    data = load_json(text)
    if not isinstance(data, dict) or not isinstance(data.get("reviews"), list):
        raise ParseError("not a Yelp API business/reviews response (no reviews[])")
    business_url = data.get("url") if isinstance(data.get("url"), str) else None
    business_url = business_url.split("?")[0] if business_url else None
    out = []
    for review in data["reviews"]:
        if isinstance(review, dict):
            out.append(_mention(review, business_url, data.get("id")))
    return out


def _mention(review: dict[str, Any], business_url: str | None, business_id: Any) -> dict[str, Any]:
    user = review.get("user") or {}
    review_id = review.get("id")
    url = review.get("url")
    if not url and business_url and review_id:
        url = set_query_param(business_url, "hrid", str(review_id))
    return mention(
        site_id=review_id,
        kind="review",
        url=url or business_url,
        thread_url=business_url or (url.split("?")[0] if url else None),
        author=user.get("name"),
        body=(review.get("text") or review.get("excerpt") or "").strip(),
        rating=review.get("rating"),
        rating_scale=5,
        published_at=parse_date(review.get("time_created")),
        raw={**review, "business_id": business_id},
    )
