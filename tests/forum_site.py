"""A local Reddit-shaped forum for crawl tests and ``bench/completeness.py``.

The posts are the real 100-post listing (tests/fixtures/forum_api_json/
reddit_listing_new_100_posts.json, from praw's test cassettes), re-dated to spread over the
last weeks, each with synthetic comments; served from memory on 127.0.0.1 as ``/new.json``
(newest first, ``after`` pages) and each post's thread JSON (``<permalink>.json``). Threads
can gain replies between crawls, answer slowly, hang until released, or fail.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

LISTING_FIXTURE = (
    Path(__file__).resolve().parent / "fixtures/forum_api_json/reddit_listing_new_100_posts.json"
)
LISTING_PATH = "/new.json"
THREAD_PATH = re.compile(r"/comments/(?P<post>[a-z0-9]+)/")
DAY = 86_400.0


@dataclass
class Thread:
    post: dict  # the listing's t3 data
    comments: list[dict] = field(default_factory=list)

    @property
    def post_id(self) -> str:
        return self.post["id"]

    def add_comment(self, created: float) -> dict:
        number = len(self.comments) + 1
        comment_id = f"{self.post_id}c{number}"
        comment = {
            "id": comment_id, "name": f"t1_{comment_id}", "author": f"user{number}",
            "body": f"Reply {number} to {self.post['title'][:40]}", "created_utc": created,
            "parent_id": self.post["name"], "replies": "",
            "permalink": f"{self.post['permalink'].rstrip('/')}/{comment_id}/",
        }  # fmt: skip
        self.comments.append(comment)
        self.post["num_comments"] = len(self.comments)
        return comment


def rename_post(post: dict, suffix: str) -> dict:
    """``post`` with ``suffix`` on its id (several forums with the same posts, distinct ids)."""
    if suffix:
        new_id = f"{post['id']}{suffix}"
        post["permalink"] = post["permalink"].replace(f"/{post['id']}/", f"/{new_id}/")
        post["id"], post["name"] = new_id, f"t3_{new_id}"
    return post


class Forum:
    """The forum's content and how it answers; ``serve(forum)`` puts it on 127.0.0.1."""

    def __init__(self, posts: int = 100, comments: int = 5, per_page: int = 100,
                 newest_age_days: float = 0.5, spread_days: float = 20.0,
                 now: float | None = None, id_suffix: str = "") -> None:  # fmt: skip
        now = now or time.time()
        listing = json.loads(LISTING_FIXTURE.read_text(encoding="utf-8"))
        originals = [child["data"] for child in listing["data"]["children"]][:posts]
        self.per_page = per_page
        self.threads: list[Thread] = []
        for index, original in enumerate(originals):  # newest first, like /new
            post = rename_post(copy.deepcopy(original), id_suffix)
            post["created_utc"] = now - (newest_age_days + spread_days * index / posts) * DAY
            post["num_comments"] = 0
            thread = Thread(post)
            for number in range(comments):
                thread.add_comment(post["created_utc"] + (number + 1) * 600)
            self.threads.append(thread)
        self.thread_delay = 0.0  # seconds before a thread answers
        self.page_delay = 0.0  # seconds before any page answers (a site far away)
        self.hang_after: int | None = None  # thread requests after this many wait for release
        self.released = threading.Event()
        self.failing: dict[str, int] = {}  # post id -> HTTP status
        self.redirects: dict[str, str] = {}  # path -> Location
        self.robots = ""  # robots.txt body ("" answers 404)
        self.pages: dict[str, tuple[int, str]] = {}  # path -> (status, HTML) answered as is
        self.hits: Counter = Counter()
        self.requests: Counter = Counter()  # path with query -> times asked
        self.arrivals: list[float] = []  # time.monotonic() of each request
        self.lock = threading.Lock()

    def thread(self, post_id: str) -> Thread | None:
        return next((t for t in self.threads if t.post_id == post_id), None)

    def add_replies(self, index: int, count: int, created: float | None = None) -> None:
        with self.lock:
            for _ in range(count):
                self.threads[index].add_comment(created or time.time())

    def expected(self) -> tuple[set[str], set[str]]:
        """The site ids of every post and every comment on the forum now."""
        with self.lock:
            posts = {t.post["name"] for t in self.threads}
            comments = {c["name"] for t in self.threads for c in t.comments}
        return posts, comments

    def listing(self, after: str | None) -> dict:
        with self.lock:
            names = [t.post["name"] for t in self.threads]
            start = names.index(after) + 1 if after in names else 0
            page = self.threads[start : start + self.per_page]
            more = start + self.per_page < len(self.threads)
            children = [{"kind": "t3", "data": copy.deepcopy(t.post)} for t in page]
        next_after = page[-1].post["name"] if page and more else None
        return {"kind": "Listing", "data": {"after": next_after, "children": children}}

    def thread_json(self, thread: Thread) -> list:
        with self.lock:
            post = copy.deepcopy(thread.post)
            comments = [{"kind": "t1", "data": dict(c)} for c in thread.comments]
        return [{"kind": "Listing", "data": {"after": None, "children": [{"kind": "t3", "data": post}]}},
                {"kind": "Listing", "data": {"after": None, "children": comments}}]  # fmt: skip


class ForumHandler(BaseHTTPRequestHandler):
    forum: Forum

    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        forum = self.forum
        forum.hits[parts.path] += 1
        forum.requests[self.path] += 1
        forum.arrivals.append(time.monotonic())
        if forum.page_delay:
            time.sleep(forum.page_delay)
        if parts.path in forum.redirects:
            return self.answer(302, b"", headers={"Location": forum.redirects[parts.path]})
        if parts.path in forum.pages:
            status, html = forum.pages[parts.path]
            return self.answer(status, html.encode(), {"Content-Type": "text/html"})
        if parts.path == "/robots.txt":
            return self.answer(200 if forum.robots else 404, forum.robots.encode())
        if parts.path == LISTING_PATH:
            after = parse_qs(parts.query).get("after", [None])[0]
            return self.answer_json(forum.listing(after))
        found = THREAD_PATH.search(parts.path)
        thread = forum.thread(found["post"]) if found else None
        if thread is None:
            return self.answer(404, b"not found")
        self.wait_for_thread()
        if thread.post_id in forum.failing:
            return self.answer(forum.failing[thread.post_id], b"failing")
        return self.answer_json(forum.thread_json(thread))

    def wait_for_thread(self) -> None:
        forum = self.forum
        with forum.lock:
            forum.hits["threads"] += 1
            served = forum.hits["threads"]
        if forum.hang_after is not None and served > forum.hang_after:
            forum.released.wait(120)
        if forum.thread_delay:
            time.sleep(forum.thread_delay)

    def answer_json(self, data) -> None:
        self.answer(200, json.dumps(data).encode(), {"Content-Type": "application/json"})

    def answer(self, status: int, body: bytes, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler was killed while it waited

    def log_message(self, *args):
        pass


def serve(forum: Forum, host: str = "127.0.0.1") -> tuple[ThreadingHTTPServer, str]:
    """Serve ``forum`` on a free port of ``host`` (a loopback address: 127.0.0.2 is another
    host to a crawler); returns (server, base url)."""
    handler = type("Handler", (ForumHandler,), {"forum": forum})
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"


def stored_ids(db) -> tuple[Counter, Counter]:
    """How many stored rows each post and comment site id has (source ``forum``)."""
    posts, comments = Counter(), Counter()
    for site_id, kind in db.execute("select site_id, kind from mentions").fetchall():
        (comments if kind == "comment" else posts)[site_id] += 1
    return posts, comments
