"""Advocate alerts: rules, routing, real email (aiosmtpd) and webhooks (Apprise json://) on
127.0.0.1, escalation, responses, acknowledgements, the CLI and the Datasette query."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from groundswell.alerts.delivery import (
    default_channels,
    message_id,
    new_token,
    recording_channels,
)
from groundswell.alerts.messages import clean_text, iso, render_alert, safe_link
from groundswell.alerts.outbox import (
    acknowledge,
    alert_id,
    deliver_pending,
    escalate_overdue,
    evaluate_rules,
    mark_responded,
    run_alert_cycle,
)
from groundswell.cli.alerts import alerts as alerts_cli
from groundswell.config import ConfigError, load_config
from groundswell.store import finish_crawl_run, open_db, save_mentions, start_crawl_run
from tests.alert_receivers import SmtpSink, WebhookSink

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=timezone.utc)
SENDER = "alerts@groundswell.test"
HOSTILE = (
    "<script>alert(1)</script><img src=x onerror=alert(2)> \u202egnp.exe\u202c "
    "zero\u200bwidth\ufeff Z\u0335\u0336\u0337\u0338\u0321a\u0322\u0327lgo "
) + "never answered " * 200


# --- helpers ------------------------------------------------------------------------------


def ago(hours: float) -> str:
    return iso(NOW - timedelta(hours=hours))


def review(mention_id: str, rating: float | None = 1.0, hours: float = 2, **extra) -> dict:
    return {"id": mention_id, "source": "g2", "kind": "review", "author": f"a-{mention_id}",
            "url": f"http://127.0.0.1/r/{mention_id}", "title": f"Review {mention_id}",
            "body": "Support never answered my ticket.", "rating": rating,
            "published_at": ago(hours), "content_hash": f"h-{mention_id}", **extra}  # fmt: skip


def question(mention_id: str, hours: float = 30, **extra) -> dict:
    return {"id": mention_id, "source": "forum", "kind": "question", "is_question": 1,
            "author": "asker", "url": f"http://127.0.0.1/q/{mention_id}",
            "title": "How do I export tickets?", "body": "Is there an API for it?",
            "published_at": ago(hours), "content_hash": f"h-{mention_id}", **extra}  # fmt: skip


def tag(db, mention_id: str, sentiment=None, lang=None, topics=(), monitors=()) -> None:
    db["mentions"].update(mention_id, {"sentiment": sentiment, "lang": lang,
                                        "sentiment_score": -0.8 if sentiment else None})  # fmt: skip
    for topic in topics:
        db["mention_topics"].insert({"mention_id": mention_id, "topic": topic, "score": 0.9,
                                     "sentiment": sentiment}, replace=True)  # fmt: skip
    for monitor, competitor in monitors:
        db["mention_monitors"].insert({"mention_id": mention_id, "monitor": monitor,
                                       "competitor": competitor}, replace=True)  # fmt: skip


def make_config(tmp_path: Path, text: str, smtp_port: int = 9):
    path = tmp_path / "groundswell.toml"
    smtp = f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsender = "{SENDER}"\ntimeout = 5\n'
    path.write_text(smtp + text, encoding="utf-8")
    return load_config(path)


ALICE_BOB = """
[[advocate]]
name = "alice"
email = "alice@example.test"
escalate_to = "bob"

