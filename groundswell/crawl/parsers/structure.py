"""The structure of a page no platform parser knows: its repeated post and review blocks.

A forum thread, a comment section or a list of reviews is the same block over and over: one
per post, each with an author, a date and a body (and, for reviews, a rating). ``find_blocks``
groups the page's elements by what their class names and ids share ("comment", "post_#",
``itemprop=review``…) and scores each group by how post-like its members are: how many of them
show a date, an author, a rating, how much text they hold and how little of it is links. The
best group is the page's posts, as Diffbot's discussion API reads any thread by its structure.

``block_fields`` then reads one block: author, date, rating, title, body, permalink and id.
Everything works on an lxml tree; walks are iterative (no recursion on deep pages) and each
element is looked at a bounded number of times, so a page of a few thousand posts stays fast.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from statistics import median
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.common import parse_date
from groundswell.crawl.parsers.text import BLOCK_TAGS, PARAGRAPH_TAGS, normalize_space

# Never content.
DROPPED_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "select", "textarea")
# Not a post: navigation and page furniture.
FURNITURE_TAGS = frozenset({"nav", "header", "footer", "form", "aside", "button", "input"})
NOT_BLOCK_TAGS = frozenset(
    ["html", "body", "head", "a", "span", "img", "br", "i", "b", "em", "strong", "p", "time",
     "abbr", "small", "font", "h1", "h2", "h3", "h4", "h5", "h6", "label", "meta", "link"]
)  # fmt: skip
MAX_GROUPS = 80  # candidate groups scored per page (largest first)
MAX_MEMBERS = 5000  # blocks read per group
SAMPLE = 12  # members scored per group
MAX_POST_CHARS = 20_000  # a block holding more text is a layout wrapper, not a post

# Class/id words: what a block is, and what its parts are.
POST_HINT = re.compile(
    r"comment|post|reply|replies|message|msg|review|answer|entry|note|thread|response|opinion"
    r"|feedback|testimonial|discussion|bewertung|kommentar|beitrag|avis",
    re.IGNORECASE,
)
NOT_POST_HINT = re.compile(
    r"(?:^|[-_ ])(?:nav|menu|breadcrumb|footer|header|sidebar|widget|related|recent|popular"
    r"|share|social|tags?|categor|pagination|pager|ad|ads|advert|promo|banner|cookie|login"
    r"|signup|newsletter|search|toolbar|rating-?(?:summary|histogram|distribution|bar|breakdown)"
    r"|histogram|form|respond|reply-?form|comment-?form|avatar)(?:$|[-_ ])",
    re.IGNORECASE,
)
AUTHOR_HINT = re.compile(
    r"author|user-?name|username|user_name|poster|nick|byline|commenter|reviewer|(?:^|[-_ ])fn(?:$|[-_ ])"
    r"|(?:^|[-_ ])(?:user|name|member|handle|screen-?name|display-?name)(?:$|[-_ ])"
    r"|(?:^|[-_ ])(?:user|member)-?(?:link|name)|postauthor|autor|verfasser|pseudo",
    re.IGNORECASE,
)
STRONG_AUTHOR = re.compile(r"author|poster|byline|commenter|reviewer|itemprop", re.IGNORECASE)
NOT_AUTHOR_HINT = re.compile(
    r"avatar|photo|image|img|pic|title|rank|level|stats|info|badge|join|posts?-?count|location"
    r"|profile|details"
    r"|signature|karma|reputation|flair",
    re.IGNORECASE,
)
DATE_HINT = re.compile(
    r"date|time|posted|published|timestamp|when|ago|datum|zeit|fecha|meta|byline|details",
    re.IGNORECASE,
)
BODY_HINT = re.compile(
    r"content|body|text|message|entry|md|usertext|description|review-?text|comment-?text"
    r"|post-?text|postbody|inhalt|texte",
    re.IGNORECASE,
)
TITLE_HINT = re.compile(r"title|headline|summary|subject|heading", re.IGNORECASE)
QUOTE_HINT = re.compile(r"quote|zitat|citation", re.IGNORECASE)
NOISE_HINT = re.compile(
    r"signature|(?:^|[-_ ])sig(?:$|[-_ ])|reply-?link|comment-?reply|actions?(?:$|[-_ ])"
    r"|buttons?|toolbar|share|social|vote|voting|like|helpful|report|flag|edit(?:ed)?-?(?:by|note)"
    r"|(?:^|[-_ ])(?:meta|footer|controls|tools|options|links|permalink)(?:$|[-_ ])"
    r"|screen-?reader|sr-only|visually-?hidden|says|avatar|author|user-?info|postprofile"
    r"|posterinfo|userinfo|profile",
    re.IGNORECASE,
)
PROFILE_LINK = re.compile(
    r"/(?:users?|members?|profiles?|people|authors?|u|account|benutzer|mitglied|membre)s?"
    r"(?:/|\.php|$)|[?&;](?:action=profile|u=|user(?:id)?=|mode=viewprofile|showuser=)"
    r"|/member\.php|/profile\.php|memberlist\.php|/~",
    re.IGNORECASE,
)
SAYS = re.compile(
    r"\s*(?:says|said|wrote|writes|schrieb|sagt|dit|a écrit|escribió|scrive)\s*:?\s*$",
    re.IGNORECASE,
)
BY = re.compile(
    r"^(?:posted\s+|written\s+|submitted\s+|reviewed\s+|comment\s+)?(?:by|von|par|por|di)\s+",
    re.IGNORECASE,
)
QUOTE_LEAD = re.compile(r"^\s*(?:quote|zitat|citation|cita)\b|\b(?:wrote|said|schrieb):", re.I)
# A date in text: "12 March 2019", "March 12, 2019", "2019-03-12", "12.03.2019", "12/03/2019".
_MONTH = (
    r"(?:jan|feb|m[aä]r|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz]|janv|févr|avr|juil|déc"
    r"|gen|giu|lug|ago|set|ott|dic|ene|abr|dez|mei|okt|mrt)[a-zéû]*\.?"
)
_TIME = r"(?:,?\s*(?:at|um|à|@|/|\||·|–|-|,)?\s*\d{1,2}[:.h]\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?|uhr)?)?"
DATE_TEXT = re.compile(
    r"\b(?:\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)?"
    r"|\d{4}/\d{1,2}/\d{1,2}(?:\s+\d{1,2}:\d\d(?::\d\d)?)?"
    r"|\d{1,2}[./]\d{1,2}(?:[./]|,\s*)(?:\d{4}|\d\d)\b"
    + _TIME
    + r"|\d{1,2}(?:st|nd|rd|th|\.)?\s+(?:de\s+)?"
    + _MONTH
    + r",?\s+(?:de\s+)?\d{4}"
    + _TIME
    + r"|"
    + _MONTH
    + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    + _TIME
    + ")",
    re.IGNORECASE,
)
JOINED = re.compile(
    r"joined|registered|member since|beigetreten|anmeldedatum|registriert|dabei seit|mitglied seit"
    r"|inscrit|inscription|registrado|iscritto|join date",
    re.IGNORECASE,
)
RELATIVE_DATE = re.compile(
    r"\b(\d+|an?|one)\s+(second|minute|hour|day|week|month|year)s?\s+ago\b", re.IGNORECASE
)
_RELATIVE_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800,
                   "month": 2629800, "year": 31557600}  # fmt: skip
DATE_ATTRIBUTES = ("datetime", "data-datetime", "data-time", "data-timestamp", "data-date",
                   "data-utime", "data-created", "content", "title", "data-original-title")  # fmt: skip
# "All times are UTC+09:00", "All times are GMT -5. The time now is…", "Alle Zeiten sind UTC+1"
PAGE_ZONE = re.compile(
    r"(?:all\s+times\s+are|alle\s+zeiten\s+sind|toutes\s+les\s+heures\s+sont|times\s+are\s+in"
    r"|time\s*zone\s*(?:is)?:?)\s*(?:<[^>]*>\s*)*(?:utc|gmt)\s*([+-−]\s*\d{1,2})(?::?(\d\d))?",
    re.IGNORECASE,
)
ASPECT_WORDS = re.compile(
    r"^(?:overall|quality|value|service|price|cleanliness|location|rooms?|food|ambien[ct]e"
    r"|atmosphere|staff|comfort|sleep|taste|ease|features?|support|design|durability"
    r"|customer\s+service|value\s+for\s+money)\b",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- the page


@dataclass
class Page:
    """A parsed page: its lxml root, URL and the time zone its dates are shown in."""

    root: Any
    url: str
    zone: timezone | None
    dayfirst: bool = True  # 03/04/2019 is 3 April, except on US English pages
    text_cache: dict = field(default_factory=dict)


def load_page(text: str | bytes, url: str) -> Page:
    """The page's tree, scripts and styles removed. ``ParseError`` for anything not HTML."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str) or "<" not in text[:5000]:
        raise ParseError("not an HTML page")
    try:
        root = etree.fromstring(text.encode("utf-8", errors="replace"), parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        raise ParseError(f"not an HTML page: {error}") from error
    if root is None:
        raise ParseError("not an HTML page (nothing parsed)")
    etree.strip_elements(root, *DROPPED_TAGS, with_tail=False)
    lang = (root.get("lang") or root.get("xml:lang") or "").lower()
    return Page(
        root=root, url=url or "", zone=page_zone(text), dayfirst=lang not in ("en-us", "en")
    )


# plain lxml elements (not lxml.html's): no per-element class lookup on every access
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)


