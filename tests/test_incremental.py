"""Incremental crawls against a local paginated Reddit-shaped site: paging stops where stored
mentions begin, recent threads are fetched again for new replies, ``--full`` crawls it all."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlite_utils

from groundswell.crawl.frontier import CrawlFrontier
from groundswell.crawl.incremental import IncrementalFilter, StoredMentions
from groundswell.crawl.parsers import discourse, hackernews, reddit, stackexchange
from groundswell.crawl.pipelines.normalize import mention_id
from groundswell.crawl.replay import ReplayHandler
from tests.conftest import groundswell, write_config

OLD = 1_700_000_000  # November 2023: a quiet thread
LISTING = "/r/acme/new.json"


class CountingHandler(ReplayHandler):
    """Replays a folder and counts the requests for each path (query included)."""

    hits: Counter

    def do_GET(self):
        self.hits[self.path] += 1
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def site(tmp_path: Path):
    """A served folder: (folder, base url, hits per requested path)."""
    root = tmp_path / "site"
    root.mkdir()
    hits: Counter = Counter()
    handler = type("H", (CountingHandler,), {"root": root, "hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def post(post_id: str, created: float, comments: int = 0) -> dict:
    return {"kind": "t3", "data": {
        "id": post_id, "name": f"t3_{post_id}", "title": f"Acme question {post_id}",
        "selftext": "How does Acme handle SLAs?", "author": "buyer", "created_utc": created,
        "permalink": f"/r/acme/comments/{post_id}/post/", "num_comments": comments}}  # fmt: skip


def listing(after: str | None, children: list[dict]) -> dict:
    return {"kind": "Listing", "data": {"after": after, "children": children}}


def write_listing(root: Path, posts: list[dict], per_page: int = 2) -> list[str]:
    """Newest-first pages of ``posts`` at /r/acme/new.json and its ``after`` pages; returns
    each page's request path."""
    paths, path = [], LISTING
    for start in range(0, len(posts), per_page):
        page = posts[start : start + per_page]
        after = page[-1]["data"]["name"] if start + per_page < len(posts) else None
        write(root, path, listing(after, page))
        paths.append(path)
        path = f"{LISTING}?after={after}&limit=100"
    return paths


def write(root: Path, path: str, data) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data), encoding="utf-8")


def write_thread(root: Path, opening: dict, replies: list[tuple[str, float]]) -> str:
    post_id = opening["data"]["id"]
    comments = [{"kind": "t1", "data": {
        "id": cid, "name": f"t1_{cid}", "body": f"Reply {cid}: it works", "author": "user",
        "created_utc": created, "parent_id": f"t3_{post_id}", "replies": "",
        "permalink": f"/r/acme/comments/{post_id}/post/{cid}/"}} for cid, created in replies]  # fmt: skip
    path = f"/r/acme/comments/{post_id}/post.json"
    write(root, path, [listing(None, [opening]), listing(None, comments)])
    return path


