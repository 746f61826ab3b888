"""The platform parsers (forums, Q&A, review sites, social APIs) on the real recorded pages in
``../shared/fixtures`` (MANIFEST.tsv says what each file is and how many mentions it holds),
plus small hand-written pages in each platform's markup: the parsers key on the platform's
structure, not on one recorded page."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawlers.items import MENTION_FIELDS, MENTION_KINDS
from crawlers.parsers import (
    ParseError,
    amazon,
    bluesky,
    discourse_html,
    etsy,
    google_play,
    lendingtree,
    mastodon,
    phpbb,
    registry,
    stackoverflow,
    trustpilot,
    vanilla,
    vbulletin,
    xenforo,
    yelp,
    yelp_api,
)
from crawlers.parsers.html_forum_common import looks_like_question, parse_date, strip_session

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
FORUMS = (phpbb, xenforo, vbulletin, vanilla, discourse_html, stackoverflow)


def read_fixture(relative_path: str) -> str:
    if not FIXTURES.is_dir():
        pytest.skip(f"recorded fixtures not found at {FIXTURES} (the shared/ checkout is absent)")
    raw = (FIXTURES / relative_path).read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # the vBulletin page is windows-1252 (declared ISO-8859-1)
        return raw.decode("cp1252")


@dataclass(frozen=True)
class Case:
    path: str
    url: str  # where the page was recorded (MANIFEST)
    module: object
    kinds: dict[str, int]  # mentions per kind, as the MANIFEST counts them


CASES = [
    Case("forum_html/phpbb3_videolan_forum_topic.html",
         "https://forum.videolan.org/viewtopic.php?t=154691", phpbb, {"post": 1, "comment": 1}),
    Case("forum_html/phpbb3_openoffice_forum_topic.html",
         "https://forum.openoffice.org/en/forum/viewtopic.php?f=5&t=102832", phpbb,
         {"post": 1, "comment": 1}),
    Case("forum_html/phpbb3_pixelmator_community_topic.html",
         "https://www.pixelmator.com/community/viewtopic.php?f=18&t=17730", phpbb,
         {"post": 1, "comment": 8}),
    Case("forum_html/phpbb3_ubuntu_it_forum_topic.html",
         "https://forum.ubuntu-it.org/viewtopic.php?t=637551", phpbb, {"post": 1, "comment": 5}),
    Case("forum_html/xenforo2_statcounter_thread.html",
         "https://forum.statcounter.com/threads/custom-tags-examples.44340/", xenforo,
         {"post": 1, "comment": 11}),
    Case("forum_html/vbulletin4_msworld_showthread.html",
         "https://www.msworld.org/forum/showthread.php?145403-Sort-of-new-here", vbulletin,
         {"post": 1, "comment": 14}),
    Case("forum_html/vanilla_scope_community_discussion.html",
         "https://community.scope.org.uk/discussion/57774/copd", vanilla,
         {"post": 1, "comment": 2}),
    Case("forum_html/discourse_topic_crawler_view_meta.html",
         "https://meta.discourse.org/t/congratulations-most-stars-in-2013-github-octoverse/12483",
         discourse_html, {"post": 1, "comment": 1}),
    Case("forum_html/stackoverflow_qapage_delete_git_branch.html",
         "https://stackoverflow.com/questions/2003505/how-do-i-delete-a-git-branch-locally-and-remotely",
         stackoverflow, {"question": 1, "answer": 30, "comment": 51}),
    Case("forum_api_json/stackexchange_search_advanced_questions.json",
         "https://api.stackexchange.com/2.2/search/advanced?accepted=true&pagesize=10&q=token"
         "&site=stackoverflow", stackoverflow, {"question": 10}),
    Case("review_html/amazon_2012_product_reviews_page1_nltk_book.html",
         "http://www.amazon.com/Natural-Language-Processing-Python-Steven/product-reviews/0596516495",
         amazon, {"review": 10}),
    Case("review_html/amazon_2012_single_review_page.html",
         "http://www.amazon.com/review/RWUN3MGC1ZIPB", amazon, {"review": 1}),
    Case("review_html/amazon_product_reviews_dawn_2024.html",
         "https://www.amazon.com/Dawn-Ultra-Dishwashing-Liquid-Original/product-reviews/B0BBPNPZTC",
         amazon, {"review": 10}),
    Case("review_html/yelp_biz_broadway_oyster_bar_2025.html",
         "https://www.yelp.com/biz/broadway-oyster-bar-st-louis-2", yelp, {"review": 11}),
    Case("review_html/yelp_biz_broadway_oyster_bar_mobile_redirect_variant_2025.html",
         "https://m.yelp.com/biz/broadway-oyster-bar-st-louis-2?sort_by=date_desc", yelp, {}),
    Case("review_html/lendingtree_reviews_first_midwest_bank_p1_2019.html",
         "https://www.lendingtree.com/reviews/personal/first-midwest-bank/52903183", lendingtree,
         {"review": 10}),
    Case("review_html/google_play_app_details_dunzo_2021.html",
         "https://play.google.com/store/apps/details?id=runner.dunzo.com.dunzo_runner&hl=en_US&gl=US",
         google_play, {"review": 40}),
    Case("review_html/etsy_listing_with_reviews.html",
         "https://www.etsy.com/in-en/listing/87673424/personalized-word-pillow-case-letter", etsy,
         {"review": 3}),
    Case("forum_api_json/mastodon_timeline_tag_rstats.json",
         "https://mastodon.social/api/v1/timelines/tag/rstats?local=FALSE&only_media=FALSE&limit=5",
         mastodon, {"post": 5}),
    Case("forum_api_json/mastodon_status_context_thread.json",
         "https://mastodon.social/api/v1/statuses/109294719267373593/context", mastodon,
         {"comment": 59}),
    Case("forum_api_json/bluesky_searchPosts_q_rstats.json",
         "https://bsky.social/xrpc/app.bsky.feed.searchPosts?q=rstats&limit=100", bluesky,
         {"post": 90, "comment": 10}),
    Case("forum_api_json/bluesky_getPostThread.json",
         "https://bsky.social/xrpc/app.bsky.feed.getPostThread?uri=at%3A%2F%2Fdid%3Aplc%3Antd53albt5"
         "ffa4rgervvgibd%2Fapp.bsky.feed.post%2F3kbi55xm6u62v", bluesky, {"post": 1, "comment": 3}),
    Case("review_api_json/trustpilot_webhook_service_review_created.json",
         "https://example.com/hooks/trustpilot", trustpilot, {"review": 1}),
    Case("review_api_json/yelp_api_v2_business_with_review_excerpt.json",
         "https://api.yelp.com/v2/business/flour-water-san-francisco", yelp_api, {"review": 1}),
]  # fmt: skip


def content_type(path: str) -> str:
    return "application/json" if path.endswith(".json") else "text/html; charset=utf-8"


def parsed(case: Case) -> list[dict]:
    return case.module.parse(read_fixture(case.path), case.url)


def by_site_id(items: list[dict], site_id: str) -> dict:
    return next(item for item in items if item.get("site_id") == site_id)


# --------------------------------------------------------------------------- every fixture


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path.split("/")[-1])
def test_counts_match_the_manifest(case: Case):
    items = parsed(case)
    assert Counter(item["kind"] for item in items) == Counter(case.kinds)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path.split("/")[-1])
def test_every_mention_is_complete(case: Case):
    items = parsed(case)
    site_ids = [item.get("site_id") for item in items]
    assert None not in site_ids and len(set(site_ids)) == len(site_ids)
    for item in items:
        assert set(item) <= set(MENTION_FIELDS)
        assert item["kind"] in MENTION_KINDS
        assert item["url"].startswith("http")
        assert item.get("author"), item
        assert item.get("published_at"), item
        assert (item.get("body") or item.get("title") or "").strip()
        if item["kind"] == "review":
            assert 0 < item["rating"] <= item["rating_scale"]
        json.dumps(item.get("raw"))
        if item.get("parent_site_id") and case.module in FORUMS:
            # forum replies point at a post on the same page (quoted post or thread starter)
            assert item["parent_site_id"] in site_ids


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path.split("/")[-1])
def test_detect_parser_picks_the_platform_module(case: Case):
    text = read_fixture(case.path)
    assert registry.detect_parser(case.url, content_type(case.path), text) is case.module
    # structure alone is enough: no URL hint
    assert registry.detect_parser("", content_type(case.path), text) is case.module


def test_platform_modules_come_before_the_generic_shapes():
    order = registry.PARSER_MODULES
    for name in ("phpbb", "xenforo", "vbulletin", "vanilla", "discourse_html", "stackoverflow",
                 "amazon", "yelp", "lendingtree", "google_play", "etsy", "mastodon", "bluesky",
                 "trustpilot", "yelp_api"):  # fmt: skip
        assert order.index(name) < order.index("feeds") < order.index("schema_org")
    assert registry.parser_for_kind("stackexchange") is stackoverflow
    assert registry.parser_for_kind("discourse_html") is discourse_html


# --------------------------------------------------------------------------- forums: pins


def test_phpbb_videolan_prosilver():
    items = parsed(CASES[0])
    first, reply = items
    assert first["author"] == "callmejoe"
    assert first["published_at"] == "2020-08-24T04:27:00"
    assert first["title"] == "http server - curl command not working"
    assert first["body"].startswith("i have a strange issue with getting the status.xml file")
    assert "curl -s -u :password http://127.0.0.1:8080/requests/status.xml" in first["body"]
    assert "Select all" not in first["body"]
    assert first["url"] == "https://forum.videolan.org/viewtopic.php?p=507914#p507914"
    assert first["is_question"] is True
    assert reply["author"] == "Rémi Denis-Courmont"
    assert reply["body"] == "This is really not a good venue for shell script debug help."
    assert "Private messages" not in reply["body"]  # signature left out
    assert reply["parent_site_id"] == "507914"


def test_phpbb_openoffice_and_ubuntu_italian_dates():
    openoffice = parsed(CASES[1])
    assert openoffice[0]["author"] == "HELENA HAAJANEN"
    assert openoffice[0]["published_at"] == "2020-08-21T15:54:00"
    assert openoffice[0]["body"] == (
        "how can i open the writer file i saved to open office when the computer reports the "
        "file as 2020."
    )
    assert openoffice[1]["author"] == "RoryOF"
    ubuntu = parsed(CASES[3])
    assert ubuntu[0]["author"] == "Janvitus"
    assert ubuntu[0]["published_at"] == "2020-01-21T14:24:00"  # 'martedì 21 gennaio 2020, 14:24'
    assert ubuntu[0]["title"] == "Aggiornamento del forum"
    assert ubuntu[0]["body"].startswith("Questo aggiornamento ci ha fatto tribolare")
    assert "janvitus.wordpress.com" not in ubuntu[0]["body"]
    assert ubuntu[-1]["url"] == "https://forum.ubuntu-it.org/viewtopic.php?p=5217195#p5217195"


def test_phpbb_pixelmator_custom_theme_strips_quotes():
    items = parsed(CASES[2])
    assert [item["author"] for item in items[:3]] == ["Andrius", "Fish", "philwozza"]
    assert items[0]["published_at"] == "2020-04-30T11:16:53"
    assert items[0]["url"].endswith("viewtopic.php?f=18&t=17730#p56682")
    reply = by_site_id(items, "57021")
    assert reply["body"].startswith("Nah, this forum is totally fine!")
    assert "photo stacking" not in reply["body"]  # the quoted posts are gone
    assert reply["parent_site_id"] == "57008"  # first quoted post


def test_xenforo_statcounter():
    items = parsed(CASES[4])
    first = items[0]
    assert (first["site_id"], first["author"], first["title"]) == (
        "261438", "Rory_A", "Custom Tags examples"
    )  # fmt: skip
    assert first["published_at"] == "2017-09-09T01:19:18+01:00"
    assert first["url"] == "https://forum.statcounter.com/threads/custom-tags-examples.44340/post-261438"
    assert first["body"].startswith("Howto : tag affiliate info in the stats")
    assert first["is_question"] is False
    reply = by_site_id(items, "268814")
    assert reply["author"] == "webado"
    assert reply["body"].startswith("Not so much IN the footer area")
    assert "why it should be in the footer" not in reply["body"]
    assert reply["parent_site_id"] == "268721"
    assert by_site_id(items, "261687")["body"] == (
        "Hello,\n\nI have a question. This code where should I insert it?\n\nRegards."
    )


def test_vbulletin_msworld_windows_1252_and_quotes():
    items = parsed(CASES[5])
    first = items[0]
    assert (first["site_id"], first["author"], first["title"]) == (
        "1518952", "Crazyguy", "Sort of new here"
    )  # fmt: skip
    assert first["published_at"] == "2019-04-06T06:55:00"
    assert "I’m convinced I have MS" in first["body"]  # cp1252 curly quote, not \x92
    assert first["is_question"] is True  # 'Has anyone been through something similar?'
    assert first["url"] == (
        "https://www.msworld.org/forum/showthread.php?145403-Sort-of-new-here&p=1518952#post1518952"
    )
    snoopy = by_site_id(items, "1518971")
    assert snoopy["author"] == "SNOOPY"
    assert snoopy["body"].startswith("Hi Crazyguy.")
    assert "talking to a wall" not in snoopy["body"]  # quote removed
    assert "Diagnosed 1984" not in snoopy["body"]  # signature removed
    assert by_site_id(items, "1518981")["parent_site_id"] == "1518952"


def test_vanilla_scope():
    first, poppy, cockney = parsed(CASES[6])
    assert (first["site_id"], first["author"], first["title"]) == (
        "discussion/57774", "christine55", "Copd"
    )  # fmt: skip
    assert first["published_at"] == "2019-03-27T21:47:34+00:00"
    assert first["body"].startswith("I have just been told I have copd")
    assert poppy["url"] == "https://community.scope.org.uk/discussion/comment/225744/#Comment_225744"
    assert poppy["author"] == "poppy123456"
    assert poppy["parent_site_id"] == "discussion/57774"
    assert "Namaste" not in cockney["body"]  # signature


def test_discourse_crawler_view():
    first, reply = parsed(CASES[7])
    assert first["author"] == "techAPJ" and reply["author"] == "codinghorror"
    assert first["published_at"] == "2014-02-06T04:55:19+00:00"  # datePublished, not modified
    assert first["title"] == "Congratulations, most stars in 2013 GitHub Octoverse!"
    assert first["body"].startswith("Congratulations Discourse for qualifying Repositories")
    assert reply["url"] == (
        "https://meta.discourse.org/t/congratulations-most-stars-in-2013-github-octoverse/12483/2"
    )
    assert (reply["site_id"], reply["parent_site_id"]) == ("12483/2", "12483/1")


def test_stackoverflow_question_answers_comments():
    items = parsed(CASES[8])
    question = items[0]
    assert question["kind"] == "question" and question["site_id"] == "2003505"
    assert question["title"] == "How do I delete a Git branch locally and remotely?"
    assert question["author"] == "Matthew Rankin"  # the asker, not the last editor
    assert question["published_at"] == "2010-01-05T01:12:15+00:00"
    assert question["answered"] is True and question["is_question"] is True
    assert question["body"].startswith("I want to delete a branch both locally and remotely.")
    accepted = by_site_id(items, "2003515")
    assert accepted["kind"] == "answer" and accepted["parent_site_id"] == "2003505"
    assert accepted["raw"]["accepted"] is True and accepted["raw"]["score"] == 22030
    assert accepted["url"] == "https://stackoverflow.com/a/2003515"
    assert accepted["body"].startswith("Executive Summary")
    assert by_site_id(items, "10999165")["author"] == "Eric Brotto"
    comment = by_site_id(items, "37300870")
    assert comment["author"] == "Robert Harvey" and comment["parent_site_id"] == "2003505"
    assert comment["published_at"] == "2014-06-11T16:10:42+00:00"


def test_stackexchange_api_search_and_error():
    items = parsed(CASES[9])
    first = items[0]
    assert (first["site_id"], first["title"], first["author"]) == (
        "16258911", "Rails 4 Authenticity Token", "alexcoco"
    )  # fmt: skip
    assert first["published_at"] == 1367115933 and first["answered"] is True
    assert first["url"] == "http://stackoverflow.com/questions/16258911/rails-4-authenticity-token"
    text = read_fixture(CASES[9].path)
    assert stackoverflow.follow_urls(text, CASES[9].url) == [CASES[9].url + "&page=2"]
    error = read_fixture("forum_api_json/stackexchange_error_400_bad_parameter.json")
    assert registry.detect_parser("", "application/json", error) is stackoverflow
    with pytest.raises(ParseError, match="A malformed parameter was passed"):
        stackoverflow.parse(error, CASES[9].url)


# --------------------------------------------------------------------------- reviews: pins


def test_amazon_2012_list_dedupes_the_teasers():
    items = parsed(CASES[10])
    first = items[0]
    assert (first["site_id"], first["author"], first["rating"]) == (
        "R1HV36NPN7MCIS", "calvinnme", 4.0
    )  # fmt: skip
    assert first["title"] == "Heavy on code, somewhat light on theory"
    assert first["published_at"] == "2009-07-19T00:00:00"
    assert first["body"].startswith("This book really delivers when it comes to code.")
    assert first["body"].endswith("Section 11.9. Exercises")
    assert "This review is from" not in first["body"]
    assert first["url"] == "http://www.amazon.com/review/R1HV36NPN7MCIS"
    assert by_site_id(items, "R3INYYU0KNUX1G")["rating"] == 2.0
    text = read_fixture(CASES[10].path)
    assert amazon.follow_urls(text, CASES[10].url)[0].endswith("pageNumber=2")


def test_amazon_2012_single_review():
    (review,) = parsed(CASES[11])
    assert review["author"] == 'Sara Kazemi "Sarie"'
    assert review["title"] == "A great resource for computational linguistics and NLP"
    assert review["published_at"] == "2010-02-08T00:00:00"
    assert review["rating"] == 4.0 and review["rating_scale"] == 5
    assert review["body"].startswith("If you already know how to program in Python")


def test_amazon_2024_data_hook():
    items = parsed(CASES[12])
    first = items[0]
    assert (first["site_id"], first["author"], first["rating"]) == (
        "RIY0N097PYR7K", "Tina Haskett Cambar", 5.0
    )  # fmt: skip
    assert first["title"] == "Name brand and performance"
    assert first["published_at"] == "2024-07-01T00:00:00"  # 'Reviewed in the United States on …'
    assert first["body"].startswith("This is the dish liquid I always buy")
    assert first["url"] == "https://www.amazon.com/gp/customer-reviews/RIY0N097PYR7K"
    assert by_site_id(items, "R127U9U2HU8IX7")["rating"] == 4.0
    text = read_fixture(CASES[12].path)
    assert amazon.follow_urls(text, CASES[12].url) == [
        "https://www.amazon.com/Dawn-Ultra-Dishwashing-Liquid-Original/product-reviews/B0BBPNPZTC"
        "/ref=cm_cr_arp_d_paging_btm_2?ie=UTF8&pageNumber=2"
    ]


def test_yelp_desktop_folds_the_owner_reply():
    items = parsed(CASES[13])
    first = items[0]
    assert (first["author"], first["rating"], first["site_id"]) == (
        "Tedd T.", 5.0, "I2Yet2zLLGNPriYvj3f5_Q"
    )  # fmt: skip
    assert first["published_at"] == "2025-08-04T12:20:05-05:00"
    assert first["body"].startswith("Broadway Oyster Bar is the kind of place")
    assert first["url"] == (
        "https://www.yelp.com/biz/broadway-oyster-bar-st-louis-2?hrid=I2Yet2zLLGNPriYvj3f5_Q"
    )
    assert first["vendor_responded"] is False
    answered = [item for item in items if item["vendor_responded"]]
    assert len(answered) == 1
    assert answered[0]["author"] == "Amanda M."
    assert answered[0]["body"].startswith("We are back in St. Louis after almost five years")
    assert answered[0]["vendor_response"] == "Looks like you made some excellent choices."
    previous = by_site_id(items, "o4fZYpoWltwk1CvFT2vP4A")  # Amanda's 'Previous review'
    assert previous["published_at"].startswith("2019-09-22")
    assert previous["body"].endswith("Your waitress Carly is a gem!")  # full text, not truncated
    assert all("Looks like you made" not in item["body"] for item in items)
    assert Counter(item["rating"] for item in items) == {5.0: 6, 4.0: 4, 3.0: 1}


def test_yelp_mobile_variant_renders_no_reviews():
    desktop = read_fixture(CASES[13].path)
    mobile = read_fixture(CASES[14].path)
    assert yelp.parse(mobile, CASES[14].url) == []
    assert yelp.reviews_not_rendered(mobile) is True
    assert yelp.reviews_not_rendered(desktop) is False


def test_lendingtree():
    items = parsed(CASES[15])
    first = items[0]
    assert (first["site_id"], first["author"], first["title"]) == (
        "5cf91c843545560001a746ae", "debbie", "was simple and fast"
    )  # fmt: skip
    assert first["published_at"] == "2019-06-01T00:00:00"  # 'Reviewed in June 2019'
    assert (first["rating"], first["rating_scale"]) == (5.0, 5)
    assert first["body"].startswith("Morgan went out of her way to help")
    assert first["raw"]["location"] == "BURBANK, IL"
    assert lendingtree.follow_urls(read_fixture(CASES[15].path), CASES[15].url) == [
        "https://www.lendingtree.com/reviews/personal/first-midwest-bank/52903183"
        "?sort=cmV2aWV3c3VibWl0dGVkX2Rlc2M=&pid=9"
    ]


def test_google_play_reviews_from_callback_data():
    items = parsed(CASES[16])
    assert len({item["site_id"] for item in items}) == 40  # distinct review ids
    first = items[0]
    assert first["site_id"].startswith("gp:AOqpTOHEgM3NmwIJV")
    assert (first["author"], first["rating"], first["published_at"]) == ("Saifudheen K", 1, 1625581068)
    assert first["body"].startswith("These days we see almost every day an increase in petrol")
    assert first["vendor_responded"] is True
    assert first["vendor_response"].startswith("Hey, we regret the inconvenience caused to you.")
    assert first["url"] == (
        "https://play.google.com/store/apps/details?id=runner.dunzo.com.dunzo_runner&reviewId="
        + first["site_id"]
    )
    assert sum(1 for item in items if item["vendor_responded"]) == 38
    assert first["raw"]["app_version"] == "3.22.0.0"


def test_etsy_listing_reviews():
    items = parsed(CASES[17])
    assert [item["author"] for item in items] == ["Kristin Thompson", "scaliod", "bpprice1"]
    first = items[0]
    assert first["published_at"] == "2019-08-06T00:00:00"  # '06 Aug, 2019'
    assert first["rating"] == 5.0 and first["site_id"] == "1673802069"
    assert first["body"] == (
        "Absolutely love the pillows!! Go perfect with my farmhouse decor in my entry!"
    )
    assert items[1]["site_id"] == "qhjk16ls/2020-01-22"  # /people/<handle> + day: no id on page


# --------------------------------------------------------------------------- social APIs: pins


def test_mastodon_timeline_and_context():
    timeline = parsed(CASES[18])
    first = timeline[0]
    assert (first["site_id"], first["author"]) == ("114870142396314555", "simonpcouch@rstats.me")
    assert first["url"] == "https://rstats.me/@simonpcouch/114870142137562212"
    assert first["published_at"] == "2025-07-17T19:07:48.000Z"
    assert "https://www.simonpcouch.com/blog/2025-07-17-claude-code-2/" in first["body"]
    assert "<" not in first["body"]
    assert mastodon.follow_urls(read_fixture(CASES[18].path), CASES[18].url) == [
        CASES[18].url + "&max_id=" + timeline[-1]["site_id"]
    ]
    thread = parsed(CASES[19])
    assert thread[0]["parent_site_id"] == "109294719267373593"
    assert thread[0]["author"] == "austinkocher"


def test_bluesky_search_and_thread():
    search = parsed(CASES[20])
    reply = search[0]
    assert reply["author"] == "karlpettersson.bsky.social"
    assert reply["body"] == "Using #rstats for the plots."
    assert reply["url"] == "https://bsky.app/profile/karlpettersson.bsky.social/post/3lt4t5vltz22t"
    assert reply["parent_site_id"].endswith("/app.bsky.feed.post/3lt4posc55k2t")
    assert bluesky.follow_urls(read_fixture(CASES[20].path), CASES[20].url) == [
        CASES[20].url + "&cursor=100"
    ]
    thread = parsed(CASES[21])
    assert [item["parent_site_id"] for item in thread[1:]] == [
        item["site_id"] for item in thread[:-1]
    ]  # a chain of self-replies
    assert thread[0]["body"].startswith("New #rstats package incoming!")


def test_trustpilot_webhook_dedupes_and_yelp_api():
    (review,) = parsed(CASES[22])
    assert (review["site_id"], review["author"], review["rating"]) == (
        "62c8968be77911f2449e9f74", "pantelakis georgiou", 4
    )  # fmt: skip
    assert review["title"] == "Some of the screens are to hard to…"
    assert review["published_at"] == "2022-07-08T22:41:48Z"
    (yelp_review,) = parsed(CASES[23])
    assert (yelp_review["author"], yelp_review["rating"], yelp_review["published_at"]) == (
        "Ryan B.", 5, 1442432702
    )  # fmt: skip
    assert yelp_review["body"].startswith("Oh man. Ive wanted to go here for years.")
    assert yelp_review["url"] == (
        "http://www.yelp.com/biz/flour-water-san-francisco?hrid=avkhtVLd9VOMSyCvjBqdTw"
    )
