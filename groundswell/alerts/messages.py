"""Alert messages: a subject, a plain-text body and an HTML body from one ``alerts`` row.

Everything that came from a crawled page is hostile until cleaned: ``clean_text`` drops control
and format characters (bidi overrides, zero-width joiners, BOMs), lone surrogates and runs of
combining marks, then truncates with an ellipsis; the HTML body passes every value through
``html.escape``, and only http(s) links become ``href``s. Also here: the UTC time helpers that
the other alert modules share.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

ELLIPSIS = "…"
SUBJECT_CHARS = 150
FIELD_CHARS = 200
TITLE_CHARS = 300
MAX_COMBINING_MARKS = 2
DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
LINE_BREAKS = frozenset({"\n", "\u2028", "\u2029", "\x85"})
KEPT_CONTROLS = frozenset({"\n", "\t"})
HEADLINES = {
    "negative_review": "Negative review",
    "unanswered_question": "Unanswered question",
    "vip_author": "VIP author",
    "competitor_comparison": "Compared with a competitor",
    "volume_spike": "Mention volume spike",
    "negativity_spike": "Negativity spike",
    "source_health": "Source not crawling",
}


@dataclass(frozen=True)
class AlertMessage:
    subject: str
    text: str
    html: str


# --- time ---------------------------------------------------------------------------------


def utc(moment: datetime | None = None) -> datetime:
    """``moment`` (default: now) as an aware UTC datetime without microseconds."""
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """``2026-03-05T10:00:00Z``: the format every stored time uses, so strings sort as times."""
    return utc(moment).isoformat().replace("+00:00", "Z")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return utc(moment)


def hours_later(moment: datetime, hours: float) -> str:
    return iso(moment + timedelta(hours=hours))


def describe_duration(delta: timedelta) -> str:
    """``3 d 4 h``, ``5 h 20 min``, ``12 min`` (negative durations read as 0 min)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


# --- cleaning -----------------------------------------------------------------------------


def clean_text(value: object, limit: int, multiline: bool = False) -> str:
    """Printable text of at most ``limit`` characters, safe for any channel before escaping."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    kept: list[str] = []
    marks = 0
    for char in text:
        if char in LINE_BREAKS:
            kept.append("\n" if multiline else " ")
            marks = 0
            continue
        category = unicodedata.category(char)
        if category in DROPPED_CATEGORIES and char not in KEPT_CONTROLS:
            continue
        marks = marks + 1 if category.startswith("M") else 0
        if marks <= MAX_COMBINING_MARKS:
            kept.append(" " if char == "\t" else char)
    return truncate(collapse_whitespace("".join(kept), multiline), limit)


def collapse_whitespace(text: str, multiline: bool) -> str:
    if not multiline:
        return re.sub(r"\s+", " ", text).strip()
    lines = [re.sub(r"[^\S\n]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = limit - 1
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1  # never split a letter from its accents
    return text[:cut].rstrip() + ELLIPSIS


def safe_link(url: object) -> str | None:
    """The URL when it is a plain http(s) link, else None (no javascript:, data:, spaces)."""
    text = clean_text(url, 2000)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        return None
    return text


# --- facts --------------------------------------------------------------------------------


def alert_facts(alert: dict) -> dict:
    try:
        facts = json.loads(alert.get("details") or "{}")
    except json.JSONDecodeError:
        facts = {}
    return facts if isinstance(facts, dict) else {}


def headline(alert: dict, facts: dict) -> str:
    kind = alert.get("kind") or ""
    text = HEADLINES.get(kind, kind.replace("_", " ").capitalize() or "Alert")
    if kind in ("volume_spike", "negativity_spike"):
        return f"{text}: {facts.get('monitor', '?')}"
    if kind == "source_health":
        return f"{text}: {facts.get('source', '?')}"
    rating = facts.get("rating")
    stars = f" ({format_number(rating)}★)" if rating is not None else ""
    return f"{text}{stars} on {facts.get('source') or '?'}"


def format_number(value: object) -> str:
    if isinstance(value, (int, float)):
        return f"{value:g}" if float(value) != int(value) else str(int(value))
    return str(value)


def mention_rows(facts: dict) -> list[tuple[str, str]]:
    rating = facts.get("rating")
    sentiment = facts.get("sentiment")
    score = facts.get("sentiment_score")
    if sentiment and score is not None:
        sentiment = f"{sentiment} ({score:+.2f})"
    if facts.get("out_of_domain"):  # the text is in a language the models do not read
        sentiment = (
            f"{sentiment}, from the stars" if sentiment else "not read (English-only models)"
        )
    topics = ", ".join(
        f"{t['topic']} ({t['sentiment']})" if t.get("sentiment") else t["topic"]
        for t in facts.get("topics", [])
    )
    monitors = ", ".join(monitor_label(m) for m in facts.get("monitors", []))
    return [
        ("Source", f"{facts.get('source') or '?'} ({facts.get('mention_kind') or '?'})"),
        ("Author", facts.get("author") or "unknown"),
        ("Rating", f"{format_number(rating)}/5" if rating is not None else "none"),
        ("Sentiment", sentiment or "not tagged"),
        ("Topics", topics or "none"),
        ("Monitors", monitors or "none"),
        ("Language", facts.get("lang") or "unknown"),
        ("Published", facts.get("published_at") or "unknown"),
    ]


def monitor_label(monitor: dict) -> str:
    """The monitor and what the mention did with it, as in "TicketTiger (competitor,
    preferred)": a customer leaving the brand for a rival is what an advocate must see."""
    notes = ["competitor"] if monitor.get("competitor") else []
    if monitor.get("stance"):
        notes.append(str(monitor["stance"]).replace("_", " "))
    return f"{monitor['monitor']} ({', '.join(notes)})" if notes else monitor["monitor"]


