"""Discourse JSON API: ``/latest.json``, ``/posts.json``, ``/t/<id>.json`` and ``/search.json``.

Ids: a topic (and its first post, which *is* the topic) is ``t<topic_id>``; any other post is
``p<post_id>`` with ``parent_site_id`` ``t<topic_id>``. Links resolve against the origin of
the url the response came from, so a replayed crawl stays on its own server.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from groundswell.crawl.parsers import ParseError, each_record
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.text import (
    as_text,
    drop_empty,
    html_to_text,
    load_json,
    looks_like_json,
    looks_like_question,
    media_placeholder,
    origin,
)

KIND = "discourse"

ORIGINAL_POSTER = "original poster"
POSTS_PER_REQUEST = 20

_SIGNATURE = re.compile(r'"(topic_list|latest_posts|post_stream|grouped_search_result)"\s*:')
_LEGACY_SEARCH_RESULTS = re.compile(r'"results"\s*:\s*\[')
_LEGACY_SEARCH_TYPE = re.compile(r'"type"\s*:\s*"(topic|post|user|category)"')
_LEGACY_SEARCH_GROUP_TYPES = ("topic", "post")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if not looks_like_json(text):
        return False
    if _SIGNATURE.search(text):
        return True
    head = text[:4096]
    return (
        head.lstrip("\ufeff \t\r\n").startswith("[")
        and bool(_LEGACY_SEARCH_RESULTS.search(head))
        and bool(_LEGACY_SEARCH_TYPE.search(head))
    )


@total
def parse(text: str, url: str) -> list[dict]:
    data = load_json(text, "a Discourse")
    site = origin(url)
    if isinstance(data, dict):
        if isinstance(data.get("topic_list"), dict):
            return parse_latest(data, site)
        if isinstance(data.get("latest_posts"), list):
            return each_record(data["latest_posts"], lambda post: post_mention(post, site))
        if isinstance(data.get("post_stream"), dict):
            return parse_topic(data, site)
        if "grouped_search_result" in data:
            return parse_search(data, site)
    if _is_legacy_search(data):
        return parse_legacy_search(data, site)
    raise ParseError("expected Discourse topic_list, latest_posts, post_stream or search JSON")


@total
def follow_urls(text: str, url: str) -> list[str]:
    """latest.json: each topic's ``/t/<id>.json`` and the next page; a topic: its unloaded posts."""
    data = load_json(text, "a Discourse")
    site = origin(url)
    if isinstance(data, dict) and isinstance(data.get("topic_list"), dict):
        topic_list = data["topic_list"]
        topic_ids = [topic.get("id") for topic in topic_list.get("topics") or []]
        urls = [f"{site}/t/{topic_id}.json" for topic_id in dict.fromkeys(topic_ids) if topic_id]
        if topic_list.get("more_topics_url"):
            urls.append(json_url(urljoin(site + "/", topic_list["more_topics_url"])))
        return urls
    if isinstance(data, dict) and isinstance(data.get("post_stream"), dict):
        return _unloaded_posts_urls(data, site)
    return []


@total
def older_page_urls(text: str, url: str) -> list[str]:
    """``latest.json`` lists topics by last activity, newest first: its next page."""
    data = load_json(text, "a Discourse")
    topic_list = data.get("topic_list") if isinstance(data, dict) else None
    if not isinstance(topic_list, dict) or not topic_list.get("more_topics_url"):
        return []
    return [json_url(urljoin(origin(url) + "/", topic_list["more_topics_url"]))]


@total
def thread_urls(text: str, url: str) -> dict[str, dict]:
    """Each topic's ``/t/<id>.json`` → its site id and when it was last posted in."""
    data = load_json(text, "a Discourse")
    topic_list = data.get("topic_list") if isinstance(data, dict) else None
    if not isinstance(topic_list, dict):
        return {}
    return {
        f"{origin(url)}/t/{topic['id']}.json": {
            "site_id": f"t{topic['id']}",
            "last_activity": topic.get("last_posted_at") or topic.get("bumped_at"),
        }
        for topic in topic_list.get("topics") or []
        if isinstance(topic, dict) and topic.get("id")
    }


def json_url(url: str) -> str:
    """``/latest?page=1`` → ``/latest.json?page=1`` (Discourse gives page links without .json)."""
    parts = urlsplit(url)
    if parts.path.endswith(".json"):
        return url
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + ".json"))


def _unloaded_posts_urls(topic: dict, site: str) -> list[str]:
    stream = topic["post_stream"]
    loaded = {post.get("id") for post in stream.get("posts") or []}
    missing = [post_id for post_id in stream.get("stream") or [] if post_id not in loaded]
    topic_id = topic.get("id")
    if not missing or not topic_id:
        return []
    urls = []
    for start in range(0, len(missing), POSTS_PER_REQUEST):
        chunk = missing[start : start + POSTS_PER_REQUEST]
        query = urlencode([("post_ids[]", post_id) for post_id in chunk])
        urls.append(f"{site}/t/{topic_id}/posts.json?{query}")
    return urls


