"""`groundswell crawl` end to end against local servers: storage, idempotence, failures."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import ThreadingHTTPServer

import sqlite_utils

from groundswell.crawl.replay import ReplayHandler
from tests.conftest import groundswell, write_config


def crawl(tmp_path, sources, *names):
    config = write_config(tmp_path / "groundswell.toml", sources)
    db = tmp_path / "g.db"
    result = groundswell("crawl", *names, "--config", str(config), "--db", str(db))
    return result, sqlite_utils.Database(db)


def test_crawl_stores_once_and_second_crawl_adds_nothing(tmp_path, fixtures_dir, replay):
    root, base = replay
    for path in ("forum_api_json/reddit_search_r_all.json", "feeds/hackernews_frontpage_rss.xml"):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fixtures_dir / path, root / path)
    sources = [
        {
            "name": "reddit",
            "kind": "reddit",
            "url": f"{base}/forum_api_json/reddit_search_r_all.json",
        },
        {"name": "hn-rss", "kind": "feed", "url": f"{base}/feeds/hackernews_frontpage_rss.xml"},
    ]
    first, db = crawl(tmp_path, sources)
    assert first.returncode == 0, first.stderr
    assert db["mentions"].count == 36
    runs = list(db["crawl_runs"].rows)
    assert {(r["source"], r["status"], r["new"]) for r in runs} == {
        ("reddit", "ok", 6),
        ("hn-rss", "ok", 30),
    }
    second, db = crawl(tmp_path, sources)
    assert second.returncode == 0
    assert db["mentions"].count == 36
    latest = db.execute("select sum(new), sum(updated) from crawl_runs where id > 2").fetchone()
    assert latest == (0, 36)
    assert "reddit: ok" in second.stdout


class FaultyHandler(ReplayHandler):
    """Replays a folder, but answers some paths with an HTTP error."""

    faults: dict[str, int] = {}
    hits: dict[str, int] = {}

    def do_GET(self):  # noqa: N802
        path = self.path.split("?")[0]
        FaultyHandler.hits[path] = FaultyHandler.hits.get(path, 0) + 1
        if path in self.faults:
            self.send_response(self.faults[path])
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        super().do_GET()


def faulty_server(root, faults):
    handler = type("H", (FaultyHandler,), {"root": root, "faults": faults})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def reddit_listing(after: str | None, ids: list[str]) -> str:
    children = [{"kind": "t3", "data": {"id": i, "name": f"t3_{i}", "title": f"Post {i} about Acme",
                 "selftext": "Is Acme any good?", "author": "someone", "created_utc": 1700000000,
                 "permalink": f"/r/acme/comments/{i}/post/", "subreddit": "acme"}} for i in ids]  # fmt: skip
    return json.dumps({"kind": "Listing", "data": {"after": after, "children": children}})


def test_errors_are_recorded_and_what_was_stored_is_kept(tmp_path):
    root = tmp_path / "site"
    (root / "r").mkdir(parents=True)
    (root / "r" / "new.json").write_text(reddit_listing("t3_b", ["a", "b"]))
    (root / "garbage.html").write_text("<html><body>\x00\x01 not a page <<<")
    server, base = faulty_server(root, {"/r/broken.json": 500, "/r/limited.json": 429})
    sources = [
        {"name": "paged", "kind": "reddit", "url": f"{base}/r/new.json"},
        {"name": "broken", "kind": "reddit", "url": f"{base}/r/broken.json"},
        {"name": "limited", "kind": "reddit", "url": f"{base}/r/limited.json"},
        {"name": "garbage", "kind": "schema_org", "url": f"{base}/garbage.html"},
    ]
    (root / "r" / "new.json?after=t3_b&limit=100").write_text(
        "<html>oops</html>"
    )  # page 2 is garbage
    try:
        result, db = crawl(tmp_path, sources)
    finally:
        server.shutdown()
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("Error: ") and "HTTP 500" in last_line and "HTTP 429" in last_line
    runs = {r["source"]: r for r in db["crawl_runs"].rows}
    assert {name: runs[name]["status"] for name in runs} == {
        "paged": "error", "broken": "error", "limited": "error", "garbage": "error"}  # fmt: skip
    assert runs["paged"]["new"] == 2  # page 1 kept although page 2 failed
    assert "HTTP 500" in runs["broken"]["message"]
    assert "does not look like" in runs["garbage"]["message"]
    assert FaultyHandler.hits["/r/limited.json"] == 2  # retried once (retries = 1), then gave up
    assert db["mentions"].count == 2


def test_no_crawl_opens_scrapys_remote_control_port():
    """Scrapy 2.19 serves a Python-running HTTP port on localhost from every crawl unless told
    not to: stored crawls, printed crawls and fleet workers all leave it off."""
    from pathlib import Path

    from scrapy.utils.conf import build_component_list

    from groundswell.config import parse_config
    from groundswell.crawl.settings import settings_for
    from groundswell.scaleout.worker import worker_settings

    config = parse_config({}, Path("groundswell.toml"))
    for settings in (settings_for(config.crawl), settings_for(config.crawl, output="print"),
                     worker_settings(config, "redis://127.0.0.1:6379/0", "w1")):  # fmt: skip
        assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
        extensions = build_component_list(settings.getwithbase("EXTENSIONS"))
        assert not any("remote_control" in str(name) for name in extensions)
        assert settings.getbool("TELNETCONSOLE_ENABLED") is False


def test_a_crawl_does_not_import_aiohttp_for_the_remote_control_it_leaves_off():
    """Scrapy loads every key of EXTENSIONS to normalise it: naming RemoteControl there (even
    as None) imported aiohttp, 0.1 s on every crawl's and every fleet worker's start."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from scrapy.extension import ExtensionManager\n"
        "from groundswell.config import parse_config\n"
        "from groundswell.crawl.settings import settings_for\n"
        "from groundswell.scaleout.worker import worker_settings\n"
        "config = parse_config({}, Path('groundswell.toml'))\n"
        "for settings in (settings_for(config.crawl),\n"
        "                 worker_settings(config, 'redis://127.0.0.1:6379/0', 'w1')):\n"
        "    assert ExtensionManager._get_mwlist_from_settings(settings)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'aiohttp'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert result.stdout.strip() == "[]"
