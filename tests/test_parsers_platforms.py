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

from groundswell.crawl.items import MENTION_FIELDS, MENTION_KINDS
from groundswell.crawl.parsers import (
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
    stackexchange,
    trustpilot,
    vanilla,
    vbulletin,
    xenforo,
    yelp,
    yelp_api,
)
from groundswell.crawl.parsers.common import looks_like_question, parse_date, strip_session

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FORUMS = (phpbb, xenforo, vbulletin, vanilla, discourse_html, stackexchange)


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
         stackexchange, {"question": 1, "answer": 30, "comment": 51}),
    Case("forum_api_json/stackexchange_search_advanced_questions.json",
         "https://api.stackexchange.com/2.2/search/advanced?accepted=true&pagesize=10&q=token"
         "&site=stackoverflow", stackexchange, {"question": 10}),
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
    for name in ("phpbb", "xenforo", "vbulletin", "vanilla", "discourse_html", "stackexchange",
                 "amazon", "yelp", "lendingtree", "google_play", "etsy", "mastodon", "bluesky",
                 "trustpilot", "yelp_api"):  # fmt: skip
        assert order.index(name) < order.index("feed") < order.index("schema_org")
    assert registry.parser_for_kind("stackexchange") is stackexchange
    assert registry.parser_for_kind("discourse_html") is discourse_html


# --------------------------------------------------------------------------- forums: pins


def test_phpbb_videolan_prosilver():
    items = parsed(CASES[0])
    first, reply = items
    assert first["author"] == "callmejoe"
    assert first["published_at"] == "2020-08-24T04:27:00+02:00"  # "All times are UTC+02:00"
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
    assert (
        openoffice[0]["published_at"] == "2020-08-21T15:54:00+02:00"
    )  # "All times are UTC + 1 hour [ DST ]"
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
    assert (
        first["url"]
        == "https://forum.statcounter.com/threads/custom-tags-examples.44340/post-261438"
    )
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
    assert first["published_at"] == "2019-04-06T06:55:00-05:00"  # "All times are GMT -5"
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
    assert (
        poppy["url"] == "https://community.scope.org.uk/discussion/comment/225744/#Comment_225744"
    )
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
    assert stackexchange.follow_urls(text, CASES[9].url) == [CASES[9].url + "&page=2"]
    error = read_fixture("forum_api_json/stackexchange_error_400_bad_parameter.json")
    assert registry.detect_parser("", "application/json", error) is stackexchange
    with pytest.raises(ParseError, match="A malformed parameter was passed"):
        stackexchange.parse(error, CASES[9].url)


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
    assert (first["author"], first["rating"], first["published_at"]) == (
        "Saifudheen K",
        1,
        1625581068,
    )
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


# --------------------------------------------------------------------------- synthetic pages
# Hand-written pages in each platform's markup (other boards, other themes, newer layouts).

PHPBB_PROSILVER_33 = """<!DOCTYPE html><html><head><title>Printer jams - Example Board</title>
<link rel="canonical" href="https://board.example/viewtopic.php?t=77"></head>
<body id="phpbb" class="section-viewtopic">
<h2 class="topic-title"><a href="./viewtopic.php?t=77">Printer jams</a></h2>
<div class="pagination">12 posts <ul><li class="active"><span>1</span></li>
<li><a class="button" href="./viewtopic.php?t=77&amp;start=10">2</a></li>
<li class="arrow next"><a class="button" href="./viewtopic.php?t=77&amp;start=10" rel="next">
<span class="sr-only">Next</span></a></li></ul></div>
<div id="p901" class="post has-profile bg2"><div class="inner">
<dl class="postprofile" id="profile901"><dt>
<a href="./memberlist.php?mode=viewprofile&amp;u=2" class="username">alice</a></dt></dl>
<div class="postbody"><div id="post_content901">
<h3 class="first"><a href="./viewtopic.php?p=901#p901">Printer jams</a></h3>
<p class="author"><a class="unread" href="./viewtopic.php?p=901#p901"><span>Post</span></a>
<span class="responsive-hide">by <strong><a href="./memberlist.php?mode=viewprofile&amp;u=2"
class="username">alice</a></strong> » </span><time datetime="2021-03-02T09:15:00+00:00">Tue Mar 02,
2021 9:15 am</time></p>
<div class="content">My printer jams on every page.<br>How do I stop it?</div>
<div id="sig901" class="signature">alice's signature</div>
</div></div></div></div>
<div id="p902" class="post has-profile bg1"><div class="inner">
<div class="postbody"><div id="post_content902">
<h3><a href="./viewtopic.php?p=902#p902">Re: Printer jams</a></h3>
<p class="author"><a href="./viewtopic.php?p=902#p902"><span>Post</span></a>
<span class="responsive-hide">by <strong><span class="username">Guest</span></strong> » </span>
<time datetime="2021-03-02T10:00:00+00:00">Tue Mar 02, 2021 10:00 am</time></p>
<div class="content"><blockquote cite="./viewtopic.php?p=901#p901"><div><cite>alice wrote:
<a href="./viewtopic.php?p=901#p901" data-post-id="901">^</a></cite>My printer jams</div>
</blockquote>Clean the rollers.</div>
</div></div></div></div>
</body></html>"""

