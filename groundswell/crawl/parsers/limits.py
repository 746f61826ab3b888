"""What any parser may be handed: bounds checked before parsing, and the guard that keeps every
parser total (any text in, mention dicts or a ``ParseError`` out).

- A page over the page cap (``[crawl] max_page_mb``, 10 MB by default) is refused before it is
  parsed; a crawl notes it (``groundswell/over_cap``).
- Markup of more than ``MAX_ELEMENTS`` elements is refused before a parse tree is built.
- A page that is mostly not text (binary, or another charset read as UTF-8: NULs and U+FFFD
  replacement characters) is refused before any markup or JSON parser sees it.
- JSON nested deeper than ``MAX_JSON_DEPTH`` is refused (``load_json``), before a parser walks it.
- ``@total`` wraps each parser function a crawl calls (``parse``, ``follow_urls``,
  ``thread_urls``, ``older_page_urls``): a record of unexpected shape that escapes
  ``each_record`` or nesting too deep for Python's stack turns into a ``ParseError`` naming
  it; ``@never_raises`` makes ``matches`` answer False instead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from groundswell.crawl.parsers import RECORD_ERRORS, ParseError

MB = 1024 * 1024
DEFAULT_PAGE_CAP = 10 * MB
MAX_JSON_DEPTH = 256  # Reddit's deepest comment trees nest ~50 levels of JSON
MAX_ELEMENTS = 30_000  # the largest recorded page has 6,121; BeautifulSoup builds ~60k a second
NOT_TEXT_SHARE = 0.10  # a page whose sample is 10% NULs and replacement characters is not text
SAMPLE_CHARS = 20_000

_page_cap: ContextVar[int] = ContextVar("page_cap", default=DEFAULT_PAGE_CAP)
_NOT_TEXT = re.compile("[\x00\ufffd]")
_START_TAG = re.compile("<[A-Za-z]")
SHAPE_ERRORS = (*RECORD_ERRORS, RecursionError)


@contextmanager
def page_cap(max_bytes: int) -> Iterator[None]:
    """Parsers inside the block refuse pages over ``max_bytes`` (a crawl's ``max_page_mb``)."""
    token = _page_cap.set(int(max_bytes))
    try:
        yield
    finally:
        _page_cap.reset(token)


def current_page_cap() -> int:
    return _page_cap.get()


def over_cap(size: int) -> bool:
    return size > _page_cap.get()


def check_page(text: Any) -> None:
    """Raise ``ParseError`` for a page no parser should read: over the cap, or not text."""
    if not isinstance(text, (str, bytes)):
        return  # decoded data (dicts, lists) handed over by a caller
    if over_cap(len(text)):
        raise ParseError(f"page of {len(text) / MB:.1f} MB is over the "
                         f"{_page_cap.get() / MB:g} MB page cap; not read")  # fmt: skip
    if isinstance(text, str) and text:
        sample = text[:SAMPLE_CHARS]
        if len(_NOT_TEXT.findall(sample)) > NOT_TEXT_SHARE * len(sample):
            raise ParseError("not text: binary data or a charset read wrongly")
        check_element_count(text)


def check_element_count(text: str) -> None:
    """Refuse markup of more than ``MAX_ELEMENTS`` start tags (tag soup, 10^5 nested divs): a
    parse tree that size takes seconds to build. (lxml alone stops at 256 levels; the tree
    BeautifulSoup builds from it does not.)"""
    if text.count("<") > MAX_ELEMENTS:
        count = len(_START_TAG.findall(text))
        if count > MAX_ELEMENTS:
            raise ParseError(f"page of {count:,} tags (more than {MAX_ELEMENTS:,}); not read")


def json_depth(data: Any) -> int:
    """How deep lists and dicts nest in decoded JSON (without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in value if isinstance(child, (dict, list)))
    return deepest


def check_json_depth(data: Any) -> Any:
    if json_depth(data) > MAX_JSON_DEPTH:
        raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels; not read")
    return data


class UnexpectedShapeError(ParseError):
    """A page refused by ``@total``: a field of unexpected type, or nesting too deep."""


def shape_error(function: Callable, error: BaseException) -> ParseError:
    if isinstance(error, RecursionError):
        return UnexpectedShapeError(
            f"{function.__module__.rsplit('.', 1)[-1]}: page nested too deep"
        )
    return UnexpectedShapeError(f"{function.__module__.rsplit('.', 1)[-1]}: unexpected shape "
                      f"({type(error).__name__}: {error})")  # fmt: skip


def total(function: Callable) -> Callable:
    """A parser function that gets a checked page and raises nothing but ``ParseError``."""

    @functools.wraps(function)
    def guarded(text, url, *args, **kwargs):
        check_page(text)
        try:
            return function(text, url, *args, **kwargs)
        except ParseError:
            raise
        except SHAPE_ERRORS as error:
            raise shape_error(function, error) from error

    guarded.total = True
    return guarded


def never_raises(function: Callable) -> Callable:
    """A ``matches`` that answers False for a page it cannot look at."""

    @functools.wraps(function)
    def guarded(url, content_type, text, *args, **kwargs):
        try:
            check_page(text)
            return function(url, content_type, text, *args, **kwargs)
        except (ParseError, *SHAPE_ERRORS):
            return False

    guarded.total = True
    return guarded