def crawl(tmp_path: Path, base: str, *flags: str):
    sources = [{"name": "reddit-acme", "kind": "reddit", "url": f"{base}{LISTING}"}]
    config = write_config(tmp_path / "groundswell.toml", sources, extra="obey_robots = false")
    db_path = tmp_path / "g.db"
    result = groundswell("crawl", *flags, "--config", str(config), "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    db = sqlite_utils.Database(db_path)
    last_run = "select pages, new, status, message from crawl_runs order by id desc limit 1"
    return next(db.query(last_run)), db


def test_second_crawl_stops_paging_where_stored_mentions_begin(tmp_path, site):
    root, base, hits = site
    posts = [post(p, OLD + n) for n, p in enumerate("fedcba")]
    pages = write_listing(root, posts)
    first, db = crawl(tmp_path, base)
    assert (first["pages"], first["new"], first["status"]) == (3, 6, "ok")
    assert [hits[p] for p in pages] == [1, 1, 1]

    second, db = crawl(tmp_path, base)
    assert (second["pages"], second["new"], second["status"]) == (1, 0, "ok")
    assert "stopped paging" in second["message"]
    assert [hits[p] for p in pages] == [2, 1, 1]  # page 1 only

    pages = write_listing(root, [post("g", OLD + 9), *posts])  # a new post on page 1
    third, db = crawl(tmp_path, base)
    assert (third["pages"], third["new"]) == (2, 1)  # page 2 holds only stored posts: stop
    assert db["mentions"].count == 7
    assert [hits[p] for p in pages] == [3, 1, 0, 0]

    full, db = crawl(tmp_path, base, "--full")
    assert (full["pages"], full["new"], full["message"]) == (4, 0, None)
    assert [hits[p] for p in pages] == [4, 2, 1, 1]


def test_recent_threads_are_fetched_again_for_new_replies_quiet_ones_are_not(tmp_path, site):
    root, base, hits = site
    day_ago = time.time() - 86_400
    recent, quiet = post("fresh", day_ago, comments=1), post("quiet", OLD, comments=1)
    write_listing(root, [recent, quiet])
    recent_thread = write_thread(root, recent, [("c1", day_ago)])
    quiet_thread = write_thread(root, quiet, [("q1", OLD + 60)])
    first, db = crawl(tmp_path, base)
    assert (first["pages"], first["new"]) == (3, 4)  # listing, two threads: 2 posts, 2 replies

    write_thread(root, recent, [("c1", day_ago), ("c2", time.time())])
    write_thread(root, quiet, [("q1", OLD + 60), ("q2", OLD + 120)])
    second, db = crawl(tmp_path, base)
    assert (second["pages"], second["new"]) == (2, 1)  # the listing and the recent thread
    assert (hits[recent_thread], hits[quiet_thread]) == (2, 1)
    assert "1 quiet thread(s) not fetched again" in second["message"]
    stored_sites = {row["site_id"] for row in db["mentions"].rows}
    assert "t1_c2" in stored_sites and "t1_q2" not in stored_sites
    assert (
        db["mentions"]
        .get(mention_id("reddit", "t1_c2", None))["thread_url"]
        .endswith("/r/acme/comments/fresh/post/")
    )

    full, db = crawl(tmp_path, base, "--full")
    assert (full["pages"], full["new"], hits[quiet_thread]) == (3, 1, 2)
    assert "t1_q2" in {row["site_id"] for row in db["mentions"].rows}


def topic_list(last_posted_at: str) -> str:
    topic = {"id": 7, "slug": "slas", "title": "SLAs?", "created_at": "2023-11-01T00:00:00Z",
             "last_posted_at": last_posted_at, "excerpt": "How do SLAs work?"}  # fmt: skip
    return json.dumps({"users": [], "topic_list": {"topics": [topic], "more_topics_url": "/latest?page=1"}})  # fmt: skip


class Stats(Counter):
    def inc_value(self, key, count=1):
        self[key] += count


def test_a_quiet_fetched_topic_is_fetched_again_when_the_listing_says_it_changed():
    site = "http://127.0.0.1:9"
    stored = StoredMentions(recent_since="2024-06-01T00:00:00Z")
    topic_id = mention_id("discourse", "t7", None)
    stored.add(topic_id, f"{site}/t/slas/7", "2023-11-02T00:00:00Z")
    topic_url = f"{site}/t/7.json"

    def followed(text, state="fetched"):
        stats = Stats()
        known = {topic_url: {"url": topic_url, "state": state, "fetched_replies": None}}
        frontier = CrawlFrontier.with_budgets(known, 10, 10, IncrementalFilter(stored, stats))
        url = f"{site}/latest.json"
        mentions, links = discourse.parse(text, url), discourse.follow_urls(text, url)
        fetches, _ = frontier.from_listing(discourse, text, url, mentions, links)
        return [fetch.url for fetch in fetches], stats

    urls, stats = followed(topic_list("2023-11-02T00:00:00Z"))
    assert urls == []  # quiet, and page all stored
    assert stats == {"groundswell/incremental_stop": 1, "groundswell/threads_quiet_skipped": 1}
    assert followed(topic_list("2024-01-05T10:00:00Z"))[0] == [topic_url]  # a new reply
    # a topic whose last fetch never finished is fetched, quiet or not
    urls, stats = followed(topic_list("2023-11-02T00:00:00Z"), state="pending")
    assert urls == [topic_url] and stats["groundswell/threads_resumed"] == 1


@pytest.mark.parametrize(
    "fixture, parser, newest_first, other_order",
    [
        ("forum_api_json/reddit_listing_new_100_posts.json", reddit,
         "https://www.reddit.com/r/technology/new.json",
         "https://www.reddit.com/r/technology/hot.json"),
        ("forum_api_json/hn_algolia_search_by_date_story_query_apple.json", hackernews,
         "https://hn.algolia.com/api/v1/search_by_date?query=apple",
         "https://hn.algolia.com/api/v1/search?query=apple"),
        ("forum_api_json/stackexchange_search_advanced_questions.json", stackexchange,
         "https://api.stackexchange.com/2.3/search/advanced?site=stackoverflow&q=git",
         "https://api.stackexchange.com/2.3/search/advanced?site=stackoverflow&q=git&sort=votes"),
    ],
)  # fmt: skip
def test_only_newest_first_listings_page_back_in_time(
    fixtures_dir, fixture, parser, newest_first, other_order
):
    text = (fixtures_dir / fixture).read_text(encoding="utf-8")
    older = parser.older_page_urls(text, newest_first)
    assert older and set(older) <= set(parser.follow_urls(text, newest_first))
    assert parser.older_page_urls(text, other_order) == []
