"""Any page with no repeated posts: its main text as one "article" (trafilatura), plus the
comments marked up as schema.org ``Comment`` objects.

trafilatura (a maintained main-content extractor, better than anything hand-written here)
finds the text, title, author and date; boilerplate, navigation and comment sections are
left out of the body.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urldefrag, urljoin

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import mention, strip_session
from groundswell.crawl.parsers.limits import never_raises, total
from groundswell.crawl.parsers.structure import Page, cached_page, read_date
from groundswell.crawl.parsers.text import as_text, looks_like_html, looks_like_json

KIND = "article"

MIN_ARTICLE_CHARS = 200  # less is a teaser, a login wall or an error page, not an article

# trafilatura logs pages it cannot read at ERROR; here that only means "no article" (the
# crawl counts ERROR log lines as problems), so its own log stays quiet
for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


@never_raises
def matches(url: str, content_type: str, text: str) -> bool:
    text = as_text(text)
    return not looks_like_json(text) and looks_like_html(text)


@total
def parse(text: str, url: str) -> list[dict[str, Any]]:
    from groundswell.crawl.parsers import schema_org

    text = as_text(text)
    page = cached_page(text, url)
    article = article_mention(text, url, canonical_page_url(page))
    if article is None:
        raise ParseError(
            "no parser recognised this page: no platform's shape, no posts or reviews, "
            "no article text"
        )
    comments = [m for m in schema_org.parse(text, url) if m.get("kind") == "comment"]
    for comment in comments:
        comment.pop("raw", None)
        comment.setdefault("parent_site_id", article.get("site_id"))
    return [article, *comments]


def article_mention(text: str, url: str, page_url: str) -> dict[str, Any] | None:
    """The page's main text as an "article" mention, or None when it has too little text."""
    import trafilatura  # imported when first needed: it takes a second, most crawls never do
    from trafilatura.settings import set_date_params

    try:
        # no extensive date search: on a malformed date it runs dateparser over every
        # locale (seconds of CPU per page); dates in meta tags, <time> and text still count
        document = trafilatura.bare_extraction(
            text, url=url or None, with_metadata=True, include_comments=False,
            date_extraction_params=set_date_params(extensive=False),
        )  # fmt: skip
        found = document.as_dict() if document is not None else None
    except (ValueError, TypeError, AttributeError):  # trafilatura on hostile markup
        return None
    if not found or len(found.get("text") or "") < MIN_ARTICLE_CHARS:
        return None
    return mention(
        site_id=page_url,
        kind="article",
        url=page_url,
        thread_url=page_url,
        author=_author(found.get("author")),
        title=found.get("title"),
        body=found["text"],
        published_at=read_date(found.get("date"), None),
    )


def _author(value: str | None) -> str | None:
    if not value:
        return None
    first = value.split(";")[0].strip()
    return first if 0 < len(first) <= 80 else None


def canonical_page_url(page: Page) -> str:
    """The page's canonical URL (session ids removed), else its URL without a fragment."""
    found = page.root.xpath("//link[@rel='canonical']/@href")
    url = urldefrag(page.url)[0]
    if found and found[0].strip():
        url = urljoin(page.url, found[0].strip())
    return strip_session(url) or url
