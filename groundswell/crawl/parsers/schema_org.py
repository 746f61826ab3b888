"""Generic pages with schema.org markup (JSON-LD, microdata, RDFa), read with extruct.

First use: ``Review`` objects wherever they sit (top level, ``@graph``, a Product's or
LocalBusiness's ``review``, ItemList items, nested in other objects) → ``review`` mentions.
Second use: ``DiscussionForumPosting`` / ``Question`` / ``Answer`` / ``Comment`` → post,
question, answer and comment mentions. Questions of an ``FAQPage`` are the site's own copy,
not mentions, and are skipped. A page with only an ``AggregateRating`` gives no mentions.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from urllib.parse import urldefrag

import extruct

from groundswell.crawl.parsers.limits import check_json_depth, never_raises, total
from groundswell.crawl.parsers.text import (
    as_text,
    drop_empty,
    html_to_text,
    looks_like_html,
    looks_like_json,
)

KIND = "schema_org"

REVIEW_TYPES = frozenset({"Review", "UserReview", "CriticReview", "EmployerReview"})
DISCUSSION_KINDS = {
    "DiscussionForumPosting": "post",
    "Question": "question",
    "Answer": "answer",
    "Comment": "comment",
}
THREAD_TYPES = frozenset({"DiscussionForumPosting", "Question"})
SKIPPED_CONTAINERS = frozenset({"FAQPage"})
NODE_KEYWORDS = frozenset({"@context", "@type", "@id"})  # "@graph" is walked into
SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:")

_TYPE_NAMES = (
    r"(?:Review|UserReview|CriticReview|EmployerReview"
    r"|DiscussionForumPosting|QAPage|Question|Answer|Comment)"
)
_MARKUP = re.compile(
    r"itemtype\s*=\s*[\"']?https?://schema\.org/" + _TYPE_NAMES + r"\b"
    r"|\"@type\"\s*:\s*\[?\s*\"(?:https?://schema\.org/|schema:)?" + _TYPE_NAMES + r"\""
    r"|typeof\s*=\s*[\"'][^\"']*\b(?:schema:)?" + _TYPE_NAMES + r"\b"
)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_HTML_MARKERS = re.compile(
    r"</?(?:p|br|div|span|a|b|i|em|strong|ul|ol|li|h[1-6]|blockquote|pre|code)\b[^>]*>"
    r"|&(?:#\d+|#x[0-9a-f]+|[a-z]+);",
    re.IGNORECASE,
)


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    if looks_like_json(text) or not looks_like_html(text, within=1024):
        return False
    return bool(_MARKUP.search(text))


def reviews_not_rendered(text: str) -> bool:
    """Review markup only inside a script (not JSON-LD): the page builds it with JavaScript."""
    return any(
        "ld+json" not in attributes.lower() and _MARKUP.search(body)
        for attributes, body in _SCRIPT.findall(as_text(text))
    )


@total
def parse(text: str, url: str) -> list[dict]:
    page_url = urldefrag(url or "")[0]
    mentions: list[dict] = []
    seen: set[str] = set()
    roots = extract_objects(as_text(text), page_url)
    faq = faq_questions(roots)
    for root in roots:
        for node, thread in _walk(root, thread=None, faq=faq):
            mention = node_mention(node, page_url, thread)
            if mention is None:
                continue
            key = _identity(mention)
            if key not in seen:
                seen.add(key)
                mentions.append(mention)
    return mentions


def extract_objects(html: str, page_url: str) -> list[dict]:
    """Every top-level schema.org object of the page, all three syntaxes in one shape."""
    syntaxes = _syntaxes_present(html)
    if not syntaxes:
        return []
    data = extruct.extract(
        html, base_url=page_url or None, syntaxes=syntaxes, uniform=True, errors="ignore"
    )
    objects = list(data.get("json-ld") or []) + list(data.get("microdata") or [])
    objects += rdfa_objects(data.get("rdfa") or [])
    return check_json_depth([item for item in objects if isinstance(item, dict)])


def _syntaxes_present(html: str) -> list[str]:
    syntaxes = []
    if "application/ld+json" in html:
        syntaxes.append("json-ld")
    if "itemscope" in html:
        syntaxes.append("microdata")
    if "typeof=" in html:
        syntaxes.append("rdfa")
    return syntaxes


def rdfa_objects(nodes: list) -> list[dict]:
    """extruct's RDFa output is flat expanded JSON-LD; nest it like microdata/JSON-LD."""
    by_id = {node["@id"]: node for node in nodes if isinstance(node, dict) and "@id" in node}
    referenced = {
        value["@id"]
        for node in by_id.values()
        for key, values in node.items()
        if not key.startswith("@") and isinstance(values, list)
        for value in values
        if isinstance(value, dict) and "@id" in value
    }
    return [
        _nest_rdfa(node, by_id, visiting=frozenset())
        for node_id, node in by_id.items()
        if node_id not in referenced and "@type" in node
    ]


