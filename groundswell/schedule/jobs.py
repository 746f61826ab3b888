"""APScheduler jobs built from the config: crawl per source, tagging, alerts, weekly digest.

Each job is a plain function over (config path, db path). First runs are placed from the
persisted ``job_runs`` state: a job that ran recently waits out its interval, an overdue one
starts at a stable offset within a spread window, so a restart never fires everything at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from groundswell.config import INTERVAL_PATTERN, UNIT_SECONDS, Config
from groundswell.schedule.state import parse_utc

DEFAULT_SPREAD_SECONDS = 300


@dataclass
class JobSpec:
    job_id: str
    func: Callable
    kwargs: dict
    schedule: str
    period_seconds: int


def interval_seconds(schedule: str) -> int | None:
    match = INTERVAL_PATTERN.match(schedule)
    return int(match.group(1)) * UNIT_SECONDS[match.group(2)] if match else None


def period_of(schedule: str) -> int:
    """The expected seconds between runs (for health): the interval, or the cron's gap."""
    seconds = interval_seconds(schedule)
    if seconds is not None:
        return seconds
    trigger = CronTrigger.from_crontab(schedule, timezone=timezone.utc)
    first = trigger.get_next_fire_time(None, datetime.now(timezone.utc))
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    return int((second - first).total_seconds())


def stable_offset(job_id: str, window: float) -> float:
    digest = int(hashlib.sha1(job_id.encode()).hexdigest()[:8], 16)
    return (digest % 10_000) / 10_000 * window


def first_run_at(job_id: str, period: int, last_started: str | None, now: datetime,
                 spread: float = DEFAULT_SPREAD_SECONDS) -> datetime:  # fmt: skip
    """When an interval job should first fire after a (re)start."""
    due = (parse_utc(last_started) + timedelta(seconds=period)) if last_started else now
    window = min(period, spread)
    return max(due, now + timedelta(seconds=stable_offset(job_id, window)))


def trigger_for(spec: JobSpec, last_started: str | None, now: datetime):
    seconds = interval_seconds(spec.schedule)
    if seconds is None:
        return CronTrigger.from_crontab(spec.schedule, timezone=timezone.utc)
    start = first_run_at(spec.job_id, seconds, last_started, now)
    return IntervalTrigger(seconds=seconds, start_date=start, timezone=timezone.utc,
                           jitter=max(1, seconds // 20))  # fmt: skip


def digest_cron(config: Config) -> str:
    hour, minute = config.digest.time.split(":")
    return f"{int(minute)} {int(hour)} * * {config.digest.weekday}"


def build_job_specs(config: Config, config_path: str, db_path: str,
                    tasks: dict[str, Callable]) -> list[JobSpec]:  # fmt: skip
    """One crawl job per enabled source, then tagging, alerts, the digest, and the daily email
    of saved searches (at the digest's time of day)."""
    paths = {"config_path": config_path, "db_path": db_path}
    specs = [
        JobSpec(f"crawl:{s.name}", tasks["crawl"], {**paths, "source": s.name}, s.schedule,
                period_of(s.schedule))
        for s in config.source if s.enabled
    ]  # fmt: skip
    for name, schedule in (("tag", config.schedule.tag), ("alerts", config.schedule.alerts)):
        specs.append(JobSpec(name, tasks[name], paths, schedule, period_of(schedule)))
    cron = digest_cron(config)
    specs.append(JobSpec("digest", tasks["digest"], paths, cron, period_of(cron)))
    daily = searches_cron(config)
    specs.append(JobSpec("searches", tasks["searches"], paths, daily, period_of(daily)))
    return specs


def searches_cron(config: Config) -> str:
    """Every day at the digest's time: the saved searches' email."""
    hour, minute = config.digest.time.split(":")
    return f"{int(minute)} {int(hour)} * * *"
