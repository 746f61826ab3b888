"""GitHub issues, pull requests and discussions through the API (JSON).

REST: an issue (``/repos/<o>/<r>/issues/<n>``: ``number``, ``title``, ``body``, ``user.login``,
``created_at``, ``html_url``), its comments (``/issues/<n>/comments``: a list of ``id``,
``html_url``, ``issue_url``, ``user``, ``body``, ``created_at``) and discussion comments
(``/discussions/<n>/comments``, with ``parent_id`` for replies). GraphQL: a ``discussion`` or
``issue`` node with ``comments.nodes`` (and each comment's ``replies.nodes``).
"""

from __future__ import annotations

import re
from typing import Any

from groundswell.crawl.parsers import ParseError, each_record
from groundswell.crawl.parsers.common import looks_like_question, mention
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.text import as_text, load_json, looks_like_json

KIND = "github"

_GITHUB = re.compile(r'"html_url"\s*:\s*"https://github\.com/[^"]+/(?:issues|pull|discussions)/\d+')
_GRAPHQL = re.compile(r'"(?:discussion|issue)"\s*:\s*\{')
_THREAD = re.compile(r"^(https://github\.com/[^/]+/[^/]+/(?:issues|pull|discussions)/\d+)")


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if not looks_like_json(text, content_type):
        return False
    head = text[:20000]
    if _GITHUB.search(head) and '"login"' in head:
        return True
    return "api.github.com/graphql" in (url or "") and bool(_GRAPHQL.search(head))


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    data = load_json(text, "a GitHub API")
    if isinstance(data, dict) and "message" in data and "documentation_url" in data:
        raise ParseError(f"GitHub API error: {data['message']}")
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        return _graphql(data["data"])
    if isinstance(data, dict) and "number" in data:
        return [_issue(data)]
    if isinstance(data, list):
        return each_record([i for i in data if isinstance(i, dict) and "id" in i], _comment)
    raise ParseError("expected a GitHub issue, a list of comments or a GraphQL discussion")


@total
def follow_urls(text: str, url: str) -> list[str]:
    return []


def _login(user: Any) -> str | None:
    if isinstance(user, dict):
        return user.get("login")
    return None


def _thread_url(html_url: str | None) -> str | None:
    match = _THREAD.match(html_url or "")
    return match.group(1) if match else None


def _issue(issue: dict) -> dict[str, Any]:
    title, body = issue.get("title") or "", issue.get("body") or ""
    asks = looks_like_question(title, body)
    return mention(
        site_id=issue.get("number"),
        kind="question" if asks else "post",
        url=issue.get("html_url"),
        thread_url=issue.get("html_url"),
        author=_login(issue.get("user")),
        title=title,
        body=body,
        published_at=issue.get("created_at"),
        is_question=asks,
        answered=issue.get("state") == "closed" if asks else None,
        raw={"state": issue.get("state"), "comments": issue.get("comments")},
    )


def _comment(comment: dict) -> dict[str, Any]:
    html_url = comment.get("html_url")
    issue_number = re.search(r"/issues/(\d+)$", comment.get("issue_url") or "")
    parent = comment.get("parent_id") or (issue_number.group(1) if issue_number else None)
    return mention(
        site_id=comment.get("id"),
        kind="comment",
        url=html_url,
        thread_url=_thread_url(html_url),
        parent_site_id=parent,
        author=_login(comment.get("user")),
        body=comment.get("body") or "",
        published_at=comment.get("created_at"),
        raw={"author_association": comment.get("author_association")},
    )


def _graphql(data: dict) -> list[dict[str, Any]]:
    repository = data.get("repository") if isinstance(data.get("repository"), dict) else data
    node = repository.get("discussion") or repository.get("issue")
    if not isinstance(node, dict):
        raise ParseError("GraphQL result holds no discussion or issue")
    thread = node.get("url")
    title, body = node.get("title") or "", node.get("body") or ""
    asks = looks_like_question(title, body)
    out = [mention(site_id=node.get("number") or node.get("id"), kind="question" if asks else "post",
                   url=thread, thread_url=thread, author=_login(node.get("author")),
                   title=title, body=body, published_at=node.get("createdAt"),
                   is_question=asks)]  # fmt: skip
    starter = out[0].get("site_id")
    pending = [(c, starter) for c in _nodes(node.get("comments"))]
    while pending:
        comment, parent = pending.pop(0)
        out.append(mention(site_id=comment.get("id"), kind="comment", url=comment.get("url"),
                           thread_url=thread, parent_site_id=parent,
                           author=_login(comment.get("author")), body=comment.get("body") or "",
                           published_at=comment.get("createdAt")))  # fmt: skip
        pending.extend((reply, comment.get("id")) for reply in _nodes(comment.get("replies")))
    return out


def _nodes(connection: Any) -> list[dict]:
    nodes = connection.get("nodes") if isinstance(connection, dict) else None
    return [n for n in nodes or [] if isinstance(n, dict)]
