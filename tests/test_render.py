"""Sources with ``render = true``: a page whose reviews a script inserts, crawled through
headless Chromium (scrapy-playwright with the system's browser) and without it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlite_utils

from groundswell.config import ConfigError, load_config
from tests.conftest import groundswell, write_config

REVIEWS_BY_SCRIPT = """<!doctype html>
<html><head><meta charset="utf-8"><title>Acme Helpdesk reviews</title></head>
<body>
<h1>Acme Helpdesk</h1>
<div id="reviews">Loading reviews…</div>
<script>
const reviews = [
  {id: "r1", author: "Dana", stars: 2, date: "2025-01-05", text: "Support never answered my ticket."},
  {id: "r2", author: "Lee", stars: 5, date: "2025-01-07", text: "Setup took ten minutes, great docs."}
];
setTimeout(() => {
  document.getElementById("reviews").innerHTML = reviews.map(r => `
    <div id="${r.id}" itemscope itemtype="https://schema.org/Review">
      <span itemprop="author" itemscope itemtype="https://schema.org/Person">
        <span itemprop="name">${r.author}</span></span>
      <span itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">
        <meta itemprop="ratingValue" content="${r.stars}"><meta itemprop="bestRating" content="5">
      </span>
      <meta itemprop="datePublished" content="${r.date}">
      <p itemprop="reviewBody">${r.text}</p>
    </div>`).join("");
}, 300);
</script>
</body></html>
"""
REVIEW_SELECTOR = '[itemtype="https://schema.org/Review"]'


def crawl(tmp_path: Path, base: str, source: dict, extra: str = ""):
    config = write_config(tmp_path / f"{source['name']}.toml", [source], extra=extra)
    db_path = tmp_path / "g.db"
    result = groundswell("crawl", "--config", str(config), "--db", str(db_path))
    last_run = "select status, new, message from crawl_runs where source = ? order by id desc"
    return result, next(sqlite_utils.Database(db_path).query(last_run, [source["name"]]))


def serve_reviews_page(replay) -> str:
    root, base = replay
    (root / "reviews.html").write_text(REVIEWS_BY_SCRIPT, encoding="utf-8")
    return f"{base}/reviews.html"


@pytest.mark.browser
def test_reviews_inserted_by_a_script_are_stored_only_when_rendered(tmp_path, replay):
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (scripts/install-browser.sh installs it)")
    url = serve_reviews_page(replay)
    plain = {"name": "plain", "kind": "schema_org", "url": url}
    result, run = crawl(tmp_path, replay[1], plain)
    assert result.returncode == 0, result.stderr
    assert (run["status"], run["new"]) == ("empty", 0)
    assert "no reviews rendered" in run["message"] and "render = true" in run["message"]

    rendered = {**plain, "name": "rendered", "render": True, "render_wait_for": REVIEW_SELECTOR}
    result, run = crawl(tmp_path, replay[1], rendered)
    assert result.returncode == 0, result.stderr
    assert (run["status"], run["new"]) == ("ok", 2)
    db = sqlite_utils.Database(tmp_path / "g.db")
    stored = db.execute(
        "select author, rating, body from mentions where source = 'rendered' order by author"
    ).fetchall()
    assert stored == [("Dana", 2.0, "Support never answered my ticket."),
                      ("Lee", 5.0, "Setup took ten minutes, great docs.")]  # fmt: skip


def test_a_render_source_without_a_browser_fails_with_its_reason(tmp_path, replay):
    url = serve_reviews_page(replay)
    source = {"name": "rendered", "kind": "schema_org", "url": url, "render": True}
    missing = tmp_path / "no-such-chromium"
    result, run = crawl(tmp_path, replay[1], source, extra=f'browser_path = "{missing}"')
    assert result.returncode == 1
    assert run["status"] == "error" and f"no browser at {missing}" in run["message"]
    assert f"no browser at {missing}" in result.stderr


def test_render_wait_for_needs_render(tmp_path):
    source = {
        "name": "s",
        "kind": "schema_org",
        "url": "http://127.0.0.1:9/",
        "render_wait_for": "p",
    }
    config = write_config(tmp_path / "groundswell.toml", [source])
    with pytest.raises(ConfigError, match=r"source\[0\]: .*render_wait_for needs render = true"):
        load_config(config)