def spike_rows(facts: dict) -> list[tuple[str, str]]:
    what = "negative mentions" if facts.get("negative") else "mentions"
    return [
        ("Monitor", str(facts.get("monitor"))),
        ("Last 24 h", f"{facts.get('count')} {what}"),
        (
            "Usual",
            f"{facts.get('mean', 0):.1f} ± {facts.get('stdev', 0):.1f} a day over "
            f"{facts.get('window_days')} days (z = {facts.get('z', 0):.1f})",
        ),
    ]


def source_rows(facts: dict) -> list[tuple[str, str]]:
    return [
        ("Source", str(facts.get("source"))),
        ("Last crawls", ", ".join(facts.get("statuses", []))),
        ("Problem", facts.get("message") or "no message"),
        ("Failing since", facts.get("since") or "unknown"),
    ]


def who_could_answer(experts: object) -> str:
    """ "eve on discourse (answered 2 similar questions, e.g. URL); fay on reddit (1)": the
    first expert with a link to a past answer, then the others (fits one alert field)."""
    experts = [e for e in experts if isinstance(e, dict)] if isinstance(experts, list) else []
    if not experts:
        return "nobody has answered a similar question yet"
    first = experts[0]
    similar = first.get("similar_questions") or 0
    answers = first.get("past_answers") or []
    link = f", e.g. {answers[0]}" if answers else ""
    parts = [f"{first.get('expert')} on {first.get('platform') or '?'} (answered {similar} "
             f"similar question{'s' if similar != 1 else ''}{link})"]  # fmt: skip
    parts += [f"{e.get('expert')} on {e.get('platform') or '?'} ({e.get('similar_questions') or 0})"
              for e in experts[1:3]]  # fmt: skip
    return "; ".join(parts)


def fact_rows(alert: dict, facts: dict, now: datetime) -> list[tuple[str, str]]:
    kind = alert.get("kind")
    if kind in ("volume_spike", "negativity_spike"):
        rows = spike_rows(facts)
    elif kind == "source_health":
        rows = source_rows(facts)
    else:
        rows = mention_rows(facts)
    if "who_could_answer" in facts:
        rows.append(("Who could answer", who_could_answer(facts["who_could_answer"])))
    since = parse_iso(facts.get("since"))
    if since:
        rows.append(("Waiting", describe_duration(now - since)))
    rows.append(("Respond by", deadline_text(alert.get("due_at"), now)))
    return rows