[[advocate]]
name = "bob"
email = "bob@example.test"
rules = ["unanswered_question"]
"""


def keys(db) -> set[tuple[str, str, str]]:
    return {(r["rule"], r["mention_id"], r["advocate"]) for r in db["alerts"].rows}


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def hook_sink():
    sink = WebhookSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "g.db")


# --- rules and routing --------------------------------------------------------------------


def test_default_rules_alert_negative_reviews_and_old_unanswered_questions(tmp_path, db):
    config = make_config(tmp_path, ALICE_BOB)
    save_mentions(db, [
        review("bad", rating=1), review("good", rating=5), review("meh", rating=3),
        review("old", rating=1, hours=24 * 30), review("dup", rating=1, duplicate_of="bad"),
        review("answered", rating=2, vendor_responded=1),
        question("q-old", hours=30), question("q-new", hours=2),
        question("q-answered", hours=30, answered=1),
    ])  # fmt: skip
    db["mentions"].update("dup", {"duplicate_of": "bad"})
    tag(db, "meh", sentiment="negative")
    new = evaluate_rules(db, config, NOW)
    assert keys(db) == {
        ("negative_review", "bad", "alice"),
        ("negative_review", "meh", "alice"),
        ("unanswered_question", "q-old", "alice"),
        ("unanswered_question", "q-old", "bob"),
    }
    assert len(new) == 4
    row = db["alerts"].get(alert_id("negative_review", "bad", "alice"))
    assert row["status"] == "pending" and row["due_at"] == iso(NOW + timedelta(hours=24))
    assert row["channel"] == "email:alice@example.test"


def test_evaluate_twice_adds_nothing_and_ids_are_stable(tmp_path, db):
    config = make_config(tmp_path, ALICE_BOB)
    save_mentions(db, [review("bad")])
    first = evaluate_rules(db, config, NOW)
    save_mentions(db, [review("bad")])  # re-crawled
    second = evaluate_rules(db, config, NOW + timedelta(hours=1))
    assert [a["id"] for a in first] == [alert_id("negative_review", "bad", "alice")]
    assert second == [] and db["alerts"].count == 1


def test_routing_by_monitor_source_topic_language_rating_sentiment(tmp_path, db):
    config = make_config(tmp_path, """
[[advocate]]
name = "billing-de"
email = "de@example.test"
topics = ["billing"]
languages = ["de"]

[[advocate]]
name = "g2-one-star"
email = "g2@example.test"
sources = ["g2"]
rating_max = 1

[[advocate]]
name = "acme-negative"
email = "acme@example.test"
monitors = ["Acme"]
sentiments = ["negative"]

[[advocate]]
name = "catch-all"
email = "all@example.test"
fallback = true
""")  # fmt: skip
    save_mentions(db, [
        review("de-billing", rating=2), review("one-star", rating=1),
        review("acme-neg", rating=4, source="capterra"), review("nobody", rating=2, source="x"),
    ])  # fmt: skip
    tag(db, "de-billing", lang="de", topics=["billing"])
    tag(db, "acme-neg", sentiment="negative", monitors=[("Acme", 0)])
    evaluate_rules(db, config, NOW)
    assert {(m, a) for _, m, a in keys(db)} == {
        ("de-billing", "billing-de"),
        ("one-star", "g2-one-star"),
        ("acme-neg", "acme-negative"),
        ("nobody", "catch-all"),  # matched no one's routing: the fallback advocate
    }


def test_vip_author_and_competitor_comparison_rules(tmp_path, db):
    config = make_config(tmp_path, """
[[advocate]]
name = "alice"
email = "alice@example.test"

[[alert_rule]]
kind = "vip_author"
authors = ["Big Customer"]
sla_hours = 2

