"""Private helpers shared by the platform parsers (forums, review sites, social APIs).

Nothing here fetches anything. The helpers parse pages, turn human dates into ISO 8601 strings
and relative links into absolute ones, and build mention dicts restricted to
``groundswell.crawl.items.MENTION_FIELDS``. Markup to text, question detection and JSON/HTML sniffing
live in ``groundswell.crawl.parsers.text`` and are re-exported here for the platform parsers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag
from dateutil import parser as dateparser

from groundswell.crawl.items import MENTION_FIELDS
from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.text import as_text, drop_empty, normalize_space

# Re-exported: the platform parsers take all their helpers from this module.
from groundswell.crawl.parsers.text import element_text as element_text
from groundswell.crawl.parsers.text import html_to_text as html_to_text
from groundswell.crawl.parsers.text import load_json as load_json
from groundswell.crawl.parsers.text import looks_like_html as looks_like_html
from groundswell.crawl.parsers.text import looks_like_json as looks_like_json
from groundswell.crawl.parsers.text import looks_like_question as looks_like_question
from groundswell.crawl.parsers.text import sniff_head as sniff_head

# --------------------------------------------------------------------------- markup


def fix_c1_controls(text: str) -> str:
    """Map C1 control characters back to the cp1252 glyphs a browser would show.

    Pages that declare ISO-8859-1 but really hold windows-1252 bytes (curly quotes as 0x92)
    decode to invisible control characters; browsers treat the two charsets as one.
    """
    if not re.search("[\x80-\x9f]", text):
        return text

    def repl(match: re.Match[str]) -> str:
        return bytes([ord(match.group())]).decode("cp1252", errors="ignore")

    return re.sub("[\x80-\x9f]", repl, text)


def make_soup(text: str | bytes) -> BeautifulSoup:
    if isinstance(text, bytes):
        text = as_text(text)
    if not isinstance(text, str):
        raise ParseError(f"expected HTML text, got {type(text).__name__}")
    return BeautifulSoup(fix_c1_controls(text), "lxml")


def has_class(tag: Tag, prefix: str) -> bool:
    """True when one of ``tag``'s classes starts with ``prefix`` (for hashed class names)."""
    return any(c.startswith(prefix) for c in tag.get("class") or [])


def inline_text(node: Tag | None) -> str:
    """Single-line text of an element (names, titles, dates)."""
    if node is None:
        return ""
    return normalize_space(node.get_text(" ")).replace("\n", " ")


def remove_all(root: Tag, selectors: Iterable[str]) -> None:
    """Remove every element matching one of the CSS selectors from ``root`` (in place)."""
    for selector in selectors:
        for el in root.select(selector):
            el.decompose()


def text_without(node: Tag | None, selectors: Iterable[str]) -> str:
    """``element_text`` of a post body once its quotes, signatures, buttons… (the elements
    matching ``selectors``, removed in place and in order) are gone."""
    if node is None:
        return ""
    remove_all(node, selectors)
    return element_text(node)


def meta_content(soup: BeautifulSoup, key: str) -> str | None:
    """Content of <meta name=key> or <meta property=key>."""
    tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
    if tag is None:
        return None
    content = tag.get("content")
    return content.strip() if isinstance(content, str) and content.strip() else None


# --------------------------------------------------------------------------- urls


def base_url(soup: BeautifulSoup, url: str) -> str:
    """The URL relative links resolve against: ``url``, or its <base href> when there is one."""
    base = soup.find("base", href=True)
    return urljoin(url, base["href"]) if base is not None else url


def absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if href.startswith(("javascript:", "mailto:")):
        return None
    return urljoin(base, href)


_SESSION_PARAMS = frozenset({"sid", "s", "phpsessid", "sessionid"})


def _query_key(segment: str) -> str:
    return unquote_plus(segment.split("=", 1)[0]).lower()


