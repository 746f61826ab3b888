"""Advocate alerts: rules -> ``alerts`` outbox -> channels, once per (rule, mention, advocate).

``evaluate_rules`` inserts ``pending`` rows (idempotent: the row id is a hash of rule, subject
and advocate, and the three are unique together); ``mark_responded`` closes alerts whose mention
the vendor answered; ``escalate_overdue`` hands alerts past their SLA to ``escalate_to``;
``deliver_pending`` sends (see ``groundswell.alerts.delivery`` for the exactly-once steps);
``acknowledge`` records that someone is on it. ``run_alert_cycle`` does all four in order.

Status: pending -> sending -> sent -> acknowledged | responded | escalated; ``failed`` after
``[alerts] max_attempts`` failed deliveries. Alerts about spikes and crawl health have no
mention: their ``mention_id`` is an incident key (``volume_spike:Acme@2026-03-05``,
``source:reddit-acme#42``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from groundswell.alerts.delivery import (
    DeliveryReport,
    Sender,
    channel_labels,
    reclaim_lost_sends,
)
from groundswell.alerts.delivery import deliver_pending as deliver_outbox
from groundswell.alerts.messages import hours_later, iso, parse_iso, utc
from groundswell.alerts.rules import Candidate, find_candidates, route
from groundswell.config import Config
from groundswell.errors import GroundswellError
from groundswell.store.transaction import transaction

ESCALATION_RULE = "escalation"
OPEN_STATUSES = ("pending", "sending", "sent", "failed")
NOT_CLOSED = (*OPEN_STATUSES, "acknowledged", "escalated")


class AlertNotFoundError(GroundswellError, KeyError):
    """No alert has that id (or the prefix matches several)."""


@dataclass
class CycleReport:
    responded: int = 0
    new: list[dict] = field(default_factory=list)
    escalated: list[dict] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


def sync_advocates(db: sqlite_utils.Database, config: Config, now: datetime) -> None:
    """Mirror ``[[advocate]]`` into ``advocates`` (channel names only, never URLs)."""
    rows = [advocate_row(a, config, now) for a in config.advocate]
    with transaction(db):
        names = [a.name for a in config.advocate]
        marks = ",".join("?" * len(names))
        db.execute(f"delete from advocates where name not in ({marks})", names)
        if rows:
            db["advocates"].upsert_all(rows, pk="name")


def advocate_row(advocate, config: Config, now: datetime) -> dict:
    routing = advocate.model_dump(
        include={
            "rules",
            "monitors",
            "sources",
            "topics",
            "languages",
            "sentiments",
            "rating_min",
            "rating_max",
        }  # fmt: skip
    )
    return {
        "name": advocate.name,
        "channels": ", ".join(channel_labels(advocate.name, config)),
        "escalate_to": advocate.escalate_to,
        "operator": int(advocate.operator),
        "fallback": int(advocate.fallback),
        "routing": json.dumps({k: v for k, v in routing.items() if v not in (None, [])}),
        "updated_at": iso(now),
    }


# --- evaluate -----------------------------------------------------------------------------


def alert_id(rule: str, subject: str, advocate: str) -> str:
    """Stable id: the same rule, mention and advocate always give the same alert."""
    return hashlib.sha256(f"{rule}\x1f{subject}\x1f{advocate}".encode()).hexdigest()[:16]


def evaluate_rules(
    db: sqlite_utils.Database, config: Config, now: datetime | None = None
) -> list[dict]:
    """Insert a ``pending`` alert per (candidate, routed advocate); return only the new ones."""
    now = utc(now)
    sync_advocates(db, config, now)
    rows = [
        new_alert_row(candidate, advocate, config, now)
        for candidate in find_candidates(db, config, now)
        for advocate in route(candidate, config.advocate)
    ]
    return insert_new(db, rows)


def new_alert_row(candidate: Candidate, advocate: str, config: Config, now: datetime) -> dict:
    facts = candidate.facts
    summary = facts.get("title") or facts.get("body") or facts.get("monitor") or facts.get("source")
    return {
        "id": alert_id(candidate.rule.name, candidate.subject, advocate),
        "rule": candidate.rule.name,
        "kind": candidate.rule.kind,
        "mention_id": candidate.subject,
        "advocate": advocate,
        "channel": ", ".join(channel_labels(advocate, config)),
        "status": "pending",
        "attempts": 0,
        "created_at": iso(now),
        "due_at": hours_later(now, candidate.rule.sla_hours),
        "summary": (str(summary or "")[:200]),
        "details": json.dumps({**facts, "sla_hours": candidate.rule.sla_hours}, default=str),
    }


def insert_new(db: sqlite_utils.Database, rows: list[dict]) -> list[dict]:
    if not rows:
        return []
    columns = list(rows[0])
    sql = (
        f"insert or ignore into alerts ({', '.join(columns)}) "
        f"values ({', '.join('?' * len(columns))})"
    )
    inserted = []
    with transaction(db):
        for row in rows:
            if db.execute(sql, [row[c] for c in columns]).rowcount == 1:
                inserted.append(row)
    return inserted


# --- responded, acknowledged, escalated ---------------------------------------------------


def mark_responded(db: sqlite_utils.Database, now: datetime | None = None) -> int:
    """Close alerts whose mention the vendor has replied to (or, for questions, anyone)."""
    marks = ",".join("?" * len(NOT_CLOSED))
    with transaction(db):
        cursor = db.execute(
            f"""update alerts set status = 'responded', responded_at = ?, delivery_token = null
                where status in ({marks}) and mention_id in (
                  select m.id from mentions m where coalesce(m.vendor_responded, 0) = 1
                  or (alerts.kind = 'unanswered_question' and coalesce(m.answered, 0) = 1))""",
            [iso(utc(now)), *NOT_CLOSED],
        )
    return cursor.rowcount


def find_alert(db: sqlite_utils.Database, alert_id_or_prefix: str) -> dict:
    key = alert_id_or_prefix.strip().lower()
    rows = []
    if len(key) >= 4:
        rows = [dict(r) for r in db.query("select * from alerts where id like ? || '%'", [key])]
    if len(rows) != 1:
        why = "matches several alerts" if rows else "no alert has that id"
        raise AlertNotFoundError(f"{alert_id_or_prefix}: {why}")
    return rows[0]


def acknowledge(db: sqlite_utils.Database, alert_id: str, now: datetime | None = None) -> dict:
    """Someone is on it: no escalation from now on. Accepts an id prefix of 4+ characters."""
    alert = find_alert(db, alert_id)
    if alert["status"] in ("acknowledged", "responded"):
        return alert
    with transaction(db):
        db.execute(
            "update alerts set status = 'acknowledged', acknowledged_at = ? where id = ?",
            [iso(utc(now)), alert["id"]],
        )
    return dict(db["alerts"].get(alert["id"]))


def escalate_overdue(
    db: sqlite_utils.Database, config: Config, now: datetime | None = None
) -> list[dict]:
    """Alerts past ``due_at`` and not acknowledged/responded go to their advocate's
    ``escalate_to``; the original becomes ``escalated``. Returns the new escalation alerts."""
    now = utc(now)
    targets = {a.name: a.escalate_to for a in config.advocate if a.escalate_to}
    marks = ",".join("?" * len(OPEN_STATUSES))
    overdue = db.query(
        f"select * from alerts where status in ({marks}) and due_at <= ? order by due_at",
        [*OPEN_STATUSES, iso(now)],
    )
    new = []
    for alert in list(overdue):
        target = targets.get(alert["advocate"])
        if target and mark_escalated(db, alert, now):
            new += insert_new(db, [escalation_row(alert, target, config, now)])
    return new


def mark_escalated(db: sqlite_utils.Database, alert: dict, now: datetime) -> bool:
    with transaction(db):
        cursor = db.execute(
            "update alerts set status = 'escalated', escalated_at = ? where id = ? and status = ?",
            [iso(now), alert["id"], alert["status"]],
        )
    return cursor.rowcount == 1


def escalation_row(alert: dict, target: str, config: Config, now: datetime) -> dict:
    created, due = parse_iso(alert["created_at"]), parse_iso(alert["due_at"])
    sla_hours = (due - created).total_seconds() / 3600 if created and due else 24.0
    details = json.loads(alert["details"] or "{}")
    details["escalation"] = {
        "from": alert["advocate"],
        "alert": alert["id"],
        "sla_hours": sla_hours,
    }
    return {
        **{k: alert[k] for k in ("kind", "mention_id", "summary")},
        "id": alert_id(ESCALATION_RULE, alert["mention_id"], target),
        "rule": ESCALATION_RULE,
        "advocate": target,
        "channel": ", ".join(channel_labels(target, config)),
        "status": "pending",
        "attempts": 0,
        "created_at": iso(now),
        "due_at": hours_later(now, sla_hours),
        "escalated_from": alert["id"],
        "details": json.dumps(details, default=str),
    }


# --- the whole cycle ----------------------------------------------------------------------


def deliver_pending(
    db: sqlite_utils.Database,
    config: Config,
    channels: Mapping[str, Sender],
    now: datetime | None = None,
    on_step=None,
) -> DeliveryReport:
    """Send every pending alert exactly once per channel (see ``groundswell.alerts.delivery``)."""
    return deliver_outbox(db, config, channels, now, on_step=on_step)


def run_alert_cycle(
    db: sqlite_utils.Database,
    config: Config,
    channels: Mapping[str, Sender],
    now: datetime | None = None,
) -> CycleReport:
    """Responded, evaluate, escalate, deliver: what ``groundswell alerts`` does."""
    now = utc(now)
    report = CycleReport(responded=mark_responded(db, now))
    report.new = evaluate_rules(db, config, now)
    report.escalated = escalate_overdue(db, config, now)
    report.delivery = deliver_pending(db, config, channels, now)
    return report


def list_alerts(
    db: sqlite_utils.Database, statuses: tuple[str, ...] = (), limit: int = 200
) -> list[dict]:
    """Alerts by SLA time left (most urgent first); ``statuses`` empty: the open ones."""
    wanted = statuses or (*OPEN_STATUSES, "escalated")
    marks = ",".join("?" * len(wanted))
    sql = f"select * from alerts where status in ({marks}) order by due_at, id limit ?"
    return [dict(row) for row in db.query(sql, [*wanted, limit])]


__all__ = [
    "AlertNotFoundError", "CycleReport", "acknowledge", "deliver_pending",
    "escalate_overdue", "evaluate_rules", "list_alerts", "mark_responded", "reclaim_lost_sends",
    "run_alert_cycle",
]  # fmt: skip