[[alert_rule]]
kind = "competitor_comparison"
""")  # fmt: skip
    save_mentions(db, [
        review("vip", rating=5, author="big customer"), review("versus", rating=4),
        review("only-rival", rating=4),
    ])  # fmt: skip
    tag(db, "versus", monitors=[("Acme", 0), ("Zenlytics", 1)])
    tag(db, "only-rival", monitors=[("Zenlytics", 1)])
    evaluate_rules(db, config, NOW)
    assert keys(db) == {
        ("vip_author", "vip", "alice"),
        ("competitor_comparison", "versus", "alice"),
    }
    vip = db["alerts"].get(alert_id("vip_author", "vip", "alice"))
    assert vip["due_at"] == iso(NOW + timedelta(hours=2))


def daily_mentions(db, monitor: str, per_day: list[int], negative: bool = False) -> None:
    """per_day[0] mentions in the last 24 h, per_day[1] the day before, ..."""
    rows = []
    for day, count in enumerate(per_day):
        for n in range(count):
            mention_id = f"{monitor}-{day}-{n}"
            rows.append({"id": mention_id, "source": "reddit", "kind": "post",
                         "body": "acme", "published_at": ago(day * 24 + 1 + n * 0.1),
                         "rating": 1.0 if negative else None, "content_hash": mention_id})  # fmt: skip
    save_mentions(db, rows)
    for row in rows:
        tag(db, row["id"], monitors=[(monitor, 0)])


def test_volume_and_negativity_spikes_use_a_z_score_over_the_trailing_window(tmp_path, db):
    config = make_config(tmp_path, """
[[monitor]]
name = "Acme"
query = "acme"

[[monitor]]
name = "Calm"
query = "calm"

[[advocate]]
name = "alice"
email = "alice@example.test"

[[alert_rule]]
kind = "volume_spike"

[[alert_rule]]
kind = "negativity_spike"
monitors = ["Acme"]
""")  # fmt: skip
    usual = [3, 4, 2, 3, 5, 3, 4, 2, 3, 4, 3, 2, 4, 3]
    daily_mentions(db, "Acme", [25, *usual], negative=True)
    daily_mentions(db, "Calm", [5, *usual])
    new = evaluate_rules(db, config, NOW)
    assert {(a["rule"], a["mention_id"]) for a in new} == {
        ("volume_spike", "volume_spike:Acme@2026-03-05"),
        ("negativity_spike", "negativity_spike:Acme@2026-03-05"),
    }
    facts = json.loads(new[0]["details"])
    assert facts["count"] == 25 and facts["window_days"] == 14 and facts["z"] >= 3
    assert evaluate_rules(db, config, NOW + timedelta(hours=2)) == []  # once a day


def test_operator_alert_once_per_failing_incident(tmp_path, db):
    config = make_config(tmp_path, """
[[advocate]]
name = "ops"
email = "ops@example.test"
operator = true
rules = ["source_health"]