PHPBB_SUBSILVER2 = """<html><head><title>Example Board &bull; View topic - Scanner noise</title></head>
<body class="ltr"><div id="pageheader"><h2><a class="titles"
href="./viewtopic.php?f=2&amp;t=88">Scanner noise</a></h2></div>
<table class="tablebg" width="100%" cellspacing="1"><tr><th>Author</th><th>Message</th></tr>
<tr class="row1"><td align="center" valign="middle"><a name="p1001"></a>
<b class="postauthor">mallory</b></td>
<td width="100%"><table width="100%"><tr><td class="gensmall" width="100%">
<div style="float: left;">&nbsp;<b>Post subject:</b> <a href="#p1001">Scanner noise</a></div>
<div style="float: right;"><a href="./viewtopic.php?p=1001#p1001"><img src="i.gif" alt="Post"
/></a><b>Posted:</b> Mon Mar 02, 2009 9:15 am&nbsp;</div></td></tr></table></td></tr>
<tr class="row1"><td class="profile"><span class="postdetails">Joined: 2008</span></td>
<td><table width="100%"><tr><td><div class="postbody">It grinds when scanning.</div>
<br clear="all" /><span class="postbody"><br />_________________<br />mallory's sig</span>
</td></tr></table></td></tr>
<tr class="row2"><td align="center" valign="middle"><a name="p1002"></a>
<b class="postauthor">trent</b></td>
<td width="100%"><table width="100%"><tr><td class="gensmall" width="100%">
<div style="float: left;">&nbsp;<b>Post subject:</b> <a href="#p1002">Re: Scanner noise</a></div>
<div style="float: right;"><a href="./viewtopic.php?p=1002#p1002"><img src="i.gif" alt="Post"
/></a><b>Posted:</b> Tue Mar 03, 2009 6:40 pm&nbsp;</div></td></tr></table></td></tr>
<tr class="row2"><td class="profile"></td><td><table width="100%"><tr><td>
<div class="postbody"><div class="quotetitle">mallory wrote:</div>
<div class="quotecontent">It grinds</div><br />Lubricate the rail.</div></td></tr></table></td></tr>
</table><p>Powered by phpBB</p></body></html>"""


def test_phpbb_synthetic_prosilver_33_with_time_guest_and_quote():
    url = "https://board.example/viewtopic.php?t=77&sid=0123456789abcdef0123456789abcdef"
    assert registry.detect_parser("", "text/html", PHPBB_PROSILVER_33) is phpbb
    first, guest = phpbb.parse(PHPBB_PROSILVER_33, url)
    assert (first["author"], first["kind"], first["title"]) == ("alice", "post", "Printer jams")
    assert first["published_at"] == "2021-03-02T09:15:00+00:00"
    assert first["body"] == "My printer jams on every page.\nHow do I stop it?"
    assert first["is_question"] is True
    assert first["url"] == "https://board.example/viewtopic.php?p=901#p901"
    assert first["thread_url"] == "https://board.example/viewtopic.php?t=77"
    assert (guest["author"], guest["body"], guest["parent_site_id"]) == (
        "Guest", "Clean the rollers.", "901"
    )  # fmt: skip
    assert "title" not in guest  # 'Re: …' subjects are not titles
    assert phpbb.follow_urls(PHPBB_PROSILVER_33, url) == [
        "https://board.example/viewtopic.php?t=77&start=10"
    ]
    later = phpbb.parse(PHPBB_PROSILVER_33, "https://board.example/viewtopic.php?t=77&start=10")
    assert later[0]["kind"] == "comment"  # not the thread starter on page 2


def test_phpbb_synthetic_subsilver2_tables():
    assert registry.detect_parser("", "text/html", PHPBB_SUBSILVER2) is phpbb
    first, reply = phpbb.parse(PHPBB_SUBSILVER2, "http://old.example/viewtopic.php?f=2&t=88")
    assert (first["site_id"], first["author"], first["title"]) == (
        "1001",
        "mallory",
        "Scanner noise",
    )
    assert first["published_at"] == "2009-03-02T09:15:00"
    assert first["body"] == "It grinds when scanning."
    assert first["url"] == "http://old.example/viewtopic.php?p=1001#p1001"
    assert (reply["author"], reply["body"]) == ("trent", "Lubricate the rail.")
    assert reply["published_at"] == "2009-03-03T18:40:00"


