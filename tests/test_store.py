from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlite_utils

import groundswell
from groundswell.crawl.pipelines.normalize import mention_id, to_utc_iso
from groundswell.crawl.pipelines.validate import checked_rating
from groundswell.store import ensure_db_shape, mark_thread_replies, open_db, save_mentions
from groundswell.store.schema import TABLES
from tests.conftest import mention


def schema_of(db) -> list[tuple]:
    return db.execute(
        "select type, name, tbl_name, sql from sqlite_master order by name"
    ).fetchall()


def test_ensure_db_shape_makes_the_whole_schema_once_and_uses_wal(tmp_path):
    db = sqlite_utils.Database(tmp_path / "g.db")
    ensure_db_shape(db)
    shaped = schema_of(db)
    ensure_db_shape(db)
    assert schema_of(db) == shaped  # idempotent: nothing dropped, added or rewritten
    assert set(TABLES) <= set(db.table_names())
    assert {"mentions_enriched", "alert_response_times", "crawl_health"} <= set(db.view_names())
    assert db.journal_mode == "wal"
    assert db["mentions"].detect_fts() == "mentions_fts"
    indexed = {tuple(index.columns) for index in db["mentions"].indexes}
    assert {("published_at",), ("source",), ("kind",)} <= indexed


SCHEMA_MODULES = {"schema.py", "denormalise.py", "views.py"}  # groundswell/store/
SCHEMA_CHANGES = re.compile(
    r"\.create\(|create_table|ensure_table\(|enable_fts|add_column|create_index|"
    r"create\s+(table|view|trigger|(unique\s+)?index)",
    re.IGNORECASE,
)


def test_only_the_store_schema_creates_tables():
    """No module creates a table, index, view or trigger on first use: one schema."""
    package = Path(groundswell.__file__).parent
    offenders = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if not (path.parent.name == "store" and path.name in SCHEMA_MODULES)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SCHEMA_CHANGES.search(line)
    ]
    assert offenders == []


def test_ensure_db_shape_adds_missing_columns_to_an_older_database(tmp_path):
    db = sqlite_utils.Database(tmp_path / "old.db")
    db["mentions"].create({"id": str, "body": str}, pk="id")
    ensure_db_shape(db)
    assert "sentiment_score" in db["mentions"].columns_dict


def test_save_twice_is_one_row_counted_as_updated(tmp_path):
    db = open_db(tmp_path / "g.db")
    first = save_mentions(db, [mention("a"), mention("b")])
    second = save_mentions(db, [mention("a"), mention("b")])
    assert (first.new, first.updated) == (2, 0)
    assert (second.new, second.updated) == (0, 2)
    assert db["mentions"].count == 2


def test_changed_text_clears_tags_but_keeps_first_seen(tmp_path):
    db = open_db(tmp_path / "g.db")
    save_mentions(db, [mention("a", fetched_at="2026-01-01T00:00:00Z")])
    db["mentions"].update("a", {"sentiment": "negative", "tagged_at": "2026-01-01T00:00:00Z"})
    save_mentions(db, [mention("a", fetched_at="2026-01-02T00:00:00Z")])
    assert db["mentions"].get("a")["tagged_at"] is not None  # same text: tags kept
    save_mentions(
        db, [mention("a", body="edited: support got back to me", fetched_at="2026-01-03T00:00:00Z")]
    )
    row = db["mentions"].get("a")
    assert row["tagged_at"] is None
    assert row["sentiment"] == "negative"  # the old tag stays visible until re-tagged
    assert row["first_seen_at"] == "2026-01-01T00:00:00Z"


def test_full_text_search_finds_saved_text(tmp_path):
    db = open_db(tmp_path / "g.db")
    save_mentions(db, [mention("a", body="The onboarding was painless"), mention("b")])
    hits = [r["id"] for r in db["mentions"].search("onboarding")]
    assert hits == ["a"]


def test_replies_mark_their_parent_answered_and_vendor_responded(tmp_path):
    db = open_db(tmp_path / "g.db")
    save_mentions(db, [
        mention("q", is_question=True), mention("r", parent_id="q", author="Acme_Support"),
        mention("q2", is_question=True), mention("r2", parent_id="q2", author="someone"),
    ])  # fmt: skip
    mark_thread_replies(db, "s", ["acme_support"])
    assert db["mentions"].get("q")["answered"] == 1
    assert db["mentions"].get("q")["vendor_responded"] == 1
    assert db["mentions"].get("q2")["answered"] == 1
    assert db["mentions"].get("q2")["vendor_responded"] is None


