"""Denormalised columns (groundswell/store/denormalise.py): filled by tagging, by the migration's
backfill, and kept right when a mention is re-tagged, re-dated, marked a duplicate or untagged;
the canned queries that read them answer as the join over mentions did."""

from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils

from groundswell.store import ensure_db_shape, open_db, save_mentions
from groundswell.store.denormalise import TAG_TABLES, ensure_denormalised
from groundswell.store.views import iso_week_sql
from groundswell.tagging.tagger import Tagger, tag_untagged
from groundswell.web.serve import load_metadata
from tests.conftest import mention
from tests.test_datasette_pages import MENTIONS, seeded_db
from tests.test_tagging import CONFIG, WordSentiment, WordTopics, seeded, tagger

QUERIES = load_metadata()["databases"]["groundswell"]["queries"]
COPIES = {"published_at": "published_at", "source": "source", "kind": "kind",
          "rating": "rating", "duplicate_of": "duplicate_of", "mention_sentiment": "sentiment"}  # fmt: skip


def iso_week(stamp: str) -> str:
    year, week, _ = datetime.fromisoformat(stamp.replace("Z", "+00:00")).isocalendar()
    return f"{year}-W{week:02d}"


def toward_monitor(row: str) -> str:
    """Toward a monitor the mention (``m``) passed over or preferred, the copied sentiment is
    its stance's (``row``: the ``mention_monitors`` row)."""
    return (f"case {row}.stance when 'passed_over' then 'negative' when 'preferred' then "
            "'positive' else m.sentiment end")  # fmt: skip


def stale_copies(db) -> list[tuple]:
    """Tag rows whose copies differ from their mention (empty when all are right)."""
    stale = []
    for table in TAG_TABLES:
        expected = {col: f"m.{col}" for col in COPIES.values()}
        if table == "mention_monitors":
            expected["sentiment"] = toward_monitor("t")
        differs = " or ".join(f"t.{copy} is not {expected[col]}" for copy, col in COPIES.items())
        sql = (f"select '{table}', t.mention_id from {table} t join mentions m on m.id = "
               f"t.mention_id where {differs} or t.week is not {iso_week_sql('m.published_at')}")  # fmt: skip
        stale += db.execute(sql).fetchall()
    return stale


def stale_lists(db) -> list[str]:
    """Mentions whose week, topics or monitors column differs from what they summarise."""
    stale = []
    for row in db.query("select id, published_at, week, topics, monitors from mentions"):
        topics = sorted(r[0] for r in db.execute(
            "select topic from mention_topics where mention_id = ?", [row["id"]]))  # fmt: skip
        monitors = sorted(r[0] for r in db.execute(
            "select monitor from mention_monitors where mention_id = ?", [row["id"]]))  # fmt: skip
        week = iso_week(row["published_at"]) if row["published_at"] else None
        if (
            row["week"],
            json.loads(row["topics"] or "[]"),
            json.loads(row["monitors"] or "[]"),
        ) != (week, topics, monitors):
            stale.append(row["id"])
    return stale


def test_tagging_fills_the_copies_and_the_lists(tmp_path):
    db = seeded(tmp_path)
    tag_untagged(db, tagger(db), batch_size=4)
    assert db["mention_topics"].count > 0 and db["mention_monitors"].count > 0
    assert stale_copies(db) == [] and stale_lists(db) == []
    slow = db["mention_topics"].get(("m1", "performance"))
    assert (slow["week"], slow["mention_sentiment"], slow["rating"]) == (
        "2026-W46",
        "negative",
        1.0,
    )
    assert db["mentions"].get("m3")["monitors"] == '["Acme","Zen"]'
    copy = db["mention_topics"].get(("m2", "performance"))
    assert copy["duplicate_of"] == "m1"  # dedupe ran in the same save_tags


class NegativeOnly(WordSentiment):
    def predict(self, texts):
        verdicts = super().predict(texts)
        for verdict in verdicts:
            verdict.label = "negative"
        return verdicts