def strip_session(url: str | None) -> str | None:
    """Drop session-id query parameters (phpBB ``sid``, vBulletin ``s``) from a URL.

    Works on the raw query so value-less keys (vBulletin's ``?145403-Thread-title``) survive.
    """
    if not url:
        return url
    parts = urlsplit(url)
    if not parts.query:
        return url
    segments = [seg for seg in re.split(r"&(?:amp;)?", parts.query) if seg]
    kept = [seg for seg in segments if _query_key(seg) not in _SESSION_PARAMS]
    if len(kept) == len(segments):
        return url
    return urlunsplit(parts._replace(query="&".join(kept)))


def canonical_url(soup: BeautifulSoup, url: str) -> str:
    """Absolute canonical URL of the page (session ids removed), or ``url``."""
    link = soup.find("link", rel="canonical", href=True)
    href = absolute(base_url(soup, url), link["href"]) if link is not None else None
    return strip_session(href or url) or url


def with_fragment(url: str, fragment: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=fragment))


def set_query_param(url: str, key: str, value: str) -> str:
    parts = urlsplit(url)
    segments = [seg for seg in parts.query.split("&") if seg and _query_key(seg) != key.lower()]
    segments.append(urlencode({key: value}))
    return urlunsplit(parts._replace(query="&".join(segments)))


def query_param(url: str, key: str) -> str | None:
    for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if k == key:
            return v
    return None


_NEXT_WORDS = frozenset(
    [
        "next",
        "next",
        "page",
        "nächste",
        "weiter",
        "suivant",
        "suivante",
        "siguiente",
        "successivo",
        "prossimo",
        "próximo",
        "volgende",
        "»",
    ]
)


def link_urls(soup: BeautifulSoup, url: str, selector: str) -> list[str]:
    """Absolute URLs of the links matching ``selector`` (a platform's own 'next page' button)."""
    base = base_url(soup, url)
    return [link for a in soup.select(selector) if (link := absolute(base, a.get("href")))]


def next_page_links(soup: BeautifulSoup, url: str, containers: Iterable[str] = ()) -> list[str]:
    """Absolute URLs of 'next page' links: rel=next, then links labelled Next inside containers."""
    base = base_url(soup, url)
    found: list[str] = []
    for el in soup.select('link[rel~="next"], a[rel~="next"]'):
        found.append(absolute(base, el.get("href")) or "")
    for selector in containers:
        for a in soup.select(f"{selector} a[href]"):
            label = inline_text(a).lower().strip(" ›>→»")
            if label in _NEXT_WORDS or label.startswith("next"):
                found.append(absolute(base, a["href"]) or "")
    seen: list[str] = []
    for link in found:
        link = strip_session(link) or ""
        if link and link not in seen and link.split("#")[0] != url.split("#")[0]:
            seen.append(link)
    return seen


# --------------------------------------------------------------------------- dates

_MONTHS = {
    # Italian
    "gennaio": "jan", "febbraio": "feb", "marzo": "mar", "aprile": "apr", "maggio": "may",
    "giugno": "jun", "luglio": "jul", "agosto": "aug", "settembre": "sep", "ottobre": "oct",
    "novembre": "nov", "dicembre": "dec",
    # French
    "janvier": "jan", "février": "feb", "fevrier": "feb", "mars": "mar", "avril": "apr",
    "mai": "may", "juin": "jun", "juillet": "jul", "août": "aug", "aout": "aug",
    "septembre": "sep", "octobre": "oct", "décembre": "dec", "decembre": "dec",
    # German
    "januar": "jan", "jänner": "jan", "februar": "feb", "märz": "mar", "maerz": "mar",
    "juni": "jun", "juli": "jul", "oktober": "oct", "dezember": "dec",
    # Spanish / Portuguese
    "enero": "jan", "febrero": "feb", "abril": "apr", "mayo": "may", "junio": "jun",
    "julio": "jul", "septiembre": "sep", "setiembre": "sep", "octubre": "oct",
    "noviembre": "nov", "diciembre": "dec", "janeiro": "jan", "fevereiro": "feb",
    "março": "mar", "maio": "may", "junho": "jun", "julho": "jul", "setembro": "sep",
    "outubro": "oct", "novembro": "nov", "dezembro": "dec",
    # Dutch
    "januari": "jan", "februari": "feb", "maart": "mar", "mei": "may", "augustus": "aug",
}  # fmt: skip

