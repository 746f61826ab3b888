"""The synthetic demo site: well-formed files, enough mentions, deterministic, planted trends.

Mentions are read back from the written files with small readers of our own (not the project's
parsers), so these tests check what a crawler would actually see. ``test_parsers_read_*``
then runs the real parsers over every file.
"""

from __future__ import annotations

import dataclasses
import difflib
import html
import importlib
import json
import re
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from groundswell.demo.site import DEMO_BRANDS, DemoFile, DemoSite, build_demo_site

TODAY = date(2025, 3, 12)  # a Wednesday: the trend week is 2025-W10 (Mar 3-9)
JSON_KINDS = ("hackernews", "reddit", "discourse", "appstore")
ATOM = "{http://www.w3.org/2005/Atom}"
PERFORMANCE_WORDS = re.compile(
    r"\b(slow\w*|sluggish|lags?|lagg\w*|latency|time[sd] out|timing out|timeouts?|to load"
    r"|loading|crawl\w*|freez\w*|spinners?)\b",
    re.IGNORECASE,
)
TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class ReadMention:
    key: str
    kind: str
    published: datetime
    text: str
    rating: int | None = None
    author: str = ""
    source_path: str = ""


# --- readers ---------------------------------------------------------------------------------


def utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def plain(markup: str | None) -> str:
    return html.unescape(TAGS.sub(" ", markup or ""))


def jsonld_blocks(page: str) -> list[object]:
    soup = BeautifulSoup(page, "html.parser")
    return [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]


def read_schema_org(path: str, page: str) -> Iterator[ReadMention]:
    for block in jsonld_blocks(page):
        for review in block.get("review", []) if isinstance(block, dict) else []:
            yield ReadMention(
                key=f"{path}|{review['author']['name']}|{review['datePublished']}",
                kind="schema_org",
                published=utc(review["datePublished"]),
                text=f"{review['name']} {review['reviewBody']}",
                rating=int(review["reviewRating"]["ratingValue"]),
                author=review["author"]["name"],
                source_path=path,
            )
    soup = BeautifulSoup(page, "html.parser")
    for card in soup.select('[itemprop="review"]'):
        published = card.select_one('[itemprop="datePublished"]')["content"]
        author = card.select_one('[itemprop="author"] [itemprop="name"]').get_text()
        yield ReadMention(
            key=f"{path}|{author}|{published}",
            kind="schema_org",
            published=utc(published),
            text=" ".join(
                card.select_one(f'[itemprop="{prop}"]').get_text(" ")
                for prop in ("name", "reviewBody")
            ),
            rating=int(card.select_one('[itemprop="ratingValue"]').get_text()),
            author=author,
            source_path=path,
        )


def read_appstore(path: str, text: str) -> Iterator[ReadMention]:
    for entry in json.loads(text)["feed"]["entry"]:
        yield ReadMention(
            key=f"appstore|{entry['id']['label']}",
            kind="appstore",
            published=utc(entry["updated"]["label"]),
            text=f"{entry['title']['label']} {entry['content']['label']}",
            rating=int(entry["im:rating"]["label"]),
            author=entry["author"]["name"]["label"],
            source_path=path,
        )


def read_feed(path: str, text: str) -> Iterator[ReadMention]:
    root = ET.fromstring(text)
    for item in root.iter("item"):
        yield ReadMention(
            key=f"rss|{item.findtext('guid')}",
            kind="feed",
            published=parsedate_to_datetime(item.findtext("pubDate")).astimezone(timezone.utc),
            text=f"{item.findtext('title')} {plain(item.findtext('description'))}",
            source_path=path,
        )
    for entry in root.iter(f"{ATOM}entry"):
        title, body = entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}content")
        yield ReadMention(
            key=f"atom|{entry.findtext(f'{ATOM}id')}",
            kind="feed",
            published=utc(entry.findtext(f"{ATOM}published")),
            text=f"{plain(title)} {plain(body)}",
            source_path=path,
        )


