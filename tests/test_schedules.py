from __future__ import annotations

from datetime import datetime, timedelta, timezone

from groundswell.config import parse_config
from groundswell.schedule.jobs import (
    build_job_specs,
    digest_cron,
    first_run_at,
    period_of,
    trigger_for,
)
from groundswell.schedule.state import job_health, record_job_end, record_job_start
from groundswell.store import open_db

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def config(tmp_path):
    return parse_config({
        "source": [
            {"name": "a", "kind": "reddit", "url": "http://127.0.0.1:9/a.json", "schedule": "every 10m"},
            {"name": "b", "kind": "feed", "url": "http://127.0.0.1:9/b.xml", "schedule": "0 */6 * * *"},
            {"name": "off", "kind": "feed", "url": "http://127.0.0.1:9/c.xml", "enabled": False},
        ],
        "digest": {"weekday": "mon", "time": "07:30"},
    }, tmp_path / "g.toml")  # fmt: skip


def test_periods_of_intervals_and_crons():
    assert period_of("every 90s") == 90
    assert period_of("every 6h") == 21600
    assert period_of("0 */6 * * *") == 21600
    assert period_of("30 7 * * mon") == 7 * 86400


def test_job_specs_cover_enabled_sources_tag_alerts_and_digest(tmp_path):
    tasks = dict.fromkeys(("crawl", "tag", "alerts", "digest", "searches"), print)
    specs = build_job_specs(config(tmp_path), "g.toml", "g.db", tasks)
    assert [s.job_id for s in specs] == ["crawl:a", "crawl:b", "tag", "alerts", "digest",
                                         "searches"]  # fmt: skip
    assert specs[-1].schedule == "30 7 * * *"  # saved searches: daily at the digest's time
    assert specs[0].kwargs == {"config_path": "g.toml", "db_path": "g.db", "source": "a"}
    assert digest_cron(config(tmp_path)) == "30 7 * * mon"


def test_restart_waits_out_a_recent_run_and_spreads_overdue_jobs():
    recent = (NOW - timedelta(minutes=2)).isoformat()
    assert first_run_at("crawl:a", 600, recent, NOW) == NOW + timedelta(minutes=8)
    overdue = [first_run_at(f"crawl:{i}", 3600, "2026-01-01T00:00:00Z", NOW) for i in range(20)]
    offsets = sorted((t - NOW).total_seconds() for t in overdue)
    assert offsets[0] >= 0 and offsets[-1] <= 300  # all within the spread window
    assert len({round(o) for o in offsets}) > 10  # not all at once
    assert first_run_at("crawl:a", 600, None, NOW) == first_run_at("crawl:a", 600, None, NOW)


def test_interval_trigger_starts_at_first_run(tmp_path):
    tasks = dict.fromkeys(("crawl", "tag", "alerts", "digest", "searches"), print)
    spec = build_job_specs(config(tmp_path), "g.toml", "g.db", tasks)[0]
    recent = (NOW - timedelta(minutes=1)).isoformat()
    trigger = trigger_for(spec, recent, NOW)
    fire = trigger.get_next_fire_time(None, NOW)
    assert NOW + timedelta(minutes=9) <= fire <= NOW + timedelta(minutes=9, seconds=31)


def test_job_health_is_working_only_within_its_period(tmp_path):
    db = open_db(tmp_path / "g.db")
    record_job_start(db, "crawl:a", 600)
    record_job_end(db, "crawl:a", None)
    record_job_start(db, "crawl:b", 600)
    record_job_end(db, "crawl:b", "HTTP 500")
    health = {row["job_id"]: row for row in job_health(db)}
    assert health["crawl:a"]["working"] is True
    assert health["crawl:b"]["working"] is False and health["crawl:b"]["last_error"] == "HTTP 500"
    later = datetime.now(timezone.utc) + timedelta(hours=2)
    assert {row["job_id"]: row["working"] for row in job_health(db, later)}["crawl:a"] is False
