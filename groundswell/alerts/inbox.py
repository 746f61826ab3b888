"""The inbox: mentions that need a response, and what people do about them.

``needs_response(conn, ...)`` lists them: reviews rated 2 stars or less, or tagged negative and
rated 3 or less (or not rated), reviews rated 4-5 whose text the model reads as negative (shown
positive, as the stars say, but a complaint in a 5-star review is worth an answer; no alert is
raised for it), and questions nobody answered, with no vendor reply; plus every mention with
an alert that is not closed; duplicates left out, newest ``days`` only. Mentions only about
competitors (a review of a competitor's product) are left out unless they have an alert or the
inbox is narrowed to that monitor. Each comes with its triage state (``inbox``
row) and its alerts' earliest due time.

The actions write who and when: an ``inbox_actions`` row (its ``nonce``, from the form, is
unique: a double click or a replayed form does one thing) and the state it changes, in one
transaction (``responded`` and ``correct`` commit through the outbox's and the corrections'
own functions, which are idempotent themselves):

- ``assign``: ``inbox.assigned_to``;
- ``acknowledge``: ``inbox.acknowledged_*`` and the mention's open alerts become
  ``acknowledged`` (``acknowledged_by``), as ``groundswell alerts ack`` does: no escalation;
- ``snooze`` / ``unsnooze``: ``inbox.snoozed_until`` hides it from the inbox until then (its
  alerts still escalate when their SLA passes: acknowledge to stop that);
- ``responded``: ``mentions.vendor_responded = 1`` and the outbox closes the mention's alerts
  (status ``responded``, ``responded_by``), as when ``groundswell alerts`` sees a vendor reply;
- ``correct``: a ``corrections`` row (``groundswell.store.corrections``).

An action that changes nothing (acknowledging twice) writes nothing and says so.
"""

from __future__ import annotations

import heapq
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from groundswell.alerts.messages import iso, utc
from groundswell.alerts.outbox import NOT_CLOSED, OPEN_STATUSES, mark_responded
from groundswell.errors import GroundswellError
from groundswell.store.corrections import save_correction
from groundswell.store.transaction import transaction
from groundswell.store.views import NEEDS_REPLY_REVIEW, OPEN_QUESTION

DEFAULT_DAYS = 28
MAX_DAYS = 3660  # the widest window the inbox page offers: ten years
DEFAULT_SLA_HOURS = 24.0  # a mention without an alert is due a day after it was published
SNOOZES = {"4h": timedelta(hours=4), "1d": timedelta(days=1), "3d": timedelta(days=3),
           "7d": timedelta(days=7)}  # fmt: skip
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@ -]{1,80}$")


class InboxError(GroundswellError, ValueError):
    """An inbox action that cannot be done: unknown mention, bad value."""


@dataclass
class ActionResult:
    done: bool
    message: str
    repeated: bool = False  # its nonce was used before: a double click, a used response link


def marks(values) -> str:
    return ", ".join("?" * len(values))


# Each branch reads an index alone (the partial idx_mentions_needs_reply_2 and
# idx_mentions_open_questions_unreplied, alerts (status, due_at)); only an alert's mention is
# looked up, to leave out answered ones and copies. Questions carry is_question = 1.
CANDIDATES_SQL = f"""
select id, published_at from mentions
where {NEEDS_REPLY_REVIEW} and published_at >= :since
union
select id, published_at from mentions where {OPEN_QUESTION} and published_at >= :since
union
select m.id, m.published_at from alerts a cross join mentions m on m.id = a.mention_id
where a.status in ({", ".join(repr(s) for s in NOT_CLOSED)}) and a.created_at >= :since
  and coalesce(m.vendor_responded, 0) = 0 and likely(m.duplicate_of is null)
"""

# the open alerts per mention, read once (not once per candidate)
ALERTS_SQL = f"""
select mention_id,
  min(case when status in ({", ".join(repr(s) for s in OPEN_STATUSES)}) then due_at end)
    as alert_due_at,
  count(*) as alerts
from alerts where status in ({", ".join(repr(s) for s in NOT_CLOSED)}) group by mention_id
"""

# about competitors only (a review of a competitor's product): not ours to answer, unless an
# alert rule (competitor_comparison) asked for it or the inbox is filtered to that monitor
COMPETITORS_ONLY = """coalesce((select min(coalesce(mm.competitor, 0)) from mention_monitors mm
                                 where mm.mention_id = m.id), 0) = 1"""

