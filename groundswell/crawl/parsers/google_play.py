"""Google Play app details pages (play.google.com/store/apps/details?id=<package>).

The reviews are not in the DOM text but in the page's ``AF_initDataCallback({key: 'ds:N', data:
[...]})`` blocks (the ``ds:N`` key varies between page versions). A review is a list shaped
``['gp:<id>', [author, [avatar…]], stars, _, text, [epoch_s, nanos], thumbs_up,
[developer, reply_text, [epoch_s, nanos]] | None, …, app_version, …]``; the parser finds such
lists anywhere in the decoded data, so it does not depend on the key or on nesting depth.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import mention, normalize_space, query_param
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "google_play"

_CALLBACK = re.compile(r"AF_initDataCallback\s*\(\s*\{")
_DATA = re.compile(r"\bdata\s*:")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    if not isinstance(text, str) or "AF_initDataCallback" not in text:
        return False
    return "play.google.com" in (url or "") or "play.google.com/store" in text[:200000]


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    if not isinstance(text, str) or "AF_initDataCallback" not in text:
        raise ParseError("not a Google Play page (no AF_initDataCallback data)")
    package = _package(text, url)
    app_url = f"https://play.google.com/store/apps/details?id={package}" if package else url
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for data in _callback_data(text):
        for review in _find_reviews(data):
            if review[0] in seen:
                continue
            seen.add(review[0])
            out.append(_mention(review, app_url))
    return out


def _callback_data(text: str) -> Iterator[Any]:
    decoder = json.JSONDecoder()
    for match in _CALLBACK.finditer(text):
        data_key = _DATA.search(text, match.end(), match.end() + 400)
        if data_key is None:
            continue
        start = data_key.end()
        while start < len(text) and text[start].isspace():
            start += 1
        try:
            value, _ = decoder.raw_decode(text, start)
        except ValueError:
            continue
        yield value


def _is_review(node: Any) -> bool:
    return (
        isinstance(node, list)
        and len(node) > 5
        and isinstance(node[0], str)
        and node[0].startswith("gp:")
        and isinstance(node[1], list)
        and isinstance(node[2], int)
        and 1 <= node[2] <= 5
    )


def _find_reviews(node: Any) -> Iterator[list[Any]]:
    stack = [node]
    while stack:
        current = stack.pop()
        if not isinstance(current, list):
            continue
        if _is_review(current):
            yield current
            continue
        stack.extend(reversed(current))


def _get(seq: Any, *path: int) -> Any:
    for index in path:
        if not isinstance(seq, list) or len(seq) <= index:
            return None
        seq = seq[index]
    return seq


def _mention(review: list[Any], app_url: str) -> dict[str, Any]:
    review_id = review[0]
    reply = _get(review, 7)
    reply_text = normalize_space(_get(reply, 1) or "") if isinstance(reply, list) else ""
    version = _get(review, 10)
    return mention(
        site_id=review_id,
        kind="review",
        url=f"{app_url}&reviewId={review_id}" if "?" in app_url else app_url,
        thread_url=app_url,
        author=_get(review, 1, 0),
        body=normalize_space(_get(review, 4) or ""),
        rating=review[2],
        rating_scale=5,
        published_at=_get(review, 5, 0),
        vendor_responded=bool(reply_text),
        vendor_response=reply_text or None,
        raw={
            "thumbs_up": _get(review, 6),
            "app_version": version if isinstance(version, str) else None,
            "developer": _get(reply, 0) if reply_text else None,
            "reply_at": _get(reply, 2, 0) if reply_text else None,
        },
    )


def _package(text: str, url: str) -> str | None:
    package = query_param(url, "id") if url else None
    if package:
        return package
    match = re.search(r'<link rel="canonical"\s+href="[^"]*[?&](?:amp;)?id=([\w.]+)', text)
    if match:
        return match.group(1)
    match = re.search(r"/store/apps/details\?id=([\w.]+)", text)
    return match.group(1) if match else None