_WEEKDAYS = frozenset(
    [
        "lunedì",
        "martedì",
        "mercoledì",
        "giovedì",
        "venerdì",
        "sabato",
        "domenica",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonntag",
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    ]
)


def _translate_date_words(text: str) -> str:
    words = re.split(r"(\W+)", text.lower())
    out = []
    for word in words:
        if word in _WEEKDAYS:
            continue
        out.append(_MONTHS.get(word, word))
    return "".join(out)


def _relative_day(text: str, now: datetime | None) -> str | None:
    match = re.match(
        r"\s*(today|yesterday|oggi|ieri|heute|gestern|aujourd'hui|hier)\b", text, re.IGNORECASE
    )
    if not match:
        return None
    now = now or datetime.now()
    word = match.group(1).lower()
    day = now - timedelta(days=1) if word in ("yesterday", "ieri", "gestern", "hier") else now
    rest = text[match.end() :].strip(" ,")
    return f"{day:%Y-%m-%d} {rest}".strip()


def parse_date(value: Any, *, dayfirst: bool = False, now: datetime | None = None) -> Any:
    """ISO 8601 string (or unix seconds, passed through) for a site's date, or None.

    Handles ISO strings, unix timestamps, English and common European month names,
    'Reviewed in the United States on July 3, 2024' (the part after ' on '),
    'Reviewed in June 2019' (first of the month) and 'Today, 10:31 AM'.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value / 1000 if value > 10**11 else value
    text = normalize_space(str(value)).replace("\n", " ")
    if re.fullmatch(r"\d{9,13}", text):
        return parse_date(int(text))
    if " on " in text:
        text = text.rsplit(" on ", 1)[1]
    text = re.sub(r"\s+at\s+", " ", text)
    text = _relative_day(text, now) or text
    text = _translate_date_words(text)
    if re.match(r"\s*\d{1,2}\.\d{1,2}\.(?:\d{4}|\d\d)\b", text):
        dayfirst = True  # 03.04.2011 is 3 April wherever dots are written
    default = datetime(2000, 1, 1)
    try:
        parsed = dateparser.parse(text, fuzzy=True, dayfirst=dayfirst, default=default)
    except (ValueError, OverflowError):
        return None
    if not re.search(r"\d{4}|'\d{2}", text):
        return None
    return parsed.isoformat()


# --------------------------------------------------------------------------- ratings

STARS_OUT_OF = re.compile(r"(\d+(?:[.,]\d+)?) out of (\d+) stars")


def stars_out_of(text: str | None) -> tuple[float | None, int]:
    """``(rating, scale)`` from a label like '4.5 out of 5 stars' ('4,5' too); ``(None, 5)``."""
    match = STARS_OUT_OF.search(text or "")
    if not match:
        return None, 5
    return float(match.group(1).replace(",", ".")), int(match.group(2))


# --------------------------------------------------------------------------- mentions


def mention(**fields: Any) -> dict[str, Any]:
    """A mention dict: only MENTION_FIELDS keys, None values dropped, ids as strings."""
    unknown = set(fields) - set(MENTION_FIELDS)
    if unknown:
        raise KeyError(f"not mention fields: {sorted(unknown)}")
    out = drop_empty(fields)
    for key in ("site_id", "parent_site_id"):
        if key in out:
            out[key] = str(out[key])
    return out


def forum_post(
    *,
    site_id: Any,
    is_starter: bool,
    url: str | None,
    thread_url: str | None,
    parent_site_id: Any,
    author: str | None,
    title: str | None,
    body: str,
    published_at: Any,
) -> dict[str, Any]:
    """A post of a forum thread: the thread's first post is a "post" (which may ask a question)
    without a parent; any other is a "comment" under ``parent_site_id``."""
    return mention(
        site_id=site_id,
        kind="post" if is_starter else "comment",
        url=url,
        thread_url=thread_url,
        parent_site_id=None if is_starter else parent_site_id,
        author=author,
        title=title,
        body=body,
        published_at=published_at,
        is_question=looks_like_question(title, body) if is_starter else None,
    )


def unescape(text: str | None) -> str | None:
    return html.unescape(text) if isinstance(text, str) else text
