"""Alert rules: which mentions (or monitors, or sources) need someone, and who that is.

``find_candidates(db, config, now)`` runs every configured ``[[alert_rule]]`` (or the default
pair, negative reviews and unanswered questions) plus the operator rule ``source_health``, and
returns ``Candidate``s; ``route(candidate, advocates)`` names the advocates that get each one.
Nothing here writes to the database.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlite_utils

from groundswell.alerts.messages import iso, parse_iso
from groundswell.config import AdvocateConfig, AlertRuleConfig, Config

MENTION_RULES = ("negative_review", "unanswered_question", "vip_author", "competitor_comparison")
SPIKE_RULES = ("volume_spike", "negativity_spike")
SOURCE_HEALTH = "source_health"
BAD_CRAWL_STATUSES = ("empty", "partial", "blocked", "error")
WHEN = "coalesce(m.published_at, m.first_seen_at)"
SQL_CHUNK = 500
FACT_COLUMNS = (
    "source", "kind", "url", "author", "title", "body", "rating", "published_at", "lang",
    "sentiment", "sentiment_score", "out_of_domain",
)  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """A rule with its defaults filled in from ``[alerts]``."""

    name: str
    kind: str
    sla_hours: float
    config: AlertRuleConfig | None = None


@dataclass
class Candidate:
    """Something a rule found: ``subject`` is a mention id, or a monitor/source incident key."""

    rule: Rule
    subject: str
    facts: dict
    monitors: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


# --- rules --------------------------------------------------------------------------------


def configured_rules(config: Config) -> list[Rule]:
    """The ``[[alert_rule]]`` list, or negative reviews + unanswered questions when empty."""
    rule_configs = config.alert_rule or [
        AlertRuleConfig(kind="negative_review"),
        AlertRuleConfig(kind="unanswered_question"),
    ]
    default_sla = config.alerts.sla_hours
    return [Rule(r.rule_name, r.kind, r.sla_hours or default_sla, r) for r in rule_configs]


def operator_rule(config: Config) -> Rule:
    return Rule(SOURCE_HEALTH, SOURCE_HEALTH, config.alerts.sla_hours)


def find_candidates(db: sqlite_utils.Database, config: Config, now: datetime) -> list[Candidate]:
    candidates: list[Candidate] = []
    for rule in configured_rules(config):
        if rule.kind in MENTION_RULES:
            candidates += mention_candidates(db, config, rule, now)
        else:
            candidates += spike_candidates(db, config, rule, now)
    candidates += source_health_candidates(db, config, operator_rule(config))
    return candidates


# --- mention rules ------------------------------------------------------------------------


def mention_candidates(
    db: sqlite_utils.Database, config: Config, rule: Rule, now: datetime
) -> list[Candidate]:
    where, params = rule_condition(config, rule, now)
    where, params = add_monitor_filter(where, params, rule)
    sql = f"select m.* from mentions m where m.duplicate_of is null and {where} order by {WHEN}"
    mentions = [dict(row) for row in db.query(sql, params)]
    candidates = with_tags(db, rule, mentions)
    if rule.kind == "unanswered_question" and rule.config and rule.config.suggest_experts:
        add_experts(db, candidates)
    return candidates


def add_experts(db: sqlite_utils.Database, candidates: list[Candidate]) -> None:
    """ "Who could answer": the people who answered similar questions (groundswell.community)."""
    from groundswell.community.experts import experts_of

    found = experts_of(db, [c.subject for c in candidates])
    for candidate in candidates:
        candidate.facts["who_could_answer"] = found.get(candidate.subject, [])


def rule_condition(config: Config, rule: Rule, now: datetime) -> tuple[str, dict]:
    settings = rule.config or AlertRuleConfig(kind=rule.kind)
    since = iso(now - timedelta(days=config.alerts.max_age_days))
    params: dict = {"since": since}
    recent = f"{WHEN} >= :since"
    not_answered_by_vendor = "coalesce(m.vendor_responded, 0) = 0"
    if rule.kind == "negative_review":
        params["rating_max"] = (
            settings.rating_max
            if settings.rating_max is not None
            else config.alerts.negative_rating_max
        )
        params["by_sentiment"] = int(settings.negative_sentiment)
        negative = "(m.rating <= :rating_max or (:by_sentiment and m.sentiment = 'negative'))"
        return f"m.kind = 'review' and {negative} and {not_answered_by_vendor} and {recent}", params
    if rule.kind == "unanswered_question":
        hours = settings.after_hours
        hours = config.alerts.unanswered_after_hours if hours is None else hours
        older_than = now - timedelta(hours=hours)
        params["older_than"] = iso(older_than)
        params["since"] = iso(older_than - timedelta(days=config.alerts.max_age_days))
        question = "(m.is_question = 1 or m.kind = 'question')"
        return (
            f"{question} and coalesce(m.answered, 0) = 0 and {not_answered_by_vendor} "
            f"and {WHEN} <= :older_than and {recent}",
            params,
        )
    if rule.kind == "vip_author":
        names = {f"vip{i}": a.lower() for i, a in enumerate(settings.authors)}
        params.update(names)
        marks = ", ".join(f":{key}" for key in names)
        return f"lower(m.author) in ({marks}) and {recent}", params
    if rule.kind == "competitor_comparison":
        brand = "exists (select 1 from mention_monitors b where b.mention_id = m.id and coalesce(b.competitor, 0) = 0)"
        rival = "exists (select 1 from mention_monitors c where c.mention_id = m.id and c.competitor = 1)"
        return f"{brand} and {rival} and {recent}", params
    raise ValueError(f"not a mention rule: {rule.kind}")


def add_monitor_filter(where: str, params: dict, rule: Rule) -> tuple[str, dict]:
    monitors = rule.config.monitors if rule.config else []
    if not monitors:
        return where, params
    names = {f"monitor{i}": name for i, name in enumerate(monitors)}
    marks = ", ".join(f":{key}" for key in names)
    condition = (
        "exists (select 1 from mention_monitors f where f.mention_id = m.id "
        f"and f.monitor in ({marks}))"
    )
    return f"{where} and {condition}", {**params, **names}


def with_tags(db: sqlite_utils.Database, rule: Rule, mentions: list[dict]) -> list[Candidate]:
    ids = [m["id"] for m in mentions]
    topics = rows_by_mention(db, "select mention_id, topic, sentiment from mention_topics", ids)
    monitors = rows_by_mention(
        db, "select mention_id, monitor, competitor, stance from mention_monitors", ids
    )
    return [mention_candidate(rule, m, topics[m["id"]], monitors[m["id"]]) for m in mentions]


def rows_by_mention(db: sqlite_utils.Database, select: str, ids: list[str]) -> dict[str, list]:
    found: dict[str, list] = defaultdict(list)
    for start in range(0, len(ids), SQL_CHUNK):
        chunk = ids[start : start + SQL_CHUNK]
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"{select} where mention_id in ({marks}) order by 1, 2", chunk):
            found[row["mention_id"]].append(row)
    return found


def mention_candidate(rule: Rule, mention: dict, topics: list, monitors: list) -> Candidate:
    facts = {key: mention.get(key) for key in FACT_COLUMNS}
    facts["mention_kind"] = facts.pop("kind")
    facts["since"] = mention.get("published_at") or mention.get("first_seen_at")
    facts["topics"] = [{"topic": t["topic"], "sentiment": t["sentiment"]} for t in topics]
    facts["monitors"] = [
        {"monitor": m["monitor"], "competitor": bool(m["competitor"]), "stance": m["stance"]}
        for m in monitors
    ]
    return Candidate(
        rule=rule,
        subject=mention["id"],
        facts=facts,
        monitors=[m["monitor"] for m in monitors],
        topics=[t["topic"] for t in topics],
    )


# --- spikes -------------------------------------------------------------------------------


def spike_candidates(
    db: sqlite_utils.Database, config: Config, rule: Rule, now: datetime
) -> list[Candidate]:
    settings = rule.config or AlertRuleConfig(kind=rule.kind)
    monitors = settings.monitors or [m.name for m in config.monitor]
    negative = rule.kind == "negativity_spike"
    found = []
    for monitor in monitors:
        counts = daily_counts(db, monitor, now, settings.window_days, negative, config)
        spike = spike_facts(counts, settings)
        if spike:
            subject = f"{rule.kind}:{monitor}@{now.date().isoformat()}"
            facts = {"monitor": monitor, "negative": negative, **spike}
            facts["since"] = iso(now - timedelta(days=1))
            found.append(Candidate(rule, subject, facts, monitors=[monitor]))
    return found


def daily_counts(
    db: sqlite_utils.Database,
    monitor: str,
    now: datetime,
    window_days: int,
    negative: bool,
    config: Config,
) -> list[int]:
    """Mentions of ``monitor`` per trailing 24 h window: ``[last 24 h, the day before, ...]``."""
    since = iso(now - timedelta(days=window_days + 1))
    condition = ""
    params: dict = {"monitor": monitor, "since": since, "now": iso(now)}
    if negative:
        condition = "and (m.sentiment = 'negative' or m.rating <= :rating_max)"
        params["rating_max"] = config.alerts.negative_rating_max
    sql = f"""select {WHEN} as at from mentions m join mention_monitors mm on mm.mention_id = m.id
              where mm.monitor = :monitor and m.duplicate_of is null
              and {WHEN} >= :since and {WHEN} <= :now {condition}"""
    counts = [0] * (window_days + 1)
    for row in db.query(sql, params):
        moment = parse_iso(row["at"])
        if moment is None:
            continue
        day = int((now - moment).total_seconds() // 86400)
        if 0 <= day <= window_days:
            counts[day] += 1
    return counts


def spike_facts(counts: Sequence[int], settings: AlertRuleConfig) -> dict | None:
    """z-score of the last day against the trailing window; the spread is at least 1 a day."""
    today, baseline = counts[0], list(counts[1:])
    mean = statistics.fmean(baseline)
    stdev = statistics.pstdev(baseline)
    z = (today - mean) / max(stdev, 1.0)
    if today < settings.min_count or z < settings.z_threshold:
        return None
    return {
        "count": today,
        "mean": round(mean, 2),
        "stdev": round(stdev, 2),
        "z": round(z, 2),
        "window_days": settings.window_days,
    }


# --- operator: source health --------------------------------------------------------------


def source_health_candidates(
    db: sqlite_utils.Database, config: Config, rule: Rule
) -> list[Candidate]:
    """One candidate per failing incident: the last N finished crawls all empty, partial,
    blocked or error."""
    names = [s.name for s in config.source if s.enabled] if config.source else None
    if names is None:
        names = [r["source"] for r in db.query("select distinct source from crawl_runs")]
    wanted = config.alerts.operator_failed_runs
    found = []
    for name in names:
        streak = failing_streak(db, name)
        if len(streak) >= wanted:
            found.append(source_candidate(rule, name, streak, wanted))
    return found


def failing_streak(db: sqlite_utils.Database, source: str) -> list[dict]:
    """The finished runs since the last good one, newest first."""
    sql = """select id, started_at, status, message from crawl_runs
             where source = ? and status != 'running' order by started_at desc, id desc limit 200"""
    streak = []
    for row in db.query(sql, [source]):
        if row["status"] not in BAD_CRAWL_STATUSES:
            break
        streak.append(row)
    return streak


def source_candidate(rule: Rule, source: str, streak: list[dict], wanted: int) -> Candidate:
    first = streak[-1]
    message = next((r["message"] for r in streak if r["message"]), None)
    facts = {
        "source": source,
        "statuses": [r["status"] for r in streak[:wanted]],
        "message": message,
        "since": first["started_at"],
        "failed_runs": len(streak),
    }
    return Candidate(rule, f"source:{source}#{first['id']}", facts)


# --- routing ------------------------------------------------------------------------------


def route(candidate: Candidate, advocates: Iterable[AdvocateConfig]) -> list[str]:
    """Names of the advocates who get ``candidate``; the fallback advocates only when none match."""
    advocates = list(advocates)
    if candidate.rule.kind == SOURCE_HEALTH:
        return [a.name for a in advocates if a.operator and wants_rule(a, candidate)]
    matched = [a.name for a in advocates if not a.fallback and matches(a, candidate)]
    if matched:
        return matched
    return [a.name for a in advocates if a.fallback and wants_rule(a, candidate)]


def wants_rule(advocate: AdvocateConfig, candidate: Candidate) -> bool:
    return not advocate.rules or candidate.rule.name in advocate.rules


def matches(advocate: AdvocateConfig, candidate: Candidate) -> bool:
    """Every filter the advocate set must hold; spikes are routed by monitor (and rule) only."""
    if not wants_rule(advocate, candidate):
        return False
    if advocate.monitors and not set(advocate.monitors) & set(candidate.monitors):
        return False
    if candidate.rule.kind in SPIKE_RULES:
        return True
    facts = candidate.facts
    checks = (
        not advocate.sources or facts.get("source") in advocate.sources,
        not advocate.topics or bool(set(advocate.topics) & set(candidate.topics)),
        not advocate.languages or facts.get("lang") in advocate.languages,
        not advocate.sentiments or facts.get("sentiment") in advocate.sentiments,
        rating_in_range(facts.get("rating"), advocate.rating_min, advocate.rating_max),
    )
    return all(checks)


def rating_in_range(rating: float | None, low: float | None, high: float | None) -> bool:
    """No bounds: anything passes; with a bound, a mention without a rating does not."""
    if low is None and high is None:
        return True
    if rating is None:
        return False
    return (low is None or rating >= low) and (high is None or rating <= high)
