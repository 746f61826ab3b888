"""The core parsers (reddit, hackernews, discourse, appstore, feeds, schema_org) on real
recorded responses from ``../shared/fixtures`` (see its MANIFEST.tsv), plus synthetic pages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from dateutil import parser as dateparser

from groundswell.crawl.items import MENTION_FIELDS, MENTION_KINDS
from groundswell.crawl.parsers import (
    ParseError,
    appstore,
    discourse,
    feed,
    hackernews,
    reddit,
    registry,
    schema_org,
)
from groundswell.crawl.parsers.text import html_to_text, looks_like_question, origin

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORE_KINDS = ("reddit", "hackernews", "discourse", "appstore", "feed", "schema_org")
REPLAY_ORIGIN = "http://127.0.0.1:8765"


def read_fixture(relative_path: str) -> str:
    if not FIXTURES.is_dir():
        pytest.skip(f"recorded fixtures not found at {FIXTURES} (the shared/ checkout is absent)")
    raw = (FIXTURES / relative_path).read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


@dataclass(frozen=True)
class Case:
    path: str
    url: str  # where the response was recorded from (MANIFEST)
    kind: str  # parser KIND expected from detect_parser
    count: int  # mentions, as the MANIFEST counts them
    with_author: int  # how many of them name an author
    dated: bool = True


CASES = [
    Case(
        "forum_api_json/reddit_listing_new_100_posts.json",
        "https://oauth.reddit.com/new?limit=100&raw_json=1",
        "reddit",
        100,
        100,
    ),
    Case(
        "forum_api_json/reddit_search_r_all.json",
        "https://oauth.reddit.com/r/all/search/?sort=relevance&syntax=cloudsearch&q=praw",
        "reddit",
        6,
        6,
    ),
    # 1 submission + 476 t1 comments (18 "more" stubs skipped); 16 comments are by "[deleted]"
    Case(
        "forum_api_json/reddit_comments_thread_3hahrw.json",
        "https://oauth.reddit.com/comments/3hahrw/?limit=2048&sort=confidence&raw_json=1",
        "reddit",
        477,
        461,
    ),
    Case(
        "forum_api_json/hn_algolia_items_17.json",
        "https://hn.algolia.com/api/v1/items/17",
        "hackernews",
        3,
        3,
    ),
    Case(
        "forum_api_json/hn_algolia_search_by_date_story_query_apple.json",
        "https://hn.algolia.com/api/v1/search_by_date?hitsPerPage=1&tags=(story)&query=apple",
        "hackernews",
        1,
        1,
    ),
    Case(
        "forum_api_json/hn_algolia_search_comment_query_apple.json",
        "https://hn.algolia.com/api/v1/search?hitsPerPage=1&tags=(comment)&query=apple",
        "hackernews",
        1,
        1,
    ),
    Case(
        "forum_api_json/discourse_latest.json",
        "https://try.discourse.org/latest.json",
        "discourse",
        3,
        3,
    ),
    Case(
        "forum_api_json/discourse_posts_latest.json",
        "https://try.discourse.org/posts.json",
        "discourse",
        4,
        4,
    ),
    # the pre-2014 search format gives id, title and url only: no author, no date
    Case(
        "forum_api_json/discourse_search_legacy.json",
        "https://try.discourse.org/search.json?term=test",
        "discourse",
        3,
        0,
        dated=False,
    ),
    Case(
        "forum_api_json/discourse_topic_t_id.json",
        "https://try.discourse.org/t/57.json",
        "discourse",
        4,
        4,
    ),
    Case(
        "feeds/google_alerts_atom_slack.xml",
        "https://www.google.com/alerts/feeds/04175468913983673025/4428013283581841004",
        "feed",
        20,
        0,
    ),
    Case(
        "feeds/hackernews_frontpage_rss.xml",
        "https://news.ycombinator.com/rss",
        "feed",
        30,
        0,
    ),
    Case("feeds/reddit_frontpage_atom.xml", "https://www.reddit.com/.rss", "feed", 24, 24),
    Case(
        "review_api_json/itunes_rss_customerreviews_podcast_50.json",
        "https://itunes.apple.com/us/rss/customerreviews/id=811377230/sortby=mostrecent/json",
        "appstore",
        50,
        50,
    ),
]

# Pages with schema.org markup (not in the brief's count list; counts checked by eye).
SCHEMA_ORG_CASES = [
    Case(
        "forum_html/stackoverflow_qapage_delete_git_branch.html",
        "https://stackoverflow.com/questions/2003505",
        "schema_org",
        31,  # the Question and its 30 Answers
        31,
    ),
    Case(
        "forum_html/discourse_topic_crawler_view_meta.html",
        "https://meta.discourse.org/t/congratulations-most-stars-in-2013-github-octoverse/12483",
        "schema_org",
        2,
        2,
    ),
    Case(
        "forum_html/vanilla_scope_community_discussion.html",
        "https://community.scope.org.uk/discussion/57774/copd",
        "schema_org",
        1,  # only the opening post is in JSON-LD; the 2 comments are plain HTML
        1,
    ),
    Case(
        "forum_html/xenforo2_statcounter_thread.html",
        "https://forum.statcounter.com/threads/custom-tags-examples.44340/",
        "schema_org",
        1,
        1,
    ),
    # Reviews attached to photos in JSON-LD: author, rating and date, no text
    Case(
        "review_html/yelp_biz_broadway_oyster_bar_2025.html",
        "https://www.yelp.com/biz/broadway-oyster-bar-st-louis-2",
        "schema_org",
        18,
        18,
    ),
    Case(
        "review_html/yelp_biz_broadway_oyster_bar_mobile_redirect_variant_2025.html",
        "https://m.yelp.com/biz/broadway-oyster-bar-st-louis-2?sort_by=date_desc",
        "schema_org",
        6,
        6,
    ),
]

# Only an AggregateRating in their markup: no mentions for the generic parser.
AGGREGATE_ONLY_PAGES = [
    "review_html/etsy_listing_with_reviews.html",
    "review_html/google_play_app_details_dunzo_2021.html",
    "review_html/lendingtree_reviews_first_midwest_bank_p1_2019.html",
]

# Fixtures for other parsers: none of the core parsers may claim them.
OTHER_FIXTURES = [
    "forum_api_json/bluesky_getPostThread.json",
    "forum_api_json/bluesky_searchPosts_q_rstats.json",
    "forum_api_json/mastodon_status_context_thread.json",
    "forum_api_json/mastodon_timeline_tag_rstats.json",
    "forum_api_json/stackexchange_error_400_bad_parameter.json",
    "forum_api_json/stackexchange_search_advanced_questions.json",
    "forum_html/phpbb3_openoffice_forum_topic.html",
    "forum_html/phpbb3_pixelmator_community_topic.html",
    "forum_html/phpbb3_ubuntu_it_forum_topic.html",
    "forum_html/phpbb3_videolan_forum_topic.html",
    "forum_html/vbulletin4_msworld_showthread.html",
    "review_api_json/trustpilot_webhook_service_review_created.json",
    "review_api_json/yelp_api_v2_business_with_review_excerpt.json",
    "review_html/amazon_2012_product_reviews_page1_nltk_book.html",
    "review_html/amazon_2012_single_review_page.html",
    "review_html/amazon_product_reviews_dawn_2024.html",
    *AGGREGATE_ONLY_PAGES,
]

GARBAGE = [
    b"<html><body>oops</body></html>",
    "<html><body>oops</body></html>",
    "just some plain text, no markup at all",
    "",
    "{}",
    "[]",
]


def parse_fixture(case: Case) -> list[dict]:
    return registry.parser_for_kind(case.kind).parse(read_fixture(case.path), case.url)


def to_datetime(value: object) -> datetime:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return dateparser.parse(str(value))


def by_site_id(mentions: list[dict]) -> dict[str, dict]:
    return {mention["site_id"]: mention for mention in mentions}


def core_modules() -> list:
    return [registry.parser_for_kind(kind) for kind in CORE_KINDS]


# --------------------------------------------------------------------------- every fixture


@pytest.mark.parametrize("case", CASES + SCHEMA_ORG_CASES, ids=lambda case: case.path)
def test_fixture_parses_to_manifest_count(case: Case) -> None:
    mentions = parse_fixture(case)
    assert len(mentions) == case.count
    assert sum(1 for mention in mentions if mention.get("author")) == case.with_author
    for mention in mentions:
        assert set(mention) <= set(MENTION_FIELDS)
        assert mention["kind"] in MENTION_KINDS
        assert mention["url"].startswith(("http://", "https://"))
        assert mention.get("body") or mention.get("title") or case.path.startswith("review_html/")
        if case.dated:
            assert isinstance(to_datetime(mention["published_at"]), datetime)
        else:
            assert "published_at" not in mention
        json.dumps(mention.get("raw"))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.path)
def test_detect_picks_the_parser(case: Case) -> None:
    text = read_fixture(case.path)
    assert registry.detect_parser(case.url, "", text).KIND == case.kind
    replay_url = REPLAY_ORIGIN + urlsplit(case.url).path
    assert registry.detect_parser(replay_url, "", text).KIND == case.kind
    assert registry.detect_parser(replay_url, "", text.encode("utf-8")).KIND == case.kind


@pytest.mark.parametrize("case", SCHEMA_ORG_CASES, ids=lambda case: case.path)
def test_schema_org_claims_marked_up_pages(case: Case) -> None:
    text = read_fixture(case.path)
    assert schema_org.matches(case.url, "text/html", text)
    platform_parsers = [module for module in core_modules() if module is not schema_org]
    assert not any(module.matches(case.url, "text/html", text) for module in platform_parsers)


@pytest.mark.parametrize("path", OTHER_FIXTURES)
def test_core_parsers_leave_other_fixtures_alone(path: str) -> None:
    text = read_fixture(path)
    claimed = [module.KIND for module in core_modules() if module.matches("", "", text)]
    assert claimed == []


@pytest.mark.parametrize("garbage", GARBAGE, ids=repr)
def test_detect_returns_none_for_garbage(garbage: str | bytes) -> None:
    assert registry.detect_parser("http://127.0.0.1/x", "text/html", garbage) is None


def test_registry_order() -> None:
    assert registry.PARSER_MODULES.index("reddit") < registry.PARSER_MODULES.index("hackernews")
    core_order = [name for name in registry.PARSER_MODULES if name in _core_module_names()]
    assert core_order == list(_core_module_names())


def test_a_kind_is_its_parser_modules_name() -> None:
    """``known_kinds`` and ``parser_for_kind`` rely on it to import one module, not all."""
    modules = registry.parser_modules() + registry.fallback_modules()
    assert [module.KIND for module in modules] == [
        module.__name__.rsplit(".", 1)[1] for module in modules
    ]
    assert registry.known_kinds() == {module.KIND for module in modules}
    assert registry.parser_for_kind("feed") is feed
    with pytest.raises(KeyError, match="unknown source kind 'nope'"):
        registry.parser_for_kind("nope")


def _core_module_names() -> tuple[str, ...]:
    return ("reddit", "hackernews", "discourse", "appstore", "feed", "schema_org")


# --------------------------------------------------------------------------- garbage in


@pytest.mark.parametrize("module", [reddit, hackernews, discourse, appstore], ids=str)
@pytest.mark.parametrize(
    "garbage",
    ["<html><body>oops</body></html>", "not json", '{"unexpected": "keys"}', "[1, 2, 3]", "42"],
)
def test_json_parsers_raise_parse_error_on_garbage(module, garbage: str) -> None:
    with pytest.raises(ParseError):
        module.parse(garbage, "http://127.0.0.1/x")


def test_json_parsers_refuse_each_others_json() -> None:
    reddit_listing = read_fixture("forum_api_json/reddit_listing_new_100_posts.json")
    hn_search = read_fixture("forum_api_json/hn_algolia_search_comment_query_apple.json")
    with pytest.raises(ParseError):
        hackernews.parse(reddit_listing, "http://127.0.0.1/x")
    with pytest.raises(ParseError):
        reddit.parse(hn_search, "http://127.0.0.1/x")
    with pytest.raises(ParseError):
        discourse.parse(hn_search, "http://127.0.0.1/x")
    with pytest.raises(ParseError):
        appstore.parse(reddit_listing, "http://127.0.0.1/x")


@pytest.mark.parametrize("garbage", ["<html><body>oops</body></html>", "plain text", ""])
def test_feeds_raise_parse_error_on_non_feeds(garbage: str) -> None:
    with pytest.raises(ParseError):
        feed.parse(garbage, "http://127.0.0.1/x")


def test_feeds_never_fetch_a_url_given_as_body() -> None:
    with pytest.raises(ParseError):
        feed.parse("http://127.0.0.1:9/feed.xml", "http://127.0.0.1/x")


@pytest.mark.parametrize("page", ["<html><body>oops</body></html>", "plain text", "", "{}"])
def test_schema_org_returns_nothing_for_pages_without_markup(page: str) -> None:
    assert schema_org.parse(page, "http://127.0.0.1/x") == []
    assert not schema_org.matches("http://127.0.0.1/x", "text/html", page)


@pytest.mark.parametrize("path", AGGREGATE_ONLY_PAGES)
def test_schema_org_aggregate_rating_only_gives_no_mentions(path: str) -> None:
    text = read_fixture(path)
    assert schema_org.parse(text, "https://example.com/page") == []
    assert not schema_org.matches("https://example.com/page", "text/html", text)


# --------------------------------------------------------------------------- reddit


def test_reddit_listing_values() -> None:
    mentions = by_site_id(parse_fixture(CASES[0]))
    first = mentions["t3_48f0th"]
    assert first["author"] == "Kevm4str"
    assert first["published_at"] == 1456814968.0
    assert first["kind"] == "post"
    assert first["url"] == (
        "https://www.reddit.com/r/Showerthoughts/comments/48f0th/"
        "pokémon_could_never_exist_in_america_because_of/"
    )
    assert first["body"].startswith("Pokémon would be shot by police regularly.")
    titles = {mention["title"]: mention["kind"] for mention in mentions.values()}
    assert titles["Is Donald Trump gonna win the election?"] == "question"
    assert titles["ELI5: Escape velocity"] == "question"  # the body asks
    assert titles["Dutch find 30 war crimes suspects among refugee wave"] == "post"


def test_reddit_permalinks_follow_the_replay_origin() -> None:
    text = read_fixture(CASES[0].path)
    mentions = reddit.parse(text, f"{REPLAY_ORIGIN}/new.json?limit=100")
    assert all(mention["url"].startswith(f"{REPLAY_ORIGIN}/r/") for mention in mentions)


def test_reddit_search_permalinks_lose_the_tracking_query() -> None:
    mentions = parse_fixture(CASES[1])
    assert [mention["site_id"] for mention in mentions][:2] == ["t3_3gpbiu", "t3_3x4kt2"]
    assert all("?" not in mention["url"] for mention in mentions)
    assert mentions[0]["author"] == "dClauzel"


def test_reddit_thread_nesting() -> None:
    mentions = parse_fixture(CASES[2])
    submission, comments = mentions[0], mentions[1:]
    assert submission["site_id"] == "t3_3hahrw"
    assert submission["title"] == "Ba Dum Tsss"
    assert submission["author"] == "your_local_librarian"
    assert len(comments) == 476
    assert {comment["kind"] for comment in comments} == {"comment"}
    assert all(comment["thread_url"] == submission["url"] for comment in comments)
    comment_ids = {comment["site_id"] for comment in comments}
    assert all(comment["parent_site_id"] in comment_ids | {"t3_3hahrw"} for comment in comments)
    top = by_site_id(comments)["t1_cu5pebp"]
    assert top["author"] == "johnnwho"
    assert top["parent_site_id"] == "t3_3hahrw"
    assert top["url"] == "https://www.reddit.com/r/funny/comments/3hahrw/ba_dum_tsss/cu5pebp/"
    assert by_site_id(comments)["t1_cu5sye5"]["parent_site_id"] == "t1_cu5pebp"
    assert "t1__" not in comment_ids  # an empty "more" stub
    assert sum(1 for comment in comments if "author" not in comment) == 16
    assert sum(1 for comment in comments if comment["raw"]["author"] == "[deleted]") == 16
    assert "replies" not in top["raw"]


def test_reddit_follow_urls() -> None:
    text = read_fixture(CASES[0].path)
    urls = reddit.follow_urls(text, f"{REPLAY_ORIGIN}/new.json?limit=100")
    next_page = urlsplit(urls[0])
    assert next_page.path == "/new.json"
    assert parse_qs(next_page.query) == {"limit": ["100"], "after": ["t3_48ezfg"]}
    threads = urls[1:]
    assert threads and all(url.startswith(f"{REPLAY_ORIGIN}/r/") for url in threads)
    assert all(url.endswith(".json") for url in threads)
    assert reddit.follow_urls(read_fixture(CASES[2].path), CASES[2].url) == []


# --------------------------------------------------------------------------- hacker news


def test_hackernews_item_tree() -> None:
    mentions = by_site_id(parse_fixture(CASES[3]))
    assert set(mentions) == {"17", "1079", "454426"}
    root = mentions["17"]
    assert root["author"] == "pg"
    assert root["body"] == "Is there anywhere to eat on Sandhill Road?"
    assert root["parent_site_id"] == "15"
    assert root["thread_url"] == "https://news.ycombinator.com/item?id=1"
    assert mentions["454426"]["parent_site_id"] == "17"
    assert mentions["1079"]["url"] == "https://news.ycombinator.com/item?id=1079"


def test_hackernews_search_hits() -> None:
    [story] = parse_fixture(CASES[4])
    assert story["kind"] == "post"
    assert story["title"] == "Judge says concerned about Apple, Google hiring settlement"
    assert story["author"] == "bradleyjg"
    assert to_datetime(story["published_at"]) == datetime(
        2014, 6, 20, 3, 35, 46, tzinfo=timezone.utc
    )
    [comment] = parse_fixture(CASES[5])
    assert comment["kind"] == "comment"
    assert comment["author"] == "pg"
    assert comment["parent_site_id"] == "6651704"
    assert "hurt Apple's reputation" in comment["body"]  # &#x27; decoded
    assert "\n\nApple used to be careful" in comment["body"]  # <p> kept as a break


def test_hackernews_follow_next_page() -> None:
    text = read_fixture(CASES[5].path)
    [next_page] = hackernews.follow_urls(text, f"{REPLAY_ORIGIN}/api/v1/search?query=apple")
    assert parse_qs(urlsplit(next_page).query) == {"query": ["apple"], "page": ["1"]}
    last_page = json.dumps({"hits": [], "page": 999, "nbPages": 1000})
    assert hackernews.follow_urls(last_page, f"{REPLAY_ORIGIN}/api/v1/search?page=999") == []


# --------------------------------------------------------------------------- discourse


def test_discourse_latest_topics() -> None:
    mentions = parse_fixture(CASES[6])
    assert [mention["title"] for mention in mentions] == [
        "Test topic #1",
        "Test topic #2",
        "Test topic #3",
    ]
    # the recorded sample gives every topic id 1 (and users[] says "test_users")
    assert {mention["site_id"] for mention in mentions} == {"t1"}
    assert {mention["author"] for mention in mentions} == {"test_users"}
    assert mentions[0]["url"] == "https://try.discourse.org/t/test-topic-1/1"
    assert mentions[0]["published_at"] == "2013-02-04T15:26:25.977-05:00"


def test_discourse_latest_follow_urls() -> None:
    text = read_fixture(CASES[6].path)
    assert discourse.follow_urls(text, f"{REPLAY_ORIGIN}/latest.json") == [
        f"{REPLAY_ORIGIN}/t/1.json",
        f"{REPLAY_ORIGIN}/latest.json?page=1",
    ]


def test_discourse_posts_latest() -> None:
    mentions = by_site_id(parse_fixture(CASES[7]))
    assert set(mentions) == {"p15", "t11", "t7", "t2"}
    reply = mentions["p15"]
    assert (reply["kind"], reply["parent_site_id"], reply["author"]) == (
        "comment",
        "t11",
        "johndoe",
    )
    assert reply["url"] == "https://try.discourse.org/t/this-is-an-uncategorized-title/11/2"
    assert mentions["t11"]["title"] == "This is an uncategorized title"


def test_discourse_legacy_search() -> None:
    mentions = parse_fixture(CASES[8])
    assert [mention["url"] for mention in mentions] == [
        "https://try.discourse.org/t/test-topic-1/1",
        "https://try.discourse.org/t/test-topic-2/2",
        "https://try.discourse.org/t/test-topic-3/3",
    ]


def test_discourse_topic_posts() -> None:
    mentions = by_site_id(parse_fixture(CASES[9]))
    assert set(mentions) == {"t57", "p84", "p86", "p226"}
    topic = mentions["t57"]
    assert topic["title"] == "THIS SITE IS A SANDBOX -- it is reset every day"
    assert topic["author"] == "samsaffron"
    assert topic["body"].startswith("Welcome!\n\nTry is a sandbox")
    assert (
        topic["url"]
        == "https://try.discourse.org/t/this-site-is-a-sandbox-it-is-reset-every-day/57"
    )
    assert {mentions[key]["parent_site_id"] for key in ("p84", "p86", "p226")} == {"t57"}
    assert mentions["p86"]["body"].startswith("[image: http://i288.photobucket.com/")
    assert mentions["p226"]["author"] == "splattne"


def test_discourse_topic_loads_missing_posts() -> None:
    topic = json.loads(read_fixture(CASES[9].path))
    topic["post_stream"]["stream"] += [300, 301]
    urls = discourse.follow_urls(json.dumps(topic), f"{REPLAY_ORIGIN}/t/57.json")
    assert urls == [f"{REPLAY_ORIGIN}/t/57/posts.json?post_ids%5B%5D=300&post_ids%5B%5D=301"]


# --------------------------------------------------------------------------- feeds


def test_google_alerts_links_are_unwrapped() -> None:
    mentions = parse_fixture(CASES[10])
    assert {mention["kind"] for mention in mentions} == {"article"}
    assert mentions[1]["url"] == "https://investorplace.com/2019/07/slack-stock-truly-compelling/"
    assert (
        mentions[1]["title"] == "Slack Stock Has a Compelling Story and the Numbers to Back It Up"
    )
    assert not any("google.com" in mention["url"] for mention in mentions)
    assert not any("<b>" in mention["title"] for mention in mentions)
    assert to_datetime(mentions[0]["published_at"]) == datetime(
        2019, 7, 10, 11, 53, 37, tzinfo=timezone.utc
    )


def test_hackernews_rss_items() -> None:
    mentions = parse_fixture(CASES[11])
    first = mentions[0]
    assert first["title"] == "AWS Lambda Function URLs: Built-In HTTPS Endpoints for Lambda"
    assert first["thread_url"] == "https://news.ycombinator.com/item?id=30937433"
    assert "body" not in first  # the description is only a "Comments" link
    assert to_datetime(first["published_at"]) == datetime(
        2022, 4, 6, 21, 7, 47, tzinfo=timezone.utc
    )


def test_reddit_atom_entries() -> None:
    mentions = by_site_id(parse_fixture(CASES[12]))
    first = mentions["t3_42tizy"]
    assert first["author"] == "AngryRedditorsBelow"
    assert first["kind"] == "post"
    assert first["url"].startswith("https://www.reddit.com/r/funny/comments/42tizy/")
    assert "body" not in first  # a link post: only "submitted by … [link] [comments]"
    ama = mentions["t3_42t3l9"]
    assert ama["body"].startswith("Looking forward to your questions.")
    assert all(site_id.startswith("t3_") for site_id in mentions)


# --------------------------------------------------------------------------- app store


def test_appstore_reviews() -> None:
    mentions = parse_fixture(CASES[13])
    first = mentions[0]
    assert first["author"] == "Human #6293839583"
    assert first["title"] == "Two Years"
    assert (first["rating"], first["rating_scale"]) == (5, 5)
    assert first["published_at"] == "2022-03-02T19:05:59-07:00"
    assert first["site_id"] == "8414391645"
    ratings = sorted(mention["rating"] for mention in mentions)
    assert ratings.count(5) == 47 and ratings[:3] == [1, 2, 4]


def test_appstore_skips_the_app_entry_and_accepts_a_single_entry() -> None:
    feed = json.loads(read_fixture(CASES[13].path))
    app_entry = {"im:name": {"label": "Hello Internet"}, "id": {"label": "811377230"}}
    feed["feed"]["entry"].insert(0, app_entry)
    assert len(appstore.parse(json.dumps(feed), CASES[13].url)) == 50
    feed["feed"]["entry"] = feed["feed"]["entry"][1]
    [only] = appstore.parse(json.dumps(feed), CASES[13].url)
    assert only["title"] == "Two Years"


def test_appstore_follows_next_page_on_the_replay_origin() -> None:
    text = read_fixture(CASES[13].path)
    url = f"{REPLAY_ORIGIN}/us/rss/customerreviews/id=811377230/sortby=mostrecent/json"
    [next_page] = appstore.follow_urls(text, url)
    assert next_page.startswith(f"{REPLAY_ORIGIN}/us/rss/customerreviews/page=2/id=811377230/")
    assert urlsplit(next_page).path.endswith("/json")


# --------------------------------------------------------------------------- schema.org


def test_schema_org_stackoverflow_question_and_answers() -> None:
    mentions = parse_fixture(SCHEMA_ORG_CASES[0])
    question, answers = mentions[0], mentions[1:]
    assert question["kind"] == "question"
    assert question["title"] == "How do I delete a Git branch locally and remotely?"
    assert question["author"] == "Matthew Rankin"
    assert question["answered"] is True
    assert {answer["kind"] for answer in answers} == {"answer"}
    assert answers[0]["url"] == "https://stackoverflow.com/a/2003515"
    assert answers[0]["thread_url"] == "https://stackoverflow.com/q/2003505"
    # microdata text is already plain: "<remote_name>" must survive
    assert "git push -d <remote_name> <branch_name>" in answers[0]["body"]


def test_schema_org_yelp_photo_reviews() -> None:
    mentions = parse_fixture(SCHEMA_ORG_CASES[4])
    first = mentions[0]
    assert (first["author"], first["rating"]) == ("Tiarra E.", 5)
    assert first["published_at"] == "2024-04-09T01:07:24Z"
    assert first["url"].startswith(
        "https://www.yelp.com/biz/broadway-oyster-bar-st-louis-2#review-"
    )
    assert len({mention["url"] for mention in mentions}) == len(mentions)


JSON_LD_PRODUCT = """<!doctype html><html><head><title>Widget</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Product", "name": "Widget",
 "aggregateRating": {"@type": "AggregateRating", "ratingValue": "4.5", "reviewCount": "2"},
 "review": [
   {"@type": "Review", "author": {"@type": "Person", "name": "Ann Example"},
    "datePublished": "2024-01-02", "name": "Solid",
    "reviewBody": "Works as described.<br>Would buy again.",
    "reviewRating": {"@type": "Rating", "ratingValue": "8", "bestRating": "10"}},
   {"@type": "Review", "author": "Bob", "datePublished": "2024-02-03",
    "description": "Broke after a week.", "url": "https://shop.example/reviews/2",
    "reviewRating": {"@type": "Rating", "ratingValue": 1}}
 ]}
