"""What a site says about a mention's reach and helpfulness, read from its ``raw`` record.

Votes: the first of ``VOTE_KEYS`` the site gives (Reddit ``score``, Hacker News ``points``,
Stack Exchange ``score``, Discourse ``like_count``, Bluesky ``like_count``, Mastodon
``favourites_count``, Google Play ``thumbs_up``, helpful votes...) plus reposts where given.
Followers: ``followers_count`` and the like. An accepted answer: Stack Exchange ``accepted`` /
``is_accepted``, Discourse ``accepted_answer``.
"""

from __future__ import annotations

import json
import re

VOTE_KEYS = ("score", "ups", "points", "like_count", "favourites_count", "thumbs_up",
             "upvotes", "votes", "helpful", "helpful_votes", "helpfulCount", "likes",
             "im:voteSum")  # fmt: skip
REPOST_KEYS = ("reblogs_count", "repost_count", "quote_count")
FOLLOWER_KEYS = ("followers_count", "follower_count", "followers")
ACCEPTED_KEYS = ("accepted", "is_accepted", "accepted_answer")


def number(value: object) -> int | None:
    if isinstance(value, dict):  # iTunes JSON: {"label": "3"}
        value = value.get("label")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return max(int(value), 0)
    digits = re.search(r"\d[\d,]*", str(value))
    return int(digits[0].replace(",", "")) if digits else None


def raw_record(raw: str | None) -> dict:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def first_number(record: dict, keys: tuple[str, ...]) -> int:
    for key in keys:
        found = number(record.get(key))
        if found is not None:
            return found
    return 0


def mention_reach(raw: str | None) -> tuple[int, int, bool]:
    """(votes and reposts, followers, accepted answer) of one mention's raw record."""
    record = raw_record(raw)
    votes = first_number(record, VOTE_KEYS) + sum(number(record.get(k)) or 0 for k in REPOST_KEYS)
    author = record.get("author") if isinstance(record.get("author"), dict) else {}
    followers = first_number(record, FOLLOWER_KEYS) or first_number(author, FOLLOWER_KEYS)
    accepted = any(record.get(key) is True for key in ACCEPTED_KEYS)
    return votes, followers, accepted