@lru_cache(maxsize=8)
def cached_page(text: str, url: str) -> Page:
    """``load_page`` once per (text, url): ``matches`` and ``parse`` read the same page."""
    return load_page(text, url)


def page_zone(text: str) -> timezone | None:
    """The fixed UTC offset a forum declares its times in ("All times are UTC+09:00")."""
    match = PAGE_ZONE.search(text[-200_000:]) or PAGE_ZONE.search(text[:200_000])
    if not match:
        return None
    hours = int(re.sub(r"\s", "", match.group(1)).replace("−", "-"))
    minutes = int(match.group(2) or 0)
    if abs(hours) > 14:
        return None
    text_after = match.string[match.end() : match.end() + 60]
    if re.match(r"\s*hours?\s*\[?\s*(?:<[^>]*>\s*)*DST", text_after, re.IGNORECASE):
        hours += 1  # phpBB 3.0: "UTC + 1 hour [ DST ]" (summer time on)
    sign = -1 if hours < 0 else 1
    return timezone(sign * timedelta(hours=abs(hours), minutes=minutes))


# --------------------------------------------------------------------------- text


def classes_of(el: Any) -> str:
    """Class, id and itemprop of an element as one string of words (for the hints)."""
    attrib = el.attrib
    found = attrib.get("class")
    element_id, prop = attrib.get("id"), attrib.get("itemprop")
    if element_id is None and prop is None:
        return found or ""
    return " ".join(value for value in (found, element_id, prop) if value)


_WS = re.compile(r"\s+")
_LINE, _PARAGRAPH = "\x01", "\x02"  # breaks the markup makes, kept apart from the text's spaces


