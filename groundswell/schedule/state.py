"""Job state persisted in SQLite (``job_runs``), so a restart knows when each job last ran."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlite_utils

from groundswell.store import utc_now


def parse_utc(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def job_state(db: sqlite_utils.Database, job_id: str) -> dict:
    rows = list(db["job_runs"].rows_where("job_id = ?", [job_id]))
    return rows[0] if rows else {}


def record_job_start(db: sqlite_utils.Database, job_id: str, period_seconds: int) -> None:
    runs = (job_state(db, job_id).get("runs") or 0) + 1
    db["job_runs"].upsert({"job_id": job_id, "last_started": utc_now(), "runs": runs,
                           "last_status": "running", "period_seconds": period_seconds},
                          pk="job_id")  # fmt: skip


def record_job_end(db: sqlite_utils.Database, job_id: str, error: str | None) -> None:
    now = utc_now()
    row = {"job_id": job_id, "last_finished": now, "last_status": "error" if error else "ok",
           "last_error": error}  # fmt: skip
    if not error:
        row["last_success"] = now
    db["job_runs"].upsert(row, pk="job_id")


def job_health(db: sqlite_utils.Database, now: datetime | None = None) -> list[dict]:
    """Each job with ``working``: its last success lies within its expected period (plus slack)."""
    now = now or datetime.now(timezone.utc)
    report = []
    for row in db["job_runs"].rows:
        success = parse_utc(row["last_success"])
        period = row["period_seconds"] or 0
        working = success is not None and (now - success).total_seconds() <= 2 * period + 60
        report.append({**row, "working": working})
    return report