def _nest_rdfa(node: dict, by_id: dict, visiting: frozenset) -> dict:
    nested: dict = {"@id": node["@id"], "@type": [_short_name(t) for t in node.get("@type", [])]}
    visiting = visiting | {node["@id"]}
    for key, values in node.items():
        if key.startswith("@") or not isinstance(values, list):
            continue
        converted = [_rdfa_value(value, by_id, visiting) for value in values]
        nested[_short_name(key)] = converted[0] if len(converted) == 1 else converted
    return nested


def _rdfa_value(value: object, by_id: dict, visiting: frozenset) -> object:
    if not isinstance(value, dict):
        return value
    if "@value" in value:
        return value["@value"]
    node_id = value.get("@id")
    if node_id in by_id and node_id not in visiting:
        return _nest_rdfa(by_id[node_id], by_id, visiting)
    return node_id


def _short_name(name: str) -> str:
    for prefix in SCHEMA_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def type_names(node: dict) -> set[str]:
    types = node.get("@type") or []
    if isinstance(types, str):
        types = [types]
    elif not isinstance(types, list):
        return set()
    return {_short_name(t).rsplit("/", 1)[-1] for t in types if isinstance(t, str)}


def faq_questions(roots: list) -> FaqIndex:
    """The publisher's own FAQ: ids its FAQPage objects point to, and whether the page has one."""
    index = FaqIndex()
    stack: list = list(roots)
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            if type_names(value) & SKIPPED_CONTAINERS:
                index.present = True
                entities = value.get("mainEntity") or value.get("hasPart") or []
                for entity in entities if isinstance(entities, list) else [entities]:
                    if isinstance(entity, dict) and isinstance(entity.get("@id"), str):
                        index.ids.add(entity["@id"])
            stack.extend(v for k, v in value.items() if k not in NODE_KEYWORDS)
    return index


class FaqIndex:
    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.present = False

    def holds(self, node: dict) -> bool:
        """A Question of the page's FAQ: listed by its FAQPage, or (on a page with one)
        a question nobody signed or dated."""
        if node.get("@id") in self.ids:
            return True
        unsigned = not (node.get("author") or node.get("dateCreated") or node.get("datePublished"))
        return self.present and unsigned


def _walk(
    value: object, thread: dict | None, faq: FaqIndex | None = None
) -> Iterator[tuple[dict, dict | None]]:
    """Depth-first (node, enclosing thread node) pairs; FAQPage subtrees and FAQ questions
    (with their answers) skipped. Iterative: deeply nested markup cannot exhaust the stack."""
    faq = faq or FaqIndex()
    stack: list[tuple[object, dict | None]] = [(value, thread)]
    while stack:
        current, enclosing = stack.pop()
        if isinstance(current, list):
            stack.extend((item, enclosing) for item in reversed(current))
            continue
        if not isinstance(current, dict):
            continue
        types = type_names(current)
        if types & SKIPPED_CONTAINERS or ("Question" in types and faq.holds(current)):
            continue
        yield current, enclosing
        inner = current if types & THREAD_TYPES else enclosing
        children = [item for key, item in current.items() if key not in NODE_KEYWORDS]
        stack.extend((item, inner) for item in reversed(children))


def node_mention(node: dict, page_url: str, thread: dict | None) -> dict | None:
    types = type_names(node)
    if types & REVIEW_TYPES:
        mention = review_fields(node)
    else:
        kinds = [DISCUSSION_KINDS[name] for name in DISCUSSION_KINDS if name in types]
        if not kinds:
            return None
        mention = discussion_fields(node, kinds[0], thread, page_url)
    mention.update(
        site_id=_site_id(node),
        author=person_name(node.get("author") or node.get("creator")),
        published_at=_first_text(node, "datePublished", "dateCreated", "dateModified"),
        raw=node,
    )
    mention.setdefault("thread_url", page_url or None)
    mention["url"] = _mention_url(node, page_url, mention)
    return drop_empty(mention)


