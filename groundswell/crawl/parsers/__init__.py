"""Pure parsing functions: a response body in, mention dicts out (keys: groundswell.crawl.items.MENTION_FIELDS).

Each parser takes ``(data, url)`` where ``data`` is the decoded JSON or the HTML/XML text, and
returns a list of dicts. Parsers never fetch anything; spiders do the fetching and pagination.
A parser raises ``ParseError`` when the input is not the shape it expects.
"""

from groundswell.errors import GroundswellError


class ParseError(GroundswellError, ValueError):
    """The response is not the shape this parser reads."""