[[advocate]]
name = "alice"
email = "alice@example.test"
""")  # fmt: skip

    def crawl(status: str, message: str | None = None) -> None:
        finish_crawl_run(db, start_crawl_run(db, "reddit-acme"), status=status, message=message)

    crawl("ok")
    crawl("empty")
    assert evaluate_rules(db, config, NOW) == []  # one bad run is not an incident yet
    crawl("blocked", "HTTP 403")
    first = evaluate_rules(db, config, NOW)
    assert [(a["rule"], a["advocate"]) for a in first] == [("source_health", "ops")]
    crawl("error")
    assert evaluate_rules(db, config, NOW) == []  # same incident
    crawl("ok")
    crawl("error")
    crawl("empty")
    second = evaluate_rules(db, config, NOW)
    assert len(second) == 1 and second[0]["mention_id"] != first[0]["mention_id"]
    facts = json.loads(second[0]["details"])
    assert facts["statuses"] == ["empty", "error"]


# --- messages and channels ----------------------------------------------------------------


def test_clean_text_removes_bidi_zero_width_controls_and_truncates():
    text = clean_text("a\u202eb\u200bc\x00d\ud800e\u2066f" + "x" * 50, 20)
    assert text == "abcdef" + "x" * 13 + "…"
    assert clean_text("Z" + "\u0335" * 40, 10) == "Z\u0335\u0335"
    assert clean_text("line\u2028two\r\nthree", 50) == "line two three"
    assert safe_link("javascript:alert(1)") is None
    assert safe_link('http://127.0.0.1/"><script>') is not None  # escaped where it is used
    assert safe_link("http://127.0.0.1/a b") is None


def test_email_arrives_once_with_everything_escaped(tmp_path, db, smtp_sink):
    config = make_config(tmp_path, ALICE_BOB, smtp_sink.port)
    hostile_url = 'http://127.0.0.1/r/1?a="><script>alert(3)</script>'
    save_mentions(db, [review("evil", rating=1, title="<b>Bad</b>\u202e", body=HOSTILE,
                              url=hostile_url, hours=5)])  # fmt: skip
    tag(db, "evil", sentiment="negative", topics=["support", "billing"], monitors=[("Acme", 0)])
    evaluate_rules(db, config, NOW)
    report = deliver_pending(db, config, default_channels(config), NOW)
    deliver_pending(db, config, default_channels(config), NOW)  # nothing left to send
    assert smtp_sink.wait_for(1) and len(smtp_sink.mails) == 1
    mail = smtp_sink.mails[0]
    the_id = alert_id("negative_review", "evil", "alice")
    assert report.sent == [the_id]
    assert mail.recipients == ["alice@example.test"]
    assert (
        mail.message_id
        == message_id(the_id, SENDER)
        == f"<groundswell-alert-{the_id}@groundswell.test>"
    )
    html_part, text_part = mail.part("html"), mail.part("plain")
    assert "<script>" not in html_part and "<img" not in html_part and "<b>Bad" not in html_part
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_part
    assert "&quot;&gt;&lt;script&gt;alert(3)" in html_part  # the link's href is escaped too
    for odd in ("\u202e", "\u202c", "\u200b", "\ufeff"):
        assert (
            odd not in html_part
            and odd not in text_part
            and odd not in str(mail.message["Subject"])
        )
    assert "…" in text_part and len(text_part) < 2500  # long text truncated
    for expected in ("1/5", "negative (-0.80)", "billing (negative), support (negative)",
                     "Acme", "Waiting:", "5 h 0 min", "http://127.0.0.1/r/1"):  # fmt: skip
        assert expected in text_part, expected
    assert "1/5" in html_part and "5 h 0 min" in html_part
    row = db["alerts"].get(the_id)
    assert row["status"] == "sent" and row["sent_at"] == iso(NOW) and row["attempts"] == 1


def test_webhook_through_apprise_carries_the_idempotency_key(tmp_path, db, hook_sink, monkeypatch):
    monkeypatch.setenv("ACME_TEAM_HOOK", hook_sink.apprise_url("/alerts"))
    config = make_config(tmp_path, """
[[advocate]]
name = "team"
apprise_env = "ACME_TEAM_HOOK"
""")  # fmt: skip
    save_mentions(db, [review("bad", body=HOSTILE)])
    evaluate_rules(db, config, NOW)
    report = deliver_pending(db, config, default_channels(config), NOW)
    assert report.failed == []
    the_id = alert_id("negative_review", "bad", "team")
    assert [h.path for h in hook_sink.hooks] == ["/alerts"]
    hook = hook_sink.hooks[0]
    assert hook.headers["Idempotency-Key"] == the_id
    assert hook.payload["title"].startswith("[groundswell] Negative review (1★) on g2")
    assert "http://127.0.0.1/r/bad" in hook.payload["message"]
    assert "\u202e" not in hook.payload["message"]


def test_secret_urls_are_never_stored_and_a_missing_secret_is_named(tmp_path, db, monkeypatch):
    secret = "json://127.0.0.1:9/T0KEN-SECRET"
    monkeypatch.setenv("ACME_SLACK_URL", secret)
    config = make_config(tmp_path, """
