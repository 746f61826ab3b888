"""Mutated versions of the recorded pages, for the parser fuzz bench and property tests.

Each mutation takes a page's bytes and a ``random.Random`` and returns new bytes: truncated,
bytes flipped, tags dropped or doubled, another charset, huge, nested deep (JSON and HTML),
empty, binary, another page's body, and fields made impossible (dates that cannot be, before
the web, far in the future; ratings off the scale; relative and non-http links).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
TAG = re.compile(rb"<[A-Za-z/][^<>]{0,200}>")
ISO_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}")
RATING = re.compile(rb'("(?:rating|stars|score|ratingValue|im:rating)"\s*:\s*"?)(\d+(?:\.\d+)?)')
LINK = re.compile(rb'((?:href|"url"|"link"|"permalink")\s*[=:]\s*")([^"]{1,300})(")')
BAD_DATES = [b"NaN", b"2020-13-45", b"0001-01-01", b"1970-01-01", b"9999-12-31", b"2999-01-01",
             b"-1", b"", b"1e308", b"0000-00-00"]  # fmt: skip
BAD_RATINGS = [b"11", b"-1", b"1e308", b"NaN", b"500", b"0.00001", b"Infinity", b"99999999999"]
BAD_LINKS = [b"/relative/path", b"javascript:alert(1)", b"ftp://example.com/x", b"//", b"#top",
             b"http://", b"mailto:a@b.c", b"data:text/html,<b>x</b>", b"\xff\xfe"]  # fmt: skip


def fixture_pages() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")


def truncate(page: bytes, rng: random.Random) -> bytes:
    return page[: rng.randrange(len(page) + 1)]


def flip_bytes(page: bytes, rng: random.Random) -> bytes:
    data = bytearray(page)
    for _ in range(rng.randint(1, 50)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def drop_tags(page: bytes, rng: random.Random) -> bytes:
    return TAG.sub(lambda m: b"" if rng.random() < 0.2 else m.group(), page)


def double_tags(page: bytes, rng: random.Random) -> bytes:
    return TAG.sub(lambda m: m.group() * 2 if rng.random() < 0.2 else m.group(), page)


def other_charset(page: bytes, rng: random.Random) -> bytes:
    text = page.decode("utf-8", errors="replace")
    charset = rng.choice(["utf-16", "utf-16-be", "utf-32", "cp1252", "latin-1", "shift_jis"])
    body = text.encode(charset, errors="replace")
    return rng.choice([b"", b"\xef\xbb\xbf", b"\xff\xfe"]) + body


def huge(page: bytes, rng: random.Random) -> bytes:
    """A page of 5 or 20 MB: the page's middle repeated."""
    size = rng.choice([5, 20]) * 1_000_000
    middle = page[len(page) // 4 : 3 * len(page) // 4] or b"<p>x</p>"
    repeats = max(1, (size - len(page)) // len(middle))
    return page[: len(page) // 4] + middle * repeats + page[3 * len(page) // 4 :]


def deep_json(page: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([1_000, 100_000])
    nest = rng.choice([(b"[", b"]"), (b'{"data":', b"}"), (b'{"children":[', b"]}")])
    deep = nest[0] * depth + b"1" + nest[1] * depth
    if rng.random() < 0.5:
        return deep
    # inside the page: as the value of its first field
    return re.sub(rb'(":\s*)', lambda m: m.group(1) + deep + b",", page, count=1)


def deep_html(page: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([1_000, 100_000])
    tag = rng.choice([b"div", b"span", b"li", b"blockquote", b"article", b"table"])
    deep = (b"<" + tag + b">") * depth + b"x"
    at = rng.randrange(len(page) + 1)
    return page[:at] + deep + page[at:]


def empty(page: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"", b" ", b"\n", b"{}", b"[]", b"null", b"<html></html>", b"\x00"])


def binary(page: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(rng.choice([1, 100, 10_000, 200_000]))


def bad_dates(page: bytes, rng: random.Random) -> bytes:
    return ISO_DATE.sub(lambda m: rng.choice(BAD_DATES) if rng.random() < 0.5 else m.group(), page)


def bad_ratings(page: bytes, rng: random.Random) -> bytes:
    return RATING.sub(lambda m: m.group(1) + rng.choice(BAD_RATINGS), page)


def bad_links(page: bytes, rng: random.Random) -> bytes:
    def repl(m: re.Match) -> bytes:
        return m.group(1) + rng.choice(BAD_LINKS) + m.group(3) if rng.random() < 0.5 else m.group()

    return LINK.sub(repl, page)


def wrong_types(page: bytes, rng: random.Random) -> bytes:
    """JSON values of the wrong type: strings become numbers, lists, objects, null."""
    choices = [b"7", b"[]", b"{}", b"null", b"true", b'["x"]', b'{"a":1}']
    string = re.compile(rb'(":\s*)"(?:[^"\\]|\\.){0,200}"')
    return string.sub(lambda m: m.group(1) + rng.choice(choices) if rng.random() < 0.3
                      else m.group(), page)  # fmt: skip


# a mutation's weight: huge pages cost seconds, so they are few
MUTATIONS: dict[str, tuple[Callable[[bytes, random.Random], bytes], float]] = {
    "truncate": (truncate, 1.0), "flip_bytes": (flip_bytes, 1.0), "drop_tags": (drop_tags, 1.0),
    "double_tags": (double_tags, 1.0), "other_charset": (other_charset, 0.6),
    "huge": (huge, 0.02), "deep_json": (deep_json, 0.4), "deep_html": (deep_html, 0.4),
    "empty": (empty, 0.2), "binary": (binary, 0.2), "bad_dates": (bad_dates, 1.0),
    "bad_ratings": (bad_ratings, 0.6), "bad_links": (bad_links, 0.8),
    "wrong_types": (wrong_types, 1.0),
}  # fmt: skip


def mutate(page: bytes, rng: random.Random, others: list[bytes] = ()) -> tuple[str, bytes]:
    """(the mutation's name, the mutated page); ``others`` are bodies to swap in sometimes."""
    if others and rng.random() < 0.04:
        return "other_page", rng.choice(others)
    names = list(MUTATIONS)
    name = rng.choices(names, weights=[MUTATIONS[n][1] for n in names])[0]
    page = MUTATIONS[name][0](page, rng)
    if rng.random() < 0.3 and name not in ("huge", "binary", "empty"):
        second = rng.choice(["truncate", "flip_bytes", "bad_dates", "bad_links", "wrong_types"])
        page, name = MUTATIONS[second][0](page, rng), f"{name}+{second}"
    return name, page