def read_hackernews(path: str, text: str) -> Iterator[ReadMention]:
    for hit in json.loads(text)["hits"]:
        published = utc(hit["created_at"])
        assert int(published.timestamp()) == hit["created_at_i"]
        body = hit["comment_text"] or hit["story_text"] or ""
        yield ReadMention(
            key=f"hn|{hit['objectID']}",
            kind="hackernews",
            published=published,
            text=f"{hit['title'] or ''} {plain(body)}",
            author=hit["author"],
            source_path=path,
        )


def reddit_things(data: object) -> Iterator[dict]:
    listings = data if isinstance(data, list) else [data]
    for listing in listings:
        for child in listing["data"]["children"]:
            yield child
            replies = child["data"].get("replies")
            if replies:
                yield from reddit_things(replies)


def read_reddit(path: str, text: str) -> Iterator[ReadMention]:
    for thing in reddit_things(json.loads(text)):
        data = thing["data"]
        body = data.get("selftext") if thing["kind"] == "t3" else data["body"]
        yield ReadMention(
            key=f"reddit|{data['name']}",
            kind="reddit",
            published=datetime.fromtimestamp(data["created_utc"], timezone.utc),
            text=f"{data.get('title', '')} {body}",
            author=data["author"],
            source_path=path,
        )


def read_discourse(path: str, text: str) -> Iterator[ReadMention]:
    topic = json.loads(text)
    for post in topic.get("post_stream", {}).get("posts", []):
        title = topic["title"] if post["post_number"] == 1 else ""
        yield ReadMention(
            key=f"discourse|{post['id']}",
            kind="discourse",
            published=utc(post["created_at"]),
            text=f"{title} {plain(post['cooked'])}",
            author=post["username"],
            source_path=path,
        )


READERS = {
    "schema_org": read_schema_org,
    "appstore": read_appstore,
    "feed": read_feed,
    "hackernews": read_hackernews,
    "reddit": read_reddit,
    "discourse": read_discourse,
}


def file_text(site: DemoSite, file: DemoFile) -> str:
    return (site.root / file.path.lstrip("/")).read_text(encoding="utf-8")


def read_mentions(site: DemoSite) -> dict[str, ReadMention]:
    found: dict[str, ReadMention] = {}
    for file in site.files:
        if file.alias_of is None:
            for mention in READERS[file.kind](file.path, file_text(site, file)):
                found.setdefault(mention.key, mention)
    return found


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def trend_weeks(today: date) -> tuple[str, str, list[str]]:
    """(trend week, the week before, the four weeks before the trend week) as ISO labels."""
    monday = today - timedelta(days=today.weekday()) - timedelta(days=7)
    labels = [iso_week(datetime.combine(monday - timedelta(days=7 * n), time())) for n in range(5)]
    return labels[0], labels[1], labels[1:]


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> DemoSite:
    return build_demo_site(tmp_path_factory.mktemp("demo"), today=TODAY)


@pytest.fixture(scope="module")
def mentions(site: DemoSite) -> dict[str, ReadMention]:
    return read_mentions(site)


# --- shape ---------------------------------------------------------------------------------------


def test_every_file_is_well_formed(site: DemoSite) -> None:
    assert site.files
    for file in site.files:
        text = file_text(site, file)
        if file.kind in JSON_KINDS:
            json.loads(text)
        elif file.kind == "feed":
            ET.fromstring(text)
        else:
            assert text.startswith("<!DOCTYPE html>")
            assert jsonld_blocks(text), f"{file.path}: no JSON-LD block parsed"


def test_every_source_is_a_written_file(site: DemoSite) -> None:
    written = {file.path for file in site.files}
    kinds = {source.kind for source in site.sources}
    assert kinds == set(READERS)
    for source in site.sources:
        assert source.url_path in written, source
    assert len({source.name for source in site.sources}) == len(site.sources)