# Which candidates are in the inbox, in order: only the few columns that decide it, so that
# thousands of candidates sort quickly; the page's rows are read afterwards (DETAILS_SQL).
ITEMS_SQL = f"""
with candidates(id, published_at) as ({CANDIDATES_SQL}),
open_alerts as materialized ({ALERTS_SQL}),
items as (
  select m.id, m.published_at, i.snoozed_until, a.alert_due_at, coalesce(a.alerts, 0) as alerts
  from candidates m
  left join open_alerts a on a.mention_id = m.id
  left join inbox i on i.mention_id = m.id
  where (:monitor = '' or exists (select 1 from mention_monitors mm
                                  where mm.mention_id = m.id and mm.monitor = :monitor))
    and (:monitor != '' or a.alerts is not null or not {COMPETITORS_ONLY})
    and (:assigned = '' or i.assigned_to = :assigned)
    and case when :snoozed then i.snoozed_until > :now
             else i.snoozed_until is null or i.snoozed_until <= :now end
)
select id, published_at, alerts, alert_due_at,
  coalesce(alert_due_at, strftime('%Y-%m-%dT%H:%M:%SZ', published_at,
           '+{int(DEFAULT_SLA_HOURS)} hours')) as due_at
from items
"""
DETAILS_SQL = """
select m.id, m.title, m.body, m.source, m.kind, m.author, m.rating, m.sentiment, m.topics,
  m.text_sentiment, m.sentiment_disagrees, m.monitors, m.url, m.published_at, m.is_question, m.lang,
  m.out_of_domain,
  i.assigned_to, i.acknowledged_by, i.acknowledged_at, i.snoozed_until
from mentions m left join inbox i on i.mention_id = m.id
where m.id in (select value from json_each(:ids))
"""


def first_of(rows: list, count: int, order: str) -> list:
    """The first ``count`` rows (id, published_at, alerts, alert_due_at, due_at): by due time
    (most overdue first), or newest first."""
    if order == "newest":
        return heapq.nlargest(count, rows, key=lambda row: (row[1] or "", row[0]))
    return heapq.nsmallest(count, rows, key=lambda row: (row[4] or "", row[0]))


def needs_response(conn: sqlite3.Connection, monitor: str = "", days: int = DEFAULT_DAYS,
                   assigned: str = "", snoozed: bool = False, order: str = "due",
                   limit: int = 50, offset: int = 0,
                   now: datetime | None = None) -> tuple[list[dict], int]:  # fmt: skip
    """A page of the inbox (most urgent first, or newest) and how many items it holds.

    The thousands of candidates a busy brand has are sorted here, on their few keys: cheaper
    than SQLite's sorter over the query's rows."""
    now = utc(now)
    params = {"since": iso(now - timedelta(days=days)), "now": iso(now), "monitor": monitor,
              "assigned": assigned, "snoozed": int(snoozed)}  # fmt: skip
    ranked = conn.execute(ITEMS_SQL, params).fetchall()
    if order not in ("due", "newest"):
        raise InboxError(f"order by due or newest (got {order!r})")
    page = first_of(ranked, offset + limit, order)[offset:]
    cursor = conn.execute(DETAILS_SQL, {"ids": json.dumps([row[0] for row in page])})
    names = [d[0] for d in cursor.description]
    details = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    items = [{**details[mention_id], "alerts": alerts, "alert_due_at": alert_due, "due_at": due}
             for mention_id, _, alerts, alert_due, due in page if mention_id in details]  # fmt: skip
    return items, len(ranked)


# --- actions ------------------------------------------------------------------------------


def now_text(now: datetime | None) -> str:
    return iso(utc(now))


def check_mention(db: sqlite_utils.Database, mention_id: str) -> None:
    if db.execute("select 1 from mentions where id = ?", [mention_id]).fetchone() is None:
        raise InboxError(f"no mention has the id {mention_id!r}")


def record(db: sqlite_utils.Database, nonce: str | None, mention_id: str, action: str,
           value: str | None, who: str, at: str) -> bool:  # fmt: skip
    """Insert the action's row; False when its nonce was used before (nothing to do)."""
    try:
        db.execute(
            "insert into inbox_actions (nonce, mention_id, action, value, who, at) "
            "values (?, ?, ?, ?, ?, ?)",
            [nonce or None, mention_id, action, value, who, at],
        )
    except sqlite3.IntegrityError:
        return False
    return True


def inbox_row(db: sqlite_utils.Database, mention_id: str) -> dict:
    cursor = db.execute("select * from inbox where mention_id = ?", [mention_id])
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else {}


def set_inbox(db: sqlite_utils.Database, mention_id: str, at: str, **fields) -> None:
    """Upsert the mention's ``inbox`` row in the caller's transaction (sqlite-utils' upsert
    would commit it)."""
    columns = ["mention_id", *fields, "updated_at"]
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    db.execute(
        f"insert into inbox ({', '.join(columns)}) values ({marks(columns)}) "
        f"on conflict (mention_id) do update set {updates}",
        [mention_id, *fields.values(), at],
    )