def node_text(el: Any, skip: frozenset | set = frozenset(), one_line: bool = False) -> str:
    """Text of an element as a browser shows it (blocks on lines of their own, ``<br>`` a line
    break), leaving out the elements in ``skip`` (nested posts, quotes, signatures)."""
    out: list[str] = []
    walker = etree.iterwalk(el, events=("start", "end"))
    for event, node in walker:
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if node is not el and (node in skip or not tag):
                walker.skip_subtree()
                if node.tail:
                    out.append(node.tail)
                continue
            if tag == "br":
                out.append(_LINE)
            elif tag in BLOCK_TAGS:
                out.append(_PARAGRAPH if tag in PARAGRAPH_TAGS else _LINE)
            elif tag == "img" and node.get("alt") and "emoji" in (node.get("class") or ""):
                out.append(node.get("alt"))
            if node.text:
                out.append(node.text)
        else:
            if tag in BLOCK_TAGS:
                out.append(_PARAGRAPH if tag in PARAGRAPH_TAGS else _LINE)
            if node is not el and node.tail:
                out.append(node.tail)
    text = _WS.sub(" ", "".join(out))
    if one_line:
        return " ".join(text.replace(_PARAGRAPH, " ").replace(_LINE, " ").split())
    return normalize_space(text.replace(_PARAGRAPH, "\n\n").replace(_LINE, "\n"))


def short_text(el: Any) -> str:
    return " ".join("".join(el.itertext()).split())


def link_density(el: Any, text_length: int) -> float:
    if text_length == 0:
        return 1.0
    linked = sum(len(short_text(a)) for a in el.iter("a"))
    return min(1.0, linked / text_length)


# --------------------------------------------------------------------------- dates


def read_date(value: str | None, zone: timezone | None, dayfirst: bool = False) -> str | None:
    """ISO 8601 for a date string or unix time; a date without an offset is in ``zone``.
    Dotted dates (12.03.2019) are day first; slashed ones as ``dayfirst`` says."""
    if not value:
        return None
    value = re.sub(r"\s+(?:@|/|\||·|–|-|um|à)\s+|&nbsp;|\s+uhr\b", " ", value.strip(), flags=re.I)
    if re.fullmatch(r"\d{9,13}", value):
        seconds = int(value) / (1000 if len(value) > 11 else 1)
        return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat()
    try:  # the common case, <time datetime="2019-08-03T04:11:57+00:00">, without dateutil
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        value = _slashed_to_iso(_dotted_to_iso(value), dayfirst)
        parsed = parse_date(value, dayfirst=dayfirst)
        if not isinstance(parsed, str):
            return None
        try:
            moment = datetime.fromisoformat(parsed)
        except ValueError:
            return None
    if not 1990 <= moment.year <= 2100:
        return None
    if moment.tzinfo is None and zone is not None:
        moment = moment.replace(tzinfo=zone)
    return moment.isoformat()


def with_zone(value: Any, zone: timezone | None) -> Any:
    """An ISO date string without an offset, placed in ``zone`` (the forum's declared time
    zone); anything else unchanged."""
    if zone is None or not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.replace(tzinfo=zone).isoformat() if moment.tzinfo is None else value


def _slashed_to_iso(value: str, dayfirst: bool) -> str:
    """'26/10/13, 03:48 pm' → '2013-10-26 03:48 pm': day first unless the page is US English
    (then month first), whichever the numbers allow."""
    match = re.match(r"\s*(\d{1,2})/(\d{1,2})/(\d{4}|\d\d)\b,?(.*)$", value)
    if not match:
        return value
    first, second, year, rest = int(match.group(1)), int(match.group(2)), *match.group(3, 4)
    if first > 12 or (dayfirst and second <= 12):
        day, month = first, second
    else:
        month, day = first, second
    if len(year) == 2:
        year = f"20{year}" if int(year) <= 69 else f"19{year}"
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return value
    return f"{year}-{month:02d}-{day:02d}{rest.rstrip()}"


def _dotted_to_iso(value: str) -> str:
    """'17.07.2011 13:04' and '17.07, 2011' → '2011-07-17 13:04' (dateutil misreads them)."""
    match = re.match(r"\s*(\d{1,2})\.(\d{1,2})(?:\.|,\s*)(\d{4}|\d\d)\b(.*)$", value)
    if not match:
        return value
    day, month, year, rest = match.groups()
    year = year if len(year) == 4 else f"20{year}"
    return f"{year}-{int(month):02d}-{int(day):02d}{rest.replace('um', ' ').rstrip()}"


YEARLESS = re.compile(
    r"\b(?:" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th|\.)?\s+" + _MONTH + r")"
    r"(?:,?\s+(?:at\s+|um\s+|à\s+)?\d{1,2}[:.h]\d\d\s*(?:[ap]\.?m\.?)?)?",
    re.IGNORECASE,
)


def _yearless_date(text: str, page: Page) -> str | None:
    """'Jun 20th at 2:41 am' on a page published in June 2019: the page's year (the next one
    when that would put the comment before the page)."""
    match = YEARLESS.search(text)
    published = page_published(page)
    if not match or published is None:
        return None
    found = read_date(f"{match.group(0)} {published.year}", page.zone, page.dayfirst)
    if found and datetime.fromisoformat(found).replace(tzinfo=None) < published.replace(
        tzinfo=None
    ) - timedelta(days=1):
        found = read_date(f"{match.group(0)} {published.year + 1}", page.zone, page.dayfirst)
    return found


def page_published(page: Page) -> datetime | None:
    """When the page itself was published (article meta, JSON-LD-free): for year-less dates."""
    if "published" not in page.text_cache:
        found = page.root.xpath(
            "//meta[@property='article:published_time']/@content"
            " | //meta[@itemprop='datePublished']/@content | //time[@datetime][1]/@datetime"
        )
        moment = None
        for value in found[:3]:
            iso = read_date(value, None)
            if iso:
                moment = datetime.fromisoformat(iso)
                break
        page.text_cache["published"] = moment
    return page.text_cache["published"]


