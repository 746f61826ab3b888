"""Text helpers shared by all parsers: markup to plain text, question detection, sniffing a body
(JSON or HTML), decoding JSON, URL origins.

``groundswell.crawl.parsers.common`` re-exports the markup and JSON helpers for the HTML
platform parsers; this module is where they live.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, CData, NavigableString, Tag

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.limits import MAX_JSON_DEPTH, check_json_depth

# --------------------------------------------------------------------------- markup to text

# Not content: their text is dropped with them.
SKIPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "svg",
        "button",
        "input",
        "select",
        "textarea",
    ]
)
# Elements that start on a line of their own.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
# Block elements set off by a blank line (they have margins in a browser); the others (div, li,
# td…) by a line break. Two blocks in a row are always a blank line apart.
PARAGRAPH_TAGS = frozenset(
    ["blockquote", "dl", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ol", "p", "pre", "ul"]
)
# Strings that are text; comments, doctypes, <rt> ruby annotations and the like are not.
_TEXT_STRINGS = (NavigableString, CData)
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_ANY_SPACE = re.compile(r"\s+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def normalize_space(text: str) -> str:
    """Collapse runs of spaces, strip every line, and allow at most one blank line."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(markup: str | None) -> str:
    """Plain text of an HTML fragment (API fields that hold HTML: HN, Discourse, Mastodon…).

    Block elements start a line (paragraphs, lists, quotes: a paragraph), ``<br>`` is a line
    break, emoji images are their alt text; scripts, styles and form controls are dropped. Line
    breaks in the fragment's text are kept: such fields are often text with a few tags or
    entities (Discourse excerpts), written with line breaks that mean something.
    """
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return normalize_space(markup)
    fragment = BeautifulSoup(markup, "html.parser")
    out: list[str] = []
    _walk_text(fragment, out, keep_newlines=True)
    return normalize_space("".join(out))


def element_text(node: Tag | None) -> str:
    """Plain text of an element of a parsed page, block elements and ``<br>`` as in
    ``html_to_text``. Whitespace in the page's text is collapsed, as a browser does: there, a
    line break in the source is indentation, not content.
    """
    if node is None:
        return ""
    out: list[str] = []
    _walk_text(node, out, keep_newlines=False)
    return normalize_space("".join(out))


def _walk_text(node: Tag, out: list[str], *, keep_newlines: bool) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) in _TEXT_STRINGS:
                out.append(str(child) if keep_newlines else _ANY_SPACE.sub(" ", str(child)))
            continue
        if not isinstance(child, Tag) or child.name in SKIPPED_TAGS:
            continue
        if child.name == "br":
            out.append("\n")
        elif child.name == "img":
            alt = child.get("alt") or ""
            if "emoji" in (child.get("class") or []) and alt:
                out.append(alt)
        elif child.name == "pre":
            out.append("\n\n" + child.get_text() + "\n\n")
        elif child.name in BLOCK_TAGS:
            brk = "\n\n" if child.name in PARAGRAPH_TAGS else "\n"
            out.append(brk)
            _walk_text(child, out, keep_newlines=keep_newlines)
            out.append(brk)
        else:
            _walk_text(child, out, keep_newlines=keep_newlines)


def media_placeholder(html: str | None) -> str:
    """``[image: src]`` for each image of an HTML fragment: the body of an image-only post."""
    if not html or "<img" not in html:
        return ""
    images = BeautifulSoup(html, "html.parser").find_all("img")
    return "\n".join(f"[image: {img.get('src') or img.get('alt') or ''}]" for img in images)


def single_line(text: str | None) -> str:
    """``html_to_text`` collapsed to one line (for titles)."""
    return " ".join(html_to_text(text).split())


# --------------------------------------------------------------------------- questions

