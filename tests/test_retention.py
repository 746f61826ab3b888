from __future__ import annotations

from datetime import datetime, timezone

import sqlite_utils
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.store import open_db, save_mentions


def seeded(path):
    db = open_db(path)
    save_mentions(db, [
        {"id": "old", "url": "u1", "body": "ancient news", "author": "Ann", "published_at": "2024-01-01T00:00:00Z", "content_hash": "a"},
        {"id": "new", "url": "u2", "body": "fresh news", "author": "bob", "published_at": "2026-11-20T00:00:00Z", "content_hash": "b"},
        {"id": "bob2", "url": "u3", "body": "more from Bob", "author": "Bob", "published_at": "2026-11-21T00:00:00Z", "content_hash": "c", "parent_id": "new"},
    ])  # fmt: skip
    db["mention_topics"].insert_all([{"mention_id": "old", "topic": "pricing", "score": 1.0},
                                     {"mention_id": "new", "topic": "support", "score": 1.0}])  # fmt: skip
    return db


def test_prune_deletes_old_mentions_and_their_tags(tmp_path):
    db = seeded(tmp_path / "g.db")
    from groundswell.store.retention import parse_age, prune_older_than

    now = datetime(2026, 11, 26, tzinfo=timezone.utc)
    assert prune_older_than(db, parse_age("400d"), now) == 1
    assert [r["id"] for r in db["mentions"].rows] == ["new", "bob2"]
    assert [r["mention_id"] for r in db["mention_topics"].rows] == ["new"]
    assert list(db["mentions"].search("ancient")) == []  # the FTS index follows


def test_forget_author_is_case_insensitive_and_complete(tmp_path):
    seeded(tmp_path / "g.db")
    result = CliRunner().invoke(
        cli, ["forget-author", "BOB", "--yes", "--db", str(tmp_path / "g.db")]
    )
    assert result.exit_code == 0, result.output
    assert "deleted 2 mention(s)" in result.output
    db = sqlite_utils.Database(tmp_path / "g.db")
    assert [r["id"] for r in db["mentions"].rows] == ["old"]
    assert db["mention_topics"].count == 1


def test_prune_cli_rejects_a_bad_age(tmp_path):
    result = CliRunner().invoke(
        cli, ["prune", "--older-than", "a year", "--db", str(tmp_path / "g.db")]
    )
    assert result.exit_code == 2 and "expected an age in days like 400d" in result.output


def test_backup_is_a_consistent_copy_and_never_overwrites(tmp_path):
    seeded(tmp_path / "g.db")
    target = tmp_path / "copy" / "g.db"
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["backup", str(target), "--db", str(tmp_path / "g.db")]).exit_code == 0
    )
    assert sqlite_utils.Database(target)["mentions"].count == 3
    again = runner.invoke(cli, ["backup", str(target), "--db", str(tmp_path / "g.db")])
    assert again.exit_code == 1 and "exists" in again.output
