"""No mention left behind (issue 15), on local sites: budgets that cannot starve threads, a
frontier that survives kill -9, timeouts and errors, per-item isolation, and a reason for
every stop."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlite_utils

from groundswell.config import ConfigError, load_config
from groundswell.crawl.frontier import CrawlFrontier
from groundswell.crawl.parsers import reddit, skipped_records
from groundswell.crawl.pipelines.validate import (
    INVALID_KEY,
    InvalidFieldError,
    checked_date,
    checked_flag,
    checked_rating,
    checked_url,
)
from groundswell.store import save_failed, save_fetched, save_listed, unfinished
from tests.conftest import groundswell
from tests.forum_site import Forum, serve, stored_ids

OLD = 40.0  # days: threads this old are quiet (recrawl_days is 7)


@pytest.fixture
def forum_server():
    """serve(forum) for the test, shut down after it."""
    servers = []

    def start(forum: Forum) -> str:
        server, base = serve(forum)
        servers.append(server)
        return base

    yield start
    for server in servers:
        server.shutdown()


def write_config(tmp_path: Path, sources: dict[str, str], extra: str = "") -> Path:
    """A config with one reddit-kind source per name -> url (other kinds as 'kind:url')."""
    retries = "" if "retries" in extra else "retries = 1"
    lines = ["[crawl]", "download_delay = 0.0", retries, "backoff_base = 0.1", extra, ""]
    for name, url in sources.items():
        kind, _, url = url.rpartition("|") if "|" in url else ("reddit", "", url)
        lines += ["[[source]]", f'name = "{name}"', f'kind = "{kind}"', f'url = "{url}"', ""]
    path = tmp_path / "groundswell.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def crawl_command(config: Path, db: Path, source: str = "forum") -> list[str]:
    return [sys.executable, "-m", "groundswell.crawl.run", "crawl", "--config", str(config),
            "--db", str(db), "--source", source]  # fmt: skip


def crawl(config: Path, db: Path, source: str = "forum") -> dict:
    """One crawl of ``source`` in its own process (as ``groundswell crawl`` runs it); its run."""
    subprocess.run(crawl_command(config, db, source), capture_output=True, timeout=300)
    return last_run(db, source)


def last_run(db: Path, source: str = "forum") -> dict:
    sql = "select * from crawl_runs where source = ? order by id desc limit 1"
    return next(sqlite_utils.Database(db).query(sql, [source]))


def frontier_states(db: Path) -> Counter:
    rows = sqlite_utils.Database(db).execute("select state from crawl_frontier").fetchall()
    return Counter(state for (state,) in rows)


def missing(forum: Forum, db: Path) -> tuple[set[str], set[str]]:
    posts, comments = stored_ids(sqlite_utils.Database(db))
    expected_posts, expected_comments = forum.expected()
    assert max([*posts.values(), *comments.values()], default=1) == 1  # nothing stored twice
    return expected_posts - set(posts), expected_comments - set(comments)


def wait_until(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except sqlite_utils.db.OperationalError:
            pass  # the crawl has not created its tables yet
        time.sleep(0.1)
    return False


# --------------------------------------------------------------------------- budgets


def test_default_budgets_fetch_a_100_post_listing_and_every_thread(tmp_path, forum_server):
    forum = Forum(posts=100, comments=5)
    config = write_config(tmp_path, {"forum": f"{forum_server(forum)}/new.json"})
    run = crawl(config, tmp_path / "g.db")
    assert (run["status"], run["pages"], run["new"], run["message"]) == ("ok", 101, 600, None)
    assert missing(forum, tmp_path / "g.db") == (set(), set())
    assert frontier_states(tmp_path / "g.db") == {"fetched": 100}


def test_a_thread_budget_cut_is_partial_and_the_next_crawls_finish_the_backlog(
    tmp_path, forum_server
):
    forum = Forum(posts=10, comments=2, newest_age_days=OLD)  # quiet threads
    base = forum_server(forum)
    config = write_config(tmp_path, {"forum": f"{base}/new.json"}, "max_thread_pages = 4")
    db = tmp_path / "g.db"
    runs = [crawl(config, db)]
    assert runs[0]["status"] == "partial"
    assert "max_thread_pages (4) reached: 6 threads left for the next crawl" in runs[0]["message"]
    assert frontier_states(db) == {"fetched": 4, "pending": 6}
    runs += [crawl(config, db), crawl(config, db)]
    assert [r["status"] for r in runs] == ["partial", "partial", "ok"]
    assert "2 threads left" in runs[1]["message"]
    assert missing(forum, db) == (set(), set())
    thread_hits = [n for path, n in forum.hits.items() if "/comments/" in path]
    assert thread_hits == [1] * 10  # each thread fetched once, none starved


def test_a_listing_budget_cut_continues_with_the_older_pages_next_crawl(tmp_path, forum_server):
    forum = Forum(posts=30, comments=0, per_page=10)
    base = forum_server(forum)
    config = write_config(tmp_path, {"forum": f"{base}/new.json"}, "max_listing_pages = 2")
    db = tmp_path / "g.db"
    first = crawl(config, db)
    assert first["status"] == "partial" and first["new"] == 20
    assert "max_listing_pages (2) reached: 1 listing page left" in first["message"]
    second = crawl(config, db)  # page 1 is all stored: paging stops, but page 3 was left over
    assert (second["status"], second["new"]) == ("ok", 10)
    assert missing(forum, db) == (set(), set())
    assert frontier_states(db) == {}  # finished listing pages leave the frontier


def test_unfinished_rows_come_back_oldest_first_and_fetched_ones_stay_done(db):
    save_listed(db, "s", [{"url": "http://x/new"}], now="2026-01-02T00:00:00Z")
    save_listed(db, "s", [{"url": "http://x/old"}, {"url": "http://x/done"}],
                now="2026-01-01T00:00:00Z")  # fmt: skip
    save_fetched(db, "s", [{"url": "http://x/done", "pages_seen": 2}])
    save_failed(db, "s", [{"url": "http://x/new", "error": "HTTP 500"}])
    assert [r["url"] for r in unfinished(db, "s")] == ["http://x/old", "http://x/new"]
    save_listed(db, "s", [{"url": "http://x/done", "listed_replies": 9}])  # listed again
    done = db["crawl_frontier"].get(("s", "http://x/done"))
    assert (done["state"], done["pages_seen"], done["listed_replies"]) == ("fetched", 2, 9)
    save_listed(db, "s", [{"url": "http://x/done", "pending": True, "requested": True}])
    assert db["crawl_frontier"].get(("s", "http://x/done"))["state"] == "pending"
    save_listed(db, "s", [{"url": "http://x/newest"}], now="2026-01-03T00:00:00Z")
    # never fetched first (oldest found first), then threads due again
    assert [r["url"] for r in unfinished(db, "s")] == [
        "http://x/old", "http://x/new", "http://x/newest", "http://x/done"]  # fmt: skip


def test_a_thread_is_done_only_when_every_page_of_it_is():
    frontier = CrawlFrontier.with_budgets({}, listing_pages=1, thread_pages=3)
    assert frontier.thread("http://x/t/1.json", replies=4).role == "thread"
    more = frontier.from_thread_page("http://x/t/1.json", ["http://x/t/1/p2", "http://x/t/1/p3"])
    assert [fetch.thread for fetch in more] == ["http://x/t/1.json"] * 2
    assert frontier.thread_page_done("http://x/t/1.json") is None  # two pages still out
    assert frontier.thread_page_done("http://x/t/1.json", error="HTTP 500") is None
    assert frontier.thread_page_done("http://x/t/1.json") == (
        "failed", {"url": "http://x/t/1.json", "kind": "thread", "state": "error",
                   "error": "HTTP 500"})  # fmt: skip
    frontier = CrawlFrontier.with_budgets({}, listing_pages=1, thread_pages=2)
    frontier.thread("http://x/t/2.json", replies=None)
    assert len(frontier.from_thread_page("http://x/t/2.json", ["http://x/a", "http://x/b"])) == 1
    frontier.thread_page_done("http://x/t/2.json")
    action, row = frontier.thread_page_done("http://x/t/2.json")
    assert (action, row["state"]) == ("failed", "pending")  # cut by the budget: not done
    frontier = CrawlFrontier.with_budgets({}, listing_pages=1, thread_pages=2)
    frontier.thread("http://x/t/3.json", replies=7)
    frontier.from_thread_page("http://x/t/3.json", ["http://x/c"])
    frontier.thread_page_done("http://x/t/3.json")
    assert frontier.thread_page_done("http://x/t/3.json") == (
        "fetched", {"url": "http://x/t/3.json", "kind": "thread", "pages_seen": 2,
                    "fetched_replies": 7})  # fmt: skip


def test_max_pages_still_works_as_the_listing_budget_with_a_warning(tmp_path, caplog):
    path = tmp_path / "g.toml"
    path.write_text('[crawl]\nmax_pages = 7\n[[source]]\nname = "a"\nkind = "reddit"\n'
                    'url = "http://127.0.0.1:9/new.json"\nmax_pages = 3\n')  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="groundswell.config"):
        config = load_config(path)
    assert (config.crawl.max_listing_pages, config.crawl.max_thread_pages) == (7, 300)
    assert config.source[0].max_listing_pages == 3
    assert f"{path}: crawl.max_pages: max_pages is deprecated" in caplog.text
    assert "source[0].max_pages" in caplog.text
    path.write_text("[crawl]\nmax_pages = 7\nmax_listing_pages = 5\n")
    with pytest.raises(ConfigError, match="crawl: .*remove max_pages"):
        load_config(path)


# --------------------------------------------------------------------------- the frontier


def test_kill_9_mid_crawl_leaves_threads_pending_and_the_next_crawl_fetches_them(
    tmp_path, forum_server
):
    forum = Forum(posts=12, comments=3, newest_age_days=OLD)  # quiet: never re-fetched
    forum.hang_after = 3  # the 4th thread request hangs until released
    config = write_config(tmp_path, {"forum": f"{forum_server(forum)}/new.json"})
    db = tmp_path / "g.db"
    process = subprocess.Popen(crawl_command(config, db), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        assert wait_until(lambda: frontier_states(db)["fetched"] == 3), "three threads fetched"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    posts, comments = stored_ids(sqlite_utils.Database(db))
    assert (len(posts), len(comments)) == (12, 9)  # every post, the replies of 3 threads
    assert frontier_states(db) == {"fetched": 3, "pending": 9}
    forum.hang_after = None
    forum.released.set()
    run = crawl(config, db)  # a normal incremental crawl
    assert run["status"] == "ok"
    assert missing(forum, db) == (set(), set())
    assert frontier_states(db) == {"fetched": 12}


def test_a_timeout_and_a_failed_thread_leave_their_threads_for_the_next_crawl(
    tmp_path, forum_server
):
    forum = Forum(posts=6, comments=2, newest_age_days=OLD)
    forum.failing = {forum.threads[1].post_id: 500}
    forum.hang_after = 3  # threads 1 and 3 answer, 2 fails, 4 hangs (fetched in listing order)
    config = write_config(tmp_path, {"forum": f"{forum_server(forum)}/new.json"},
                          "timeout = 15\nretries = 0")  # fmt: skip
    db = tmp_path / "g.db"
    result = groundswell("crawl", "--config", str(config), "--db", str(db))
    assert result.returncode != 0 and "timed out after 15s" in result.stderr
    run = last_run(db)
    assert run["status"] == "error"
    assert "timed out after 15s; 4 thread(s) or page(s) unfinished" in run["message"]
    assert frontier_states(db) == {"fetched": 2, "error": 1, "pending": 3}
    failed = sqlite_utils.Database(db).execute(
        "select last_error from crawl_frontier where state = 'error'").fetchone()  # fmt: skip
    assert failed == ("HTTP 500",)
    forum.failing, forum.hang_after = {}, None
    forum.released.set()
    result = groundswell("crawl", "--config", str(config), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert last_run(db)["status"] == "ok"
    assert missing(forum, db) == (set(), set())


# --------------------------------------------------------------------------- item isolation


def reddit_post(post_id: str, **fields) -> dict:
    data = {"id": post_id, "name": f"t3_{post_id}", "title": f"Acme helpdesk {post_id}",
            "selftext": "Acme lost our tickets", "author": "someone", "num_comments": 0,
            "created_utc": 1_700_000_000, "permalink": f"/r/acme/comments/{post_id}/x/", **fields}  # fmt: skip
    return {"kind": "t3", "data": data}


BAD_LISTING = {"kind": "Listing", "data": {"after": None, "children": [
    reddit_post("good"),
    reddit_post("feb31", created_utc="2023-02-31"),
    reddit_post("y3000", created_utc=32_503_680_000),
    reddit_post("y1970", created_utc=1),
    reddit_post("jsurl", permalink="", url="javascript:alert(1)"),
    {"kind": "t3", "data": "not an object"},
    reddit_post("intlink", permalink=12345),
]}}  # fmt: skip


def review_page(reviews: list[tuple[str, object, str]]) -> str:
    items = [{"@type": "Review", "@id": f"#r-{rid}", "author": {"@type": "Person", "name": rid},
              "datePublished": date, "reviewBody": f"Review {rid} of Acme",
              "reviewRating": {"@type": "Rating", "ratingValue": stars, "bestRating": 5}}
             for rid, stars, date in reviews]  # fmt: skip
    data = {"@context": "https://schema.org", "@type": "Product", "name": "Acme", "review": items}
    return (
        f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head></html>'
    )


def test_malformed_fields_are_nulled_counted_and_kept_raw_and_the_run_stays_ok(tmp_path, replay):
    root, base = replay
    (root / "new.json").write_text(json.dumps(BAD_LISTING))
    (root / "reviews.html").write_text(review_page([
        ("nan", "NaN", "2025-01-02"), ("inf", "Infinity", "2025-01-02"), ("seven", 7, "2025-01-02"),
        ("four", 4, "2025-01-02"), ("feb", 2, "2025-02-31")]))  # fmt: skip
    config = write_config(tmp_path, {"forum": f"{base}/new.json",
                                     "reviews": f"schema_org|{base}/reviews.html"})  # fmt: skip
    db_path = tmp_path / "g.db"
    result = groundswell("crawl", "--config", str(config), "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    db = sqlite_utils.Database(db_path)
    forum, reviews = last_run(db_path), last_run(db_path, "reviews")
    assert (forum["status"], forum["new"], forum["errors"]) == ("ok", 5, 0)
    assert "7 item problem(s) (published_at 3, record 2, thread_url 1, url 1;" in forum["message"]
    assert "published_at '2023-02-31': not a date (nulled)" in forum["message"]
    by_site = {row["site_id"]: row for row in db["mentions"].rows}
    assert by_site["t3_good"]["published_at"] == "2023-11-14T22:13:20Z"
    for site_id in ("t3_feb31", "t3_y3000", "t3_y1970"):
        assert by_site[site_id]["published_at"] is None
    raw = json.loads(by_site["t3_feb31"]["raw"])
    assert raw[INVALID_KEY]["published_at"] == {"value": "2023-02-31", "reason": "not a date"}
    assert json.loads(by_site["t3_y3000"]["raw"])[INVALID_KEY]["published_at"]["reason"] == (
        "more than a day in the future"
    )
    assert by_site["t3_jsurl"]["url"] is None and by_site["t3_jsurl"]["title"]
    assert not {"t3_intlink", None} & set(by_site)  # the unreadable records, and only they
    assert (reviews["status"], reviews["new"]) == ("ok", 5)
    assert "rating 3" in reviews["message"] and "published_at 1" in reviews["message"]
    ratings = {
        row["author"]: row["rating"] for row in db["mentions"].rows_where("source = 'reviews'")
    }
    assert ratings == {"nan": None, "inf": None, "seven": None, "four": 4.0, "feb": 2.0}


def test_one_unreadable_api_record_loses_that_record_not_the_page():
    with skipped_records() as skipped:
        mentions = reddit.parse(json.dumps(BAD_LISTING), "http://127.0.0.1:9/new.json")
    assert len(mentions) == 5 and len(skipped) == 2
    assert "t3 data is a str" in skipped[0]


@pytest.mark.parametrize(
    "value, expected",
    [("2023-02-31", "not a date"), (float("nan"), "not a date"), ("1994-12-31", "before 1995"),
     ("2999-01-01", "more than a day in the future"), (True, "not a date")],
)  # fmt: skip
def test_impossible_dates_are_rejected(value, expected):
    with pytest.raises(InvalidFieldError, match=expected):
        checked_date(value)


def test_ratings_must_be_finite_and_within_the_scale_and_urls_absolute_http():
    assert checked_rating("8", 10) == 4.0 and checked_rating(0, 5) == 0.0
    for rating, scale in (("NaN", 5), ("inf", 5), (-1, 5), (6, 5), (4, 0), (4, "x"), (True, 5)):
        with pytest.raises(InvalidFieldError):
            checked_rating(rating, scale)
    assert checked_url("https://example.com/a") == "https://example.com/a"
    for url in ("/r/acme/1", "javascript:alert(1)", "ftp://example.com/x", 42, "http://"):
        with pytest.raises(InvalidFieldError):
            checked_url(url)
    assert (checked_flag("false"), checked_flag(1), checked_flag(None)) == (False, True, None)
    with pytest.raises(InvalidFieldError):
        checked_flag("maybe")


# --------------------------------------------------------------------------- stops


LOGIN_PAGE = '<html><body><form><input type="password" name="pw"></form>Log in to continue</body></html>'  # fmt: skip
CAPTCHA_PAGE = "<html><body>Please verify you are human: captcha</body></html>"


def test_every_stop_names_its_reason_in_the_run_and_in_status(tmp_path, forum_server):
    forum = Forum(posts=3, comments=1)
    base = forum_server(forum)
    port = base.rsplit(":", 1)[1]
    forum.robots = "User-agent: *\nDisallow: /blocked/\nDisallow: /r/\n"
    forum.redirects["/moved.json"] = f"http://localhost:{port}/new.json"
    forum.pages.update({"/login.json": (401, "login"), "/wall.html": (200, LOGIN_PAGE),
                        "/captcha.html": (200, CAPTCHA_PAGE)})  # fmt: skip
    sources = {"moved": f"{base}/moved.json", "robots": f"{base}/blocked/new.json",
               "threads": f"{base}/new.json", "auth": f"{base}/login.json",
               "wall": f"schema_org|{base}/wall.html", "captcha": f"schema_org|{base}/captcha.html"}  # fmt: skip
    config = write_config(tmp_path, sources, "obey_robots = true")
    db = tmp_path / "g.db"
    groundswell("crawl", "--config", str(config), "--db", str(db))
    runs = {name: last_run(db, name) for name in sources}
    expected = {
        "moved": ("error", f"redirected off the source's host: {base}/moved.json -> "
                           f"http://localhost:{port}/new.json"),
        "robots": ("blocked", f"robots.txt disallows {base}/blocked/new.json"),
        "threads": ("partial", "3 linked pages not fetched | stopped: robots.txt disallows"),
        "auth": ("blocked", "HTTP 401 (blocked: the site asks for a login)"),
        "wall": ("blocked", "blocked: the site answered with a login page"),
        "captcha": ("blocked", "bot-protection or captcha page"),
    }  # fmt: skip
    for name, (status, reason) in expected.items():
        assert runs[name]["status"] == status, (name, runs[name])
        assert reason in runs[name]["message"], (name, runs[name]["message"])
    shown = groundswell("status", "--config", str(config), "--db", str(db)).stdout
    assert "redirected off the source's host" in shown and "robots.txt disallows" in shown
