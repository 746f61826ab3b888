"""`groundswell extract URL --kind auto --json` over the real recorded pages (issue 2's list)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import groundswell, json_lines

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
}
LEGACY_SEARCH = "forum_api_json/discourse_search_legacy.json"  # titles and links only
NO_AUTHOR = {
    "feeds/google_alerts_atom_slack.xml",
    "feeds/hackernews_frontpage_rss.xml",
    LEGACY_SEARCH,
}
NO_DATE = {LEGACY_SEARCH}
# comments whose author the thread itself shows as "[deleted]"
DELETED_AUTHORS = {"forum_api_json/reddit_comments_thread_3hahrw.json": 16}


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
        if path not in NO_DATE:
            assert mention["published_at"].endswith("Z")
            datetime.fromisoformat(mention["published_at"].replace("Z", "+00:00"))
    if path not in NO_AUTHOR:
        assert sum(not m.get("author") for m in mentions) == DELETED_AUTHORS.get(path, 0)
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
