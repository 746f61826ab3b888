"""Trustpilot service reviews: the webhook payload ``{events: [{eventName, eventData}]}``
(``service-review-created`` / ``-updated``; ``-deleted`` events are skipped) and the public API
lists ``{reviews: [...]}`` (business-units/<id>/reviews). A review has ``id``, ``stars``,
``title``, ``text``, ``createdAt``, ``consumer{name | displayName}`` and possibly
``companyReply{text, createdAt}``. The same review id seen twice (retried or test events) is kept
once.
"""

from __future__ import annotations

from typing import Any

from groundswell.crawl.parsers import ParseError, each_record
from groundswell.crawl.parsers.common import load_json, looks_like_json, mention, sniff_head
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "trustpilot"


@never_raises
def matches(url: str, content_type: str, text: Any) -> bool:
    if not looks_like_json(text, content_type):
        return False
    if "trustpilot.com" in (url or ""):
        return True
    head = sniff_head(text, 20000)
    webhook = '"events"' in head and '"eventData"' in head and '"eventName"' in head
    api_list = '"reviews"' in head and '"stars"' in head and '"consumer"' in head
    return webhook or api_list


@total
def parse(text: Any, url: str) -> list[dict[str, Any]]:
    data = load_json(text)
    if isinstance(data, dict) and isinstance(data.get("events"), list):
        reviews = [
            event.get("eventData")
            for event in data["events"]
            if isinstance(event, dict) and not str(event.get("eventName", "")).endswith("deleted")
        ]
    elif isinstance(data, dict) and isinstance(data.get("reviews"), list):
        reviews = data["reviews"]
    elif isinstance(data, dict) and "stars" in data and "id" in data:
        reviews = [data]
    else:
        raise ParseError("not a Trustpilot webhook payload or review list")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for review in reviews:
        if not isinstance(review, dict) or not isinstance(review.get("id"), (str, int)):
            continue
        if review["id"] not in seen:
            seen.add(review["id"])
            out.append(review)
    return each_record(out, _mention)


def _mention(review: dict[str, Any]) -> dict[str, Any]:
    consumer = review.get("consumer") or {}
    reply = review.get("companyReply") or {}
    reply_text = (reply.get("text") or "").strip() if isinstance(reply, dict) else ""
    return mention(
        site_id=review["id"],
        kind="review",
        url=f"https://www.trustpilot.com/reviews/{review['id']}",
        author=consumer.get("name") or consumer.get("displayName"),
        title=(review.get("title") or "").strip() or None,
        body=(review.get("text") or "").strip(),
        rating=review.get("stars"),
        rating_scale=5,
        published_at=review.get("createdAt"),
        vendor_responded=bool(reply_text),
        vendor_response=reply_text or None,
        raw=review,
    )
