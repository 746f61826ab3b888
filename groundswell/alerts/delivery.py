"""Alert delivery: the ``alerts`` outbox sent by email (smtplib) and Apprise, exactly once.

Per alert and per channel the steps are, each committed before the next starts:

1. claim: ``pending -> sending`` with a fresh delivery token (``host:pid:random``); a row
   another process holds is left alone, so overlapping runs never send the same alert;
2. intent: the ``alert_deliveries`` row for the channel becomes ``sending``;
3. send, carrying the alert's idempotency key (email ``Message-ID`` derived from the alert id,
   webhook ``Idempotency-Key`` header = alert id);
4. record: the delivery row becomes ``sent``; once every channel is sent the alert is ``sent``.

A channel already ``sent`` is never sent again. A ``sending`` alert whose process died (same
host, pid gone) or whose claim is older than ``[alerts] sending_lease_seconds`` is put back to
``pending``; its ``sending`` deliveries are then sent again with the same key, because the
crash may have come before or after the receiver accepted: that window, between the
receiver's acceptance and our commit, is the one place a receiver can see a message twice,
and it dedupes it by the key (see docs/alerts.md).
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import socket
import ssl
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol

import sqlite_utils

from groundswell.alerts.messages import AlertMessage, iso, parse_iso, render_alert, utc
from groundswell.config import Config, SmtpConfig
from groundswell.errors import GroundswellError
from groundswell.store.transaction import transaction

STEPS = ("claimed", "intent_recorded", "sent", "delivery_recorded", "alert_recorded")
IDEMPOTENT_APPRISE_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})
ERROR_CHARS = 300

StepHook = Callable[[str, str], None]


class ChannelError(GroundswellError):
    """A channel could not take the message (the text never holds a secret)."""


@dataclass(frozen=True)
class Target:
    """One place one alert goes: ``key`` is stored, ``address`` (maybe a secret URL) is not."""

    kind: str  # "email" or "apprise"
    key: str
    address: str


class Sender(Protocol):
    def send(self, target: Target, message: AlertMessage, alert_id: str) -> str:
        """Deliver or raise; return a receipt (the Message-ID for email)."""


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    reclaimed: list[str] = field(default_factory=list)
    messages: list[tuple[str, str, AlertMessage]] = field(default_factory=list)


# --- channels -----------------------------------------------------------------------------


def message_id(alert_id: str, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "groundswell.local"
    return f"<groundswell-alert-{alert_id}@{domain}>"


def build_email(smtp: SmtpConfig, to: str, message: AlertMessage, alert_id: str) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = smtp.sender
    email["To"] = to
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message_id(alert_id, smtp.sender)
    email["Auto-Submitted"] = "auto-generated"
    email["X-Groundswell-Alert"] = alert_id
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


class SmtpSender:
    """Email through the ``[smtp]`` server; the password comes from ``password_env``."""

    def __init__(self, smtp: SmtpConfig) -> None:
        self.smtp = smtp

    def send(self, target: Target, message: AlertMessage, alert_id: str) -> str:
        email = build_email(self.smtp, target.address, message, alert_id)
        try:
            with self.connect() as client:
                client.send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            raise ChannelError(f"smtp {self.smtp.host}:{self.smtp.port}: {error}") from None
        return email["Message-ID"]

    def connect(self) -> smtplib.SMTP:
        smtp = self.smtp
        if smtp.ssl:
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        try:
            if smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, smtp_password(smtp))
        except BaseException:
            client.close()
            raise
        return client


def smtp_password(smtp: SmtpConfig) -> str:
    password = os.environ.get(smtp.password_env)
    if not password:
        raise ChannelError(f"[smtp] username is set but ${smtp.password_env} is empty")
    return password


def with_idempotency_key(url: str, alert_id: str) -> str:
    """json://, xml:// and form:// webhooks carry ``Idempotency-Key: <alert id>``."""
    scheme = url.partition("://")[0].lower()
    if scheme not in IDEMPOTENT_APPRISE_SCHEMES:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}+Idempotency-Key={alert_id}&+X-Groundswell-Alert={alert_id}"


class AppriseSender:
    """Slack, Teams, Discord, ntfy, json:// webhooks...: anything Apprise knows."""

    def send(self, target: Target, message: AlertMessage, alert_id: str) -> str:
        import logging

        import apprise

        notifier = apprise.Apprise()
        if not notifier.add(with_idempotency_key(target.address, alert_id)):
            raise ChannelError(f"{target.key}: not a URL Apprise knows")
        with apprise.LogCapture(level=logging.WARNING) as logs:
            result = notifier.notify(
                title=message.subject, body=message.text, body_format=apprise.NotifyFormat.TEXT
            )
        if not result:
            detail = logs.getvalue().strip().splitlines()
            reason = detail[-1].split(" - ", 2)[-1] if detail else "Apprise reported a failure"
            raise ChannelError(f"{target.key}: {scrub(reason, target.address)}")
        return "apprise"


def scrub(text: str, secret: str) -> str:
    return text.replace(secret, "<secret>")[:ERROR_CHARS]


