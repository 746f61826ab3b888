"""Datasette ``prepare_jinja2_environment`` and ``extra_template_vars`` hooks: the filters and
values groundswell's templates share (dates in words, stars, topic chips, safe links), and
the chart above a canned query's results (``query_chart``, from its ``chart`` metadata).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import urlsplit

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup

from groundswell.chart_style import day_label
from groundswell.web.charts import svg_chart
from groundswell.web.query_charts import chart_from_rows

DATABASE = "groundswell"


def week_start(label: str | None) -> str:
    """``2026-W48`` as ``23 Nov 2026`` (the Monday it starts); the text itself when not one."""
    from groundswell.chart_style import iso_week_monday

    monday = iso_week_monday(str(label or ""))
    return day_label(monday, with_year=True) if monday else str(label or "")


def when(stamp: str | None) -> str:
    """``5 Dec 2026, 19:22 UTC`` from an ISO 8601 timestamp (the text itself when not one)."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return str(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return f"{day_label(moment.date(), with_year=True)}, {moment:%H:%M} UTC"


def due(stamp: str | None, now: datetime | None = None) -> Markup:
    """``overdue by 3 days`` (in red) or ``due in 5 hours``."""
    try:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return Markup("")
    now = now or datetime.now(timezone.utc)
    hours = (moment - now).total_seconds() / 3600
    span = f"{abs(hours):.0f} hours" if abs(hours) < 48 else f"{abs(hours) / 24:.0f} days"
    if hours < 0:
        return Markup('<span class="gs-overdue" title="due {}">overdue by {}</span>').format(
            when(stamp), span)  # fmt: skip
    return Markup('<span class="gs-due" title="due {}">due in {}</span>').format(when(stamp), span)


def stars(rating) -> Markup:
    try:
        value = float(rating)
    except (TypeError, ValueError):
        return Markup("")
    full = max(0, min(5, round(value)))
    return Markup('<span class="gs-stars" title="{} of 5 stars" aria-label="{} of 5 stars">{}'
                  '<span class="gs-stars-off">{}</span></span>').format(
        f"{value:g}", f"{value:g}", "★" * full, "★" * (5 - full))  # fmt: skip


def topic_list(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        found = json.loads(value or "[]")
    except (TypeError, ValueError):
        return []
    return [str(v) for v in found] if isinstance(found, list) else []


def safe_url(url) -> str | None:
    """The URL when it is a plain http(s) link (never ``javascript:`` and the like)."""
    text = str(url or "").strip()
    parts = urlsplit(text)
    return text if parts.scheme in ("http", "https") and parts.netloc and " " not in text else None


def site_of(url) -> str:
    host = urlsplit(str(url or "")).hostname or ""
    return host.removeprefix("www.") or "the site"


def excerpt(text, limit: int = 280) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def mention_url(datasette, mention_id: str) -> str:
    return datasette.urls.row(DATABASE, "mentions", tilde_encode(str(mention_id)))


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters.update(gs_when=when, gs_due=due, gs_week=week_start, gs_stars=stars, gs_topics=topic_list, gs_safe_url=safe_url,
                       gs_site=site_of, gs_excerpt=excerpt)  # fmt: skip
    env.globals["gs_mention_url"] = lambda mention_id: mention_url(datasette, mention_id)


def query_chart(datasette, database: str, canned_query: str | None, rows) -> Markup:
    """The canned query's chart (``chart`` in its metadata) drawn from its rows."""
    if database != DATABASE or not canned_query or not rows:
        return Markup("")
    queries = (datasette.metadata("databases") or {}).get(DATABASE, {}).get("queries", {})
    spec = (queries.get(canned_query) or {}).get("chart")
    chart = chart_from_rows(spec, rows) if spec else None
    if chart is None:
        return Markup("")
    return Markup('<figure class="gs-figure">{}<figcaption>{}</figcaption></figure>').format(
        svg_chart(chart, width=960, height=340), spec.get("caption", "")
    )


@hookimpl
def extra_template_vars(datasette):
    return {
        "gs_query_chart": lambda database, canned_query, rows: query_chart(
            datasette, database, canned_query, rows),
        "gs_login_available": bool(datasette.plugin_config("datasette-auth-passwords")),
    }  # fmt: skip
