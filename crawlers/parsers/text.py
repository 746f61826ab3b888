"""Small text helpers shared by the parsers: HTML to text, question detection, URL origins."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from crawlers.parsers import ParseError

DROPPED_TAGS = ("script", "style", "noscript", "template", "head")
BLOCK_TAGS = (
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
)

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment: paragraph breaks kept, script/style dropped."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return _tidy_whitespace(html)
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(DROPPED_TAGS):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(BLOCK_TAGS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    return _tidy_whitespace(soup.get_text())


def media_placeholder(html: str | None) -> str:
    """``[image: src]`` for each image of an HTML fragment: the body of an image-only post."""
    if not html or "<img" not in html:
        return ""
    images = BeautifulSoup(html, "html.parser").find_all("img")
    return "\n".join(f"[image: {img.get('src') or img.get('alt') or ''}]" for img in images)


def single_line(text: str | None) -> str:
    """``html_to_text`` collapsed to one line (for titles)."""
    return " ".join(html_to_text(text).split())


def _tidy_whitespace(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


_LEADING_TAGS = re.compile(r"^(\s*(\[[^\]]*\]|\([^)]*\)|[A-Za-z0-9]{2,8}:))+\s*")
_ASKED_ABOUT = (
    r"(i|you|we|they|he|she|it|there|this|that|these|those|anyone|anybody|someone|somebody"
    r"|my|your|our|their|the|a|an|any)"
)
# "What is…", "Is there…", "Can someone…"; not "What I learned", "Will Smith…", "Do not…"
_QUESTION_OPENERS = re.compile(
    r"^(?:(?:what|why|when|where|which|who|whose)\b(?!\s+(?:i|we|they|he|she)\b)"
    r"|how\s+(?:do|does|did|can|could|should|would|is|are|much|many|long|come)\b"
    r"|(?:is|are|am|was|were|can|could|should|would|will|do|does|did|has|have)\s+"
    + _ASKED_ABOUT
    + r"\b"
    r"|any\s?(?:one|body)\s+(?:know|here|else|tried|using|have|has|got)\b)",
    re.IGNORECASE,
)
_FIRST_PARAGRAPH_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def looks_like_question(title: str | None, body: str | None = None) -> bool:
    """Does this post ask something? The title decides; failing that, the body's opening.

    A title asks when it contains a question mark or opens with an interrogative
    ("How do I…", "Is there…", "Anyone know…") after tags like "[serious]" or "ELI5:".
    A body asks when the first or last sentence of its first paragraph ends with "?",
    or, for an untitled post, when that paragraph opens with an interrogative.
    """
    title = (title or "").strip()
    if title and _title_asks(title):
        return True
    sentences = _SENTENCE_END.split(_first_paragraph(body or ""))
    if not sentences[0]:
        return False
    if sentences[0].endswith("?") or sentences[-1].endswith("?"):
        return True
    return not title and bool(_QUESTION_OPENERS.match(_LEADING_TAGS.sub("", sentences[0])))


def _title_asks(title: str) -> bool:
    if "?" in title:
        return True
    stripped = _LEADING_TAGS.sub("", title)
    return bool(_QUESTION_OPENERS.match(stripped))


def _first_paragraph(body: str) -> str:
    paragraph = body.strip().split("\n\n", 1)[0].strip()
    return paragraph[:_FIRST_PARAGRAPH_CHARS].rstrip()


def origin(url: str | None) -> str:
    """``scheme://host[:port]`` of an absolute URL; ``""`` for a relative or empty one."""
    if not url:
        return ""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def drop_empty(mention: dict) -> dict:
    """The mention without keys whose value is None or "" (parsers only give what they have)."""
    return {key: value for key, value in mention.items() if value is not None and value != ""}


def as_text(text: str | bytes | None) -> str:
    """Response bodies may reach ``matches`` as bytes; parsers work on str."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="replace")
    return text


def load_json(text: str | bytes, what: str) -> object:
    """``json.loads`` that raises ``ParseError`` (naming what was expected) on non-JSON."""
    try:
        return json.loads(as_text(text).lstrip("\ufeff"))
    except ValueError as error:
        raise ParseError(f"expected {what} JSON: {error}") from error


def looks_like_json(text: str) -> bool:
    """Cheap check: does the body start like a JSON object or array?"""
    return text[:64].lstrip("\ufeff \t\r\n")[:1] in ("{", "[")