def act(db: sqlite_utils.Database, mention_id: str, action: str, who: str,
        value: str | None = None, nonce: str | None = None,
        now: datetime | None = None) -> ActionResult:  # fmt: skip
    """Do ``action`` on a mention as ``who``: once per ``nonce``, nothing when nothing changes."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise InboxError(f"unknown action {action!r}; actions: {', '.join(ACTIONS)}")
    if not who:
        raise InboxError("an action needs a logged-in person")
    check_mention(db, mention_id)
    with transaction(db):
        if not record(db, nonce, mention_id, action, value, who, now_text(now)):
            return ActionResult(False, "Already done (this form was sent before)", repeated=True)
        change = handler(db, mention_id, who, value, utc(now))
        if change is None:
            db.conn.rollback()  # the action's row goes too: nothing happened
            return ActionResult(False, "Nothing to change: " + NO_CHANGE[action])
    return ActionResult(True, DONE[action].format(value=change))


def do_assign(db, mention_id: str, who: str, value: str | None, now: datetime) -> str | None:
    name = (value or "").strip()
    if not NAME_PATTERN.match(name):
        raise InboxError("assign to a name: letters, digits, spaces and _.@- (up to 80)")
    if inbox_row(db, mention_id).get("assigned_to") == name:
        return None
    set_inbox(db, mention_id, iso(now), assigned_to=name, assigned_by=who, assigned_at=iso(now))
    return name


def do_acknowledge(db, mention_id: str, who: str, value, now: datetime) -> str | None:
    open_alerts = db.execute(
        f"update alerts set status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ? "
        f"where mention_id = ? and status in ({marks(OPEN_STATUSES)})",
        [iso(now), who, mention_id, *OPEN_STATUSES],
    ).rowcount
    if inbox_row(db, mention_id).get("acknowledged_at") and not open_alerts:
        return None
    set_inbox(db, mention_id, iso(now), acknowledged_by=who, acknowledged_at=iso(now))
    return f"{open_alerts} alert(s)"


def do_snooze(db, mention_id: str, who: str, value: str | None, now: datetime) -> str | None:
    if value not in SNOOZES:
        raise InboxError(f"snooze for one of {', '.join(SNOOZES)} (got {value!r})")
    until = iso(now + SNOOZES[value])
    set_inbox(db, mention_id, iso(now), snoozed_until=until, snoozed_by=who)
    return until


def do_unsnooze(db, mention_id: str, who: str, value, now: datetime) -> str | None:
    if not inbox_row(db, mention_id).get("snoozed_until"):
        return None
    set_inbox(db, mention_id, iso(now), snoozed_until=None, snoozed_by=who)
    return "now"


def do_responded(db, mention_id: str, who: str, value, now: datetime) -> str | None:
    changed = db.execute(
        "update mentions set vendor_responded = 1 where id = ? "
        "and coalesce(vendor_responded, 0) = 0",
        [mention_id],
    ).rowcount
    if not changed:
        return None
    closed = mark_responded(db, now)  # the outbox closes its alerts (and commits)
    db.execute(
        "update alerts set responded_by = ? where mention_id = ? and status = 'responded' "
        "and responded_by is null",
        [who, mention_id],
    )
    set_inbox(db, mention_id, iso(now), responded_by=who, responded_at=iso(now))
    return f"{closed} alert(s)"


def do_correct(db, mention_id: str, who: str, value: str | None, now: datetime) -> str | None:
    """``value``: ``sentiment=positive`` or ``topics=["billing", "support"]``."""
    field, _, new = (value or "").partition("=")
    field, new = field.strip(), new.strip()
    if field == "topics" and new and not new.startswith("["):
        new = json.dumps([t.strip() for t in new.split(",") if t.strip()])
    if save_correction(db, mention_id, field, new, who) is None:
        return None
    return f"{field} is {new}"


ACTIONS = {
    "assign": do_assign,
    "acknowledge": do_acknowledge,
    "snooze": do_snooze,
    "unsnooze": do_unsnooze,
    "responded": do_responded,
    "correct": do_correct,
}
DONE = {
    "assign": "Assigned to {value}",
    "acknowledge": "Acknowledged ({value} acknowledged)",
    "snooze": "Snoozed until {value}",
    "unsnooze": "Back in the inbox",
    "responded": "Marked responded ({value} closed)",
    "correct": "Correction saved: {value}",
}
NO_CHANGE = {
    "assign": "already assigned to that person",
    "acknowledge": "already acknowledged",
    "snooze": "",
    "unsnooze": "not snoozed",
    "responded": "already marked responded",
    "correct": "the latest correction already says that",
}