def test_aliases_are_byte_identical(site: DemoSite) -> None:
    aliases = [file for file in site.files if file.alias_of]
    assert aliases
    for alias in aliases:
        original = site.root / alias.alias_of.lstrip("/")
        assert (site.root / alias.path.lstrip("/")).read_bytes() == original.read_bytes()


# --- volume and dates ----------------------------------------------------------------------------


def test_enough_mentions_across_all_kinds(site: DemoSite, mentions: dict) -> None:
    per_kind: dict[str, int] = {}
    for mention in mentions.values():
        per_kind[mention.kind] = per_kind.get(mention.kind, 0) + 1
    assert 120 <= len(mentions) <= 200
    assert len(per_kind) >= 6
    assert per_kind == site.mentions_by_kind
    assert len(mentions) == site.mention_count


def test_dates_within_the_last_six_weeks(mentions: dict) -> None:
    earliest = datetime.combine(TODAY - timedelta(days=42), time(), timezone.utc)
    latest = datetime.combine(TODAY, time(), timezone.utc)
    for mention in mentions.values():
        assert earliest <= mention.published < latest, mention
    weeks = {iso_week(m.published) for m in mentions.values()}
    assert len(weeks) >= 6


def test_default_today_is_the_current_date(tmp_path: Path) -> None:
    before = date.today()
    site = build_demo_site(tmp_path)
    assert site.today in {before, date.today()}  # midnight may pass while it is built
    earliest = datetime.combine(site.today - timedelta(days=42), time(), timezone.utc)
    assert all(m.published >= earliest for m in read_mentions(site).values())


def test_every_mention_names_a_brand(mentions: dict) -> None:
    names = [brand.name for brand in DEMO_BRANDS]
    for mention in mentions.values():
        assert any(name in mention.text for name in names), mention


def test_star_ratings_are_mostly_good_with_some_bad(mentions: dict) -> None:
    ratings = [m.rating for m in mentions.values() if m.rating is not None]
    assert len(ratings) >= 60
    assert set(ratings) == {1, 2, 3, 4, 5}
    assert sum(r >= 4 for r in ratings) / len(ratings) >= 0.55
    assert sum(r <= 2 for r in ratings) / len(ratings) >= 0.1


# --- determinism -------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first = build_demo_site(tmp_path / "a", today=TODAY, seed=11)
    second = build_demo_site(tmp_path / "b", today=TODAY, seed=11)
    assert snapshot(first.root) == snapshot(second.root)
    assert first.files == second.files
    assert first.trend == second.trend


def test_other_seed_or_day_gives_other_content(tmp_path: Path) -> None:
    base = snapshot(build_demo_site(tmp_path / "a", today=TODAY, seed=11).root)
    other_seed = snapshot(build_demo_site(tmp_path / "b", today=TODAY, seed=12).root)
    other_day = snapshot(build_demo_site(tmp_path / "c", today=TODAY + timedelta(1), seed=11).root)
    assert base != other_seed
    assert base != other_day


# --- planted trends ----------------------------------------------------------------------------