def deadline_text(due_at: str | None, now: datetime) -> str:
    due = parse_iso(due_at)
    if due is None:
        return "no deadline"
    if due >= now:
        return f"{due_at} (in {describe_duration(due - now)})"
    return f"{due_at} (overdue by {describe_duration(now - due)})"


def escalation_line(alert: dict, facts: dict) -> str | None:
    escalation = facts.get("escalation")
    if not alert.get("escalated_from") or not isinstance(escalation, dict):
        return None
    return (
        f"Escalated: {escalation.get('from', '?')} did not respond within "
        f"{format_number(escalation.get('sla_hours', '?'))} h."
    )


# --- rendering ----------------------------------------------------------------------------


def render_alert(alert: dict, now: datetime, body_chars: int = 600) -> AlertMessage:
    """The message for one ``alerts`` row, as of ``now`` (for the waiting time)."""
    facts = alert_facts(alert)
    now = utc(now)
    title = clean_text(facts.get("title"), TITLE_CHARS)
    body = clean_text(facts.get("body"), body_chars, multiline=True)
    rows = [
        (label, clean_text(value, FIELD_CHARS)) for label, value in fact_rows(alert, facts, now)
    ]
    parts = MessageParts(
        headline=clean_text(headline(alert, facts), FIELD_CHARS),
        escalation=escalation_line(alert, facts),
        rows=rows,
        title=title,
        body=body,
        link=safe_link(facts.get("url")),
        alert_id=clean_text(alert.get("id"), 64),
    )
    return AlertMessage(subject=subject_line(parts), text=text_body(parts), html=html_body(parts))


@dataclass(frozen=True)
class MessageParts:
    headline: str
    escalation: str | None
    rows: list[tuple[str, str]]
    title: str
    body: str
    link: str | None
    alert_id: str


def subject_line(parts: MessageParts) -> str:
    prefix = "[groundswell] ESCALATED " if parts.escalation else "[groundswell] "
    title = f": {parts.title}" if parts.title else ""
    return truncate(prefix + parts.headline + title, SUBJECT_CHARS)


def text_body(parts: MessageParts) -> str:
    lines = [parts.headline, ""]
    if parts.escalation:
        lines += [parts.escalation, ""]
    width = max(len(label) for label, _ in parts.rows)
    lines += [f"{label + ':':<{width + 1}} {value}" for label, value in parts.rows]
    if parts.link:
        lines.append(f"{'Link:':<{width + 1}} {parts.link}")
    if parts.title or parts.body:
        lines += ["", *(f"> {line}" for line in f"{parts.title}\n{parts.body}".strip().split("\n"))]
    lines += ["", f"Alert {parts.alert_id}: groundswell alerts ack {parts.alert_id}", ""]
    return "\n".join(lines)


def html_body(parts: MessageParts) -> str:
    escape = html.escape
    rows = "".join(
        f"<tr><th align='left'>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in parts.rows
    )
    if parts.link:
        href = escape(parts.link, quote=True)
        rows += f"<tr><th align='left'>Link</th><td><a href=\"{href}\">{escape(parts.link)}</a></td></tr>"
    escalation = f"<p><strong>{escape(parts.escalation)}</strong></p>" if parts.escalation else ""
    quote = ""
    if parts.title or parts.body:
        body = escape(parts.body).replace("\n", "<br>\n")
        quote = (
            f"<blockquote><p><strong>{escape(parts.title)}</strong></p><p>{body}</p></blockquote>"
        )
    alert_id = escape(parts.alert_id)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
        f"<h2>{escape(parts.headline)}</h2>\n{escalation}\n<table>{rows}</table>\n{quote}\n"
        f"<p>Alert {alert_id}: <code>groundswell alerts ack {alert_id}</code></p>\n"
        "</body></html>\n"
    )
