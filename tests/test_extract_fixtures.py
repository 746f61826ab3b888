"""`groundswell extract URL --kind auto --json` over every real recorded page in the MANIFEST."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import groundswell, json_lines
from tests.test_generic_pages import GENERIC_PAGES

GENERIC = "generic_html/"
# what each page of GENERIC_PAGES gives (within the range counted by hand)
GENERIC_COUNTS = [11, 13, 10, 4, 3, 18, 12, 36, 11, 37, 43, 35, 14, 3, 7, 11, 26, 19, 5, 52, 24,
                  80, 55, 14, 6, 75]  # fmt: skip

EXPECTED = {
    "forum_api_json/reddit_listing_new_100_posts.json": ("reddit", 100),
    "forum_api_json/reddit_search_r_all.json": ("reddit", 6),
    "forum_api_json/reddit_comments_thread_3hahrw.json": ("reddit", 477),
    "forum_api_json/hn_algolia_items_17.json": ("hackernews", 3),
    "forum_api_json/hn_algolia_search_by_date_story_query_apple.json": ("hackernews", 1),
    "forum_api_json/hn_algolia_search_comment_query_apple.json": ("hackernews", 1),
    "forum_api_json/discourse_latest.json": ("discourse", 3),
    "forum_api_json/discourse_posts_latest.json": ("discourse", 4),
    "forum_api_json/discourse_search_legacy.json": ("discourse", 3),
    "forum_api_json/discourse_topic_t_id.json": ("discourse", 4),
    "feeds/google_alerts_atom_slack.xml": ("feed", 20),
    "feeds/hackernews_frontpage_rss.xml": ("feed", 30),
    "feeds/reddit_frontpage_atom.xml": ("feed", 24),
    "review_api_json/itunes_rss_customerreviews_podcast_50.json": ("appstore", 50),
    "review_api_json/trustpilot_webhook_service_review_created.json": ("trustpilot", 1),
    "review_api_json/yelp_api_v2_business_with_review_excerpt.json": ("yelp_api", 1),
    "forum_api_json/bluesky_getPostThread.json": ("bluesky", 4),
    "forum_api_json/bluesky_searchPosts_q_rstats.json": ("bluesky", 100),
    "forum_api_json/mastodon_status_context_thread.json": ("mastodon", 59),
    "forum_api_json/mastodon_timeline_tag_rstats.json": ("mastodon", 5),
    "forum_api_json/stackexchange_search_advanced_questions.json": ("stackexchange", 10),
    "forum_html/discourse_topic_crawler_view_meta.html": ("discourse_html", 2),
    "forum_html/phpbb3_openoffice_forum_topic.html": ("phpbb", 2),
    "forum_html/phpbb3_pixelmator_community_topic.html": ("phpbb", 9),
    "forum_html/phpbb3_ubuntu_it_forum_topic.html": ("phpbb", 6),
    "forum_html/phpbb3_videolan_forum_topic.html": ("phpbb", 2),
    # question + 30 answers + 51 comments
    "forum_html/stackoverflow_qapage_delete_git_branch.html": ("stackexchange", 82),
    "forum_html/vanilla_scope_community_discussion.html": ("vanilla", 3),
    "forum_html/vbulletin4_msworld_showthread.html": ("vbulletin", 15),
    "forum_html/xenforo2_statcounter_thread.html": ("xenforo", 12),
    "review_html/amazon_2012_product_reviews_page1_nltk_book.html": ("amazon", 10),
    "review_html/amazon_2012_single_review_page.html": ("amazon", 1),
    "review_html/amazon_product_reviews_dawn_2024.html": ("amazon", 10),
    "review_html/etsy_listing_with_reviews.html": ("etsy", 3),
    "review_html/google_play_app_details_dunzo_2021.html": ("google_play", 40),
    "review_html/lendingtree_reviews_first_midwest_bank_p1_2019.html": ("lendingtree", 10),
    "review_html/yelp_biz_broadway_oyster_bar_2025.html": ("yelp", 11),
    # issue 18: new platform parsers (ISSUE_18_PAGES)
    "forum_html/hackernews_item_who_is_hiring_2013.html": ("hackernews_html", 205),
    "forum_html/old_reddit_thread_science_ama_2016.html": ("reddit_html", 72),
    "forum_html/vbulletin2_somethingawful_showthread.html": ("vbulletin", 40),
    "forum_html/vbulletin4_pocketpc_ch_showthread.html": ("vbulletin", 20),
    "forum_api_json/github_issue_187.json": ("github", 1),
    "forum_api_json/github_issue_187_comments.json": ("github", 3),
    "review_api_json/google_places_details_sydney_office.json": ("google_places", 5),
    # issue 18: sites without a parser, read by their structure (tests/test_generic_pages.py)
    **{
        page.path: (page.kind, count)
        for page, count in zip(GENERIC_PAGES, GENERIC_COUNTS, strict=True)
    },
}
ISSUE_18_PAGES = {
    "forum_html/hackernews_item_who_is_hiring_2013.html",
    "forum_html/old_reddit_thread_science_ama_2016.html",
    "forum_html/vbulletin2_somethingawful_showthread.html",
    "forum_html/vbulletin4_pocketpc_ch_showthread.html",
    "forum_api_json/github_issue_187.json",
    "forum_api_json/github_issue_187_comments.json",
    "review_api_json/google_places_details_sydney_office.json",
    *(page.path for page in GENERIC_PAGES),
}
REVIEW_KINDS = {"appstore", "trustpilot", "yelp_api", "amazon", "etsy", "google_play",
                "lendingtree", "yelp", "google_places"}  # fmt: skip
LEGACY_SEARCH = "forum_api_json/discourse_search_legacy.json"  # titles and links only
NO_AUTHOR = {
    "feeds/google_alerts_atom_slack.xml",
    "feeds/hackernews_frontpage_rss.xml",
    LEGACY_SEARCH,
}
NO_DATE = {LEGACY_SEARCH}
# comments whose author the thread itself shows as "[deleted]"; on the pages read by their
# structure: pingbacks, private comments and articles whose byline trafilatura cannot find
DELETED_AUTHORS = {
    "forum_api_json/reddit_comments_thread_3hahrw.json": 16,
    **{GENERIC + name: n for name, n in [
        ("blog_comments_frolleinherr_lost.html", 1), ("blog_comments_internet_law_pseudonymen.html", 1),
        ("blog_comments_moritz_meyer_vreni_frost.html", 14), ("blog_comments_pixnet_camping.html", 3),
        ("blog_comments_the_pain_silkroad.html", 1), ("blog_comments_wordpress_jobs_data.html", 1),
        ("recipe_comments_backenmachtgluecklich_zitronenkuchen.html", 1),
        ("recipe_comments_kochbar_tomaten.html", 1), ("recipe_comments_muffinrezept_grundrezept.html", 1),
    ]},
}  # fmt: skip
# mentions whose page gives no date: private comments, a comment the page does not date
UNDATED = {GENERIC + "blog_comments_pixnet_camping.html": 3,
           GENERIC + "wordpress_com_comments_diverse_contributors.html": 1}  # fmt: skip


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_extract_auto_finds_every_mention(fixtures_url, path):
    kind, count = EXPECTED[path]
    result = groundswell("extract", f"{fixtures_url}/{path}", "--kind", "auto", "--json")
    assert result.returncode == 0, result.stderr
    mentions = json_lines(result.stdout)
    assert len(mentions) == count
    for mention in mentions:
        assert mention["source_kind"] == kind
        assert mention["url"].startswith("http")
        assert (mention.get("body") or mention.get("title") or "").strip()
        if path not in NO_DATE and mention.get("published_at"):
            assert mention["published_at"].endswith("Z")
            datetime.fromisoformat(mention["published_at"].replace("Z", "+00:00"))
    if path not in NO_DATE:
        assert sum(not m.get("published_at") for m in mentions) == UNDATED.get(path, 0)
    if path not in NO_AUTHOR:
        assert sum(not m.get("author") for m in mentions) == DELETED_AUTHORS.get(path, 0)
    if kind in REVIEW_KINDS:
        assert all(m["kind"] == "review" and 0 <= m["rating"] <= 5 for m in mentions)
    # one id per distinct site id (discourse_latest.json's genericised sample repeats topic id 1)
    assert len({m["id"] for m in mentions}) == len({m["site_id"] or m["url"] for m in mentions})


def test_extract_pins_values_seen_by_eye(fixtures_url):
    result = groundswell(
        "extract",
        f"{fixtures_url}/review_api_json/itunes_rss_customerreviews_podcast_50.json",
        "--json",
    )
    first = json_lines(result.stdout)[0]
    assert (first["author"], first["title"], first["rating"]) == (
        "Human #6293839583",
        "Two Years",
        5.0,
    )
    assert first["published_at"] == "2022-03-03T02:05:59Z"
    hn = json_lines(
        groundswell(
            "extract", f"{fixtures_url}/forum_api_json/hn_algolia_items_17.json", "--json"
        ).stdout
    )
    assert hn[0]["author"] == "pg" and hn[0]["published_at"] == "2006-10-09T19:52:45Z"


def test_extract_summary_output_and_garbage(fixtures_url, replay):
    root, base = replay
    (root / "garbage.html").write_text("<html><body><div>not a review<<<</body>")
    bad = groundswell("extract", f"{base}/garbage.html", "--kind", "auto")
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1].startswith("Error: extract: ")
    assert "no parser recognised" in bad.stderr
    wrong_kind = groundswell(
        "extract", f"{fixtures_url}/feeds/reddit_frontpage_atom.xml", "--kind", "reddit"
    )
    assert wrong_kind.returncode == 1 and "does not look like a 'reddit'" in wrong_kind.stderr


def test_every_manifest_file_is_covered(fixtures_dir):
    listed = [
        line.split("\t")[0] for line in (fixtures_dir / "MANIFEST.tsv").read_text().splitlines()[1:]
    ]
    special = {"forum_api_json/stackexchange_error_400_bad_parameter.json",
               "review_html/yelp_biz_broadway_oyster_bar_mobile_redirect_variant_2025.html"}  # fmt: skip
    assert sorted(set(listed) - special) == sorted(EXPECTED)


def test_api_error_body_is_a_one_line_error(fixtures_url):
    url = f"{fixtures_url}/forum_api_json/stackexchange_error_400_bad_parameter.json"
    result = groundswell("extract", url, "--json")
    assert result.returncode == 1 and result.stdout == ""
    assert "malformed parameter" in result.stderr.strip().splitlines()[-1]


def test_page_without_rendered_reviews_says_so(fixtures_url):
    url = (
        f"{fixtures_url}/review_html/yelp_biz_broadway_oyster_bar_mobile_redirect_variant_2025.html"
    )
    result = groundswell("extract", url, "--kind", "auto")
    assert result.returncode == 0
    assert "no reviews rendered" in result.stderr and "0 mention(s)" in result.stderr