def _mention_url(node: dict, page_url: str, mention: dict) -> str:
    """The object's own url, unless that is just the page (then each gets its own fragment)."""
    url = own_url(node)
    if url and urldefrag(url)[0].rstrip("/") != page_url.rstrip("/"):
        return url
    if url and "#" in url:
        return url
    return _fragment_url(page_url, mention)


def review_fields(node: dict) -> dict:
    rating, scale = review_rating(node.get("reviewRating"))
    return {
        "kind": "review",
        "title": clean_text(_first_text(node, "name", "headline")),
        "body": clean_text(_first_text(node, "reviewBody", "description", "text")),
        "rating": rating,
        "rating_scale": scale,
    }


def discussion_fields(node: dict, kind: str, thread: dict | None, page_url: str) -> dict:
    fields = {
        "kind": kind,
        "title": clean_text(_first_text(node, "headline", "name")),
        "body": clean_text(_first_text(node, "articleBody", "text", "description")),
    }
    if kind == "question":
        fields["is_question"] = True
        fields["answered"] = bool(node.get("acceptedAnswer")) or _answer_count(node) > 0
    if thread is not None and thread is not node:
        fields["thread_url"] = own_url(thread) or page_url or None
        fields["parent_site_id"] = _site_id(thread)
    return fields


def _answer_count(node: dict) -> int:
    try:
        return int(node.get("answerCount") or 0)
    except (TypeError, ValueError):
        return 0


def review_rating(rating: object) -> tuple[float | int | None, float | int | None]:
    """(ratingValue, bestRating) of a Rating object, or of a bare number."""
    if isinstance(rating, list):
        rating = rating[0] if rating else None
    if isinstance(rating, dict):
        return _number(rating.get("ratingValue")), _number(rating.get("bestRating"))
    return _number(rating), None


def _number(value: object) -> float | int | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def person_name(author: object) -> str | None:
    """Name of a Person/Organization object, a plain string, or the first of a list."""
    if isinstance(author, list):
        names = [person_name(item) for item in author]
        return next((name for name in names if name), None)
    if isinstance(author, dict):
        name = author.get("name") or author.get("alternateName")
        return person_name(name) if name else None
    if isinstance(author, str):
        return " ".join(author.split()) or None
    return None


def clean_text(value: str | None) -> str:
    """Markup values are plain text (microdata) or sometimes HTML (JSON-LD); handle both."""
    if not value:
        return ""
    if _HTML_MARKERS.search(value):
        return html_to_text(value)
    return value.strip()


def own_url(node: dict) -> str | None:
    for key in ("url", "discussionUrl", "@id", "mainEntityOfPage"):
        value = node.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return value
    return None


def _fragment_url(page_url: str, mention: dict) -> str:
    """The page url plus a fragment derived from the content, stable across crawls."""
    fingerprint = json.dumps(
        [mention.get(key) for key in ("kind", "author", "published_at", "title", "body")],
        ensure_ascii=False,
    )
    digest = hashlib.sha1(fingerprint.encode("utf-8")).hexdigest()[:12]
    return f"{page_url}#{mention['kind']}-{digest}"


def _site_id(node: dict) -> str | None:
    identifier = node.get("identifier")
    if isinstance(identifier, dict):
        identifier = identifier.get("value")
    if isinstance(identifier, (str, int)) and str(identifier).strip():
        return str(identifier).strip()
    node_id = node.get("@id")
    if isinstance(node_id, str) and node_id and not node_id.startswith("_:"):
        return node_id
    return None


def _first_text(node: dict, *keys: str) -> str | None:
    for key in keys:
        value = node.get(key)
        if isinstance(value, list):
            value = next((item for item in value if isinstance(item, (str, int, float))), None)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _identity(mention: dict) -> str:
    """Same review given in JSON-LD and microdata counts once."""
    fields = ("kind", "author", "published_at", "title", "body", "rating")
    return json.dumps([mention.get(key) for key in fields], ensure_ascii=False, default=str)