def relative_date(text: str, now: datetime | None = None) -> str | None:
    """'3 days ago' → an ISO date that far back from now (pages state it no other way)."""
    match = RELATIVE_DATE.search(text)
    if not match:
        return None
    count = 1 if match.group(1).lower() in ("a", "an", "one") else int(match.group(1))
    seconds = count * _RELATIVE_UNITS[match.group(2).lower()]
    now = now or datetime.now(timezone.utc)
    return (now - timedelta(seconds=seconds)).replace(microsecond=0).isoformat()


def find_date(
    block: Any, skip: set, page: Page, elements: list | None = None
) -> tuple[str | None, Any]:
    """(ISO date, the element it came from) of a block: ``<time datetime>``, a date-ish
    attribute, a date-classed element's text, then any short text that reads as a date."""
    zone, dayfirst = page.zone, page.dayfirst
    hinted, others = [], []
    for el in elements if elements is not None else _own_elements(block, skip):
        if el.tag == "time" or el.get("itemprop") in ("datePublished", "dateCreated"):
            for attribute in ("datetime", "content", "title"):
                found = read_date(el.get(attribute), zone, dayfirst)
                if found:
                    return found, el
            match = DATE_TEXT.search(short_text(el))
            found = read_date(match.group(0), zone, dayfirst) if match else None
            if found:
                return found, el
        words = classes_of(el)
        if words and DATE_HINT.search(words) and not NOISE_HINT.search(words.replace("meta", "")):
            hinted.append(el)
        else:
            others.append(el)
    dated_only = None
    for el in hinted:
        if JOINED.search(short_text(el.getparent() if el.getparent() is not None else el)[:200]):
            continue
        for attribute in DATE_ATTRIBUTES:
            value = el.get(attribute)
            if value and (attribute.startswith("data-") or DATE_TEXT.search(value)):
                found = read_date(value, zone, dayfirst)
                if found:
                    return found, el
        text = short_text(el)
        if len(text) < 160:
            match = DATE_TEXT.search(text)
            found = read_date(match.group(0), zone, dayfirst) if match else relative_date(text)
            found = found or _yearless_date(text, page)
            if found and (":" in (match.group(0) if match else "") or not match):
                return found, el
            dated_only = dated_only or ((found, el) if found else None)
    if dated_only:
        return dated_only
    for el in others:
        own = " ".join(part.strip() for part in [el.text or ""] + [c.tail or "" for c in el])
        match = DATE_TEXT.search(own) if len(own) < 300 else None
        if match and JOINED.search(own[: match.start()]):
            continue
        if match:
            found = read_date(match.group(0), zone, dayfirst)
            if found:
                return found, el
        title = el.get("title")
        if title and DATE_TEXT.search(title):
            found = read_date(DATE_TEXT.search(title).group(0), zone, dayfirst)
            if found:
                return found, el
    return None, None


# --------------------------------------------------------------------------- authors


def clean_author(text: str) -> str | None:
    text = " ".join(text.split())
    text = SAYS.sub("", text)
    text = BY.sub("", text).strip(" :-–—|·•,")
    if not text or len(text) > 60 or len(text.split()) > 6:
        return None
    if DATE_TEXT.search(text) or RELATIVE_DATE.search(text) or text.lower() in _NOT_NAMES:
        return None
    if re.search(r"://|^www\.|\.(?:com|de|org|net)/", text):
        return None
    return text


_NOT_NAMES = frozenset(
    ["reply", "quote", "report", "permalink", "link", "share", "edit", "delete", "like",
     "antworten", "répondre", "responder", "rispondi", "anonymous coward", "top", "#", "said:",
     "verified purchase", "verified buyer", "helpful", "flag", "more", "less", "read more"]
)  # fmt: skip


def find_author(block: Any, skip: set, elements: list | None = None) -> tuple[str | None, Any]:
    """(name, element) of a block's author: ``itemprop=author``, an author-classed element, a
    link to a profile page, then 'by NAME' / 'NAME says:' text."""
    hinted, profile_links = [], []
    elements = elements if elements is not None else list(_own_elements(block, skip))
    for el in elements:
        prop = el.get("itemprop") or ""
        if prop in ("author", "creator"):
            name_el = next(
                (d for d in el.iter() if d.get("itemprop") in ("name", "alternateName")), None
            )
            name = clean_author(
                name_el.get("content") or short_text(name_el)
                if name_el is not None
                else short_text(el)
            )
            if name:
                return name, el
        words = classes_of(el)
        if words and AUTHOR_HINT.search(words) and not NOT_AUTHOR_HINT.search(words):
            hinted.append(el)
        if el.tag == "a" and PROFILE_LINK.search(el.get("href") or ""):
            profile_links.append(el)
    hinted.sort(key=lambda el: 0 if STRONG_AUTHOR.search(classes_of(el)) else 1)
    for el in hinted:
        found = _name_in(el)
        if found:
            return found, el
    for el in elements:
        if el.tag not in ("cite", "span", "p", "div", "small", "em", "i", "td", "header", "footer"):
            continue
        text = short_text(el)
        match = BY_NAME.search(text) if len(text) < 160 else None
        if match:
            name = clean_author(match.group(1))
            if name:
                return name, el
    for el in profile_links:
        name = clean_author(short_text(el))
        if name:
            return name, el
    return None, None


BY_NAME = re.compile(
    r"(?:^|\b(?:comment|posted|written|submitted|reviewed|review|kommentar|geschrieben)\s+)"
    r"(?:by|von|par|por)\s+(\S.{0,50}?)\s*(?=\s(?:on|at|am|le|el|um|in)\s|[—–|@»,(]|\s-\s|$)",
    re.IGNORECASE,
)