[[advocate]]
name = "alice"
apprise_env = "ACME_SLACK_URL"
escalate_to = "env:ACME_LEADS_URL"
""")  # fmt: skip
    save_mentions(db, [review("bad")])
    evaluate_rules(db, config, NOW)
    deliver_pending(db, config, default_channels(config), NOW)  # port 9: refused
    monkeypatch.delenv("ACME_SLACK_URL")
    db["alerts"].update(alert_id("negative_review", "bad", "alice"), {"status": "pending"})
    report = deliver_pending(db, config, default_channels(config), NOW)
    assert report.failed[0][1] == "environment variable ACME_SLACK_URL is not set"
    dump = "\n".join(db.iterdump())
    assert "T0KEN-SECRET" not in dump
    assert db["advocates"].get("alice")["channels"] == "apprise_env:ACME_SLACK_URL"


def test_a_failed_channel_is_retried_alone_and_after_max_attempts_fails(
    tmp_path, db, smtp_sink, hook_sink, monkeypatch
):
    monkeypatch.setenv("HOOK", hook_sink.apprise_url())
    config = make_config(tmp_path, """
[alerts]
max_attempts = 2

[[advocate]]
name = "alice"
email = "alice@example.test"
apprise_env = "HOOK"
""", smtp_sink.port)  # fmt: skip
    save_mentions(db, [review("bad")])
    evaluate_rules(db, config, NOW)
    hook_sink.fail_next = 1
    first = deliver_pending(db, config, default_channels(config), NOW)
    the_id = alert_id("negative_review", "bad", "alice")
    row = db["alerts"].get(the_id)
    assert first.failed and row["status"] == "pending" and "HOOK" in row["last_error"]
    second = deliver_pending(db, config, default_channels(config), NOW)
    assert second.sent == [the_id]
    assert len(smtp_sink.mails) == 1 and len(hook_sink.hooks) == 1  # email was not resent
    save_mentions(db, [review("worse")])
    evaluate_rules(db, config, NOW)
    smtp_sink.refuse_next = 5
    for _ in range(3):
        deliver_pending(db, config, default_channels(config), NOW)
    failed = db["alerts"].get(alert_id("negative_review", "worse", "alice"))
    assert failed["status"] == "failed" and failed["attempts"] == 2
    assert "451" in failed["last_error"]


def test_a_live_claim_is_left_alone_and_a_dead_one_is_retried(tmp_path, db, smtp_sink):
    config = make_config(tmp_path, ALICE_BOB, smtp_sink.port)
    save_mentions(db, [review("bad")])
    evaluate_rules(db, config, NOW)
    the_id = alert_id("negative_review", "bad", "alice")
    live = new_token().rsplit(":", 2)
    live_token = f"{live[0]}:{os.getppid()}:abc"  # the test runner's parent: alive
    db["alerts"].update(the_id, {"status": "sending", "delivery_token": live_token,
                                 "claimed_at": iso(NOW)})  # fmt: skip
    assert deliver_pending(db, config, default_channels(config), NOW).sent == []
    later = NOW + timedelta(seconds=config.alerts.sending_lease_seconds)
    assert deliver_pending(db, config, default_channels(config), later).sent == [the_id]
    assert len(smtp_sink.mails) == 1


# --- escalation, responses, acknowledgements ----------------------------------------------


def test_overdue_alert_escalates_to_escalate_to(tmp_path, db, smtp_sink):
    config = make_config(tmp_path, ALICE_BOB, smtp_sink.port)
    save_mentions(db, [review("bad")])
    run_alert_cycle(db, config, default_channels(config), NOW)
    assert escalate_overdue(db, config, NOW + timedelta(hours=23)) == []
    later = NOW + timedelta(hours=25)
    report = run_alert_cycle(db, config, default_channels(config), later)
    original = db["alerts"].get(alert_id("negative_review", "bad", "alice"))
    assert original["status"] == "escalated" and original["escalated_at"] == iso(later)
    [escalation] = report.escalated
    assert escalation["advocate"] == "bob" and escalation["escalated_from"] == original["id"]
    assert [m.recipients for m in smtp_sink.mails] == [["alice@example.test"], ["bob@example.test"]]
    subject = str(smtp_sink.mails[1].message["Subject"])
    assert subject.startswith("[groundswell] ESCALATED Negative review")
    assert "alice did not respond within 24 h" in smtp_sink.mails[1].part("plain")
    assert escalate_overdue(db, config, later + timedelta(hours=100)) == []  # bob: no escalate_to


def test_acknowledged_alert_is_not_escalated(tmp_path, db):
    config = make_config(tmp_path, ALICE_BOB)
    save_mentions(db, [review("bad")])
    [alert] = evaluate_rules(db, config, NOW)
    acked = acknowledge(db, alert["id"][:6], NOW)
    assert acked["status"] == "acknowledged" and acked["acknowledged_at"] == iso(NOW)
    assert escalate_overdue(db, config, NOW + timedelta(days=3)) == []


def test_vendor_reply_on_recrawl_marks_alerts_responded_before_sending(tmp_path, db, smtp_sink):
    config = make_config(tmp_path, ALICE_BOB, smtp_sink.port)
    save_mentions(db, [review("bad"), review("sent-first"), question("q", hours=30)])
    run_alert_cycle(db, config, recording_channels(), NOW)  # sent-first etc. delivered
    save_mentions(db, [review("late", rating=1)])
    evaluate_rules(db, config, NOW)
    save_mentions(db, [
        review("late", rating=1, vendor_responded=1), review("sent-first", vendor_responded=1),
        question("q", hours=30, answered=1),
    ])  # fmt: skip
    report = run_alert_cycle(db, config, default_channels(config), NOW + timedelta(hours=1))
    statuses = {(r["mention_id"], r["advocate"]): r["status"] for r in db["alerts"].rows}
    assert statuses[("late", "alice")] == "responded"
    assert statuses[("sent-first", "alice")] == "responded"
    assert statuses[("q", "bob")] == "responded"
    assert statuses[("bad", "alice")] == "sent"
    assert report.responded == 4 and smtp_sink.mails == []  # "late" was never sent
    assert mark_responded(db, NOW) == 0


def test_rendered_message_shows_waiting_time_and_deadline(tmp_path, db):
    config = make_config(tmp_path, ALICE_BOB)
    save_mentions(db, [question("q", hours=30)])
    [alert, _] = evaluate_rules(db, config, NOW)
    message = render_alert(alert, NOW + timedelta(hours=30), config.alerts.body_chars)
    assert "Waiting:    2 d 12 h" in message.text
    assert "overdue by 6 h 0 min" in message.text
    assert message.subject.startswith("[groundswell] Unanswered question on forum")


def test_an_alert_says_when_the_models_do_not_read_the_mentions_language(tmp_path, db):
    """No sentiment was guessed for a question in Spanish: the alert says why it has none,
    not "not tagged"; a rated review in German shows the stars' sentiment, said to be theirs."""
    config = make_config(tmp_path, ALICE_BOB)
    save_mentions(db, [question("q", hours=30, title="¿Cómo exporto los tickets?"),
                       review("r", rating=1.0, body="Der Support antwortet nie.")])  # fmt: skip
    db["mentions"].update("q", {"lang": "es", "out_of_domain": 1, "tagged_at": iso(NOW)})
    db["mentions"].update("r", {"lang": "de", "out_of_domain": 1, "sentiment": "negative",
                                "tagged_at": iso(NOW)})  # fmt: skip
    texts = {a["mention_id"]: render_alert(a, NOW, config.alerts.body_chars).text
             for a in evaluate_rules(db, config, NOW)}  # fmt: skip
    assert "Sentiment:  not read (English-only models)" in texts["q"]
    assert "Sentiment:  negative, from the stars" in texts["r"]