</script></head><body><h1>Widget</h1></body></html>"""

MICRODATA_PRODUCT = """<!doctype html><html><body>
<div itemscope itemtype="https://schema.org/Product">
  <h1 itemprop="name">Widget</h1>
  <div itemprop="review" itemscope itemtype="https://schema.org/Review">
    <span itemprop="name">Solid</span> by
    <span itemprop="author" itemscope itemtype="https://schema.org/Person">
      <span itemprop="name">Ann Example</span></span>
    <meta itemprop="datePublished" content="2024-01-02">
    <div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">
      <span itemprop="ratingValue">4</span>/<span itemprop="bestRating">5</span></div>
    <p itemprop="reviewBody">Works as described.</p>
  </div>
  <div itemprop="review" itemscope itemtype="https://schema.org/Review">
    <span itemprop="author">Bob</span>
    <meta itemprop="datePublished" content="2024-02-03">
    <div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">
      <meta itemprop="ratingValue" content="1"></div>
    <p itemprop="reviewBody">Broke after a week.</p>
  </div>
</div></body></html>"""

RDFA_PRODUCT = """<!doctype html><html><body>
<div vocab="https://schema.org/" typeof="Product"><span property="name">Widget</span>
  <div property="review" typeof="Review">
    <span property="author" typeof="Person"><span property="name">Ann Example</span></span>
    <meta property="datePublished" content="2024-01-02">
    <div property="reviewRating" typeof="Rating"><span property="ratingValue">4</span></div>
    <p property="reviewBody">Works as described.</p>
  </div>