def parse_latest(data: dict, site: str) -> list[dict]:
    usernames = {user.get("id"): user.get("username") for user in data.get("users") or []}
    topics = data["topic_list"].get("topics")
    if not isinstance(topics, list):
        raise ParseError("topic_list without topics")
    return each_record(topics, lambda topic: topic_mention(topic, site, usernames))


def topic_mention(topic: dict, site: str, usernames: dict) -> dict:
    title = topic.get("title") or topic.get("fancy_title") or ""
    excerpt = html_to_text(topic.get("excerpt"))
    url = topic_url(site, topic.get("slug"), topic.get("id"))
    is_question = looks_like_question(title, excerpt)
    mention = {
        "site_id": f"t{topic.get('id')}",
        "kind": "question" if is_question else "post",
        "url": url,
        "thread_url": url,
        "author": _original_poster(topic, usernames),
        "title": title,
        "body": excerpt,
        "published_at": topic.get("created_at"),
        "is_question": is_question,
        "raw": topic,
    }
    return drop_empty(mention)


def _original_poster(topic: dict, usernames: dict) -> str | None:
    posters = [poster for poster in topic.get("posters") or [] if isinstance(poster, dict)]
    for poster in posters:
        if ORIGINAL_POSTER in (poster.get("description") or "").lower():
            return usernames.get(poster.get("user_id"))
    if posters:
        return usernames.get(posters[0].get("user_id"))
    return None


def parse_topic(data: dict, site: str) -> list[dict]:
    posts = data["post_stream"].get("posts")
    if not isinstance(posts, list):
        raise ParseError("post_stream without posts")
    topic = {"id": data.get("id"), "slug": data.get("slug"), "title": data.get("title")}
    mentions = each_record(posts, lambda post: post_mention(post, site, topic))
    return [mention for mention in mentions if mention.get("body") or mention.get("title")]


def post_mention(post: dict, site: str, topic: dict | None = None) -> dict:
    """One post; the first post of a topic becomes the topic mention ``t<topic_id>``."""
    topic = topic or {}
    topic_id = post.get("topic_id") or topic.get("id")
    slug = post.get("topic_slug") or topic.get("slug")
    title = post.get("topic_title") or topic.get("title") or ""
    body = (
        html_to_text(post.get("cooked"))
        or (post.get("raw") or "").strip()
        or media_placeholder(post.get("cooked"))
    )
    thread = topic_url(site, slug, topic_id)
    mention = {
        "author": post.get("username"),
        "body": body,
        "published_at": post.get("created_at"),
        "thread_url": thread,
        "raw": post,
    }
    if post.get("post_number") == 1:
        is_question = looks_like_question(title, body)
        mention.update(
            site_id=f"t{topic_id}",
            kind="question" if is_question else "post",
            url=thread,
            title=title,
            is_question=is_question,
        )
    else:
        mention.update(
            site_id=f"p{post.get('id')}",
            kind="comment",
            url=f"{thread}/{post.get('post_number')}",
            parent_site_id=f"t{topic_id}",
        )
    return drop_empty(mention)


def topic_url(site: str, slug: str | None, topic_id: object) -> str:
    return f"{site}/t/{slug or 'topic'}/{topic_id}"


def parse_search(data: dict, site: str) -> list[dict]:
    """Current ``/search.json``: ``posts`` (with ``blurb``) and the ``topics`` they belong to."""
    topics = {topic.get("id"): topic for topic in data.get("topics") or []}

    def search_post_mention(post: dict) -> dict:
        topic = topics.get(post.get("topic_id"), {})
        enriched = {
            **post,
            "cooked": post.get("cooked") or post.get("blurb"),
            "topic_slug": post.get("topic_slug") or topic.get("slug"),
            "topic_title": post.get("topic_title") or topic.get("title"),
        }
        return post_mention(enriched, site)

    return each_record(data.get("posts") or [], search_post_mention)


def _is_legacy_search(data: object) -> bool:
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(group, dict) and "results" in group for group in data)
    )


def parse_legacy_search(groups: list, site: str) -> list[dict]:
    """Pre-2014 ``/search.json``: ``[{type, results: [{id, title, url}]}]`` (no dates given)."""
    mentions = []
    for group in groups:
        if group.get("type") not in _LEGACY_SEARCH_GROUP_TYPES:
            continue
        for result in group.get("results") or []:
            mentions.append(_legacy_result_mention(result, site, group["type"]))
    return mentions


def _legacy_result_mention(result: dict, site: str, group_type: str) -> dict:
    title = result.get("title") or ""
    url = urljoin(site + "/", result.get("url") or f"/t/{result.get('id')}")
    is_question = looks_like_question(title, result.get("blurb"))
    id_prefix = "t" if group_type == "topic" else "p"
    mention = {
        "site_id": f"{id_prefix}{result.get('id')}",
        "kind": "question" if is_question else "post",
        "url": url,
        "thread_url": url,
        "title": title,
        "body": html_to_text(result.get("blurb")),
        "is_question": is_question,
        "raw": result,
    }
    return drop_empty(mention)
