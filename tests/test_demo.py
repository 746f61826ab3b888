"""`groundswell demo --no-serve`: the embedded default a new user runs first."""

from __future__ import annotations

import sqlite_utils

from tests.conftest import free_port, groundswell


def test_demo_stores_many_mentions_of_many_kinds_and_is_idempotent(tmp_path):
    db_path = tmp_path / "d.db"
    port = str(free_port())
    first = groundswell(
        "demo", "--no-serve", "--db", str(db_path), "--site-port", port, cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    db = sqlite_utils.Database(db_path)
    count = db["mentions"].count
    kinds = {row["source_kind"] for row in db.query("select distinct source_kind from mentions")}
    assert count >= 50
    assert len(kinds) >= 4
    assert db.execute("select count(*) from crawl_runs where status != 'ok'").fetchone()[0] == 0
    second = groundswell(
        "demo", "--no-serve", "--db", str(db_path), "--site-port", port, cwd=tmp_path
    )
    assert second.returncode == 0, second.stderr
    assert db["mentions"].count == count
    runs = list(
        db.query("select new, updated from crawl_runs order by id desc limit ?", [len(kinds)])
    )
    assert all(run["new"] == 0 and run["updated"] > 0 for run in runs)
    hostile = db.execute("select body from mentions where body like '%<script>%'").fetchone()
    assert hostile is not None  # stored as the text it is; Datasette escapes it


def test_demo_digest_tells_the_planted_story(tmp_path):
    """The demo plants a rise in performance complaints and a rating drop in the last full week;
    the digest built on the crawled and tagged demo data reports both."""
    from groundswell.demo import demo_config_path
    from pipeline.digest import build_digest

    db_path = tmp_path / "d.db"
    result = groundswell(
        "demo", "--no-serve", "--db", str(db_path), "--site-port", str(free_port()), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "tagged" in result.stdout
    from groundswell.config import load_config

    config = load_config(demo_config_path(db_path))
    digest = build_digest(sqlite_utils.Database(db_path), config)
    data = digest.data
    assert data.rating_change is not None and data.rating_change <= -0.5
    rising = {change.topic: change for change in data.topics_rising}
    assert "performance" in rising
    assert rising["performance"].count >= 2 * max(rising["performance"].previous, 1)
    assert data.cloud_words and digest.cloud_png
