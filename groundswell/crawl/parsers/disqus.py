"""Disqus comments where they are in the page: the embed page
(``disqus.com/embed/comments/?...``) carries the thread in
``<script type="text/json" id="disqus-threadData">`` (``response.thread``,
``response.posts``), and the API (``threads/listPosts.json``) returns
``{"code": 0, "response": [posts]}``. A post has ``id``, ``parent``, ``message`` (HTML),
``createdAt`` (UTC), ``author.name``; deleted posts are left out.
"""

from __future__ import annotations

import re
from typing import Any

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import mention
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.text import as_text, html_to_text, load_json, looks_like_json

KIND = "disqus"

_THREAD_DATA = re.compile(r'<script[^>]*id="disqus-threadData"[^>]*>', re.IGNORECASE)
_API = re.compile(r'"code"\s*:\s*0\s*,\s*"response"\s*:\s*\[')


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if looks_like_json(text, content_type):
        return bool(_API.search(text[:200])) and '"createdAt"' in text and '"forum"' in text
    return bool(_THREAD_DATA.search(text))


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    text = as_text(text)
    if looks_like_json(text):
        data = load_json(text, "a Disqus API")
        posts, thread = (data.get("response") if isinstance(data, dict) else None), {}
    else:
        data = _thread_data(text)
        response = data.get("response") if isinstance(data, dict) else None
        posts = response.get("posts") if isinstance(response, dict) else None
        thread = response.get("thread") if isinstance(response, dict) else {}
    if not isinstance(posts, list):
        raise ParseError("no Disqus posts in this response")
    thread_url = (thread or {}).get("link") or url
    return [m for m in (_post(p, thread_url) for p in posts if isinstance(p, dict)) if m]


def _thread_data(text: str) -> Any:
    match = _THREAD_DATA.search(text)
    if not match:
        raise ParseError("not a Disqus embed page (no disqus-threadData)")
    end = text.find("</script>", match.end())
    return load_json(text[match.end() : end if end > 0 else None], "Disqus thread data")


def _post(post: dict, thread_url: str | None) -> dict[str, Any] | None:
    if post.get("isDeleted") or post.get("isSpam"):
        return None
    author = post.get("author") if isinstance(post.get("author"), dict) else {}
    created = post.get("createdAt")
    if isinstance(created, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:]+", created):
        created += "Z"  # Disqus times are UTC without an offset
    link = thread_url
    return mention(
        site_id=post.get("id"),
        kind="comment",
        url=f"{link}#comment-{post.get('id')}" if link else None,
        thread_url=link,
        parent_site_id=post.get("parent"),
        author=author.get("name") or author.get("username"),
        body=html_to_text(post.get("message")) or post.get("raw_message") or "",
        published_at=created,
    )
