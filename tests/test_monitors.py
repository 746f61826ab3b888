from __future__ import annotations

import pytest

from groundswell.config import MonitorConfig
from groundswell.store import open_db
from groundswell.tagging.monitors import MonitorMatcher, save_monitor_matches
from groundswell.tagging.query import QueryError
from tests.conftest import mention

MONITORS = [
    MonitorConfig(name="acme-support", query='acme ("customer support" OR helpdesk) -hiring'),
    MonitorConfig(name="globex", query="globex OR site:globex.com", competitor=True),
    MonitorConfig(name="reviews-de", query="kind:review lang:de"),
]


BATCH = [
    mention("a", "Acme customer support never answers"),
    mention("b", "Acme is hiring customer support agents"),
    mention("c", "Moved from Globex to Acme, the helpdesk is better"),
    mention("d", "nothing relevant", url="https://blog.globex.com/post"),
    mention("e", "Sehr gut", kind="review", lang="de"),
    mention("f", "unrelated"),
]


def test_match_gives_a_row_per_mention_and_matching_monitor():
    rows = MonitorMatcher(MONITORS).match(BATCH)
    assert sorted((row["mention_id"], row["monitor"], row["competitor"]) for row in rows) == [
        ("a", "acme-support", 0),
        ("c", "acme-support", 0),
        ("c", "globex", 1),
        ("d", "globex", 1),
        ("e", "reviews-de", 0),
    ]
    assert all(type(row["competitor"]) is int for row in rows)


def test_no_monitors_and_empty_batches_give_no_rows():
    assert MonitorMatcher([]).match(BATCH) == []
    assert MonitorMatcher(MONITORS).match([]) == []


def test_a_bad_query_raises_query_error_naming_the_monitor():
    monitors = [*MONITORS, MonitorConfig(name="broken", query="acme AND (slow OR")]
    with pytest.raises(QueryError) as caught:
        MonitorMatcher(monitors)
    assert caught.value.monitor == "broken"
    assert str(caught.value).startswith("monitor 'broken': query:1:18: expected a term after 'OR'")


def test_monitor_names_must_be_unique():
    with pytest.raises(ValueError, match="repeated: globex"):
        MonitorMatcher([*MONITORS, MonitorConfig(name="globex", query="x")])


def stored(db) -> list[tuple]:
    sql = "select mention_id, monitor, competitor from mention_monitors order by 1, 2"
    return [tuple(row) for row in db.execute(sql).fetchall()]


def test_save_replaces_rows_of_the_given_mentions_and_is_idempotent(tmp_path):
    db = open_db(tmp_path / "g.db")
    matcher = MonitorMatcher(MONITORS)
    ids = [m["id"] for m in BATCH]
    rows = matcher.match(BATCH)
    save_monitor_matches(db, ids, rows)
    save_monitor_matches(db, ids, rows)
    assert len(stored(db)) == 5

    edited = [mention("a", "Acme is great"), mention("f", "acme helpdesk rocks")]
    save_monitor_matches(db, ["a", "f"], matcher.match(edited))
    assert stored(db) == [
        ("c", "acme-support", 0), ("c", "globex", 1), ("d", "globex", 1),
        ("e", "reviews-de", 0), ("f", "acme-support", 0),
    ]  # fmt: skip


def test_save_with_no_rows_clears_the_given_mentions_only(tmp_path):
    db = open_db(tmp_path / "g.db")
    save_monitor_matches(db, ["a", "c"], MonitorMatcher(MONITORS).match(BATCH[:3]))
    save_monitor_matches(db, ["c"], [])
    assert stored(db) == [("a", "acme-support", 0)]


def test_save_refuses_rows_of_other_mentions(tmp_path):
    db = open_db(tmp_path / "g.db")
    with pytest.raises(ValueError, match="not in mention_ids: c"):
        save_monitor_matches(db, ["a"], MonitorMatcher(MONITORS).match(BATCH[:3]))
    assert stored(db) == []