def test_dates_ratings_and_ids_normalise():
    assert to_utc_iso(0) == "1970-01-01T00:00:00Z"
    assert to_utc_iso("1456790400") == "2016-03-01T00:00:00Z"
    assert to_utc_iso("2022-03-02T18:05:59-07:00") == "2022-03-03T01:05:59Z"
    assert to_utc_iso("24 Aug 2020 04:27") == "2020-08-24T04:27:00Z"
    assert to_utc_iso(1_700_000_000_000) == "2023-11-14T22:13:20Z"  # milliseconds
    assert to_utc_iso(None) is None
    assert checked_rating(4, 5) == 4.0
    assert checked_rating("8", 10) == 4.0
    assert checked_rating(None, 5) is None
    assert mention_id("reddit", "t3_x", "http://a/1") == mention_id("reddit", "t3_x", "http://b/2")
    assert mention_id("reddit", None, "http://a/1?b=2&a=1") == mention_id(
        "reddit", None, "http://a/1?a=1&b=2"
    )
    assert mention_id("reddit", "t3_x", None) != mention_id("hackernews", "t3_x", None)


def test_runs_left_running_by_a_killed_crawl_are_closed(tmp_path):
    from groundswell.store import close_open_crawl_runs, start_crawl_run

    db = open_db(tmp_path / "g.db")
    start_crawl_run(db, "s")
    assert close_open_crawl_runs(db, "s", "interrupted", "stopped by signal 15") == 1
    assert [(r["status"], r["message"]) for r in db["crawl_runs"].rows] == [
        ("interrupted", "stopped by signal 15")
    ]
    assert (
        close_open_crawl_runs(db, "s", "error", "crawl timed out") == 0
    )  # none open: one recorded
    assert db.execute("select count(*) from crawl_runs where status = 'running'").fetchone()[0] == 0
    assert db["crawl_runs"].count == 2


def test_a_post_stored_twice_in_one_crawl_is_new_once_and_an_update_only_next_crawl(tmp_path):
    """The listing's copy of an opening post is stored before the thread page is fetched (so a
    kill keeps it); the thread page's copy of the same post is still one new mention."""
    from scrapy.statscollectors import DummyStatsCollector

    from groundswell.crawl.items import FrontierItem
    from groundswell.crawl.pipelines.store import StorePipeline
    from tests.conftest import mention

    class Stats(DummyStatsCollector):
        def __init__(self):
            self.values = {}

        def inc_value(self, key, count=1, start=0, spider=None):
            self.values[key] = self.values.get(key, start) + count

    def crawl(bodies):
        stats = Stats()
        pipeline = StorePipeline(str(tmp_path / "g.db"), stats)
        pipeline.open_spider()
        for body in bodies:
            pipeline.process_item(mention("op", body))
            listed = {"url": "http://127.0.0.1/t/1", "title": "t"}
            pipeline.process_item(FrontierItem(action="listed", source="s", rows=[listed]))
        pipeline.close_spider()
        return stats.values["groundswell/new"], stats.values["groundswell/updated"]

    assert crawl(["From the listing", "From the thread page, whole"]) == (1, 0)
    assert crawl(["From the thread page, edited"]) == (0, 1)


def test_a_transaction_writes_all_or_nothing_and_nests(tmp_path):
    """sqlite-utils 4 commits each write by itself unless a transaction is open (``with
    db.conn:`` opens none): ``transaction`` is one, seen by nobody else until it commits."""
    import sqlite3

    from groundswell.store.transaction import transaction

    db = open_db(tmp_path / "g.db")
    db["t"].insert({"id": 1}, pk="id")
    other = sqlite3.connect(tmp_path / "g.db")
    with pytest.raises(RuntimeError):
        with transaction(db):
            db["t"].insert({"id": 2})
            db["t"].update(1, {"id": 3})
            assert other.execute("select count(*) from t").fetchone()[0] == 1  # not yet
            raise RuntimeError("killed mid-batch")
    assert [row["id"] for row in db["t"].rows] == [1]
    with transaction(db):
        db["t"].insert({"id": 2})
        with pytest.raises(RuntimeError), transaction(db):  # nested: a savepoint
            db["t"].insert({"id": 4})
            raise RuntimeError("the inner part fails")
    assert sorted(row[0] for row in other.execute("select id from t")) == [1, 2]


def test_opening_a_database_in_shape_takes_no_write_lock(tmp_path):
    """Every command opens the database (``ensure_db_shape``): while another process holds a
    write transaction (a crawl storing a page), opening must not queue behind it."""
    import sqlite3
    import time

    open_db(tmp_path / "g.db")
    writer = sqlite3.connect(tmp_path / "g.db")
    writer.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    open_db(tmp_path / "g.db")  # "database is locked" after busy_timeout if it needed the lock
    assert time.monotonic() - started < 5
    writer.execute("ROLLBACK")