def _name_in(el: Any) -> str | None:
    """The name an author element shows: a link or a name-classed child, else its own text
    (its first line: a badge after a ``<br>`` is not part of the name)."""
    for child in el.iter():
        if child is el:
            continue
        words = classes_of(child)
        named = child.tag in ("a", "cite", "b", "strong") or (words and AUTHOR_HINT.search(words))
        if named and not NOT_AUTHOR_HINT.search(words or ""):
            name = clean_author(_first_line(child))
            if name:
                return name
    return clean_author(_first_line(el))


def _first_line(el: Any) -> str:
    text = node_text(el)
    return text.split("\n")[0] if text else ""


# --------------------------------------------------------------------------- ratings


RATING_WORDS = re.compile(r"star|rating|rate|score|stars|bewertung|note|sterne|étoile|estrella")
_OUT_OF = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:out\s+of|of|von|sur|de|su|/)\s*(\d+(?:[.,]\d+)?)(?:\s*(?:stars?|sterne|étoiles?|estrellas?|points?))?",
    re.IGNORECASE,
)
_N_STARS = re.compile(
    r"(?:rated\s+)?(\d(?:[.,]\d+)?)\s*(?:-\s*)?(?:stars?|sterne|étoiles?|estrellas?)\b", re.I
)
_GLYPHS = re.compile(r"^[★☆✩✪✫✬✭✮✯⭐\s½]+$")


def find_rating(
    block: Any, skip: set, elements: list | None = None
) -> tuple[float | None, float | None, Any]:
    """(rating, scale, element) of a review block: ``itemprop=ratingValue``, then a
    star-ish element's label ('4 out of 5 stars'), glyphs (★★★★☆), class names, child icons
    or widths (``zyte_parsers.extract_rating_stars``)."""
    candidates = []
    for el in elements if elements is not None else _own_elements(block, skip):
        prop = el.get("itemprop") or ""
        if prop == "ratingValue":
            value = _number(el.get("content") or short_text(el))
            scale_el = (
                next((s for s in el.getparent().iter() if s.get("itemprop") == "bestRating"), None)
                if el.getparent() is not None
                else None
            )
            scale = (
                _number(scale_el.get("content") or short_text(scale_el))
                if scale_el is not None
                else None
            )
            if value is not None:
                return value, scale or (10 if value > 5 else 5), el
        words = " ".join(
            v
            for v in (
                classes_of(el),
                el.get("aria-label"),
                el.get("title"),
                el.get("alt"),
                el.get("data-rating"),
                el.get("data-score"),
            )
            if v
        ).lower()
        if words and RATING_WORDS.search(words):
            candidates.append(el)
        elif el.text and _GLYPHS.match(el.text) and "★" in el.text or (el.text or "").count("⭐"):
            candidates.append(el)
    for el in candidates:
        found = _rating_of(el)
        if found is not None:
            return found[0], found[1], el
    return None, None, None


def _rating_of(el: Any) -> tuple[float, float] | None:
    for attribute in ("data-rating", "data-score", "data-value", "data-rating-value", "content"):
        value = _number(el.get(attribute))
        if value is not None and 0 < value <= 10:
            return value, 10.0 if value > 5 else 5.0
    for attribute in ("aria-label", "title", "alt"):
        found = _rating_in_text(el.get(attribute) or "")
        if found:
            return found
    text = short_text(el)
    if text and len(text) <= 40:
        glyphs = text.replace(" ", "")
        if _GLYPHS.match(text) and ("★" in text or "⭐" in text):
            full = glyphs.count("★") + glyphs.count("⭐") + 0.5 * glyphs.count("½")
            total = len(glyphs) - glyphs.count("½") + (1 if "½" in glyphs else 0)
            return full, float(max(5, total) if total <= 10 else 5)
        found = _rating_in_text(text)
        if found:
            return found
    value = _stars_by_zyte(el)
    if value is not None:
        return value, 5.0
    return _rating_from_width(el)


def _rating_in_text(text: str) -> tuple[float, float] | None:
    text = " ".join(text.split())
    match = _OUT_OF.search(text)
    if match:
        value, scale = _number(match.group(1)), _number(match.group(2))
        if value is not None and scale in (5, 10, 100, 4, 6, 3) and 0 <= value <= scale:
            return value, scale
    match = _N_STARS.search(text)
    if match:
        value = _number(match.group(1))
        if value is not None and 0 <= value <= 5:
            return value, 5.0
    if re.fullmatch(r"\d(?:[.,]\d)?", text):
        value = _number(text)
        if value is not None and 0 < value <= 5:
            return value, 5.0
    return None


def _stars_by_zyte(el: Any) -> float | None:
    from parsel import Selector
    from zyte_parsers import extract_rating_stars

    try:
        return extract_rating_stars(Selector(root=el))
    except (AssertionError, ValueError, TypeError):
        return None


def _rating_from_width(el: Any) -> tuple[float, float] | None:
    for node in el.iter():
        style = (node.get("style") or "").replace(" ", "").lower()
        match = re.search(r"(?:^|;)width:(\d+(?:\.\d+)?)%", style)
        if match and node is not el or match and RATING_WORDS.search(classes_of(node).lower()):
            percent = float(match.group(1))
            if 0 < percent <= 100:
                return round(percent / 20, 1), 5.0
    return None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    match = re.search(r"\d+(?:[.,]\d+)?", str(value))
    if not match:
        return None
    return float(match.group(0).replace(",", "."))


# --------------------------------------------------------------------------- blocks


@dataclass
class Group:
    """Elements that share a class word (or id pattern): candidate posts of one kind."""

    key: tuple
    members: list
    score: float = 0.0
    dated: float = 0.0
    authored: float = 0.0
    rated: float = 0.0
    text_length: float = 0.0
    hinted: bool = False


