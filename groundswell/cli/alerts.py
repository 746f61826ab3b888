"""``groundswell alerts``: route reviews and questions to advocates, escalate, acknowledge.

``groundswell alerts`` alone runs one cycle (responded -> evaluate -> escalate -> send);
``--dry-run`` runs the same cycle on an in-memory copy of the database with channels that only
print, so nothing is sent and nothing is recorded. ``alerts list`` and ``alerts ack ID`` read
and update the outbox.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from groundswell.cli.options import (
    GroundswellGroup,
    config_option,
    db_option,
    read_config,
    require_database,
)

if TYPE_CHECKING:  # imported where used: it takes half a second, every command would wait
    import sqlite_utils

OPEN_HELP = "pending, sending, sent, failed, escalated"
LIST_COLUMNS = ("id", "status", "respond by", "rule", "advocate", "channel", "summary")


def parse_now(text: str | None) -> datetime | None:
    from groundswell.alerts.messages import parse_iso

    if text is None:
        return None
    moment = parse_iso(text)
    if moment is None:
        raise click.BadParameter(
            f"expected an ISO time such as 2026-03-05T10:00:00Z (got {text!r})"
        )
    return moment


def sub_db_option(function):
    return click.option(
        "--db", "db_path", default=None, type=click.Path(dir_okay=False),
        help="SQLite database (default: the --db given to `alerts`, else groundswell.db)",
    )(function)  # fmt: skip


@click.group("alerts", cls=GroundswellGroup, invoke_without_command=True)
@config_option
@db_option
@click.option("--dry-run", is_flag=True, help="print what would be sent; send and record nothing")
@click.option("--now", "now_text", metavar="ISO-TIME", help="act as if it were this UTC time")
@click.pass_context
def alerts(ctx: click.Context, config_path: str, db_path: str, dry_run: bool, now_text) -> None:
    """Alert advocates: evaluate the rules, escalate overdue alerts, send what is pending."""
    ctx.ensure_object(dict)
    ctx.obj.update(db_path=db_path, now=parse_now(now_text))
    if ctx.invoked_subcommand is None:
        run_cycle(config_path, db_path, dry_run, ctx.obj["now"])


def run_cycle(config_path: str, db_path: str, dry_run: bool, now: datetime | None) -> None:
    from groundswell.alerts.delivery import default_channels, recording_channels
    from groundswell.alerts.outbox import run_alert_cycle

    config = read_config(config_path)
    require_database(db_path)
    db = snapshot_db(db_path) if dry_run else open_database(db_path)
    channels = recording_channels() if dry_run else default_channels(config)
    try:
        report = run_alert_cycle(db, config, channels, now)
    except sqlite3.Error as error:
        raise click.ClickException(f"{db_path}: {error}") from None
    print_report(db, report, dry_run)
    if not report.delivery.sent and not report.delivery.failed:
        from groundswell.alerts.explain import why_nothing_sent

        click.echo(f"nothing to send: {why_nothing_sent(db, config, now)}")
    if report.delivery.failed and not dry_run:
        alert, reason = report.delivery.failed[0]
        raise click.ClickException(
            f"{len(report.delivery.failed)} alert(s) not delivered; first: {alert}: {reason}"
        )


def open_database(db_path: str) -> sqlite_utils.Database:
    from groundswell.store import open_db

    try:
        return open_db(db_path)
    except (sqlite3.Error, OSError) as error:
        raise click.ClickException(f"{db_path}: {error}") from None


def snapshot_db(db_path: str) -> sqlite_utils.Database:
    """An in-memory copy of the database: a dry run may write to it freely."""
    from groundswell.store import ensure_db_shape

    path = Path(db_path)
    if not path.is_file():
        raise click.ClickException(f"{db_path}: no such database")
    memory = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        source.backup(memory)
        source.close()
    except sqlite3.Error as error:
        raise click.ClickException(f"{db_path}: {error}") from None
    import sqlite_utils

    db = sqlite_utils.Database(memory)
    ensure_db_shape(db)
    return db


def print_report(db: sqlite_utils.Database, report, dry_run: bool) -> None:
    verb = "would send" if dry_run else "sent"
    for alert_id, channel, message in report.delivery.messages:
        click.echo(f"{verb} {alert_id} {why_sent(db, alert_id)} via {channel}: {message.subject}")
    for alert_id, reason in report.delivery.failed:
        click.echo(f"not sent {alert_id}: {reason}", err=True)
    click.echo(
        f"responded {report.responded}, new {len(report.new)}, escalated "
        f"{len(report.escalated)}, {verb} {len(report.delivery.sent)}, "
        f"failed {len(report.delivery.failed)}"
        + (" (dry run: nothing was sent or recorded)" if dry_run else "")
    )


def why_sent(db: sqlite_utils.Database, alert_id: str) -> str:
    """``to Support lead (rule negative_review: 1★, sentiment negative; respond within 4h)``."""
    alert = next(db.query("select * from alerts where id = ?", [alert_id]), None)
    if alert is None:
        return ""
    details = json.loads(alert["details"] or "{}")
    facts = []
    if isinstance(details.get("rating"), int | float):
        facts.append(f"{details['rating']:g}★")
    if details.get("sentiment"):
        facts.append(f"sentiment {details['sentiment']}")
    found = f": {', '.join(facts)}" if facts else ""
    sla = details.get("sla_hours")
    within = f"; respond within {sla:g}h" if isinstance(sla, int | float) else ""
    return f"to {alert['advocate']} (rule {alert['rule']}{found}{within})"


@alerts.command("list")
@sub_db_option
@click.option("--status", "statuses", multiple=True, help=f"repeatable (default: {OPEN_HELP})")
@click.option("--limit", default=200, show_default=True)
@click.pass_context
def list_command(ctx: click.Context, db_path: str | None, statuses: tuple[str, ...], limit: int):
    """Alerts by SLA time left, most urgent first (one line each, tab-separated)."""
    from groundswell.alerts.messages import deadline_text, utc
    from groundswell.alerts.outbox import list_alerts

    db = open_database(require_database(db_path or ctx.obj["db_path"]))
    now = utc(ctx.obj["now"])
    click.echo("\t".join(LIST_COLUMNS))
    for alert in list_alerts(db, statuses, limit):
        values = [alert["id"], alert["status"], deadline_text(alert["due_at"], now),
                  alert["rule"], alert["advocate"], alert["channel"] or "",
                  " ".join((alert["summary"] or "").split())[:60]]  # fmt: skip
        click.echo("\t".join(values))


@alerts.command("ack")
@click.argument("alert_id")
@sub_db_option
@click.pass_context
def ack_command(ctx: click.Context, alert_id: str, db_path: str | None) -> None:
    """Acknowledge ALERT_ID (or a unique prefix): it will not be escalated."""
    from groundswell.alerts.outbox import acknowledge

    db = open_database(require_database(db_path or ctx.obj["db_path"]))
    alert = acknowledge(db, alert_id, ctx.obj["now"])
    click.echo(f"{alert['id']}: {alert['status']} ({alert['rule']} -> {alert['advocate']})")


def main() -> None:
    alerts(prog_name="groundswell alerts")


if __name__ == "__main__":
    main()
