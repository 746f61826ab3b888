"""Pure parsing functions: a response body in, mention dicts out (keys: groundswell.crawl.items.MENTION_FIELDS).

Each parser takes ``(data, url)`` where ``data`` is the decoded JSON or the HTML/XML text, and
returns a list of dicts. Parsers never fetch anything; spiders do the fetching and pagination.
A parser raises ``ParseError`` when the input is not the shape it expects.

One record of unexpected shape in an API response (a post whose permalink is a number, a
comment that is a string) loses that record, not the page: parsers build each record's
mention through ``each_record``, which skips and notes the records it cannot read. A crawl
counts them (``with skipped_records() as skipped: parser.parse(...)``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from groundswell.errors import GroundswellError

log = logging.getLogger(__name__)

RECORD_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError)
_skipped: ContextVar[list[str] | None] = ContextVar("skipped_records", default=None)


class ParseError(GroundswellError, ValueError):
    """The response is not the shape this parser reads."""


def each_record(records: Iterable, build: Callable) -> list:
    """``build(record)`` for each record, skipping (and noting) the records it cannot read;
    ``build`` may return None for a record with nothing to keep."""
    built = []
    for record in records:
        try:
            result = build(record)
        except RECORD_ERRORS as error:
            note_skipped_record(f"{type(error).__name__}: {error}")
            continue
        if result is not None:
            built.append(result)
    return built


def note_skipped_record(reason: str) -> None:
    found = _skipped.get()
    if found is None:
        log.warning("a record of unexpected shape was skipped (%s)", reason)
    else:
        found.append(reason)


@contextmanager
def skipped_records() -> Iterator[list[str]]:
    """Collect why records were skipped by ``each_record`` while parsing inside the block."""
    token = _skipped.set([])
    try:
        yield _skipped.get()
    finally:
        _skipped.reset(token)