def _own_elements(block: Any, skip: set):
    """Descendants of ``block`` (itself first) that are not inside a nested post or a skipped
    part, in document order."""
    walker = etree.iterwalk(block, events=("start",))
    for _, el in walker:
        if not isinstance(el.tag, str):
            continue
        if el is not block and (el in skip or is_hidden(el)):
            walker.skip_subtree()
            continue
        yield el


def is_hidden(el: Any) -> bool:
    """Not shown: ``display:none``, ``hidden``, ``aria-hidden`` (collapsed profiles, menus)."""
    style = el.get("style")
    if style and re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", style):
        return True
    return el.get("hidden") is not None or el.get("aria-hidden") == "true"


def element_groups(root: Any) -> list[Group]:
    """Elements grouped by each class word (digits dropped), by id pattern (``post_#``) and by
    ``itemtype``/``itemprop``: one element joins several groups."""
    groups: dict[tuple, list] = defaultdict(list)
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str) or tag in NOT_BLOCK_TAGS:
            continue
        attrib = el.attrib
        for word in set((attrib.get("class") or "").split()):
            word = re.sub(r"\d+", "#", word.lower())
            if 2 < len(word) < 60:
                groups[(tag, "class", word)].append(el)
        element_id = attrib.get("id")
        if element_id and re.search(r"\d", element_id):
            groups[(tag, "id", re.sub(r"\d+", "#", element_id.lower()))].append(el)
        itemtype = attrib.get("itemtype")
        if itemtype:
            groups[(tag, "itemtype", itemtype.rsplit("/", 1)[-1].lower())].append(el)
        itemprop = attrib.get("itemprop")
        if itemprop in ("review", "reviews", "comment", "comments", "suggestedAnswer", "answer"):
            groups[(tag, "itemprop", itemprop)].append(el)
    found = [Group(key, members) for key, members in groups.items() if len(members) >= 2]
    found.sort(key=lambda group: -len(group.members))
    return found[:MAX_GROUPS]


FURNITURE_WORD = re.compile(
    r"(?:sidebar|widget|nav|menu|footer|related|recent|popular|breadcrumb|pagination|pager"
    r"|cookie|advert|promo|newsletter|teaser|trending|most-?read)",
    re.IGNORECASE,
)


def is_furniture(el: Any) -> bool:
    """A navigation, sidebar, form or footer block, or a block inside one: not a post."""
    if NOT_POST_HINT.search(classes_of(el)):
        return True
    node = el
    for _ in range(40):
        if node is None:
            return False
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("body", "html"):
            return False
        if tag in ("nav", "form", "aside", "footer"):
            return True
        words = classes_of(node).split()
        if any(FURNITURE_WORD.match(word) for word in words):
            return True
        node = node.getparent()
    return False