</div></body></html>"""


def test_schema_org_json_ld_product_reviews() -> None:
    page = "https://shop.example/widget"
    assert registry.detect_parser(page, "text/html", JSON_LD_PRODUCT) is schema_org
    ann, bob = schema_org.parse(JSON_LD_PRODUCT, page)
    assert ann["kind"] == bob["kind"] == "review"
    assert (ann["author"], ann["title"], ann["rating"], ann["rating_scale"]) == (
        "Ann Example",
        "Solid",
        8,
        10,
    )
    assert ann["body"] == "Works as described.\nWould buy again."
    assert ann["published_at"] == "2024-01-02"
    assert ann["url"].startswith(f"{page}#review-")
    assert ann["thread_url"] == page
    assert (bob["author"], bob["body"], bob["rating"]) == ("Bob", "Broke after a week.", 1)
    assert bob["url"] == "https://shop.example/reviews/2"
    assert "rating_scale" not in bob


def test_schema_org_json_ld_graph_and_item_list() -> None:
    graph_page = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [
      {"@type": "LocalBusiness", "@id": "#biz", "name": "Cafe"},
      {"@type": "ItemList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "item":
          {"@type": "Review", "author": {"@type": "Organization", "name": "Food Mag"},
           "reviewBody": "Great coffee.", "datePublished": "2023-05-06",
           "reviewRating": {"@type": "Rating", "ratingValue": "5"}}}]}]}
    </script></head><body></body></html>"""
    [review] = schema_org.parse(graph_page, "https://cafe.example/")
    assert (review["author"], review["body"], review["rating"]) == ("Food Mag", "Great coffee.", 5)


