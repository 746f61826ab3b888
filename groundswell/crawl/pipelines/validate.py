"""The one validation step for parsed mentions: each field is checked and coerced here.

A malformed field is nulled, never the mention: its raw value is kept in the mention's ``raw``
payload (under ``_groundswell_invalid``) and counted in crawl stats
(``groundswell/invalid/<field>``), with the first examples kept for the ``crawl_runs``
message. Dates become ISO 8601 UTC and must fall between 1995 and a day from now; ratings
become 0..5 and must be finite numbers within the source's scale; URLs must be absolute
http(s). Only a mention with nothing to read (no title, no body), no way to identify it (no
site id, no URL) or an unknown kind is dropped, and that is counted too.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from groundswell.crawl.items import MENTION_KINDS, MentionItem
from groundswell.crawl.pipelines.normalize import plain_text, to_utc_iso

EARLIEST_DATE = "1995-01-01T00:00:00Z"
FUTURE_SLACK = timedelta(days=1)
INVALID_KEY = "_groundswell_invalid"  # raw values of nulled fields, in the mention's raw payload
EXAMPLES_KEPT = 3
EXAMPLES_STAT = "groundswell/item_examples"


class InvalidFieldError(ValueError):
    """A field's value cannot be used; the message says why."""


def checked_date(value, now: datetime | None = None) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise InvalidFieldError("not a date")
    try:
        moment = to_utc_iso(value)
    except (ValueError, OverflowError, OSError, TypeError):
        raise InvalidFieldError("not a date") from None
    if moment < EARLIEST_DATE:
        raise InvalidFieldError("before 1995")
    if moment > to_utc_iso((now or datetime.now(timezone.utc)) + FUTURE_SLACK):
        raise InvalidFieldError("more than a day in the future")
    return moment


def finite_number(value) -> float:
    if isinstance(value, bool):
        raise InvalidFieldError("not a number")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise InvalidFieldError("not a number") from None
    if not math.isfinite(number):
        raise InvalidFieldError("not a finite number")
    return number


def checked_rating(value, scale=None) -> float | None:
    """A rating on the site's scale (best = ``scale``, default 5) → 0..5, rounded to 2 places."""
    if value in (None, ""):
        return None
    number = finite_number(value)
    best = 5.0 if scale in (None, "") else finite_number(scale)
    if best <= 0:
        raise InvalidFieldError(f"the scale ({scale!r}) is not a positive number")
    if not 0 <= number <= best:
        raise InvalidFieldError(f"outside the source's 0-{best:g} scale")
    return round(number * 5.0 / best, 2)


def checked_url(value) -> str | None:
    if value in (None, ""):
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidFieldError("not an absolute http(s) URL")
    return value


def checked_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise InvalidFieldError(f"not text ({type(value).__name__})")


def checked_id(value) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    raise InvalidFieldError(f"not an id ({type(value).__name__})")


FLAG_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def checked_flag(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in FLAG_WORDS:
        return FLAG_WORDS[value.strip().lower()]
    raise InvalidFieldError("not true or false")


FIELD_CHECKS = {
    "published_at": checked_date, "fetched_at": checked_date, "url": checked_url,
    "thread_url": checked_url, "title": checked_text, "body": checked_text,
    "author": checked_text, "vendor_response": checked_text, "site_id": checked_id,
    "parent_site_id": checked_id, "is_question": checked_flag, "answered": checked_flag,
    "vendor_responded": checked_flag,
}  # fmt: skip


@dataclass
class FieldProblem:
    field: str
    value: object
    reason: str

    def describe(self) -> str:
        shown = repr(self.value)
        return f"{self.field} {shown[:60]}{'...' if len(shown) > 60 else ''}: {self.reason}"


@dataclass
class MentionReport:
    """What validation found in one mention: fields it nulled, and why it cannot be stored."""

    fields: list[FieldProblem] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def validate_mention(adapter: ItemAdapter, now: datetime | None = None) -> MentionReport:
    """Check and coerce every field of ``adapter`` in place: a malformed field is nulled (its raw
    value kept in ``raw``); returns what was nulled and the reasons to drop the mention."""
    report = MentionReport()
    for name, check in FIELD_CHECKS.items():
        value = adapter.get(name)
        try:
            adapter[name] = check(value, now) if check is checked_date else check(value)
        except InvalidFieldError as error:
            report.fields.append(FieldProblem(name, value, str(error)))
            adapter[name] = None
    try:
        adapter["rating"] = checked_rating(adapter.get("rating"), adapter.get("rating_scale"))
    except InvalidFieldError as error:
        report.fields.append(FieldProblem("rating", adapter.get("rating"), str(error)))
        adapter["rating"] = None
    if report.fields:
        keep_raw_values(adapter, report.fields)
    report.dropped = drop_reasons(adapter)
    return report


def drop_reasons(adapter: ItemAdapter) -> list[str]:
    reasons = []
    if not (adapter.get("site_id") or adapter.get("url")):
        reasons.append("no_id")
    if not (plain_text(adapter.get("body")) or plain_text(adapter.get("title"))):
        reasons.append("no_text")
    if adapter.get("kind") not in MENTION_KINDS:
        reasons.append("bad_kind")
    return reasons


def keep_raw_values(adapter: ItemAdapter, problems: list[FieldProblem]) -> None:
    """The nulled fields' values, with why, in the mention's raw payload."""
    raw = adapter.get("raw")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            pass
    raw = dict(raw) if isinstance(raw, dict) else ({} if raw is None else {"raw": raw})
    raw[INVALID_KEY] = {p.field: {"value": json_safe(p.value), "reason": p.reason}
                        for p in problems}  # fmt: skip
    adapter["raw"] = raw


def json_safe(value):
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return repr(value)
    return value


def note_item_problem(stats, key: str, example: str, count: int = 1) -> None:
    """Count an item problem in crawl stats (``groundswell/<key>``) and keep the first few
    examples for the crawl_runs message."""
    stats.inc_value(f"groundswell/{key}", count)
    stats.inc_value("groundswell/item_problems", count)
    examples = stats.get_value(EXAMPLES_STAT) or []
    if len(examples) < EXAMPLES_KEPT:
        stats.set_value(EXAMPLES_STAT, [*examples, example])


class ValidatePipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item, spider=None):
        if not isinstance(item, MentionItem):
            return item
        adapter = ItemAdapter(item)
        report = validate_mention(adapter)
        where = adapter.get("url") or adapter.get("site_id") or "a mention"
        for problem in report.fields:
            note_item_problem(self.stats, f"invalid/{problem.field}",
                              f"{where}: {problem.describe()} (nulled)")  # fmt: skip
        if report.dropped:
            for reason in report.dropped:
                self.stats.inc_value(f"groundswell/dropped/{reason}")
            note_item_problem(self.stats, "dropped",
                              f"{where}: dropped ({', '.join(report.dropped)})")  # fmt: skip
            raise DropItem(f"mention dropped: {', '.join(report.dropped)}")
        return item
