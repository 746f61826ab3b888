"""The inbox: which mentions need a response, and what people's actions write (who, when, once)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from groundswell.alerts.inbox import InboxError, act, needs_response
from groundswell.alerts.outbox import escalate_overdue, evaluate_rules
from groundswell.store import open_db, save_mentions
from groundswell.store.views import NEEDS_REPLY_REVIEW
from groundswell.web.serve import make_datasette
from tests.test_alerts import ALICE_BOB, NOW, make_config, question, review, tag
from tests.test_datasette_pages import seeded_db


def inbox_ids(db, **kwargs) -> list[str]:
    items, total = needs_response(db.conn, now=NOW, **kwargs)
    assert total == len(items)
    return [item["id"] for item in items]


@pytest.fixture
def mentions(db):
    save_mentions(db, [
        review("low", rating=1.0, hours=5),
        review("angry-3", rating=3.0, hours=4),  # tagged negative below: needs a reply
        review("angry-5", rating=5.0, hours=3),  # tagged negative: the model's mistake, not ours
        review("fine", rating=4.0, hours=2),
        review("complains-5", rating=5.0, hours=2),  # shown positive, the text complains
        review("answered", rating=1.0, hours=6, vendor_responded=1),
        review("copy", rating=1.0, hours=1),  # a copy of "low" (below)
        review("old", rating=1.0, hours=24 * 40),
        review("rival", rating=1.0, hours=7),  # about a competitor only
        question("q", hours=30),
        question("q-answered", hours=30, answered=1),
    ])  # fmt: skip
    db["mentions"].update("copy", {"duplicate_of": "low"})  # as dedupe marks it
    tag(db, "angry-3", "negative")
    tag(db, "angry-5", "negative")
    for mention_id, text_sentiment in (("fine", "positive"), ("complains-5", "negative")):
        tag(db, mention_id, "positive")  # the stars decide what is shown
        db["mentions"].update(
            mention_id,
            {
                "text_sentiment": text_sentiment,
                "sentiment_disagrees": int(text_sentiment != "positive"),
            },
        )
    for mention_id in ("low", "angry-3", "q"):
        tag(db, mention_id, db["mentions"].get(mention_id)["sentiment"], monitors=[("acme", 0)])
    tag(db, "rival", None, monitors=[("globex", 1)])
    return db


def test_needs_response_lists_low_ratings_negative_reviews_and_open_questions(mentions):
    assert inbox_ids(mentions) == ["q", "low", "angry-3", "complains-5"]  # most overdue first
    assert inbox_ids(mentions, order="newest") == ["complains-5", "angry-3", "low", "q"]
    assert inbox_ids(mentions, monitor="acme") == ["q", "low", "angry-3"]
    assert inbox_ids(mentions, monitor="globex") == ["rival"]  # asked for: shown
    assert "old" in inbox_ids(mentions, days=60)


def test_an_alert_brings_its_mention_in_and_gives_the_due_time(tmp_path, mentions):
    config = make_config(tmp_path, ALICE_BOB)
    evaluate_rules(mentions, config, NOW)
    items, _ = needs_response(mentions.conn, now=NOW)
    by_id = {item["id"]: item for item in items}
    assert "rival" in by_id  # the negative_review rule alerted: now it is someone's job
    assert by_id["low"]["alerts"] == 1
    assert by_id["low"]["due_at"] == by_id["low"]["alert_due_at"] is not None


def test_the_partial_index_serves_the_reviews_branch(mentions):
    plan = " ".join(row[3] for row in mentions.execute(
        f"explain query plan select id from mentions where {NEEDS_REPLY_REVIEW} "
        "and published_at >= '2026-01-01'"))  # fmt: skip
    assert "idx_mentions_needs_reply_2" in plan


def test_actions_write_who_and_when_and_a_repeated_form_does_nothing(mentions):
    first = act(mentions, "low", "assign", "dana", value="alice", nonce="n1", now=NOW)
    again = act(mentions, "low", "assign", "dana", value="alice", nonce="n1", now=NOW)
    same = act(mentions, "low", "assign", "sam", value="alice", nonce="n2", now=NOW)
    assert (first.done, again.done, again.repeated, same.done) == (True, False, True, False)
    state = mentions["inbox"].get("low")
    assert (state["assigned_to"], state["assigned_by"], state["assigned_at"]) == (
        "alice", "dana", "2026-03-05T12:00:00Z")  # fmt: skip
    actions = list(mentions.query("select action, value, who, at from inbox_actions"))
    assert actions == [{"action": "assign", "value": "alice", "who": "dana",
                        "at": "2026-03-05T12:00:00Z"}]  # fmt: skip
    assert inbox_ids(mentions, assigned="alice") == ["low"]


def test_snoozed_items_leave_the_inbox_until_their_time(mentions):
    act(mentions, "low", "snooze", "dana", value="4h", nonce="s1", now=NOW)
    assert "low" not in inbox_ids(mentions)
    assert inbox_ids(mentions, snoozed=True) == ["low"]
    later = needs_response(mentions.conn, now=NOW + timedelta(hours=5))[0]
    assert "low" in [item["id"] for item in later]
    act(mentions, "low", "unsnooze", "dana", nonce="s2", now=NOW)
    assert "low" in inbox_ids(mentions)
    with pytest.raises(InboxError, match="snooze for one of"):
        act(mentions, "low", "snooze", "dana", value="forever", now=NOW)


def test_acknowledge_stops_escalation_and_names_who(tmp_path, mentions):
    config = make_config(tmp_path, ALICE_BOB)
    evaluate_rules(mentions, config, NOW)
    result = act(mentions, "low", "acknowledge", "dana", nonce="a1", now=NOW)
    assert result.done and "1 alert(s)" in result.message
    alert = next(mentions.query("select * from alerts where mention_id = 'low'"))
    assert (alert["status"], alert["acknowledged_by"]) == ("acknowledged", "dana")
    escalated = escalate_overdue(mentions, config, NOW + timedelta(days=3))
    assert "low" not in {row["mention_id"] for row in escalated}
    assert not act(mentions, "low", "acknowledge", "dana", nonce="a2", now=NOW).done


def test_mark_responded_closes_the_alerts_through_the_outbox(tmp_path, mentions):
    config = make_config(tmp_path, ALICE_BOB)
    evaluate_rules(mentions, config, NOW)
    result = act(mentions, "low", "responded", "dana", nonce="r1", now=NOW)
    assert result.done
    assert mentions["mentions"].get("low")["vendor_responded"] == 1
    alert = next(mentions.query("select * from alerts where mention_id = 'low'"))
    assert (alert["status"], alert["responded_by"]) == ("responded", "dana")
    assert mentions["inbox"].get("low")["responded_by"] == "dana"
    assert "low" not in inbox_ids(mentions)
    assert not act(mentions, "low", "responded", "sam", nonce="r2", now=NOW).done
    assert mentions.execute("select count(*) from inbox_actions").fetchone()[0] == 1


def test_corrections_go_to_the_corrections_table(mentions):
    act(mentions, "angry-3", "correct", "dana", value="sentiment=positive", nonce="c1", now=NOW)
    act(mentions, "angry-3", "correct", "dana", value="topics=billing, support", nonce="c2",
        now=NOW)  # fmt: skip
    repeat = act(mentions, "angry-3", "correct", "dana", value="sentiment=positive", nonce="c3")
    assert not repeat.done  # the latest correction already says so
    rows = list(mentions.query("select field, old, new, who from corrections order by id"))
    assert rows == [
        {"field": "sentiment", "old": "negative", "new": "positive", "who": "dana"},
        {"field": "topics", "old": None, "new": '["billing", "support"]', "who": "dana"},
    ]
    assert mentions["mentions"].get("angry-3")["sentiment"] == "negative"  # the model's label
    with pytest.raises(InboxError, match="logged-in"):
        act(mentions, "low", "acknowledge", "")
    with pytest.raises(InboxError, match="no mention"):
        act(mentions, "nope", "acknowledge", "dana")


def inbox_page_with_review(tmp_path, key: str, rating: float, title: str, tags: dict) -> str:
    """The inbox page of a database holding one review published now, tagged with ``tags``."""
    db_path = seeded_db(tmp_path / "g.db")
    db = open_db(db_path)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    save_mentions(db, [{**review(key, rating=rating), "published_at": now, "title": title}])
    db["mentions"].update(key, tags)
    db.close()
    return asyncio.run(make_datasette(db_path).client.get("/-/groundswell/inbox")).text


def test_the_inbox_page_says_when_a_high_rating_hides_a_complaint(tmp_path):
    page = inbox_page_with_review(tmp_path, "five-but", 5.0, "Five stars, but exports keep failing",
                                  {"sentiment": "positive", "text_sentiment": "negative",
                                   "sentiment_disagrees": 1})  # fmt: skip
    assert "Five stars, but exports keep failing" in page
    assert "5★ but the text complains" in page


def test_the_inbox_says_when_the_models_do_not_read_a_language(tmp_path):
    page = inbox_page_with_review(tmp_path, "eins", 1.0, "Der Export bricht ständig ab",
                                  {"lang": "de", "out_of_domain": 1, "sentiment": "negative"})  # fmt: skip
    assert "Der Export bricht ständig ab" in page
    assert page.count('class="gs-lang"') == 1 and "de · not read: English-only models" in page


def test_an_empty_inbox_counts_what_waits_beyond_its_window(tmp_path):
    db = open_db(tmp_path / "g.db")
    save_mentions(db, [{**review("last-year", rating=1.0), "published_at": "2025-09-01T10:00:00Z"}])
    db.close()
    ds = make_datasette(tmp_path / "g.db")
    page = asyncio.run(ds.client.get("/-/groundswell/inbox")).text
    assert "Nothing needs a response" in page and "in the last 28 days" in page
    assert "1 older item(s) still have no reply, the newest from 2025-09-01" in page
    wider = asyncio.run(ds.client.get("/-/groundswell/inbox?days=3660")).text
    assert "Review last-year" in wider and "older item(s)" not in wider