def test_schema_org_microdata_product_reviews() -> None:
    page = "https://shop.example/widget"
    assert registry.detect_parser(page, "text/html", MICRODATA_PRODUCT) is schema_org
    ann, bob = schema_org.parse(MICRODATA_PRODUCT, page)
    assert (ann["author"], ann["title"], ann["body"]) == (
        "Ann Example",
        "Solid",
        "Works as described.",
    )
    assert (ann["rating"], ann["rating_scale"], ann["published_at"]) == (4, 5, "2024-01-02")
    assert (bob["author"], bob["rating"], bob["body"]) == ("Bob", 1, "Broke after a week.")
    assert ann["url"] != bob["url"]


def test_schema_org_rdfa_review() -> None:
    [review] = schema_org.parse(RDFA_PRODUCT, "https://shop.example/widget")
    assert (review["author"], review["rating"], review["body"]) == (
        "Ann Example",
        4,
        "Works as described.",
    )


def test_schema_org_same_review_in_two_syntaxes_counts_once() -> None:
    both = JSON_LD_PRODUCT.replace("<body><h1>Widget</h1></body>", "")
    both = both.replace("</html>", MICRODATA_PRODUCT.split("<html>", 1)[1])
    mentions = schema_org.parse(both, "https://shop.example/widget")
    # JSON-LD and microdata disagree on Ann's rating (8/10 vs 4/5), so 3 distinct reviews
    assert len(mentions) == 3