def test_copies_stay_right_when_a_mention_changes(tmp_path):
    db = seeded(tmp_path)
    tag_untagged(db, tagger(db), batch_size=4)
    # re-tagged with another model: every mention it reads negative now (not m4, in German)
    db.execute("update mentions set tagged_at = null")
    db.conn.commit()
    tag_untagged(db, tagger(db, sentiment=NegativeOnly()), batch_size=3)
    copied = dict(db.execute("select mention_id || '/' || monitor, mention_sentiment "
                             "from mention_monitors"))  # fmt: skip
    # "Zenlytics is better than Acme": toward Zen positive whatever the mention reads
    assert copied.pop("m3/Zen") == "positive" and copied.pop("m3/Acme") == "negative"
    assert copied.pop("m4/Acme") is None and set(copied.values()) == {"negative"}
    # a re-crawl corrects a date (same text: not re-tagged); dedupe and retention re-point
    save_mentions(db, [mention("m3", "Zenlytics is better than Acme",
                               published_at="2025-12-29T10:00:00Z")])  # fmt: skip
    assert db["mention_monitors"].get(("m3", "Zen"))["week"] == "2026-W01"
    with db.conn:
        db.execute("update mentions set duplicate_of = 'm0' where id = 'm3'")
        db.execute("update mentions set duplicate_of = null where id = 'm2'")
    assert stale_copies(db) == [] and stale_lists(db) == []
    # tag rows removed or added outside tagging (monitor re-matching, a manual fix)
    with db.conn:
        db.execute("delete from mention_monitors where mention_id = 'm3' and monitor = 'Zen'")
        db["mention_topics"].insert({"mention_id": "m3", "topic": "billing", "score": 0.5})
    assert db["mentions"].get("m3")["monitors"] == '["Acme"]'
    assert db["mention_topics"].get(("m3", "billing"))["duplicate_of"] == "m0"
    assert stale_copies(db) == [] and stale_lists(db) == []


def older_database(path) -> sqlite_utils.Database:
    """A database as the previous version left it: no denormalised columns or triggers."""
    db = sqlite_utils.Database(path)
    db["mentions"].create({"id": str, "source": str, "kind": str, "published_at": str,
                           "rating": float, "sentiment": str, "duplicate_of": str}, pk="id")  # fmt: skip
    db["mention_topics"].create({"mention_id": str, "topic": str, "score": float,
                                 "sentiment": str}, pk=("mention_id", "topic"))  # fmt: skip
    db["mention_monitors"].create({"mention_id": str, "monitor": str, "competitor": int},
                                  pk=("mention_id", "monitor"))  # fmt: skip
    db["mentions"].insert_all([
        {"id": "a", "source": "g2", "kind": "review", "published_at": "2026-01-01T09:00:00Z",
         "rating": 2.0, "sentiment": "negative"},
        {"id": "b", "source": "reddit", "kind": "post", "published_at": "2026-03-15T23:59:59Z",
         "sentiment": "positive", "duplicate_of": "a"},
        {"id": "c", "source": "reddit", "kind": "post"},
    ])  # fmt: skip
    db["mention_topics"].insert_all([
        {"mention_id": "a", "topic": "support", "sentiment": "negative"},
        {"mention_id": "a", "topic": "billing", "sentiment": "negative"},
        {"mention_id": "b", "topic": "ui", "sentiment": "positive"},
    ])  # fmt: skip
    db["mention_monitors"].insert_all(
        [
            {"mention_id": "a", "monitor": "acme", "competitor": 0},
            {"mention_id": "b", "monitor": "globex", "competitor": 1},
        ]
    )
    return db


def test_the_backfill_migrates_an_older_database_once(tmp_path):
    db = older_database(tmp_path / "old.db")
    ensure_db_shape(db)
    assert stale_copies(db) == [] and stale_lists(db) == []
    assert db["mention_topics"].get(("a", "billing"))["week"] == "2026-W01"
    assert db["mention_monitors"].get(("b", "globex"))["duplicate_of"] == "a"
    assert db["mentions"].get("a")["topics"] == '["billing","support"]'
    assert db["mentions"].get("c")["topics"] == "[]" and db["mentions"].get("c")["week"] is None
    assert ensure_denormalised(db) is False  # up to date: nothing rewritten
    ensure_db_shape(db)
    assert stale_copies(db) == []


