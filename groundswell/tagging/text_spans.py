"""Character spans of a text: the pieces between a pattern's matches (sentences, clauses,
punctuation-free chunks), kept as offsets so that token states can be read for them."""

from __future__ import annotations

import re

Span = tuple[int, int]
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*[\r\n]+\s*|(?<=[.!?])(?=[A-Z][a-z])")


def stripped_span(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def pieces_between(pattern: re.Pattern, text: str, start: int, end: int) -> list[Span]:
    """The non-blank spans of ``text[start:end]`` between matches of ``pattern``."""
    spans, cursor = [], start
    for match in pattern.finditer(text, start, end):
        spans.append(stripped_span(text, cursor, match.start()))
        cursor = match.end()
    spans.append(stripped_span(text, cursor, end))
    return [(a, b) for a, b in spans if b > a]


def title_and_body(mention: dict) -> str:
    """A mention's title and body, a line apart (so that the title is a sentence of its own)."""
    return "\n".join(part for part in (mention.get("title"), mention.get("body")) if part)


def sentence_spans(text: str) -> list[Span]:
    """The sentences of ``text``: cut after . ! ? before a space or a capital, and at line ends."""
    return pieces_between(SENTENCE_END, text or "", 0, len(text or ""))