def test_an_alert_says_which_product_a_customer_left_for_which(tmp_path, db):
    """A 1-star review that moves to a competitor: the alert names who was passed over."""
    config = make_config(tmp_path, ALICE_BOB)
    save_mentions(db, [review("r", rating=1.0, body="We are now trialing TicketTiger instead "
                                                     "of Acme. Support never answers.")])  # fmt: skip
    db["mention_monitors"].insert_all([
        {"mention_id": "r", "monitor": "Acme", "competitor": 0, "stance": "passed_over"},
        {"mention_id": "r", "monitor": "TicketTiger", "competitor": 1, "stance": "preferred"},
    ])  # fmt: skip
    [text] = [render_alert(a, NOW, config.alerts.body_chars).text
              for a in evaluate_rules(db, config, NOW)]  # fmt: skip
    assert "Monitors:   Acme (passed over), TicketTiger (competitor, preferred)" in text


# --- config -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[advocate]]\nname = "a"\nemail = "a@x.test"\nescalate_to = "nobody"\n',
         "advocate[0].escalate_to: expected an advocate name"),
        ('[[advocate]]\nname = "a"\napprise_env = "slack://T/B/C"\n',
         "advocate[0].apprise_env: Value error, expected environment variable names"),
        ('[[advocate]]\nname = "a"\n', "advocate[0]: needs email, apprise_env or apprise_file"),
        ('[[alert_rule]]\nkind = "vip_author"\n', "alert_rule[0]: Value error, a vip_author rule"),
        ('[[alert_rule]]\nkind = "negative_review"\nratng_max = 2\n',
         "alert_rule[0].ratng_max: unknown key"),
        ('[[advocate]]\nname = "a"\nemail = "a@x.test"\nrules = ["nope"]\n',
         "advocate[0].rules: no alert rule named 'nope'"),
    ],
)  # fmt: skip
def test_alert_config_errors_are_located(tmp_path, text, expected):
    with pytest.raises(ConfigError) as error:
        make_config(tmp_path, text)
    assert expected in str(error.value)
    assert str(tmp_path / "groundswell.toml") in str(error.value)


