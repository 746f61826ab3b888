"""The fault harness for alert delivery, shared by tests/test_alert_faults.py and
bench/alert_faults.py.

``python -m tests.alert_fault_child --db DB --config CFG --now ISO [--kill-at STEP --nth N]``
delivers the pending alerts and SIGKILLs itself right after the N-th time it reaches STEP.
``build_setup`` writes a database with pending alerts (email and webhook channels);
``run_fault_scenario`` kills one sender at a step, restarts senders until the outbox is empty,
and ``tally`` compares what the receivers got with what was due.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-03-05T12:00:00Z"
HOOK_ENV = "GROUNDSWELL_FAULT_HOOK"


@dataclass
class FaultSetup:
    db: Path
    config: Path
    env: dict[str, str]


@dataclass
class FaultTally:
    due: int
    arrived_distinct: int
    losses: int
    duplicates: int
    wire_redeliveries: int
    unexpected: int


def write_fault_config(folder: Path, smtp_port: int) -> Path:
    config = folder / "groundswell.toml"
    config.write_text(
        f"""[smtp]
host = "127.0.0.1"
port = {smtp_port}
sender = "alerts@groundswell.test"
timeout = 10

[alerts]
sending_lease_seconds = 600

[[advocate]]
name = "alice"
email = "alice@example.test"
apprise_env = "{HOOK_ENV}"

[[advocate]]
name = "bob"
email = "bob@example.test"
""",
        encoding="utf-8",
    )
    return config


def fault_mentions(count: int) -> list[dict]:
    return [
        {"id": f"r{n}", "source": "g2", "kind": "review", "url": f"http://127.0.0.1/r/{n}",
         "author": f"user{n}", "title": f"Review {n}", "body": "Support never answered.",
         "rating": 1.0, "published_at": "2026-03-05T08:00:00Z", "content_hash": f"h{n}"}
        for n in range(count)
    ]  # fmt: skip


def build_setup(folder: Path, smtp_port: int, hook_url: str, reviews: int = 3) -> FaultSetup:
    """A database whose outbox holds ``reviews`` x 2 pending alerts (alice: email + webhook)."""
    from groundswell.alerts.messages import parse_iso
    from groundswell.alerts.outbox import evaluate_rules
    from groundswell.config import load_config
    from groundswell.store import open_db, save_mentions

    folder.mkdir(parents=True, exist_ok=True)
    config_path = write_fault_config(folder, smtp_port)
    db = open_db(folder / "g.db")
    save_mentions(db, fault_mentions(reviews))
    evaluate_rules(db, load_config(config_path), parse_iso(NOW))
    db.conn.close()
    return FaultSetup(folder / "g.db", config_path, {**os.environ, HOOK_ENV: hook_url})


def run_sender(setup: FaultSetup, kill_at: str | None = None, nth: int = 1) -> int:
    command = [sys.executable, "-m", "tests.alert_fault_child", "--db", str(setup.db),
               "--config", str(setup.config), "--now", NOW]  # fmt: skip
    if kill_at:
        command += ["--kill-at", kill_at, "--nth", str(nth)]
    done = subprocess.run(command, cwd=REPO_ROOT, env=setup.env, capture_output=True, timeout=120)
    if done.returncode not in (0, -signal.SIGKILL):
        raise RuntimeError(done.stderr.decode("utf-8", "replace")[-2000:])
    return done.returncode


def open_alerts(setup: FaultSetup) -> int:
    import sqlite_utils

    db = sqlite_utils.Database(setup.db)
    try:
        return db.execute("select count(*) from alerts where status != 'sent'").fetchone()[0]
    finally:
        db.conn.close()


def run_fault_scenario(setup: FaultSetup, kill_at: str, nth: int, max_runs: int = 6) -> int:
    """Kill one sender at ``kill_at`` (N-th time), then rerun until every alert is sent."""
    killed = run_sender(setup, kill_at, nth) == -signal.SIGKILL
    for _ in range(max_runs):
        if open_alerts(setup) == 0:
            break
        run_sender(setup)
    return int(killed)


def due_deliveries(setup: FaultSetup) -> set[tuple[str, str]]:
    """(channel, key) for every delivery the outbox owes: email Message-ID or webhook key."""
    import sqlite_utils

    from groundswell.alerts.delivery import message_id

    db = sqlite_utils.Database(setup.db)
    due = set()
    for alert in db.query("select id, advocate from alerts"):
        due.add(("email", message_id(alert["id"], "alerts@groundswell.test")))
        if alert["advocate"] == "alice":
            due.add(("webhook", alert["id"]))
    db.conn.close()
    return due


def tally(setup: FaultSetup, smtp_sink, hook_sink) -> FaultTally:
    """Losses: due but never arrived. Duplicates: one alert arriving under two different keys
    (what a receiver deduping by key would still show twice). Wire redeliveries: arrivals of
    a key already received (what a receiver that does not dedupe would show twice)."""
    due = due_deliveries(setup)
    arrivals = [("email", m.message_id) for m in smtp_sink.mails]
    arrivals += [("webhook", key) for key in hook_sink.keys()]
    distinct = set(arrivals)
    by_alert: dict[tuple[str, str], set[str]] = {}
    for mail in smtp_sink.mails:
        alert = (str(mail.message["X-Groundswell-Alert"]), ",".join(mail.recipients))
        by_alert.setdefault(alert, set()).add(mail.message_id)
    for hook in hook_sink.hooks:
        alert = (hook.headers.get("X-Groundswell-Alert", ""), "webhook")
        by_alert.setdefault(alert, set()).add(hook.headers.get("Idempotency-Key", ""))
    return FaultTally(
        due=len(due),
        arrived_distinct=len(distinct & due),
        losses=len(due - distinct),
        duplicates=sum(len(keys) - 1 for keys in by_alert.values()),
        wire_redeliveries=len(arrivals) - len(distinct),
        unexpected=len(distinct - due),
    )


def main(argv: list[str] | None = None) -> int:
    from groundswell.alerts.delivery import default_channels
    from groundswell.alerts.messages import parse_iso
    from groundswell.alerts.outbox import deliver_pending
    from groundswell.config import load_config
    from groundswell.store import open_db

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--now", default=NOW)
    parser.add_argument("--kill-at")
    parser.add_argument("--nth", type=int, default=1)
    args = parser.parse_args(argv)
    config = load_config(args.config)
    seen = {"count": 0}

    def kill_at_step(step: str, alert_id: str) -> None:
        if step == args.kill_at:
            seen["count"] += 1
            if seen["count"] == args.nth:
                os.kill(os.getpid(), signal.SIGKILL)

    now: datetime | None = parse_iso(args.now)
    report = deliver_pending(open_db(args.db), config, default_channels(config), now, kill_at_step)
    print(json.dumps({"sent": report.sent, "failed": report.failed, "reclaimed": report.reclaimed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
