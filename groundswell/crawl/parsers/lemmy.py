"""Lemmy (the federated link aggregator) through its API, or a lemmy-ui page's embedded data.

API v3: ``/api/v3/post?id=`` (``post_view``), ``/api/v3/post/list`` (``posts``) and
``/api/v3/comment/list`` (``comments``); each view holds ``post``/``comment`` (``id``,
``name``, ``body``/``content``, ``ap_id``, ``published``, a comment's ``path`` "0.12.34" of
ancestor ids) and ``creator`` (``name``). lemmy-ui pages carry the same views in
``window.isoData = {...}``. Times without an offset are UTC (Lemmy 0.18 and older).
"""

from __future__ import annotations

import json
import re
from typing import Any

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import looks_like_question, mention
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.text import as_text, load_json, looks_like_json

KIND = "lemmy"

_VIEWS = re.compile(r'"(?:post_view|posts|comments)"\s*:')
_LEMMY = re.compile(r'"ap_id"\s*:|"actor_id"\s*:')
_ISO_DATA = re.compile(r"window\.isoData\s*=\s*")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if looks_like_json(text, content_type):
        head = text[:50000]
        return bool(_VIEWS.search(head)) and bool(_LEMMY.search(head)) and '"creator"' in head
    return bool(_ISO_DATA.search(text)) and '"ap_id"' in text


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    text = as_text(text)
    data = load_json(text, "a Lemmy API") if looks_like_json(text) else _iso_data(text)
    views = list(_views(data))
    if not views:
        raise ParseError("no Lemmy post or comment views in this response")
    out, seen = [], set()
    for kind, view in views:
        item = _post(view) if kind == "post" else _comment(view)
        if item is not None and (item["kind"], item.get("site_id")) not in seen:
            seen.add((item["kind"], item.get("site_id")))
            out.append(item)
    return out


def _iso_data(text: str) -> Any:
    match = _ISO_DATA.search(text)
    if not match:
        raise ParseError("not a Lemmy API response or lemmy-ui page")
    try:
        value, _ = json.JSONDecoder().raw_decode(text, match.end())
    except ValueError as error:
        raise ParseError(f"lemmy-ui isoData is not JSON: {error}") from error
    return value


def _views(data: Any):
    """(kind, view) for every post and comment view, wherever the response nests them."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            if isinstance(node.get("comment"), dict) and "creator" in node:
                yield "comment", node
            elif isinstance(node.get("post"), dict) and "creator" in node:
                yield "post", node
            else:
                stack.extend(reversed([v for v in node.values() if isinstance(v, (dict, list))]))


def _published(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+", value):
        return value + "Z"
    return value


def _name(creator: Any) -> str | None:
    return creator.get("name") if isinstance(creator, dict) else None


def _post(view: dict) -> dict[str, Any] | None:
    post = view["post"]
    if post.get("deleted") or post.get("removed"):
        return None
    title, body = post.get("name") or "", post.get("body") or ""
    asks = looks_like_question(title, body)
    return mention(
        site_id=post.get("id"),
        kind="question" if asks else "post",
        url=post.get("ap_id"),
        thread_url=post.get("ap_id"),
        author=_name(view.get("creator")),
        title=title,
        body=body or post.get("url") or "",
        published_at=_published(post.get("published")),
        is_question=asks,
    )


def _comment(view: dict) -> dict[str, Any] | None:
    comment = view["comment"]
    if comment.get("deleted") or comment.get("removed"):
        return None
    path = [part for part in str(comment.get("path") or "").split(".") if part not in ("", "0")]
    post = view.get("post") if isinstance(view.get("post"), dict) else {}
    parent = path[-2] if len(path) >= 2 else comment.get("post_id") or post.get("id")
    return mention(
        site_id=f"c{comment.get('id')}",
        kind="comment",
        url=comment.get("ap_id"),
        thread_url=post.get("ap_id"),
        parent_site_id=f"c{parent}" if len(path) >= 2 else parent,
        author=_name(view.get("creator")),
        body=comment.get("content") or "",
        published_at=_published(comment.get("published")),
    )
