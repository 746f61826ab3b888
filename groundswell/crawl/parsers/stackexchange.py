"""Stack Exchange sites: QAPage HTML (stackoverflow.com/questions/<id>) and the API JSON.

HTML: ``div#question[data-questionid]`` and ``div.answer[data-answerid]`` (microdata Question /
Answer: ``itemprop=upvoteCount``, ``dateCreated``, ``author``, ``text`` in ``.js-post-body``);
the accepted answer has class ``accepted-answer`` / ``itemprop=acceptedAnswer``. Comments are
``li.comment[data-comment-id]`` (``.comment-copy``, ``.comment-user``, ``.comment-date``).

API (api.stackexchange.com/2.x, e.g. /search/advanced, /questions, /answers, /comments):
``{items: [...], has_more, quota_max, quota_remaining}``; an error body
``{error_id, error_name, description}`` raises ``ParseError(description)``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from groundswell.crawl.parsers import ParseError, each_record
from groundswell.crawl.parsers.common import (
    canonical_url,
    element_text,
    html_to_text,
    inline_text,
    load_json,
    looks_like_json,
    make_soup,
    mention,
    next_page_links,
    parse_date,
    query_param,
    set_query_param,
    text_without,
    unescape,
    with_fragment,
)
from groundswell.crawl.parsers.limits import never_raises, total

KIND = "stackexchange"


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    if looks_like_json(text, content_type):
        return _matches_api(url, text)
    if not isinstance(text, str):
        return False
    qapage = re.search(r'itemtype="https?://schema\.org/QAPage"', text[:20000]) is not None
    stack = "sstatic.net" in text or "data-questionid=" in text
    return qapage and stack and 'id="question"' in text


@total
def parse(text: Any, url: str) -> list[dict[str, Any]]:
    if _is_api_json(text):
        return _parse_api(load_json(text), url)
    return _parse_html(make_soup(text), url)


@total
def follow_urls(text: Any, url: str) -> list[str]:
    if _is_api_json(text):
        data = load_json(text)
        if isinstance(data, dict) and data.get("has_more") and data.get("items"):
            page = int(query_param(url, "page") or "1")
            return [set_query_param(url, "page", str(page + 1))]
        return []
    links = next_page_links(make_soup(text), url, containers=(".s-pagination", ".pager-answers"))
    return [link.split("#")[0] for link in links]


@total
def older_page_urls(text: Any, url: str) -> list[str]:
    """API pages sorted descending (the default) by activity or creation run newest first."""
    newest_first = query_param(url, "order") != "asc" and (
        query_param(url, "sort") in (None, "activity", "creation")
    )
    return follow_urls(text, url) if _is_api_json(text) and newest_first else []


# --------------------------------------------------------------------------- API JSON


def _is_api_json(text: Any) -> bool:
    return isinstance(text, (dict, list)) or (isinstance(text, str) and text.lstrip()[:1] in "{[")


def _matches_api(url: str, text: Any) -> bool:
    if "api.stackexchange.com" in (url or ""):
        return True
    if not isinstance(text, str):
        text = str(text)
    api_wrapper = '"quota_max"' in text and '"items"' in text
    error = '"error_id"' in text and '"error_name"' in text
    return api_wrapper or error


def _parse_api(data: Any, url: str) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        raise ParseError("Stack Exchange API response is not a JSON object")
    if "error_id" in data:
        message = data.get("description") or data.get("error_name") or "API error"
        raise ParseError(f"Stack Exchange API error {data.get('error_id')}: {message}")
    items = data.get("items")
    if not isinstance(items, list):
        raise ParseError("Stack Exchange API response has no items[]")
    return each_record(items, lambda item: _api_item(item, url) or None)


def _api_item(item: dict[str, Any], url: str) -> dict[str, Any] | None:
    owner = item.get("owner") or {}
    common = {
        "author": unescape(owner.get("display_name")),
        "published_at": item.get("creation_date"),
        "body": html_to_text(item.get("body")) or unescape(item.get("body_markdown")),
        "raw": item,
    }
    if "comment_id" in item:
        link = item.get("link") or _site_link(url, f"/posts/comments/{item['comment_id']}")
        return mention(
            site_id=item["comment_id"],
            kind="comment",
            url=link,
            parent_site_id=item.get("post_id"),
            **common,
        )
    if "answer_id" in item:
        question_id = item.get("question_id")
        return mention(
            site_id=item["answer_id"],
            kind="answer",
            url=item.get("link") or _site_link(url, f"/a/{item['answer_id']}"),
            thread_url=_site_link(url, f"/questions/{question_id}") if question_id else None,
            parent_site_id=question_id,
            title=unescape(item.get("title")),
            **common,
        )
    if "question_id" in item:
        link = item.get("link") or _site_link(url, f"/questions/{item['question_id']}")
        return mention(
            site_id=item["question_id"],
            kind="question",
            url=link,
            thread_url=link,
            title=unescape(item.get("title")),
            is_question=True,
            answered=bool(item.get("accepted_answer_id")) or bool(item.get("is_answered")),
            **common,
        )
    return None


def _site_link(url: str, path: str) -> str:
    site = query_param(url, "site") or "stackoverflow"
    host = site if "." in site else f"{site}.com"
    return f"https://{host}{path}"


# --------------------------------------------------------------------------- QAPage HTML


def _parse_html(soup: BeautifulSoup, url: str) -> list[dict[str, Any]]:
    question = soup.select_one("#question[data-questionid], div.question[data-questionid]")
    if question is None:
        raise ParseError("not a Stack Exchange question page (no #question[data-questionid])")
    question_url = canonical_url(soup, url).split("#")[0]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(question_url))
    question_id = question["data-questionid"]
    answers = soup.select("div.answer[data-answerid]")
    accepted = [a for a in answers if _is_accepted(a)]
    title = _question_title(soup)
    out = [
        mention(
            site_id=question_id,
            kind="question",
            url=question_url,
            thread_url=question_url,
            author=_author(question),
            title=title,
            body=_post_body(question),
            published_at=_post_date(question) or _header_date(soup),
            is_question=True,
            answered=bool(accepted),
            raw={"score": _score(question), "tags": _tags(soup)},
        )
    ]
    out.extend(_comments(question, question_id, question_url))
    for answer in answers:
        answer_id = answer["data-answerid"]
        out.append(
            mention(
                site_id=answer_id,
                kind="answer",
                url=f"{origin}/a/{answer_id}",
                thread_url=question_url,
                parent_site_id=question_id,
                author=_author(answer),
                body=_post_body(answer),
                published_at=_post_date(answer),
                raw={"score": _score(answer), "accepted": answer in accepted},
            )
        )
        out.extend(_comments(answer, answer_id, question_url))
    return out


def _is_accepted(answer: Tag) -> bool:
    if "accepted-answer" in (answer.get("class") or []):
        return True
    if "acceptedAnswer" in (answer.get("itemprop") or ""):
        return True
    indicator = answer.select_one(".js-accepted-answer-indicator")
    return indicator is not None and "d-none" not in (indicator.get("class") or [])


def _question_title(soup: BeautifulSoup) -> str | None:
    heading = soup.select_one("#question-header h1, h1[itemprop=name]")
    if heading is not None and inline_text(heading):
        return inline_text(heading)
    meta = soup.find("meta", attrs={"property": "og:title"})
    return meta.get("content") if meta is not None else None


COMMUNITY_WIKI = "community wiki"
_REVISIONS = re.compile(r"^\s*\d+\s+revs?\b|\brevisions?\b|\d+\s+users?\s+\d+%", re.IGNORECASE)


def _author(post: Tag) -> str | None:
    """The owner; for community wiki posts ("11 revs, 7 users 58%") the top contributor
    named under that line, else "community wiki"."""
    el = post.select_one("[itemprop=author] [itemprop=name]")
    if el is not None and inline_text(el):
        return inline_text(el)
    signatures = post.select(".post-signature.owner .user-details") or post.select(
        ".post-signature .user-details"
    )
    if not signatures:
        return None
    owner = signatures[-1] if not post.select(".post-signature.owner") else signatures[0]
    for link in owner.find_all("a", href=True):
        if "/users/" in link["href"] and not _REVISIONS.search(inline_text(link)):
            return inline_text(link) or None
    text = inline_text(owner)
    if _REVISIONS.search(text) or "community-wiki" in " ".join(owner.get("class") or []):
        return COMMUNITY_WIKI
    return text.split("\n")[0].strip() or None


def _utc(value: str | None) -> Any:
    if not value:
        return None
    value = value.split(",")[0].strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", value):
        value += "Z"
    return parse_date(value)


def _post_date(post: Tag) -> Any:
    """When the post was asked or answered, not when it was last edited."""
    stamp = post.select_one("time[itemprop=dateCreated]")
    if stamp is not None and stamp.get("datetime"):
        return _utc(stamp["datetime"])
    for action in post.select(".post-signature .user-action-time"):
        words = inline_text(action).lower()
        when = action.select_one(".relativetime[title], [title]")
        if when is not None and words.startswith(("asked", "answered", "posted")):
            return _utc(when["title"])
    owner = post.select_one(".post-signature.owner .relativetime[title]")
    if owner is not None:
        return _utc(owner["title"])
    signatures = post.select(".post-signature .user-action-time .relativetime[title]")
    return _utc(signatures[-1]["title"]) if signatures else None


def _header_date(soup: BeautifulSoup) -> Any:
    stamp = soup.select_one("time[itemprop=dateCreated]")
    if stamp is not None:
        return _utc(stamp.get("datetime"))
    for label in soup.select(
        "#qinfo .label-key, #question-header + div [title], .question-stats [title]"
    ):
        if "asked" in inline_text(label.find_parent() or label).lower() and label.get("title"):
            return _utc(label["title"])
    return None


NOTICES = ("aside", ".js-post-notice", ".post-notice", ".s-notice", ".question-status",
           ".special-status", ".bounty-notification")  # fmt: skip


def _post_body(post: Tag) -> str:
    """The post's text, without the site's banners ("Locked.", "Closed.", bounty notices)."""
    body = post.select_one(".js-post-body, .s-prose[itemprop=text], .post-text")
    return text_without(body, NOTICES)


def _score(post: Tag) -> int | None:
    vote = post.select_one("[itemprop=upvoteCount], .js-vote-count")
    if vote is None:
        return None
    value = vote.get("data-value") or vote.get("content") or inline_text(vote)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _tags(soup: BeautifulSoup) -> list[str]:
    return [inline_text(tag) for tag in soup.select("#question .post-tag, .post-taglist .post-tag")]


def _comments(post: Tag, post_id: str, question_url: str) -> list[dict[str, Any]]:
    out = []
    for comment in post.select("li.comment[data-comment-id], li.js-comment[data-comment-id]"):
        comment_id = comment["data-comment-id"]
        date = comment.select_one(".comment-date [title]")
        out.append(
            mention(
                site_id=comment_id,
                kind="comment",
                url=with_fragment(question_url, f"comment{comment_id}_{post_id}"),
                thread_url=question_url,
                parent_site_id=post_id,
                author=inline_text(comment.select_one(".comment-user")) or None,
                body=element_text(comment.select_one(".comment-copy")),
                published_at=_utc(date["title"]) if date is not None else None,
            )
        )
    return out