def score_group(group: Group, page: Page, want_rating: bool) -> Group:
    group.score = 0.0
    step = max(1, len(group.members) // SAMPLE)
    sample = group.members[::step][:SAMPLE]
    quick = [short_text(member) for member in sample]
    lengths = sorted(len(text) for text in quick)
    if lengths[len(lengths) // 2] > MAX_POST_CHARS or lengths[len(lengths) // 2] < 15:
        return group  # page layout wrappers, or labels and icons
    if len(set(quick)) < 0.8 * len(quick):
        return group  # the same widget repeated (rating summaries, share bars)
    members = [m for m in group.members if not is_furniture(m)]
    if len(members) < 2:
        return group
    group.members = members
    member_set = set(members)
    sample = [m for m in sample if m in member_set]
    if sum(_is_teaser(member, page) for member in sample) * 2 >= len(sample):
        return group
    dated, authored, rated, densities, wordy = 0, 0, 0, [], 0
    for member in sample:
        text = short_text(member)
        densities.append(link_density(member, len(text)))
        date, date_el = find_date(member, member_set, page)
        author, author_el = find_author(member, member_set)
        dated += date is not None
        authored += author is not None
        if want_rating:
            rated += find_rating(member, member_set)[0] is not None
        rest = len(text) - sum(len(short_text(el)) for el in (date_el, author_el)
                               if el is not None and el is not member)  # fmt: skip
        wordy += rest >= 20
    n = len(sample)
    if wordy * 2 < n:
        return group  # bylines (author and date) without a message
    group.dated, group.authored, group.rated = dated / n, authored / n, rated / n
    group.text_length = lengths[len(lengths) // 2]
    group.hinted = bool(POST_HINT.search(" ".join(group.key[2:])))
    density = median(densities)
    if density > 0.5:
        return group
    if want_rating and (group.rated < 0.6 or max(group.authored, group.dated) < 0.5):
        return group
    if want_rating and len(members) == 2 and min(group.authored, group.dated) < 0.5:
        return group
    if not want_rating and not _post_like(group, len(members)):
        return group
    group.score = (
        len(members)
        * (0.3 + group.dated)
        * (0.3 + group.authored)
        * (0.3 + group.rated if want_rating else 1.0)
        * min(1.0, group.text_length / 80)
        * (1.5 if group.hinted else 1.0)
        * (1.0 - density)
    )
    return group


def _is_teaser(member: Any, page: Page) -> bool:
    """An article teaser of a listing, not a post: a titled link to another page of the
    site (a heading link, or a link of 3+ words that is not a person's profile)."""
    hosts = _site_hosts(page)
    for link in member.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        target = urlsplit(urljoin(page.url, href))
        if target.hostname and target.hostname not in hosts:
            continue
        if not _other_page(href, page) or PROFILE_LINK.search(href) or NOT_ARTICLE.search(href):
            continue
        in_heading = any(
            a.tag in ("h1", "h2", "h3", "h4", "h5", "h6") for a in link.iterancestors()
        )
        title = short_text(link)
        if in_heading or (len(title) >= 15 and len(title.split()) >= 3):
            return True
    return False


NOT_ARTICLE = re.compile(
    r"reply|comment|login|register|signup|/tags?/|/tag/|categor|/search|share|print|mailto|feed"
    r"|likes|reactions|attachments|/posts?/\d|[?&](?:p|post|postid)=\d|review"
    r"|/wp-content/|\.(?:jpe?g|png|gif|webp|pdf)(?:$|\?)",
    re.IGNORECASE,
)


def _site_hosts(page: Page) -> set:
    if "hosts" not in page.text_cache:
        hosts = {urlsplit(page.url).hostname}
        for value in page.root.xpath(
            "//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"
        ):
            hosts.add(urlsplit(value.strip()).hostname)
        page.text_cache["hosts"] = {h for h in hosts if h} | {
            h[4:] if h.startswith("www.") else "www." + h for h in hosts if h
        }
    return page.text_cache["hosts"]


def _other_page(href: str, page: Page) -> bool:
    """A link away from this page: not to it, to a fragment of it, or below its own path
    (a post's permalink under the thread's URL)."""
    target = urlsplit(urljoin(page.url, href))
    if re.search(r"[?&;](?:p|pid|post|postid|comment|msg|showpost)=|#", href):
        return False
    for here in _page_paths(page):
        if target.path == here or (
            len(here) > 1 and target.path.startswith(here.rstrip("/") + "/")
        ):
            return False
    return True


def _page_paths(page: Page) -> list:
    if "paths" not in page.text_cache:
        urls = [page.url] + page.root.xpath(
            "//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"
        )
        page.text_cache["paths"] = [urlsplit(urljoin(page.url, u.strip())).path for u in urls]
    return page.text_cache["paths"]


def _post_like(group: Group, count: int) -> bool:
    """Posts show who wrote them and when; a comment section may leave out one of the two."""
    both = group.dated >= 0.5 and group.authored >= 0.5
    if count == 2:
        return both and group.hinted and group.text_length >= 30
    if group.hinted:
        return both or group.dated >= 0.8 or group.authored >= 0.8
    return both and group.text_length >= 30


def find_blocks(page: Page, want_rating: bool = False) -> Group | None:
    """The best group of post blocks (or review blocks, with ``want_rating``), or None."""
    key = ("blocks", want_rating)
    if key not in page.text_cache:
        page.text_cache[key] = _find_blocks(page, want_rating)
    return page.text_cache[key]


def _find_blocks(page: Page, want_rating: bool) -> Group | None:
    best: Group | None = None
    groups = element_groups(page.root)
    for group in groups:
        if best is not None and len(group.members) * 4 < best.score:
            continue  # too few members to win
        score_group(group, page, want_rating)
        if group.score > 0 and (best is None or _better(group, best)):
            best = group
    if best is None:
        return None
    best = _whole_posts(_nesting_wrappers(best, groups), groups)
    order = {el: index for index, el in enumerate(page.root.iter())}
    best.members = sorted(set(best.members), key=lambda el: order.get(el, 0))
    return best


def _better(group: Group, best: Group) -> bool:
    if abs(group.score - best.score) > 0.05 * max(group.score, best.score):
        return group.score > best.score
    # equal: the group whose members hold the other's (the whole post, not its body)
    return _wraps(group.members, best.members)


def _wraps(outer: list, inner: list) -> bool:
    """Each of ``outer`` holds one of ``inner`` within three levels, one for one."""
    if len(outer) != len(inner):
        return False
    outer_set = set(outer)
    for el in inner:
        node, hops = el.getparent(), 0
        while node is not None and node not in outer_set and hops < 3:
            node, hops = node.getparent(), hops + 1
        if node not in outer_set:
            return False
    return True


def _whole_posts(best: Group, groups: list[Group]) -> Group:
    """Where each chosen block is a part of a post (one of its table rows), the posts: a
    scored group with fewer members that hold all the chosen blocks, as dated and signed."""
    held = set(best.members)
    for group in groups:
        if group.score <= 0 or not 2 <= len(group.members) < len(best.members):
            continue
        if group.dated < best.dated - 0.1 or group.authored < best.authored - 0.1:
            continue
        inside = 0
        for member in group.members:
            inside += sum(1 for el in member.iterdescendants() if el in held)
        if inside == len(held) and len(held) % len(group.members) == 0:
            return group
    return best


def _nesting_wrappers(best: Group, groups: list[Group]) -> Group:
    """Replies nested in the posts they answer keep their nesting: where the chosen blocks
    are the bodies of nested wrappers (WordPress's ``li.comment`` around ``article``), take
    the wrappers."""
    for group in groups:
        if group is best or not _wraps(group.members, best.members):
            continue
        members = set(group.members)
        if any(parent_block(el, members) is not None for el in group.members):
            group.score = best.score
            group.dated, group.authored, group.rated = best.dated, best.authored, best.rated
            return group
    return best


def count_post_blocks(text: str, url: str = "") -> int:
    """How many post-like blocks the page shows (for the partial-coverage check)."""
    try:
        page = cached_page(text, url)
    except ParseError:
        return 0
    group = find_blocks(page)
    reviews = find_blocks(page, want_rating=True)
    return max(len(group.members) if group else 0, len(reviews.members) if reviews else 0)


# --------------------------------------------------------------------------- one block


@dataclass
class BlockFields:
    site_id: str | None
    url: str
    author: str | None
    published_at: str | None
    body: str
    title: str | None = None
    rating: float | None = None
    rating_scale: float | None = None


def block_fields(block: Any, members: set, page: Page, with_rating: bool = False) -> BlockFields:
    elements = list(_own_elements(block, members))  # one walk, shared by every field
    author, author_el = find_author(block, members, elements)
    date, date_el = find_date(block, members, page, elements)
    rating = scale = rating_el = None
    if with_rating:
        rating, scale, rating_el = find_rating(block, members, elements)
    title_el = _title_element(block, elements, {author_el, date_el, rating_el})
    skip = set(members) | _noise(block, elements)
    for el in (author_el, date_el, rating_el, title_el):
        if el is not None and el is not block:
            skip.add(el)
    body = node_text(_body_element(block, members, skip), skip)
    site_id = block_id(block)
    return BlockFields(
        site_id=site_id,
        url=permalink(block, elements, page, site_id, body),
        author=author,
        published_at=date,
        body=_strip_labels(body, author),
        title=short_text(title_el) if title_el is not None else None,
        rating=rating,
        rating_scale=scale,
    )


def _strip_labels(body: str, author: str | None) -> str:
    lines = body.split("\n")
    while lines and (not lines[0].strip() or (author and lines[0].strip() == author)):
        lines.pop(0)
    return "\n".join(lines).strip()


def _noise(block: Any, elements: list) -> set:
    noise = set()
    for el in elements:
        if el is block:
            continue
        words = classes_of(el)
        tag = el.tag
        if tag in FURNITURE_TAGS and tag not in ("header", "footer"):
            noise.add(el)
        elif words and NOISE_HINT.search(words) and not BODY_HINT.search(words):
            noise.add(el)
        elif tag == "blockquote" or (words and QUOTE_HINT.search(words)):
            if (
                tag == "blockquote"
                and not QUOTE_LEAD.search(short_text(el)[:120])
                and not (words and QUOTE_HINT.search(words))
            ):
                continue
            noise.add(el)
        elif tag in ("header", "footer") and len(short_text(el)) < 200:
            noise.add(el)
    return noise


def _body_element(block: Any, members: set, skip: set) -> Any:
    """The block's message: the longest body-classed element, else the block itself."""
    best, best_length = None, 0
    for el in _own_elements(block, skip):
        if el is block:
            continue
        words = classes_of(el)
        if el.tag in ("p", "span", "a", "li") or not words or not BODY_HINT.search(words):
            continue
        if NOISE_HINT.search(words) and not re.search(r"content|body|text", words, re.I):
            continue
        length = len(node_text(el, skip, one_line=True))
        if length > best_length:
            best, best_length = el, length
    total = len(node_text(block, skip, one_line=True))
    if best is not None and best_length >= 0.3 * total:
        return best
    return block


def _title_element(block: Any, elements: list, used: set) -> Any:
    for el in elements:
        if el is block or el in used:
            continue
        words = classes_of(el)
        heading = el.tag in ("h2", "h3", "h4", "h5") or (words and TITLE_HINT.search(words))
        if heading and not (words and NOT_POST_HINT.search(words)):
            text = short_text(el)
            if 2 < len(text) < 200 and not DATE_TEXT.fullmatch(text):
                return el
    return None


def block_id(block: Any) -> str | None:
    """The site's id for a block: its numbered id or data attribute, or a named anchor."""
    for attribute in ("data-post-id", "data-comment-id", "data-review-id", "data-pid",
                      "data-postid", "data-commentid", "data-id", "id"):  # fmt: skip
        value = block.get(attribute)
        if value and re.search(r"\d", value) and len(value) < 100:
            return value
    for child in block.iter("a"):
        name = child.get("name") or child.get("id")
        if name and re.search(r"\d", name):
            return name
        break
    previous = block.getprevious()
    if (
        previous is not None
        and previous.tag == "a"
        and re.search(r"\d", previous.get("name") or "")
    ):
        return previous.get("name")
    return None


def permalink(block: Any, elements: list, page: Page, site_id: str | None, body: str) -> str:
    """The block's own link: one to its id (``#comment-12``, ``?p=12``), a permalink/bookmark
    link, else the page URL with the block's id (or a digest of its text) as fragment."""
    base = base_href(page)
    page_url = urldefrag(page.url)[0]
    digits = re.findall(r"\d{3,}", site_id or "")
    number = digits[-1] if digits else None
    for el in elements:
        if el.tag != "a":
            continue
        href = el.get("href") or ""
        if not href or href.startswith(("javascript:", "mailto:")):
            continue
        absolute = urljoin(base, href)
        fragment = urlsplit(absolute).fragment
        if site_id and fragment and (fragment == site_id or (number and number in fragment)):
            return absolute
        words = (classes_of(el) + " " + (el.get("rel") or "")).lower()
        if "permalink" in words or "bookmark" in words:
            return absolute
        if number and _links_to(href, number):
            return absolute
    if site_id:
        return f"{page_url}#{site_id}"
    digest = hashlib.sha1(body[:2000].encode("utf-8")).hexdigest()[:12]
    return f"{page_url}#post-{digest}"


def _links_to(href: str, number: str) -> bool:
    """Does the link name the post's number as a path part or query value?"""
    for separator in ("/", "=", "#", "-", "."):
        index = href.find(separator + number)
        while index >= 0:
            end = index + len(number) + 1
            if end == len(href) or not href[end].isdigit():
                return True
            index = href.find(separator + number, index + 1)
    return False


def base_href(page: Page) -> str:
    base = page.root.find(".//base[@href]")
    return urljoin(page.url, base.get("href")) if base is not None else page.url


def parent_block(block: Any, members: set) -> Any:
    """The nearest enclosing block: the post this one replies to (nested comment trees)."""
    node = block.getparent()
    while node is not None:
        if node in members:
            return node
        node = node.getparent()
    return None


def page_title(page: Page) -> str | None:
    for xpath in ("//meta[@property='og:title']/@content", "//h1"):
        found = page.root.xpath(xpath)
        if found:
            value = found[0] if isinstance(found[0], str) else short_text(found[0])
            if value.strip():
                return " ".join(value.split())
    title = page.root.find(".//title")
    return short_text(title) if title is not None else None