class RecordingSender:
    """Sends nothing: keeps what would have gone (``--dry-run`` and tests)."""

    def __init__(self) -> None:
        self.sent: list[tuple[Target, AlertMessage, str]] = []

    def send(self, target: Target, message: AlertMessage, alert_id: str) -> str:
        self.sent.append((target, message, alert_id))
        return "dry-run"


def default_channels(config: Config) -> dict[str, Sender]:
    return {"email": SmtpSender(config.smtp), "apprise": AppriseSender()}


def recording_channels() -> dict[str, Sender]:
    recorder = RecordingSender()
    return {"email": recorder, "apprise": recorder}


# --- where an alert goes ------------------------------------------------------------------


def channel_labels(target_name: str, config: Config) -> list[str]:
    """What ``target_name`` (advocate, email address or env:VAR) is sent through: no secrets."""
    advocate = next((a for a in config.advocate if a.name == target_name), None)
    if advocate is None:
        if target_name.startswith("env:"):
            return [f"apprise_env:{target_name[4:]}"]
        return [f"email:{target_name}"]
    labels = [f"email:{advocate.email}"] if advocate.email else []
    labels += [f"apprise_env:{name}" for name in advocate.apprise_env]
    if advocate.apprise_file:
        labels.append(f"apprise_file:{advocate.apprise_file}")
    return labels


def resolve_targets(target_name: str, config: Config) -> list[Target]:
    """The concrete targets, reading Apprise URLs from the environment or secrets files."""
    targets: list[Target] = []
    for label in channel_labels(target_name, config):
        kind, _, where = label.partition(":")
        if kind == "email":
            targets.append(Target("email", label, where))
        elif kind == "apprise_env":
            targets += apprise_targets(label, env_urls(where))
        else:
            targets += apprise_targets(label, file_urls(where))
    if not targets:
        raise ChannelError(f"{target_name}: no channel (set email, apprise_env or apprise_file)")
    return targets


def env_urls(name: str) -> list[str]:
    value = os.environ.get(name, "")
    if not value.strip():
        raise ChannelError(f"environment variable {name} is not set")
    return value.split()


def file_urls(path: str) -> list[str]:
    try:
        lines = Path(path).expanduser().read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ChannelError(f"apprise_file {path}: {error.strerror or error}") from None
    urls = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not urls:
        raise ChannelError(f"apprise_file {path}: no URL in it")
    return urls


def apprise_targets(label: str, urls: list[str]) -> list[Target]:
    """One target per URL, keyed by a short hash so a partly failed send resumes per URL."""
    return [
        Target("apprise", f"{label}:{hashlib.sha256(url.encode()).hexdigest()[:8]}", url)
        for url in urls
    ]


# --- claims -------------------------------------------------------------------------------


def new_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def claimer_is_gone(token: str | None) -> bool:
    """True when the token's process ran on this host and no longer runs (or is a zombie)."""
    if not token or token.count(":") < 2:
        return True
    host, pid_text, _ = token.rsplit(":", 2)
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return is_zombie(pid)


def is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def reclaim_lost_sends(db: sqlite_utils.Database, config: Config, now: datetime) -> list[str]:
    """Put ``sending`` alerts whose sender died (or whose lease ran out) back to ``pending``."""
    lease = timedelta(seconds=config.alerts.sending_lease_seconds)
    reclaimed = []
    rows = db.query("select id, delivery_token, claimed_at from alerts where status = 'sending'")
    for row in list(rows):
        claimed = parse_iso(row["claimed_at"])
        expired = claimed is None or now - claimed >= lease
        if expired or claimer_is_gone(row["delivery_token"]):
            if release(db, config, row["id"], row["delivery_token"], "send interrupted; retried"):
                reclaimed.append(row["id"])
    return reclaimed


def claim(db: sqlite_utils.Database, alert_id: str, now: datetime) -> str | None:
    token = new_token()
    with transaction(db):
        cursor = db.execute(
            """update alerts set status = 'sending', delivery_token = ?, claimed_at = ?,
               attempts = coalesce(attempts, 0) + 1 where id = ? and status = 'pending'""",
            [token, iso(now), alert_id],
        )
    return token if cursor.rowcount == 1 else None


def release(
    db: sqlite_utils.Database, config: Config, alert_id: str, token: str | None, error: str
) -> bool:
    """``sending -> pending`` (or ``failed`` once attempts reach ``max_attempts``)."""
    with transaction(db):
        cursor = db.execute(
            """update alerts set status = case when attempts >= ? then 'failed' else 'pending' end,
               delivery_token = null, last_error = ?
               where id = ? and status = 'sending' and delivery_token is ?""",
            [config.alerts.max_attempts, error[:ERROR_CHARS], alert_id, token],
        )
    return cursor.rowcount == 1


def finish_sent(db: sqlite_utils.Database, alert_id: str, token: str, now: datetime) -> None:
    with transaction(db):
        db.execute(
            """update alerts set status = 'sent', sent_at = ?, delivery_token = null,
               last_error = null where id = ? and status = 'sending' and delivery_token = ?""",
            [iso(now), alert_id, token],
        )


