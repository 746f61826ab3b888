"""A crawl over a replay of every recorded page stores every mention once; a second adds none."""

from __future__ import annotations

import sqlite_utils

from tests.conftest import groundswell, write_config
from tests.test_extract_fixtures import EXPECTED, ISSUE_18_PAGES

# issue 18's pages are extracted one by one (test_extract_fixtures, test_generic_pages):
# crawling them here too would take this test past its time limit on a busy machine
CRAWLED = {path: value for path, value in EXPECTED.items() if path not in ISSUE_18_PAGES}


def test_crawling_every_fixture_twice_stores_each_mention_once(tmp_path, fixtures_url):
    sources = [
        {"name": f"f{i}", "kind": "auto", "url": f"{fixtures_url}/{path}"}
        for i, path in enumerate(sorted(CRAWLED))
    ]
    config = write_config(tmp_path / "g.toml", sources)
    db_path = tmp_path / "g.db"
    first = groundswell("crawl", "--config", str(config), "--db", str(db_path), timeout=900)
    assert first.returncode == 0, first.stderr[-2000:]
    db = sqlite_utils.Database(db_path)
    stored = db["mentions"].count
    # every extracted mention, less the ids the sites themselves repeat (the genericised
    # Discourse sample's topics share id 1; its topic page's first post is that topic too)
    assert stored >= sum(count for _, count in CRAWLED.values()) - 5
    assert db.execute("select count(*) from crawl_runs where status != 'ok'").fetchone()[0] == 0
    second = groundswell("crawl", "--config", str(config), "--db", str(db_path), timeout=900)
    assert second.returncode == 0, second.stderr[-2000:]
    assert db["mentions"].count == stored
    new_in_second = db.execute("select sum(new) from crawl_runs where id > ?", [len(sources)])
    assert new_in_second.fetchone()[0] == 0
