"""Google Places reviews (JSON): Place Details (``result.reviews``: ``author_name``,
``rating``, ``text``, ``time`` in unix seconds) and the Places API v1 (``reviews``: ``name``,
``rating``, ``text.text``, ``authorAttribution.displayName``, ``publishTime``). An error body
(``status`` REQUEST_DENIED… with ``error_message``) raises ``ParseError``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import mention
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.text import as_text, load_json, looks_like_json

KIND = "google_places"

_REVIEWS = re.compile(r'"reviews"\s*:\s*\[')
_PLACES = re.compile(r'"(?:author_name|authorAttribution|relative_time_description)"\s*:')
_ERROR_STATUSES = ("REQUEST_DENIED", "INVALID_REQUEST", "OVER_QUERY_LIMIT", "NOT_FOUND",
                   "UNKNOWN_ERROR")  # fmt: skip


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if not looks_like_json(text, content_type):
        return False
    if "maps.googleapis.com" in (url or "") or "places.googleapis.com" in (url or ""):
        return True
    return bool(_REVIEWS.search(text)) and bool(_PLACES.search(text))


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    data = load_json(text, "a Google Places")
    if not isinstance(data, dict):
        raise ParseError("expected a Google Places JSON object")
    if data.get("status") in _ERROR_STATUSES:
        raise ParseError(f"Google Places error {data['status']}: {data.get('error_message', '')}")
    place = data.get("result") if isinstance(data.get("result"), dict) else data
    place_url = place.get("url") or place.get("googleMapsUri") or url
    reviews = place.get("reviews")
    if not isinstance(reviews, list):
        raise ParseError("Google Places response has no reviews[]")
    return [_review(r, place_url) for r in reviews if isinstance(r, dict)]


def _review(review: dict, place_url: str) -> dict[str, Any]:
    text = review.get("text")
    if isinstance(text, dict):
        text = text.get("text")
    original = review.get("originalText")
    if isinstance(original, dict) and original.get("text"):
        text = original["text"]
    author = review.get("author_name")
    attribution = review.get("authorAttribution")
    if isinstance(attribution, dict):
        author = attribution.get("displayName") or author
    published = review.get("publishTime") or review.get("time")
    site_id = review.get("name") or _fingerprint(review.get("author_url") or author, published)
    return mention(
        site_id=site_id,
        kind="review",
        url=review.get("googleMapsUri") or f"{place_url}#review-{site_id.rsplit('/', 1)[-1]}",
        thread_url=place_url,
        author=author,
        body=text or "",
        rating=review.get("rating"),
        rating_scale=5,
        published_at=published,
        raw={"language": review.get("language") or review.get("languageCode")},
    )


def _fingerprint(author: Any, published: Any) -> str:
    return hashlib.sha1(f"{author}|{published}".encode()).hexdigest()[:16]