# --- per-channel records ------------------------------------------------------------------


def delivery_status(db: sqlite_utils.Database, alert_id: str, channel: str) -> str | None:
    row = db.execute(
        "select status from alert_deliveries where alert_id = ? and channel = ?",
        [alert_id, channel],
    ).fetchone()
    return row[0] if row else None


def record_intent(
    db: sqlite_utils.Database, alert_id: str, target: Target, token: str, now: datetime
) -> None:
    """The channel is about to be sent; a ``sending`` row left by a crash counts a resend."""
    with transaction(db):
        db.execute(
            """insert into alert_deliveries
                 (alert_id, channel, status, token, attempts, started_at, uncertain_resends)
               values (?, ?, 'sending', ?, 1, ?, 0)
               on conflict (alert_id, channel) do update set
                 uncertain_resends = uncertain_resends + (status = 'sending'),
                 status = 'sending', token = excluded.token, attempts = attempts + 1,
                 started_at = excluded.started_at""",
            [alert_id, target.key, token, iso(now)],
        )


def record_sent(
    db: sqlite_utils.Database, alert_id: str, target: Target, receipt: str, now: datetime
) -> None:
    with transaction(db):
        db.execute(
            """update alert_deliveries set status = 'sent', sent_at = ?, receipt = ?,
               last_error = null where alert_id = ? and channel = ?""",
            [iso(now), receipt, alert_id, target.key],
        )


def record_failed(db: sqlite_utils.Database, alert_id: str, target: Target, error: str) -> None:
    with transaction(db):
        db.execute(
            """update alert_deliveries set status = 'failed', last_error = ?
               where alert_id = ? and channel = ?""",
            [error[:ERROR_CHARS], alert_id, target.key],
        )


# --- the loop -----------------------------------------------------------------------------


def deliver_pending(
    db: sqlite_utils.Database,
    config: Config,
    channels: Mapping[str, Sender],
    now: datetime | None = None,
    on_step: StepHook | None = None,
) -> DeliveryReport:
    """Send every ``pending`` alert (most urgent first); ``on_step(step, alert_id)`` is called
    after each committed step of ``STEPS`` (the fault tests kill the process there)."""
    now = utc(now)
    report = DeliveryReport(reclaimed=reclaim_lost_sends(db, config, now))
    ids = [
        r[0]
        for r in db.execute("select id from alerts where status = 'pending' order by due_at, id")
    ]
    for alert_id in ids:
        token = claim(db, alert_id, now)
        if token is None:
            continue
        notify_step(on_step, "claimed", alert_id)
        try:
            deliver_claimed(db, config, channels, alert_id, token, now, on_step, report)
        except Exception as error:  # a bug must not strand the claim
            release(db, config, alert_id, token, f"{type(error).__name__}: {error}")
            report.failed.append((alert_id, f"{type(error).__name__}: {error}"))
    return report


def notify_step(on_step: StepHook | None, step: str, alert_id: str) -> None:
    if on_step is not None:
        on_step(step, alert_id)


def deliver_claimed(
    db: sqlite_utils.Database,
    config: Config,
    channels: Mapping[str, Sender],
    alert_id: str,
    token: str,
    now: datetime,
    on_step: StepHook | None,
    report: DeliveryReport,
) -> None:
    alert = dict(db["alerts"].get(alert_id))
    message = render_alert(alert, now, config.alerts.body_chars)
    try:
        targets = resolve_targets(alert["advocate"], config)
    except ChannelError as error:
        release(db, config, alert_id, token, str(error))
        report.failed.append((alert_id, str(error)))
        return
    errors = []
    for target in targets:
        error = send_once(db, channels, alert_id, target, message, token, now, on_step, report)
        if error:
            errors.append(error)
    if errors:
        release(db, config, alert_id, token, "; ".join(errors))
        report.failed.append((alert_id, errors[0]))
    else:
        finish_sent(db, alert_id, token, now)
        report.sent.append(alert_id)
    notify_step(on_step, "alert_recorded", alert_id)


def send_once(
    db: sqlite_utils.Database,
    channels: Mapping[str, Sender],
    alert_id: str,
    target: Target,
    message: AlertMessage,
    token: str,
    now: datetime,
    on_step: StepHook | None,
    report: DeliveryReport,
) -> str | None:
    """Send ``message`` to ``target`` unless it was sent before; the error text, or None."""
    if delivery_status(db, alert_id, target.key) == "sent":
        return None
    record_intent(db, alert_id, target, token, now)
    notify_step(on_step, "intent_recorded", alert_id)
    try:
        receipt = channels[target.kind].send(target, message, alert_id)
    except ChannelError as error:
        record_failed(db, alert_id, target, str(error))
        return str(error)
    notify_step(on_step, "sent", alert_id)
    record_sent(db, alert_id, target, receipt, now)
    report.messages.append((alert_id, target.key, message))
    notify_step(on_step, "delivery_recorded", alert_id)
    return None