# --- CLI ----------------------------------------------------------------------------------


def write_cli_config(tmp_path: Path, smtp_port: int) -> Path:
    make_config(tmp_path, ALICE_BOB, smtp_port)
    return tmp_path / "groundswell.toml"


def test_cli_dry_run_prints_and_sends_and_records_nothing(tmp_path, smtp_sink):
    config = write_cli_config(tmp_path, smtp_sink.port)
    db_path = tmp_path / "g.db"
    save_mentions(open_db(db_path), [review("bad")])
    result = CliRunner().invoke(alerts_cli, ["--config", str(config), "--db", str(db_path),
                                             "--now", iso(NOW), "--dry-run"])  # fmt: skip
    assert result.exit_code == 0, result.output
    the_id = alert_id("negative_review", "bad", "alice")
    assert f"would send {the_id} to alice (rule negative_review: 1★; respond within 24h) " \
           "via email:alice" in result.output  # fmt: skip
    assert "dry run: nothing was sent or recorded" in result.output
    assert smtp_sink.mails == []
    with sqlite3.connect(db_path) as conn:
        written = [conn.execute(f"select count(*) from {t}").fetchone()[0]
                   for t in ("alerts", "alert_deliveries", "advocates")]  # fmt: skip
    assert written == [0, 0, 0]


def test_cli_cycle_then_list_then_ack(tmp_path, smtp_sink):
    config = write_cli_config(tmp_path, smtp_sink.port)
    db_path = tmp_path / "g.db"
    save_mentions(open_db(db_path), [review("bad")])
    runner = CliRunner()
    common = ["--config", str(config), "--db", str(db_path), "--now", iso(NOW)]
    first = runner.invoke(alerts_cli, common)
    assert first.exit_code == 0, first.output
    assert "new 1, escalated 0, sent 1, failed 0" in first.output
    again = runner.invoke(alerts_cli, common).output
    assert "sent 0, failed 0" in again and "nothing to send: nothing new: the 1 alert(s)" in again
    assert len(smtp_sink.mails) == 1
    the_id = alert_id("negative_review", "bad", "alice")
    listed = runner.invoke(alerts_cli, ["--db", str(db_path), "--now", iso(NOW), "list"])
    assert the_id in listed.output and "sent" in listed.output and "(in 1 d 0 h)" in listed.output
    acked = runner.invoke(alerts_cli, ["ack", the_id[:8], "--db", str(db_path)])
    assert acked.exit_code == 0 and f"{the_id}: acknowledged" in acked.output
    missing = runner.invoke(alerts_cli, ["ack", "ffffffff", "--db", str(db_path)])
    assert missing.exit_code == 1 and missing.output.count("\n") == 1
    assert "ffffffff: no alert has that id" in missing.output


