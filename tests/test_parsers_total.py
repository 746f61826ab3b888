"""Every parser is total: any text in, mention dicts or a ParseError out, within bounds.

A Hypothesis suite, bounded for CI (few examples, no deadline): arbitrary bodies and mutated
recorded pages (tests/page_mutations.py) through every parser. The heavy run (>= 10,000
mutated pages) is bench/fuzz_parsers.py.
"""

from __future__ import annotations

import random
import time

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter

from groundswell.crawl.items import MentionItem
from groundswell.crawl.parsers import ParseError
from groundswell.crawl.parsers.fallback import parse_unrecognised
from groundswell.crawl.parsers.limits import MAX_ELEMENTS, page_cap
from groundswell.crawl.parsers.registry import (
    FALLBACK_MODULES,
    PARSER_MODULES,
    detect_parser,
    parser_for_kind,
)
from groundswell.crawl.pipelines.validate import validate_mention
from tests.conftest import groundswell, write_config
from tests.page_mutations import MUTATIONS, fixture_pages, mutate

KINDS = PARSER_MODULES + FALLBACK_MODULES
JSON_KINDS = ["reddit", "hackernews", "discourse", "appstore", "github", "lemmy",
              "google_places", "mastodon", "bluesky", "trustpilot", "yelp_api",
              "stackexchange"]  # fmt: skip
BOUNDED = settings(max_examples=15, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
LINK_FUNCTIONS = ("follow_urls", "thread_urls", "older_page_urls")


def read_like_a_crawl(kind: str, text: str, url: str = "https://example.com/t/1") -> list:
    """``parse`` and the link functions, as a crawl calls them; ParseError is an answer."""
    module = parser_for_kind(kind)
    module.matches(url, "", text)
    try:
        mentions = module.parse(text, url)
        for name in LINK_FUNCTIONS:
            if hasattr(module, name):
                getattr(module, name)(text, url)
    except ParseError:
        return []
    assert isinstance(mentions, list)
    assert all(isinstance(m, dict) for m in mentions)
    return mentions


@pytest.mark.parametrize("kind", KINDS)
def test_every_parser_function_a_crawl_calls_is_guarded(kind):
    module = parser_for_kind(kind)
    for name in ("matches", "parse", *LINK_FUNCTIONS):
        if hasattr(module, name):
            assert getattr(getattr(module, name), "total", False), f"{kind}.{name}"


@pytest.mark.parametrize("kind", KINDS)
@BOUNDED
@given(body=st.one_of(st.text(max_size=300), st.binary(max_size=300).map(
    lambda b: b.decode("utf-8", errors="replace"))))  # fmt: skip
def test_any_body_gives_mentions_or_a_parse_error(kind, body):
    read_like_a_crawl(kind, body)


PAGES = fixture_pages()
CHEAP_MUTATIONS = sorted(set(MUTATIONS) - {"huge"})  # 5-20 MB pages: the bench's job


def own_parser(path) -> str | None:
    module = detect_parser("https://example.com/x", "", path.read_text(errors="replace"))
    return module.KIND if module is not None else None


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(page=st.sampled_from(PAGES), seed=st.integers(0, 2**32 - 1),
       other=st.sampled_from(KINDS))  # fmt: skip
def test_mutated_pages_give_mentions_or_a_parse_error_and_no_garbage(page, seed, other):
    body = page.read_bytes()
    name, mutated = mutate(body, random.Random(seed))
    if name.startswith("huge"):
        return
    text = mutated.decode("utf-8", errors="replace")
    for kind in {own_parser(page) or "discussion", other}:
        for found in read_like_a_crawl(kind, text):
            item = MentionItem(source="t", source_kind=kind)
            for key, value in found.items():
                item[key] = value
            adapter = ItemAdapter(item)
            if not validate_mention(adapter).dropped:
                assert_no_garbage(adapter)


def assert_no_garbage(adapter: ItemAdapter) -> None:
    for name in ("published_at", "fetched_at"):
        value = adapter.get(name)
        assert value is None or "1995-01-01" <= value <= "2100", (name, value)
    rating = adapter.get("rating")
    assert rating is None or 0 <= rating <= 5
    for name in ("url", "thread_url"):
        value = adapter.get(name)
        assert value is None or value.startswith(("http://", "https://")), (name, value)


@pytest.mark.parametrize("kind", JSON_KINDS)
@pytest.mark.parametrize("nest", [("[", "]"), ('{"data":', "}"), ('{"children":[', "]}")])
def test_json_nested_100000_deep_is_a_parse_error(kind, nest):
    deep = nest[0] * 100_000 + "1" + nest[1] * 100_000
    inside = '{"kind": "Listing", "data": ' + deep + "}"
    for text in (deep, inside):
        with pytest.raises(ParseError):
            parser_for_kind(kind).parse(text, "https://example.com/x.json")


@pytest.mark.parametrize("kind", ["amazon", "phpbb", "yelp", "etsy", "discussion", "reviews"])
def test_tag_soup_is_refused_before_a_tree_is_built(kind):
    page = (
        PAGES[0].parent.parent / "review_html/amazon_product_reviews_dawn_2024.html"
    ).read_text()
    soup = page[:2000] + "<div>" * (MAX_ELEMENTS + 1) + page[2000:]
    start = time.process_time()
    with pytest.raises(ParseError, match="tags"):
        parser_for_kind(kind).parse(soup, "https://example.com/r")
    assert time.process_time() - start < 1.0


def test_a_page_over_the_cap_is_refused_unread_and_a_lower_cap_applies():
    text = "<html><body>" + "<p>x</p>" * 200 + "</body></html>"
    assert read_like_a_crawl("discussion", text) == []  # small: read (no posts, ParseError)
    with page_cap(1000), pytest.raises(ParseError, match="page cap"):
        parser_for_kind("discussion").parse(text, "https://example.com/t")


@pytest.mark.parametrize("kind", ["reddit", "feed", "amazon", "yelp", "discussion"])
def test_binary_and_wrong_charset_bodies_are_refused(kind):
    noise = random.Random(1).randbytes(5000).decode("utf-8", errors="replace")
    with pytest.raises(ParseError):
        parser_for_kind(kind).parse(noise, "https://example.com/x")


def test_a_crawl_notes_a_page_over_the_configured_cap_and_reads_the_others(tmp_path, fixtures_url):
    big = "review_html/yelp_biz_broadway_oyster_bar_2025.html"  # 1.9 MB
    small = "feeds/hackernews_frontpage_rss.xml"
    sources = [{"name": "big", "kind": "auto", "url": f"{fixtures_url}/{big}"},
               {"name": "small", "kind": "feed", "url": f"{fixtures_url}/{small}"}]  # fmt: skip
    config = write_config(tmp_path / "g.toml", sources, extra="max_page_mb = 1")
    db_path = tmp_path / "g.db"
    groundswell("crawl", "--config", str(config), "--db", str(db_path))
    runs = {r["source"]: r for r in sqlite_utils.Database(db_path)["crawl_runs"].rows}
    assert "1 MB page cap ([crawl] max_page_mb); not read" in runs["big"]["message"]
    assert runs["small"]["status"] == "ok" and runs["small"]["new"] == 30


def test_a_page_no_parser_claims_is_bounded_too():
    soup = "<html><body>" + "<div>" * (MAX_ELEMENTS + 1) + "</body></html>"
    start = time.process_time()
    with pytest.raises(ParseError, match="tags"):
        parse_unrecognised(soup, "https://example.com/page")
    assert time.process_time() - start < 1.0