XENFORO_PAGE_2 = """<!DOCTYPE html><html id="XF" data-template="thread_view"><head>
<link rel="canonical" href="https://xf.example/threads/slow-sync.123/page-2"></head><body>
<h1 class="p-title-value">Slow sync</h1>
<article class="message message--post js-post" data-author="carol" data-content="post-501"
 id="js-post-501"><div class="message-attribution"><a href="/threads/slow-sync.123/post-501">
<time class="u-dt" datetime="2022-05-01T10:00:00+0000" data-time="1651399200">May 1</time></a></div>
<div class="message-body"><div class="bbWrapper"><div class="bbCodeBlock bbCodeBlock--quote">
<div class="bbCodeBlock-title"><a class="bbCodeBlock-sourceJump" data-content-selector="#post-499">
dave said:</a></div><div class="bbCodeBlock-content">is it slow for everyone?</div></div>
Yes, since the update.</div></div>
<aside class="message-signature"><div class="bbWrapper">carol's signature</div></aside></article>
<a class="pageNav-jump pageNav-jump--next" href="/threads/slow-sync.123/page-3">Next</a>
</body></html>"""


def test_xenforo_synthetic_page_two():
    url = "https://xf.example/threads/slow-sync.123/page-2"
    assert registry.detect_parser("", "text/html", XENFORO_PAGE_2) is xenforo
    (post,) = xenforo.parse(XENFORO_PAGE_2, url)
    assert (post["kind"], post["author"], post["parent_site_id"]) == ("comment", "carol", "499")
    assert post["body"] == "Yes, since the update."
    assert post["thread_url"] == "https://xf.example/threads/slow-sync.123/"
    assert post["url"] == "https://xf.example/threads/slow-sync.123/post-501"
    assert post["published_at"] == "2022-05-01T10:00:00+00:00"
    assert xenforo.follow_urls(XENFORO_PAGE_2, url) == [
        "https://xf.example/threads/slow-sync.123/page-3"
    ]


VBULLETIN_LEGACY = """<html id="vbulletin_html"><head>
<meta name="generator" content="vBulletin 4.2.5" /><base href="https://vb.example/forum/" />
<link rel="canonical" href="showthread.php?t=55&amp;s=0123456789abcdef0123456789abcdef" />
</head><body><span class="threadtitle"><a href="showthread.php?t=55">Battery drain</a></span>
<ol id="posts"><li class="postbitlegacy postbitim postcontainer" id="post_77">
<div class="posthead"><span class="postdate"><span class="date">Yesterday,&nbsp;<span
class="time">11:02 PM</span></span></span><span class="nodecontrols"><a name="post77"
href="showthread.php?t=55&amp;p=77#post77" class="postcounter">#1</a></span></div>
<div class="userinfo"><div class="username_container"><a class="username" href="member.php?u=3">
<strong>erin</strong></a></div></div>
<div class="postbody"><h2 class="title icon">Battery drain</h2><div class="content">
<div id="post_message_77"><blockquote class="postcontent restore">Phone dies by noon.
Anyone else?</blockquote></div></div>
<blockquote class="signature restore"><div class="signaturecontainer">erin's sig</div>
</blockquote></div></li>
<li class="postbitlegacy postbitim postcontainer" id="post_78">
<div class="posthead"><span class="date">03-15-2022,&nbsp;<span class="time">08:00 AM</span>
</span></div><div class="username_container"><a class="username" href="member.php?u=4">
<strong>frank</strong></a></div><div class="content"><div id="post_message_78">
<blockquote class="postcontent restore"><div class="bbcode_container"><div class="bbcode_quote">
<div class="quote_container"><div class="bbcode_postedby">Originally Posted by <strong>erin
</strong><a href="showthread.php?p=77#post77" rel="nofollow">view</a></div>
<div class="message">Phone dies by noon.</div></div></div></div>Same here.</blockquote></div></div>
</li></ol>
<div class="pagination"><span class="prev_next"><a rel="next"
href="showthread.php?t=55&amp;page=2&amp;s=0123456789abcdef0123456789abcdef">Next</a></span></div>
</body></html>"""