def performance_by_week(mentions: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for mention in mentions.values():
        if PERFORMANCE_WORDS.search(mention.text):
            week = iso_week(mention.published)
            counts[week] = counts.get(week, 0) + 1
    return counts


def average_rating(mentions: dict, week: str, brand: str = "") -> float:
    ratings = [
        m.rating
        for m in mentions.values()
        if m.rating is not None and iso_week(m.published) == week and brand in m.text
    ]
    assert len(ratings) >= 5, f"too few reviews in {week} to compare"
    return sum(ratings) / len(ratings)


@pytest.mark.parametrize("seed", [7, 3])
@pytest.mark.parametrize("today", [TODAY + timedelta(days=n) for n in range(7)])
def test_performance_complaints_triple_in_the_last_full_week(
    tmp_path: Path, today: date, seed: int
) -> None:
    site = build_demo_site(tmp_path, today=today, seed=seed)
    mentions = read_mentions(site)
    trend, _, before = trend_weeks(today)
    counts = performance_by_week(mentions)
    baseline = sum(counts.get(week, 0) for week in before) / len(before)
    assert counts[trend] >= 2.5 * baseline, (counts, trend)
    assert counts[trend] >= 8
    assert site.trend.week == trend
    assert site.trend.performance_mentions[trend] == counts[trend]


@pytest.mark.parametrize("seed", [7, 3])
@pytest.mark.parametrize("today", [TODAY + timedelta(days=n) for n in range(7)])
def test_average_rating_drops_about_a_star(tmp_path: Path, today: date, seed: int) -> None:
    """Over all reviews, and over Acme's alone (the digest's default scope: competitor reviews
    never name Acme, so they only match competitor monitors)."""
    mentions = read_mentions(build_demo_site(tmp_path, today=today, seed=seed))
    trend, previous, _ = trend_weeks(today)
    drop = average_rating(mentions, previous) - average_rating(mentions, trend)
    assert 0.7 <= drop <= 1.3, drop
    acme_drop = average_rating(mentions, previous, "Acme") - average_rating(mentions, trend, "Acme")
    assert 0.75 <= acme_drop <= 1.3, acme_drop


# --- planted oddities --------------------------------------------------------------------------


def hostile_page(site: DemoSite) -> str:
    page = site.root / "reviewhub/products/acme-helpdesk.html"
    return page.read_text(encoding="utf-8")


def test_hostile_review_is_text_not_markup(site: DemoSite, mentions: dict) -> None:
    page = hostile_page(site)
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    bodies = [m.text for m in mentions.values() if m.kind == "schema_org"]
    hostile = [b for b in bodies if "<script>alert(1)</script>" in b]
    assert len(hostile) >= 1
    assert "<img src=x onerror=alert(2)>" in hostile[0]


def test_one_review_is_reposted_with_small_edits(mentions: dict) -> None:
    reviews = [m for m in mentions.values() if m.kind == "schema_org"]
    pairs = [
        (a, b)
        for i, a in enumerate(reviews)
        for b in reviews[i + 1 :]
        if a.source_path != b.source_path and a.author == b.author
        and 0.85 <= difflib.SequenceMatcher(None, a.text, b.text).ratio() < 1.0
    ]  # fmt: skip
    assert len(pairs) == 1
    first, second = pairs[0]
    assert abs(first.published - second.published) <= timedelta(days=2)


@pytest.mark.parametrize(
    "language_marker", ["Wir nutzen Acme Helpdesk", "¿Cómo conectar", "L'éditeur du logiciel"]
)
def test_some_mentions_are_not_in_english(mentions: dict, language_marker: str) -> None:
    assert any(language_marker in m.text for m in mentions.values())


def discourse_topics(site: DemoSite) -> list[dict]:
    return [
        json.loads(file_text(site, f))
        for f in site.files
        if f.kind == "discourse" and not f.alias_of and not f.listing_only
    ]


def test_forum_has_unanswered_answered_and_vendor_answered_questions(site: DemoSite) -> None:
    topics = discourse_topics(site)
    unanswered = [t for t in topics if t["posts_count"] == 1]
    posters = [{p["username"] for p in t["post_stream"]["posts"][1:]} for t in topics]
    by_vendor = [names for names in posters if "acme_support" in names]
    by_community = [names for names in posters if names and "acme_support" not in names]
    assert unanswered and by_community
    assert len(by_vendor) == 1
    latest = json.loads((site.root / "latest.json").read_text(encoding="utf-8"))
    listed = {topic["id"] for topic in latest["topic_list"]["topics"]}
    assert listed == {topic["id"] for topic in topics}


def test_reddit_thread_nests_replies(site: DemoSite) -> None:
    threads = [
        json.loads(file_text(site, f))
        for f in site.files
        if f.kind == "reddit" and not f.alias_of and f.path.endswith(".json") and "/comments/" in f.path
    ]  # fmt: skip
    assert threads
    depths = [thing["data"].get("depth", 0) for t in threads for thing in reddit_things(t[1])]
    assert max(depths) >= 1


# --- the real parsers and server -------------------------------------------------------------


PARSER_MODULES = {
    "schema_org": "groundswell.crawl.parsers.schema_org",
    "feed": "groundswell.crawl.parsers.feed",
    "hackernews": "groundswell.crawl.parsers.hackernews",
    "reddit": "groundswell.crawl.parsers.reddit",
    "discourse": "groundswell.crawl.parsers.discourse",
    "appstore": "groundswell.crawl.parsers.appstore",
}


@pytest.mark.parametrize("kind", sorted(PARSER_MODULES))
def test_parsers_read_every_demo_file(site: DemoSite, kind: str) -> None:
    parser = pytest.importorskip(PARSER_MODULES[kind])
    files = [f for f in site.files if f.kind == kind]
    assert files
    for file in files:
        parsed = parser.parse(file_text(site, file), f"http://127.0.0.1:8777{file.path}")
        expected = (0, file.mentions) if file.listing_only else (file.mentions,)
        assert len(parsed) in expected, file
        assert all(m.get("published_at") for m in parsed), file
        ids = [m.get("site_id") or m.get("url") for m in parsed]
        assert len(set(ids)) == len(ids), f"{file.path}: mentions share an id"


def test_replay_server_serves_every_source(site: DemoSite) -> None:
    replay = pytest.importorskip("groundswell.crawl.replay")
    server = replay.start_replay_server(site.root)
    try:
        base = replay.server_url(server)
        for source in site.sources:
            with urllib.request.urlopen(base + source.url_path) as response:
                assert response.status == 200
                assert response.read() == (site.root / source.url_path.lstrip("/")).read_bytes()
    finally:
        server.shutdown()
        server.server_close()


def test_demo_config_loads_and_lists_every_source(site: DemoSite, tmp_path: Path) -> None:
    config = pytest.importorskip("groundswell.config")
    from groundswell.demo.site import write_demo_config

    path = write_demo_config(tmp_path / "groundswell.toml", "http://127.0.0.1:8777/", "demo.db")
    loaded = config.load_config(path)
    assert [(s.name, s.kind) for s in loaded.source] == [(s.name, s.kind) for s in site.sources]
    assert loaded.source[0].url == "http://127.0.0.1:8777" + site.sources[0].url_path
    assert [m.name for m in loaded.monitor] == [b.name for b in DEMO_BRANDS]
    assert [m.competitor for m in loaded.monitor] == [False, True, True]
    assert loaded.database.path == "demo.db"
    assert path.read_text(encoding="utf-8").startswith("#")


def test_content_pools_keep_performance_words_in_the_performance_topic() -> None:
    content = importlib.import_module("groundswell.demo.content")
    leaks = []

    def walk(value: object, where: str) -> None:
        if isinstance(value, str):
            if content.PERFORMANCE_COMPLAINT.search(value) and "performance" not in where:
                leaks.append((where, value))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}.{key}")
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item, where)
        elif dataclasses.is_dataclass(value):
            walk(dataclasses.astuple(value), where)

    for name in ("TOPIC_SENTENCES", "QUESTIONS", "ARTICLES", "REVIEW_TITLES"):
        walk(getattr(content, name), name)
    for name in ("REVIEW_OPENERS", "APP_OPENERS", "REVIEW_CLOSERS", "COMMENT_LEADINS",
                 "COMPARISONS", "FOLLOWUPS", "ARTICLE_CONTEXT", "MIXED_TITLES"):  # fmt: skip
        walk(getattr(content, name), name)
    assert leaks == []