def test_schema_org_faq_questions_are_not_mentions() -> None:
    faq = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
      {"@type": "Question", "name": "Do you ship abroad?",
       "acceptedAnswer": {"@type": "Answer", "text": "Yes."}}]}
    </script></head><body></body></html>"""
    assert schema_org.parse(faq, "https://shop.example/faq") == []


# --------------------------------------------------------------------------- text helpers


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    html = "<p>One &amp; two</p><script>alert(1)</script><style>p{}</style><p>Three<br>four</p>"
    assert html_to_text(html) == "One & two\n\nThree\nfour"
    assert html_to_text("plain   text") == "plain text"
    assert html_to_text(None) == ""


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("Is Donald Trump gonna win the election?", "", True),
        ("How do I delete a branch", "", True),
        ("[serious] What age did you start feeling sexual", "", True),
        ("Anyone know a good VPN", "", True),
        ("ELI5: Escape velocity", "Why does a rocket need to go so fast? More text.", True),
        ("", "Does anyone know how to fix this?", True),
        ("Dutch find 30 war crimes suspects among refugee wave", "", False),
        ("How I learned to stop worrying", "It was a long road.", False),
        ("Gates of Heaven", None, False),
    ],
)
def test_looks_like_question(title: str, body: str | None, expected: bool) -> None:
    assert looks_like_question(title, body) is expected


def test_origin() -> None:
    assert origin("http://127.0.0.1:8765/r/x/.json?a=1") == "http://127.0.0.1:8765"
    assert origin("/relative/path") == ""
    assert origin("") == ""


@pytest.mark.parametrize(
    "title",
    [
        "Will Smith wins an award",
        "Do not buy this charger",
        "May update released",
        "What I learned from a year of Rust",
        "Why we moved off Kubernetes",
    ],
)
def test_statements_are_not_questions(title: str) -> None:
    assert looks_like_question(title, "It was fine.") is False


def test_hackernews_claims_an_empty_result_page_only_on_its_api_host() -> None:
    empty = json.dumps({"hits": [], "nbHits": 0, "page": 0, "nbPages": 0, "query": "zzz"})
    assert hackernews.matches("https://hn.algolia.com/api/v1/search?query=zzz", "", empty)
    assert hackernews.parse(empty, "https://hn.algolia.com/api/v1/search?query=zzz") == []
    other_algolia = json.dumps({"hits": [{"objectID": "1", "name": "x"}], "nbPages": 1})
    assert not hackernews.matches("https://example.algolia.net/1/indexes/x", "", other_algolia)


def test_schema_org_reviews_sharing_the_page_url_get_distinct_urls() -> None:
    page = "https://shop.example/widget"
    same_url = JSON_LD_PRODUCT.replace("https://shop.example/reviews/2", page)
    same_url = same_url.replace('"datePublished": "2024-01-02",', f'"url": "{page}",')
    ann, bob = schema_org.parse(same_url, page)
    assert ann["url"] != bob["url"]
    assert ann["url"].startswith(f"{page}#review-") and bob["url"].startswith(f"{page}#review-")