# --- the canned queries read the copies; they answer as the join over mentions did ---------

JOINED_TOPIC_TRENDS = f"""
select {iso_week_sql("m.published_at")} as week, t.topic, count(*) as mentions,
  sum(t.sentiment = 'positive') as positive, sum(t.sentiment = 'negative') as negative
from mentions m join mention_topics t on t.mention_id = m.id
where m.published_at >= date('now', 'weekday 0', '-6 days', '-' || ((:weeks - 1) * 7) || ' days')
  and m.duplicate_of is null
group by 1, 2
"""
JOINED_SHARE_OF_VOICE = f"""
select {iso_week_sql("m.published_at")} as week, mm.monitor, count(*) as mentions,
  sum({toward_monitor("mm")} = 'positive') as positive,
  sum({toward_monitor("mm")} = 'negative') as negative
from mentions m join mention_monitors mm on mm.mention_id = m.id
where m.published_at >= date('now', 'weekday 0', '-6 days', '-' || ((:weeks - 1) * 7) || ' days')
  and m.duplicate_of is null
group by 1, 2
"""
JOINED_ASPECTS = """
select t.topic, count(*), round(avg(m.rating), 2)
from mentions m join mention_topics t on t.mention_id = m.id
where m.published_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || :days || ' days')
  and m.duplicate_of is null
group by 1
"""


def test_canned_trends_match_the_join_over_mentions(tmp_path):
    db = open_db(seeded_db(tmp_path / "g.db"))
    with db.conn:  # a duplicate, to be left out
        db.execute("update mentions set duplicate_of = 'm6' where id = 'm7'")
    assert len(MENTIONS) > 10
    for weeks in ("2", "8"):
        trends = db.execute(QUERIES["topic_trends"]["sql"], {"weeks": weeks, "topic": ""})
        got = sorted(tuple(r[:5]) for r in trends)
        assert got and got == sorted(db.execute(JOINED_TOPIC_TRENDS, {"weeks": int(weeks)}))
        voice = db.execute(QUERIES["share_of_voice"]["sql"], {"weeks": weeks})
        got = sorted((r[0], r[1], r[3], r[5], r[6]) for r in voice)
        assert got and got == sorted(db.execute(JOINED_SHARE_OF_VOICE, {"weeks": int(weeks)}))
    aspects = db.execute(QUERIES["aspect_sentiment"]["sql"], {"days": "30", "source": ""})
    got = sorted((r[0], r[1], r[7]) for r in aspects)
    assert got and got == sorted(db.execute(JOINED_ASPECTS, {"days": 30}))


def test_a_bulk_load_without_triggers_is_filled_afterwards(tmp_path):
    from groundswell.store.denormalise import drop_triggers

    db = seeded(tmp_path)
    drop_triggers(db)
    tag_untagged(db, Tagger(CONFIG, WordSentiment(), WordTopics(), db=db), batch_size=4)
    assert stale_copies(db) != []  # nothing copied while the triggers were gone
    assert ensure_denormalised(db) is True
    assert stale_copies(db) == [] and stale_lists(db) == []


def test_the_sentiment_toward_a_monitor_follows_its_stance(tmp_path):
    """A mention that passed a monitor over is negative toward it, one that preferred it
    positive, whatever the mention reads; the copy follows when either changes."""
    db = seeded(tmp_path)
    tag_untagged(db, tagger(db), batch_size=4)

    def toward(monitor: str) -> str | None:
        return db["mention_monitors"].get(("m3", monitor))["mention_sentiment"]

    with db.conn:
        db.execute("update mentions set sentiment = 'neutral' where id = 'm3'")
    assert (toward("Zen"), toward("Acme")) == ("positive", "negative")  # "Zen is better than Acme"
    with db.conn:
        db.execute("update mention_monitors set stance = null where mention_id = 'm3'")
    assert (toward("Zen"), toward("Acme")) == ("neutral", "neutral")
    with db.conn:
        db.execute("update mention_monitors set stance = 'passed_over' where monitor = 'Zen'")
    assert toward("Zen") == "negative" and stale_copies(db) == []
