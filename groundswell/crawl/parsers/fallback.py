"""Pages no platform parser claims, and pages a parser reads only part of.

``fallback_parser`` picks the generic reader for a page that ``detect_parser`` left alone:
repeated blocks with star ratings are reviews, other repeated post blocks a discussion, and
a page with neither its article text (plus marked-up comments).

``check_coverage`` compares what a parser read with what the page shows: a page with many
post-like blocks of which the parser read one or two is *partial* (the crawl says so and
operators are alerted). Where the parser was a generic shape (schema.org markup that holds
the opening post only, as on many forums), the page's structure is read instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from groundswell.crawl.parsers import ParseError, article, discussion, reviews
from groundswell.crawl.parsers.limits import total
from groundswell.crawl.parsers.structure import cached_page, count_post_blocks, find_blocks
from groundswell.crawl.parsers.text import as_text, looks_like_html, looks_like_json

FALLBACK_MODULES: tuple[ModuleType, ...] = (reviews, discussion, article)
MANY_BLOCKS = 5  # post-like blocks on a page that make one or two mentions suspicious
FEW_MENTIONS = 2
# Parsers of a generic shape: where they read few of many posts, the structure is read.
GENERIC_SHAPES = frozenset({"schema_org"})


def fallback_parser(url: str, content_type: str, text: str) -> ModuleType | None:
    text = as_text(text)
    if looks_like_json(text) or not looks_like_html(text):
        return None
    try:
        page = cached_page(text, url)
    except ParseError:
        return None
    rated, posts = find_blocks(page, want_rating=True), find_blocks(page)
    if rated is not None and not _few_beside(rated, posts):
        return reviews
    if posts is not None:
        return discussion
    return article


def _few_beside(rated, posts) -> bool:
    """Two or three rated blocks outside a much longer list of posts: rated teasers (related
    recipes, products) beside a comment section, not the page's reviews."""
    if posts is None or len(posts.members) < 3 * len(rated.members):
        return False
    held = set(posts.members)
    return not any(block in held for block in rated.members)


@total
def parse_unrecognised(text: str, url: str) -> tuple[ModuleType, list[dict]]:
    """(module, mentions) of a page no platform parser claims; ``ParseError`` when it holds
    neither posts, reviews nor an article."""
    module = fallback_parser(url, "", text)
    if module is None:
        raise ParseError("no parser recognised this page (not a known platform's shape)")
    mentions = module.parse(text, url)
    if not mentions and module is not article:
        module, mentions = article, article.parse(text, url)
    return module, mentions


@dataclass
class Coverage:
    mentions: list[dict]
    kind: str
    note: str | None = None
    partial: bool = False


def check_coverage(text: str, url: str, kind: str, mentions: list[dict], auto: bool) -> Coverage:
    """What to keep of a parser's mentions, and whether the page was read only in part."""
    text = as_text(text)
    if len(mentions) > FEW_MENTIONS or looks_like_json(text) or not looks_like_html(text):
        return Coverage(mentions, kind)
    if kind in {module.KIND for module in FALLBACK_MODULES}:
        return Coverage(mentions, kind)
    blocks = count_post_blocks(text, url)
    if blocks < MANY_BLOCKS or not mentions:
        return Coverage(mentions, kind)
    if auto and kind in GENERIC_SHAPES:
        module = fallback_parser(url, "", text)
        if module in (reviews, discussion):
            better = module.parse(text, url)
            if len(better) > len(mentions):
                note = (f"{url}: the {kind} markup holds {len(mentions)} of the page's "
                        f"{blocks} posts; read by the page's structure ({module.KIND})")  # fmt: skip
                return Coverage(better, module.KIND, note)
    note = (f"{url}: partial: the page shows {blocks} post-like blocks but the {kind} parser "
            f"read {len(mentions)}")  # fmt: skip
    return Coverage(mentions, kind, note, partial=True)