def test_cli_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[advocate]]\nname = "a"\nemail = "a@x.test"\nescalate_to = "zed"\n')
    result = CliRunner().invoke(alerts_cli, ["--config", str(bad), "--db", str(tmp_path / "g.db")])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    config = write_cli_config(tmp_path, 9)  # nothing listens on port 9
    db_path = tmp_path / "g.db"
    save_mentions(open_db(db_path), [review("bad")])
    result = CliRunner().invoke(alerts_cli, ["--config", str(config), "--db", str(db_path),
                                             "--now", iso(NOW)])  # fmt: skip
    assert result.exit_code == 1
    assert "Error: 1 alert(s) not delivered; first:" in result.output
    no_db = CliRunner().invoke(alerts_cli, ["--config", str(config), "--db",
                                            str(tmp_path / "none.db"), "--dry-run"])  # fmt: skip
    assert no_db.exit_code == 2 and f"no database at {tmp_path / 'none.db'}" in no_db.output
    assert no_db.output.count("\n") == 1 and not (tmp_path / "none.db").exists()


# --- Datasette ----------------------------------------------------------------------------


def test_datasette_metadata_describes_alerts_and_needs_response_runs(tmp_path, db):
    metadata = json.loads((ROOT / "groundswell/web/metadata.json").read_text(encoding="utf-8"))
    database = metadata["databases"]["groundswell"]
    assert {"alerts", "advocates", "alert_deliveries"} <= set(database["tables"])
    config = make_config(tmp_path, ALICE_BOB)
    save_mentions(db, [review("bad", hours=2)])
    evaluate_rules(db, config, NOW - timedelta(hours=5))  # due 5 h before the question's
    save_mentions(db, [question("q", hours=30)])
    evaluate_rules(db, config, NOW)
    rows = [dict(r) for r in db.query(database["queries"]["needs_response"]["sql"])]
    assert [r["mention_id"] for r in rows] == ["bad", "q", "q"]
    assert rows[0]["hours_left"] < rows[1]["hours_left"]
    assert {"title", "url", "rating", "sentiment", "advocate", "status"} <= set(rows[0])


def test_secrets_file_and_team_channel_escalation(tmp_path, db, smtp_sink, hook_sink):
    secrets = tmp_path / "leads.urls"
    secrets.write_text(f"# the leads' webhook\n{hook_sink.apprise_url('/leads')}\n")
    config = make_config(tmp_path, f"""
[[advocate]]
name = "alice"
apprise_file = "{secrets}"
escalate_to = "leads@example.test"
""", smtp_sink.port)  # fmt: skip
    save_mentions(db, [review("bad")])
    run_alert_cycle(db, config, default_channels(config), NOW)
    assert [h.path for h in hook_sink.hooks] == ["/leads"]
    run_alert_cycle(db, config, default_channels(config), NOW + timedelta(hours=30))
    assert [m.recipients for m in smtp_sink.mails] == [["leads@example.test"]]
    team = db["alerts"].get(alert_id("escalation", "bad", "leads@example.test"))
    assert team["status"] == "sent" and team["channel"] == "email:leads@example.test"
    assert str(secrets) in db["advocates"].get("alice")["channels"]