_LEADING_TAGS = re.compile(r"^(\s*(\[[^\]]*\]|\([^)]*\)|[A-Za-z0-9]{2,8}:))+\s*")
_ASKED_ABOUT = (
    r"(i|you|we|they|he|she|it|there|this|that|these|those|anyone|anybody|someone|somebody"
    r"|my|your|our|their|the|a|an|any)"
)
# "What is…", "Is there…", "Can someone…", "How to…", "Any ideas…", "Help with…";
# not "What I learned", "Will Smith…", "Do not…", "How I…"
_QUESTION_OPENERS = re.compile(
    r"^(?:(?:what|why|when|where|which|who|whose)\b(?!\s+(?:i|we|they|he|she)\b)"
    r"|how\s+(?:to|do|does|did|can|could|should|would|is|are|much|many|long|come)\b"
    r"|(?:is|are|am|was|were|can|could|should|would|will|do|does|did|has|have)\s+"
    + _ASKED_ABOUT
    + r"\b"
    r"|any\s?(?:one|body)\s+(?:know|here|else|tried|using|have|has|got)\b"
    r"|any\s+(?:ideas|suggestions|advice|tips|recommendations|help)\b"
    r"|help(?:\s+(?:with|me|needed|please)\b|\s*[!:]))",
    re.IGNORECASE,
)
# A URL or query string: its '?' asks nothing ("page.html?id=3").
_URLISH = re.compile(r"\S+://\S+|\S+\?\S*=\S*")
_ASKS = re.compile(r"\?(?![\w?=&%/#+-])")  # a sentence's '?', not a query string's
# A title that reports a breakage asks for help ("curl command not working").
_BROKEN = re.compile(r"\b(?:not working|doesn'?t work|does not work)\b", re.IGNORECASE)
# The poster asks without a question mark: "I'm not sure what to do", "I was wondering…".
_ASKING = re.compile(
    r"\b(?:(?:i'?m|i am)\s+not sure\s+(?:if|whether|what|how|why|where|which|who|when)"
    r"|i\s+wonder|(?:i'?m|i am|i was)\s+wondering"
    r"|(?:does|do|can|could)\s+(?:any|some)\s?(?:one|body)"
    r"|need\s+(?:some\s+)?(?:help|advice)|please\s+help|help\s+me)\b",
    re.IGNORECASE,
)
_PARAGRAPH_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def looks_like_question(title: str | None, body: str | None = None) -> bool:
    """Does this post ask something? The title decides; failing that, the body's opening and
    closing paragraphs.

    A title asks when it has a question mark (not one of a URL's query string), opens with an
    interrogative ("How do I…", "How to…", "Is there…", "Anyone know…") after tags like
    "[serious]" or "ELI5:", reports something "not working", or pleads ("need help").
    A body asks when the first or last sentence of its first paragraph ends with "?", or the
    whole body does; when its first or last paragraph asks in words ("I'm not sure what…",
    "does anyone…"); or, for an untitled post, when it opens with an interrogative.
    """
    title = (title or "").strip()
    if title and _title_asks(title):
        return True
    paragraphs = (body or "").strip().split("\n\n")
    opening = paragraphs[0].strip()[:_PARAGRAPH_CHARS].rstrip()
    sentences = _SENTENCE_END.split(opening)
    if not sentences[0]:
        return False
    if sentences[0].endswith("?") or sentences[-1].endswith("?"):
        return True
    closing = paragraphs[-1].strip()[-_PARAGRAPH_CHARS:]
    if len(paragraphs) > 1 and closing.endswith("?"):
        return True
    if _ASKING.search(opening) or _ASKING.search(closing):
        return True
    return not title and bool(_QUESTION_OPENERS.match(_LEADING_TAGS.sub("", sentences[0])))


def _title_asks(title: str) -> bool:
    title = _URLISH.sub(" ", title)
    if _ASKS.search(title) or _BROKEN.search(title) or _ASKING.search(title):
        return True
    return bool(_QUESTION_OPENERS.match(_LEADING_TAGS.sub("", title)))


# --------------------------------------------------------------------------- sniffing & JSON


def as_text(text: str | bytes | None) -> str:
    """Response bodies may reach ``matches`` as bytes; parsers work on str."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="replace")
    return text


_JSON_HEAD = re.compile(r"[\ufeff\s]*(.?)", re.DOTALL)


def looks_like_json(text: Any, content_type: str = "") -> bool:
    """Cheap check: is the body JSON? Already-decoded data is; text is when it starts like an
    object or array, or (given a JSON ``content_type``) unless it starts like markup."""
    if isinstance(text, (dict, list)):
        return True
    if not isinstance(text, str):
        return False
    head = _JSON_HEAD.match(text).group(1)
    return head in ("{", "[") or ("json" in (content_type or "").lower() and head != "<")


def sniff_head(text: Any, chars: int) -> str:
    """The start of a body, to look for a platform's markers in (decoded data: its ``str``)."""
    return text[:chars] if isinstance(text, str) else str(text)[:chars]


def looks_like_html(text: Any, within: int = 2000) -> bool:
    """Cheap check for ``matches``: is the body text with markup in its first ``within`` chars?"""
    return isinstance(text, str) and "<" in text[:within]


def load_json(data: Any, what: str = "") -> Any:
    """Decoded JSON from text or bytes (a leading BOM is fine); decoded data passes through.
    JSON nested deeper than ``MAX_JSON_DEPTH`` is refused.

    Raises ``ParseError`` naming ``what`` was expected ("a Reddit Listing") on anything else.
    """
    if isinstance(data, (dict, list)):
        return data
    if data is not None and not isinstance(data, (str, bytes)):
        raise ParseError(
            f"expected {what + ' ' if what else ''}JSON text, got {type(data).__name__}"
        )
    try:
        decoded = json.loads(as_text(data).lstrip("\ufeff"))
    except RecursionError:
        raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels; not read") from None
    except ValueError as error:
        raise ParseError(
            f"expected {what} JSON: {error}" if what else f"not JSON: {error}"
        ) from error
    return check_json_depth(decoded)


# --------------------------------------------------------------------------- mentions & urls


def drop_empty(mention: dict) -> dict:
    """The mention without keys whose value is None or "" (parsers only give what they have)."""
    return {key: value for key, value in mention.items() if value is not None and value != ""}


def origin(url: str | None) -> str:
    """``scheme://host[:port]`` of an absolute URL; ``""`` for a relative or empty one."""
    if not url:
        return ""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"