def test_vbulletin_synthetic_relative_date_quote_and_base_href():
    from datetime import datetime, timedelta

    url = "https://vb.example/forum/showthread.php?t=55"
    assert registry.detect_parser("", "text/html", VBULLETIN_LEGACY) is vbulletin
    first, reply = vbulletin.parse(VBULLETIN_LEGACY, url)
    yesterday = (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%d")
    assert first["published_at"] == f"{yesterday}T23:02:00"
    assert (first["author"], first["title"], first["is_question"]) == (
        "erin",
        "Battery drain",
        True,
    )
    assert first["body"] == "Phone dies by noon. Anyone else?"
    assert first["url"] == "https://vb.example/forum/showthread.php?t=55&p=77#post77"
    assert first["thread_url"] == "https://vb.example/forum/showthread.php?t=55"
    assert (reply["author"], reply["body"], reply["parent_site_id"]) == (
        "frank",
        "Same here.",
        "77",
    )
    assert reply["published_at"] == "2022-03-15T08:00:00"
    assert vbulletin.follow_urls(VBULLETIN_LEGACY, url) == [
        "https://vb.example/forum/showthread.php?t=55&page=2"
    ]


VANILLA_PAGE_2 = """<html><head>
<link rel="canonical" href="https://v.example/discussion/900/wifi-drops/p2"></head>
<body id="vanilla_discussion_index" class="Vanilla Discussion">
<div class="PageTitle"><h1>Wifi drops</h1></div><ul class="MessageList DataList Comments">
<li class="Item ItemComment" id="Comment_9001"><div class="Comment"><div class="Item-Header">
<span class="Author"><a href="/profile/gina" class="Username">gina</a></span>
<span class="MItem DateCreated"><a href="/discussion/comment/9001/#Comment_9001" class="Permalink">
<time datetime="2023-01-05T08:00:00+00:00">January 5</time></a></span></div>
<div class="Item-Body"><div class="Message userContent"><blockquote class="UserQuote">
<div class="QuoteAuthor">hank said:</div><div class="QuoteText">mine drops hourly</div>
</blockquote>Update the router firmware.</div>
<div class="Signature UserSignature userContent">gina's sig</div></div></div></li></ul>
<div id="PagerAfter" class="Pager"><a href="/discussion/900/wifi-drops/p3" class="Next">»</a></div>
</body></html>"""


def test_vanilla_synthetic_comment_page():
    url = "https://v.example/discussion/900/wifi-drops/p2"
    assert registry.detect_parser("", "text/html", VANILLA_PAGE_2) is vanilla
    (comment,) = vanilla.parse(VANILLA_PAGE_2, url)
    assert (comment["site_id"], comment["parent_site_id"]) == ("comment/9001", "discussion/900")
    assert (comment["author"], comment["body"]) == ("gina", "Update the router firmware.")
    assert comment["thread_url"] == "https://v.example/discussion/900/wifi-drops"
    assert comment["url"] == "https://v.example/discussion/comment/9001/#Comment_9001"
    assert vanilla.follow_urls(VANILLA_PAGE_2, url) == [
        "https://v.example/discussion/900/wifi-drops/p3"
    ]


DISCOURSE_NEW_CRAWLER_VIEW = """<html><head>
<meta name="generator" content="Discourse 3.2.0 - https://github.com/discourse/discourse">
<link rel="canonical" href="https://forum.example/t/export-fails/4321?page=2"></head><body>
<div id='post_21' itemprop='comment' itemscope itemtype='http://schema.org/DiscussionForumPosting'
 class='topic-body crawler-post'><div class='crawler-post-meta'>
<span class="creator" itemprop="author" itemscope itemtype="http://schema.org/Person">
<a itemprop="url" href='https://forum.example/u/ivy'><span itemprop='name'>ivy</span></a></span>
<span class="crawler-post-infos"><time itemprop='datePublished' datetime='2024-02-01T12:00:00Z'
 class='post-time'>February 1, 2024</time><meta itemprop='dateModified'
 content='2024-02-03T12:00:00Z'><span itemprop='position'>21</span></span></div>
<div class='post' itemprop='text'><aside class="quote" data-post="20" data-topic="4321">
<div class="title">jay:</div><blockquote><p>export fails with 500</p></blockquote></aside>
<p>Fixed in 3.2, upgrade.</p></div></div>
<div role='navigation' itemscope itemtype='http://schema.org/SiteNavigationElement'
 class="topic-body crawler-post"><span itemprop='name'><a rel="next" itemprop="url"
 href="/t/export-fails/4321?page=3">next page →</a></span></div></body></html>"""


def test_discourse_synthetic_newer_crawler_view():
    url = "https://forum.example/t/export-fails/4321?page=2"
    assert registry.detect_parser("", "text/html", DISCOURSE_NEW_CRAWLER_VIEW) is discourse_html
    (post,) = discourse_html.parse(DISCOURSE_NEW_CRAWLER_VIEW, url)
    assert (post["site_id"], post["parent_site_id"], post["kind"]) == (
        "4321/21",
        "4321/20",
        "comment",
    )
    assert (post["author"], post["body"]) == ("ivy", "Fixed in 3.2, upgrade.")
    assert post["url"] == "https://forum.example/t/export-fails/4321/21"
    assert post["published_at"] == "2024-02-01T12:00:00+00:00"
    assert discourse_html.follow_urls(DISCOURSE_NEW_CRAWLER_VIEW, url) == [
        "https://forum.example/t/export-fails/4321?page=3"
    ]


SUPERUSER_QUESTION = """<html itemscope itemtype="https://schema.org/QAPage"><head>
<link rel="canonical" href="https://superuser.com/questions/42/why-is-my-fan-loud">
<link rel="stylesheet" href="https://cdn.sstatic.net/Sites/superuser/primary.css"></head><body>
<div id="question-header"><h1 itemprop="name"><a href="/questions/42/why-is-my-fan-loud"
 class="question-hyperlink">Why is my fan loud?</a></h1></div>
<div class="question js-question" data-questionid="42" id="question">
<div class="js-vote-count" itemprop="upvoteCount" data-value="3">3</div>
<div class="s-prose js-post-body" itemprop="text"><p>It roars at idle.</p></div>
<div class="post-signature owner"><div class="user-action-time">asked <span
 title="2021-06-01 10:00:00Z" class="relativetime">Jun 1, 2021</span></div>
<div class="user-details" itemprop="author" itemscope><a href="/users/7/kim">kim</a>
<span class="d-none" itemprop="name">kim</span></div></div>
<ul class="comments-list"><li id="comment-555" class="comment js-comment" data-comment-id="555">
<span class="comment-copy">Which laptop?</span> – <a href="/users/8/lee" class="comment-user">lee</a>
<span class="comment-date"><span title="2021-06-01 11:00:00Z, License: CC BY-SA 4.0">Jun 1</span>
</span></li></ul></div>
<div id="answer-43" class="answer js-answer" data-answerid="43" itemprop="suggestedAnswer"
 itemscope itemtype="https://schema.org/Answer"><div class="js-accepted-answer-indicator d-none">
</div><div class="s-prose js-post-body" itemprop="text"><p>Clean the dust.</p></div>
<time itemprop="dateCreated" datetime="2021-06-02T09:00:00"></time>
<div class="post-signature"><div class="user-details" itemprop="author" itemscope>
<a href="/users/9/max">max</a><span class="d-none" itemprop="name">max</span></div></div></div>
</body></html>"""


def test_stackexchange_synthetic_other_site_unanswered():
    url = "https://superuser.com/questions/42/why-is-my-fan-loud"
    assert registry.detect_parser("", "text/html", SUPERUSER_QUESTION) is stackexchange
    question, comment, answer = stackexchange.parse(SUPERUSER_QUESTION, url)
    assert (question["title"], question["author"], question["answered"]) == (
        "Why is my fan loud?", "kim", False
    )  # fmt: skip
    assert question["published_at"] == "2021-06-01T10:00:00+00:00"
    assert (comment["author"], comment["body"], comment["parent_site_id"]) == (
        "lee", "Which laptop?", "42"
    )  # fmt: skip
    assert (answer["url"], answer["author"], answer["body"]) == (
        "https://superuser.com/a/43", "max", "Clean the dust."
    )  # fmt: skip
    assert answer["published_at"] == "2021-06-02T09:00:00+00:00"
    plain_qapage = '<html itemscope itemtype="https://schema.org/QAPage"><div id="question">'
    assert not stackexchange.matches("", "text/html", plain_qapage)  # not a Stack Exchange page


AMAZON_UK = """<html><head>
<link rel="canonical" href="https://www.amazon.co.uk/product-reviews/B000TEST"></head><body>
<div id="R2TESTREVIEW1" data-hook="review" class="a-section review">
<span class="a-profile-name">Oliver</span>
<i data-hook="cmps-review-star-rating" class="a-icon a-icon-star a-star-2 review-rating">
<span class="a-icon-alt">2.0 out of 5 stars</span></i>
<span data-hook="review-title" class="review-title"><span>Leaked in the box</span></span>
<span data-hook="review-date">Reviewed in the United Kingdom on 5 March 2023</span>
<span data-hook="review-body"><span>Cap was loose.</span></span></div>
<ul class="a-pagination"><li class="a-last">
<a href="/product-reviews/B000TEST?pageNumber=2">Next page</a></li></ul></body></html>"""


def test_amazon_synthetic_other_marketplace():
    url = "https://www.amazon.co.uk/product-reviews/B000TEST"
    assert registry.detect_parser("", "text/html", AMAZON_UK) is amazon
    (review,) = amazon.parse(AMAZON_UK, url)
    assert (review["site_id"], review["author"], review["rating"]) == (
        "R2TESTREVIEW1",
        "Oliver",
        2.0,
    )
    assert (review["title"], review["body"]) == ("Leaked in the box", "Cap was loose.")
    assert review["published_at"] == "2023-03-05T00:00:00"
    assert review["url"] == "https://www.amazon.co.uk/gp/customer-reviews/R2TESTREVIEW1"
    assert amazon.follow_urls(AMAZON_UK, url) == [
        "https://www.amazon.co.uk/product-reviews/B000TEST?pageNumber=2"
    ]


YELP_OTHER_BUSINESS = """<html><head><meta property="og:site_name" content="Yelp">
<meta property="og:url" content="https://www.yelp.com/biz/joes-diner-springfield"></head><body><ul>
<li class="y-css-aa1"><div class="user-passport-info y-css-aa2"><span>
<a href="/user_details?userid=U1xx">Pat Q.</a></span></div>
<div><div class="y-css-aa3" role="img" aria-label="2 star rating"></div><span>Mar 3, 2024</span></div>
<p class="comment__22bb__Zz9 y-css-aa4"><span lang="en">Cold fries and slow service.</span></p>
<div data-testid="business-owner-passport" role="region"><p data-font-weight="bold">Joe D.</p>
<p>Business Owner</p></div><div><p>Mar 5, 2024</p>
<p class="comment__22bb__Qq1 y-css-aa4"><span>Sorry Pat, we fixed the fryer.</span></p></div></li>
<li class="y-css-aa1"><div class="user-passport-info"><a href="/user_details?userid=U2yy">Sam R.</a>
</div><div role="img" aria-label="5 star rating"></div><span>Apr 1, 2024</span>
<p class="comment__22bb__Zz9"><span>Best pie in town.</span></p></li></ul>
<a class="next-link navigation-button__22bb__Xy" href="/biz/joes-diner-springfield?start=10">Next</a>
</body></html>"""


def test_yelp_synthetic_hashed_classes_owner_reply_no_apollo_state():
    url = "https://www.yelp.com/biz/joes-diner-springfield"
    assert registry.detect_parser("", "text/html", YELP_OTHER_BUSINESS) is yelp
    assert yelp.reviews_not_rendered(YELP_OTHER_BUSINESS) is False
    pat, sam = yelp.parse(YELP_OTHER_BUSINESS, url)
    assert (pat["author"], pat["rating"], pat["body"]) == (
        "Pat Q.",
        2.0,
        "Cold fries and slow service.",
    )
    assert pat["published_at"] == "2024-03-03T00:00:00"
    assert pat["vendor_responded"] is True
    assert pat["vendor_response"] == "Sorry Pat, we fixed the fryer."
    assert pat["raw"]["reply_author"] == "Joe D." and pat["raw"]["reply_date"] == "Mar 5, 2024"
    assert pat["site_id"] == "U1xx/2024-03-03"  # no review id on the page
    assert (sam["author"], sam["rating"], sam["vendor_responded"]) == ("Sam R.", 5.0, False)
    assert yelp.follow_urls(YELP_OTHER_BUSINESS, url) == [
        "https://www.yelp.com/biz/joes-diner-springfield?start=10"
    ]


LENDINGTREE_MORTGAGE = """<html><head>
<link rel="canonical" href="https://www.lendingtree.com/reviews/mortgage/acme-bank/123"></head><body>
<div class="col-xs-12 mainReviews"><div class="starReviews"><div class="rating-stars-top">
<div class="rating-stars-bar" style="width:80%;"></div></div></div><div class="reviewDetail">
<p class="reviewTitle">Slow but fair</p><p class="reviewText">Took six weeks.</p>
<div class="hideText"><p class="consumerName">Quinn <span>from AUSTIN, TX </span></p>
<p class="consumerReviewDate">Reviewed in March 2021</p></div>
<input class="reviewId" name="reviewId" type="hidden" value="abc123"/></div></div>
<ul class="pagination"><li><a href="https://www.lendingtree.com/reviews/mortgage/acme-bank/123?pid=2">
Next</a></li></ul></body></html>"""


def test_lendingtree_synthetic_star_bar_rating():
    url = "https://www.lendingtree.com/reviews/mortgage/acme-bank/123"
    assert registry.detect_parser("", "text/html", LENDINGTREE_MORTGAGE) is lendingtree
    (review,) = lendingtree.parse(LENDINGTREE_MORTGAGE, url)
    assert (review["site_id"], review["author"], review["rating"]) == ("abc123", "Quinn", 4.0)
    assert review["published_at"] == "2021-03-01T00:00:00"
    assert review["raw"]["location"] == "AUSTIN, TX"
    assert lendingtree.follow_urls(LENDINGTREE_MORTGAGE, url) == [url + "?pid=2"]


GOOGLE_PLAY_OTHER_KEY = """<html><head><link rel="canonical"
 href="https://play.google.com/store/apps/details?id=com.acme.app"></head><body><script>
AF_initDataCallback({key: 'ds:42', hash: '7', data:[null,[[["gp:AAA111",["Uma",[null,2]],4,null,
"Works well offline.",[1700000000,0],3,null,null,null,"2.1.0"],["gp:BBB222",["Vic",[]],2,null,
"Crashes on start.",[1700000100,5],0,["Acme Apps","Fixed in 2.1.1",[1700000200,0]]]]]],
sideChannel: {}});</script></body></html>"""


def test_google_play_synthetic_other_key_and_nesting():
    assert registry.detect_parser("", "text/html", GOOGLE_PLAY_OTHER_KEY) is google_play
    uma, vic = google_play.parse(GOOGLE_PLAY_OTHER_KEY, "")
    assert (uma["author"], uma["rating"], uma["published_at"]) == ("Uma", 4, 1700000000)
    assert (
        uma["url"]
        == "https://play.google.com/store/apps/details?id=com.acme.app&reviewId=gp:AAA111"
    )
    assert uma["vendor_responded"] is False and uma["raw"]["app_version"] == "2.1.0"
    assert (vic["vendor_response"], vic["raw"]["developer"]) == ("Fixed in 2.1.1", "Acme Apps")


ETSY_NEWER = """<html><head><meta property="og:site_name" content="Etsy">
<link rel="canonical" href="https://www.etsy.com/listing/555/mug"></head><body>
<div data-reviews-container><div data-review-region="9876543210" class="wt-grid">
<a class="wt-text-link" href="https://www.etsy.com/people/wren42">Wren</a> <p>Mar 9, 2023</p>
<span class="wt-screen-reader-only">4 out of 5 stars</span>
<p id="review-preview-toggle-0">Lovely glaze, a bit small.</p></div></div></body></html>"""


def test_etsy_synthetic_newer_review_region():
    assert registry.detect_parser("", "text/html", ETSY_NEWER) is etsy
    (review,) = etsy.parse(ETSY_NEWER, "https://www.etsy.com/listing/555/mug")
    assert (review["site_id"], review["author"], review["rating"]) == ("9876543210", "Wren", 4.0)
    assert review["published_at"] == "2023-03-09T00:00:00"
    assert review["body"] == "Lovely glaze, a bit small."


def _status(status_id: str, content: str, reply_to: str | None = None) -> dict:
    return {
        "id": status_id, "created_at": "2024-01-01T00:00:00.000Z", "in_reply_to_id": reply_to,
        "uri": f"https://m.example/users/a/statuses/{status_id}", "url": f"https://m.example/@a/{status_id}",
        "content": content, "spoiler_text": "", "reblog": None,
        "account": {"acct": "a@m.example", "username": "a", "display_name": "A"},
    }  # fmt: skip


def test_mastodon_synthetic_boosts_and_single_status():
    original = _status("2", "<p>Hello <a href='https://m.example/tags/x'>#<span>x</span></a></p>")
    boost = {**_status("3", ""), "reblog": original}
    items = mastodon.parse(
        json.dumps([original, boost]), "https://m.example/api/v1/timelines/public"
    )
    assert [item["site_id"] for item in items] == ["2"]  # the boost is the same status
    assert items[0]["body"] == "Hello #x"
    reply = mastodon.parse(json.dumps(_status("9", "<p>re</p>", reply_to="2")), "")
    assert (reply[0]["kind"], reply[0]["parent_site_id"]) == ("comment", "2")
    assert registry.detect_parser("", "application/json", json.dumps([original])) is mastodon


def _post_view(rkey: str, text: str, parent: str | None = None) -> dict:
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2024-05-01T00:00:00Z"}
    if parent:
        record["reply"] = {"parent": {"uri": parent}, "root": {"uri": parent}}
    return {"uri": f"at://did:plc:abc/app.bsky.feed.post/{rkey}", "cid": "c",
            "author": {"did": "did:plc:abc", "handle": "ann.example"}, "record": record}  # fmt: skip


def test_bluesky_synthetic_thread_with_parents_and_feed():
    root, middle = (
        _post_view("r1", "root"),
        _post_view("m1", "mid", "at://did:plc:abc/app.bsky.feed.post/r1"),
    )
    leaf = _post_view("l1", "leaf", middle["uri"])
    thread = {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": middle,
              "parent": {"$type": "app.bsky.feed.defs#threadViewPost", "post": root},
              "replies": [{"$type": "app.bsky.feed.defs#threadViewPost", "post": leaf, "replies": []},
                          {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://gone"}]}}  # fmt: skip
    items = bluesky.parse(
        json.dumps(thread), "https://bsky.social/xrpc/app.bsky.feed.getPostThread"
    )
    assert [item["body"] for item in items] == ["root", "mid", "leaf"]
    assert items[2]["parent_site_id"] == middle["uri"]
    feed = {"feed": [{"post": root}, {"post": leaf}], "cursor": "abc"}
    url = "https://bsky.social/xrpc/app.bsky.feed.getAuthorFeed?actor=ann.example"
    assert [item["url"] for item in bluesky.parse(json.dumps(feed), url)][0] == (
        "https://bsky.app/profile/ann.example/post/r1"
    )
    assert bluesky.follow_urls(json.dumps(feed), url) == [url + "&cursor=abc"]


def test_trustpilot_synthetic_api_list_company_reply_and_deleted_event():
    reviews = {"reviews": [{"id": "t1", "stars": 2, "title": "Late", "text": "Parcel came late.",
               "createdAt": "2024-02-02T10:00:00Z", "consumer": {"displayName": "Rae"},
               "companyReply": {"text": "Sorry, Rae!", "createdAt": "2024-02-03T10:00:00Z"}}]}  # fmt: skip
    assert registry.detect_parser("", "application/json", json.dumps(reviews)) is trustpilot
    (review,) = trustpilot.parse(json.dumps(reviews), "")
    assert (review["author"], review["rating"], review["vendor_response"]) == (
        "Rae",
        2,
        "Sorry, Rae!",
    )
    deleted = {"events": [{"eventName": "service-review-deleted", "eventData": {"id": "t1"}}]}
    assert trustpilot.parse(json.dumps(deleted), "") == []


def test_yelp_api_v3_reviews_endpoint():
    body = {"reviews": [{"id": "y1", "url": "https://www.yelp.com/biz/x?hrid=y1", "text": "Good tacos.",
            "rating": 4, "time_created": "2016-08-29 00:41:13", "user": {"id": "u", "name": "Lu"}}],
            "total": 1, "possible_languages": ["en"]}  # fmt: skip
    assert registry.detect_parser("", "application/json", json.dumps(body)) is yelp_api
    (review,) = yelp_api.parse(json.dumps(body), "https://api.yelp.com/v3/businesses/x/reviews")
    assert (review["author"], review["published_at"]) == ("Lu", "2016-08-29T00:41:13")
    assert review["url"] == "https://www.yelp.com/biz/x?hrid=y1"
    assert review["thread_url"] == "https://www.yelp.com/biz/x"


@pytest.mark.parametrize(
    "module, text",
    [
        (phpbb, "<html><body><p>nothing here</p></body></html>"),
        (xenforo, "<html><body><p>nothing here</p></body></html>"),
        (vbulletin, "<html><body><p>nothing here</p></body></html>"),
        (vanilla, "<html><body><p>nothing here</p></body></html>"),
        (discourse_html, "<html><body><p>nothing here</p></body></html>"),
        (stackexchange, "<html><body><p>nothing here</p></body></html>"),
        (amazon, "<html><body><p>nothing here</p></body></html>"),
        (lendingtree, "<html><body><p>nothing here</p></body></html>"),
        (google_play, "<html><body><p>nothing here</p></body></html>"),
        (mastodon, '{"unexpected": true}'),
        (bluesky, "[1, 2]"),
        (trustpilot, '{"unexpected": true}'),
        (yelp_api, '{"unexpected": true}'),
        (stackexchange, '{"unexpected": true}'),
        (mastodon, "not json at all"),
    ],
)
def test_wrong_shapes_raise_parse_error(module, text):
    with pytest.raises(ParseError):
        module.parse(text, "https://example.com/")


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    "text, expected",
    [
        ("24 Aug 2020 04:27", "2020-08-24T04:27:00"),
        ("Fri Aug 21, 2020 3:54 pm", "2020-08-21T15:54:00"),
        ("martedì 21 gennaio 2020, 14:24", "2020-01-21T14:24:00"),
        ("Reviewed in the United States on July 3, 2024", "2024-07-03T00:00:00"),
        ("Reviewed in June 2019", "2019-06-01T00:00:00"),
        ("04-06-2019, 06:55 AM", "2019-04-06T06:55:00"),
        ("Rezension aus Deutschland vom 3. Juli 2024", "2024-07-03T00:00:00"),
        ("Nov 19 at 19:57", None),  # no year: unknown rather than wrong
        (1442432702, 1442432702),
        (1442432702000, 1442432702),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_strip_session_keeps_value_less_keys():
    assert strip_session("https://x/showthread.php?145403-Title&s=abc&p=1#post1") == (
        "https://x/showthread.php?145403-Title&p=1#post1"
    )
    assert strip_session("https://x/viewtopic.php?t=1&sid=abc") == "https://x/viewtopic.php?t=1"


def test_looks_like_question_ignores_query_strings():
    assert looks_like_question("How to open office file", "")
    assert looks_like_question("Sort of new here", "Long story. Has anyone been through this?")
    assert not looks_like_question("Custom Tags examples", "Use page.html?id=Source and ?linkID=x")
