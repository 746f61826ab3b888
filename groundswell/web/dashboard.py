"""The home page's numbers: one brand (monitor) at a glance.

``build_dashboard(conn, monitor, now)`` reads, for the monitor (or every mention when it is
empty): the last 7 days' mentions, average rating and negative share against the 7 days
before, a 12-week trend by sentiment (the current week marked as not over), the week's top
topics with their sentiment, the newest mentions that need a response, share of voice against
the other monitors, and source health in one line. Each figure links into Datasette's tables,
filtered. When the monitor has nothing to show, ``empty`` says why.

Every query reads an index (``groundswell.store.views``): the monitor's tag rows carry copies of
their mention's date, week, sentiment and rating, so nothing joins a million mentions.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from groundswell.alerts.inbox import needs_response
from groundswell.alerts.messages import iso, utc
from groundswell.chart_style import UNREAD, day_label, iso_week_monday, monday_of, week_labels
from groundswell.web.charts import Chart, Series

TREND_WEEKS = 8  # as the digest's trend
MIN_TREND_WEEKS = 4
TOP_TOPICS = 6
SENTIMENTS = ("negative", "neutral", "positive")
TABLE = "/groundswell/mentions"


@dataclass
class Kpi:
    label: str
    value: str
    change: str
    tone: str  # good, bad or neutral
    link: str


@dataclass
class Health:
    text: str
    tone: str
    link: str = "/groundswell/source_health"


@dataclass
class Dashboard:
    monitor: str
    monitors: list[tuple[str, bool]]
    kpis: list[Kpi] = field(default_factory=list)
    trend: Chart | None = None
    topics: Chart | None = None
    topic_links: list[tuple[str, str]] = field(default_factory=list)
    voice: Chart | None = None
    inbox: list[dict] = field(default_factory=list)
    inbox_total: int = 0
    health: Health | None = None
    empty: str = ""
    since_label: str = ""

    @property
    def scope(self) -> str:
        return f"“{self.monitor}”" if self.monitor else "all mentions"


# The vendor's own posts (mentions.by_vendor, set by the community pass): its support answering
# is not customer voice, so no count, trend, topic or share of voice here includes them (the
# digest leaves them out too). Read from each covering index's id, so the indexes stay covering.
VENDOR_POSTS = "(select id from mentions where by_vendor = 1)"
VENDOR_ROWIDS = "(select rowid from mentions where by_vendor = 1)"


@dataclass
class Scope:
    """Where a monitor's (or every) mention's date, sentiment and rating are read from."""

    monitor: str

    @property
    def rows(self) -> str:
        if self.monitor:
            return (
                "mention_monitors where monitor = :monitor and duplicate_of is null"
                f" and mention_id not in {VENDOR_POSTS}"
            )
        return f"mentions where likely(duplicate_of is null) and id not in {VENDOR_POSTS}"

    @property
    def sentiment(self) -> str:
        return "mention_sentiment" if self.monitor else "sentiment"


def mentions_link(monitor: str, **filters) -> str:
    args = {"monitors__arraycontains": monitor} if monitor else {}
    args.update({k: v for k, v in filters.items() if v is not None})
    return f"{TABLE}?{urlencode(args)}" if args else TABLE


# --- monitors ------------------------------------------------------------------------------

# one index seek per monitor instead of reading every tag row (a skip-scan by hand)
MONITORS_SQL = """
with recursive names(name) as (
  select min(monitor) from mention_monitors
  union all
  select (select min(monitor) from mention_monitors where monitor > names.name)
  from names where names.name is not null
)
select name, (select competitor from mention_monitors where monitor = name limit 1) as competitor
from names where name is not null
"""


def list_monitors(conn: sqlite3.Connection) -> list[tuple[str, bool]]:
    """Every monitor with tagged mentions, the brand's own first."""
    rows = [(name, bool(competitor)) for name, competitor in conn.execute(MONITORS_SQL)]
    return sorted(rows, key=lambda row: (row[1], row[0].lower()))


def chosen_monitor(requested: str | None, monitors: list[tuple[str, bool]]) -> str:
    """The requested monitor (``""``: all mentions), else the first own brand."""
    names = [name for name, _ in monitors]
    if requested is not None and (requested == "" or requested in names):
        return requested
    return names[0] if names else ""


# --- key numbers ---------------------------------------------------------------------------


def period_figures(conn, scope: Scope, start: str, end: str) -> dict:
    sql = f"""select count(*) as mentions, avg(rating) as rating,
                sum({scope.sentiment} = 'negative') as negative,
                count({scope.sentiment}) as tagged
              from {scope.rows} and published_at >= :start and published_at < :end"""
    row = conn.execute(sql, {"monitor": scope.monitor, "start": start, "end": end}).fetchone()
    return dict(zip(("mentions", "rating", "negative", "tagged"), row, strict=True))


def change_text(now: float | None, before: float | None, unit: str, digits: int = 0) -> str:
    if now is None or before is None:
        return "no figure for the 7 days before"
    delta = now - before
    if abs(delta) < 10**-digits / 2:
        return "same as the 7 days before"
    sign = "+" if delta > 0 else "−"
    return f"{sign}{abs(delta):,.{digits}f}{unit} vs the 7 days before"


def tone(delta: float | None, good_when_up: bool) -> str:
    if not delta:
        return "neutral"
    return "good" if (delta > 0) == good_when_up else "bad"


def share(part: int | None, whole: int | None) -> float | None:
    return 100.0 * (part or 0) / whole if whole else None


def key_numbers(conn, scope: Scope, now: datetime) -> list[Kpi]:
    week_ago, fortnight_ago = iso(now - timedelta(days=7)), iso(now - timedelta(days=14))
    recent = period_figures(conn, scope, week_ago, iso(now))
    before = period_figures(conn, scope, fortnight_ago, week_ago)
    since = week_ago[:10]
    rating = (recent["rating"], before["rating"])
    negative = (share(recent["negative"], recent["tagged"]),
                share(before["negative"], before["tagged"]))  # fmt: skip
    return [
        Kpi("Mentions, last 7 days", f"{recent['mentions']:,}",
            change_text(recent["mentions"], before["mentions"], ""), "neutral",
            mentions_link(scope.monitor, published_at__gte=since)),
        Kpi("Average rating", "–" if rating[0] is None else f"{rating[0]:.2f} ★",
            change_text(*rating, " ★", 2),
            tone(None if None in rating else rating[0] - rating[1], True),
            mentions_link(scope.monitor, published_at__gte=since, rating__notblank=1)),
        Kpi("Negative share", "–" if negative[0] is None else f"{negative[0]:.0f}%",
            change_text(*negative, " points"),
            tone(None if None in negative else negative[0] - negative[1], False),
            mentions_link(scope.monitor, published_at__gte=since, sentiment="negative")),
    ]  # fmt: skip


# --- trend ---------------------------------------------------------------------------------


def weekly_sentiment(conn, scope: Scope, first_monday: date) -> dict[date, dict[str, int]]:
    """Mentions per week (by its Monday) and sentiment, from the stored ISO week: one range of
    a (monitor,) week, sentiment index, grouped as it is read."""
    year, week, _ = first_monday.isocalendar()
    if scope.monitor:
        sql = f"""select week, mention_sentiment, count(*) from mention_monitors
                  where monitor = :monitor and duplicate_of is null and week >= :week
                    and mention_id not in {VENDOR_POSTS}
                  group by week, mention_sentiment"""
    else:  # without INDEXED BY, SQLite takes the duplicate_of index for "is null"
        sql = f"""select week, sentiment, count(*) from mentions
                  indexed by idx_mentions_week_sentiment
                  where duplicate_of is null and week >= :week and rowid not in {VENDOR_ROWIDS}
                  group by week, sentiment"""
    weeks: dict[date, dict[str, int]] = {}
    params = {"monitor": scope.monitor, "week": f"{year}-W{week:02d}"}
    for label, sentiment, count in conn.execute(sql, params):
        monday = iso_week_monday(label)
        if monday is None:
            continue
        bucket = weeks.setdefault(monday, {})
        key = sentiment if sentiment in SENTIMENTS else "untagged"
        bucket[key] = bucket.get(key, 0) + count
    for label, count in conn.execute(unread_sql(scope), params):
        bucket = weeks.get(iso_week_monday(label))
        if bucket is not None:  # counted above as untagged: no sentiment, its language unread
            bucket["untagged"] -= count
            bucket[UNREAD] = count
    return weeks


def unread_sql(scope: Scope) -> str:
    """Mentions per week without a sentiment because they are in a language the models do not
    read (``out_of_domain``); the mention rows looked up are only those without a sentiment."""
    unread = "exists (select 1 from mentions u where u.id = {} and u.out_of_domain = 1)"
    if scope.monitor:
        return f"""select week, count(*) from mention_monitors
                   where monitor = :monitor and duplicate_of is null and week >= :week
                     and mention_sentiment is null and mention_id not in {VENDOR_POSTS}
                     and {unread.format("mention_id")} group by week"""
    return f"""select week, count(*) from mentions m indexed by idx_mentions_week_sentiment
               where duplicate_of is null and week >= :week and sentiment is null
                 and rowid not in {VENDOR_ROWIDS} and {unread.format("m.id")} group by week"""


def trend_chart(conn, scope: Scope, today: date, label: str) -> tuple[Chart, int]:
    """Mentions per week by sentiment over ``TREND_WEEKS`` weeks; and how many in all."""
    this_monday = monday_of(today)
    mondays = [this_monday - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    weeks = weekly_sentiment(conn, scope, mondays[0])
    while len(mondays) > MIN_TREND_WEEKS and mondays[0] not in weeks:
        mondays.pop(0)  # before the first mention: not crawled yet, not "no mentions"
    names = [*SENTIMENTS, UNREAD, "untagged"]
    series = [Series(name, [weeks.get(m, {}).get(name, 0) for m in mondays]) for name in names]
    series = [s for s in series if s.name in SENTIMENTS or any(s.values)]
    total = sum(sum(s.values) for s in series)
    chart = Chart("stacked", f"Mentions per week by sentiment, {label}", week_labels(mondays),
                  series, "Week starting (Monday)", "Mentions per week",
                  partial_last=True)  # fmt: skip
    return chart, total


# --- topics, share of voice ------------------------------------------------------------------


def topic_counts(conn, scope: Scope, since: str) -> dict[str, dict[str, int]]:
    if scope.monitor:
        sql = f"""select t.topic, t.sentiment, count(*) from mention_monitors mm
                  join mention_topics t on t.mention_id = mm.mention_id
                  where mm.monitor = :monitor and mm.duplicate_of is null
                    and mm.published_at >= :since and mm.mention_id not in {VENDOR_POSTS}
                  group by t.topic, t.sentiment"""
    else:
        sql = f"""select topic, sentiment, count(*) from mention_topics
                  where published_at >= :since and duplicate_of is null
                    and mention_id not in {VENDOR_POSTS}
                  group by +topic, sentiment"""
    topics: dict[str, dict[str, int]] = {}
    for topic, sentiment, count in conn.execute(sql, {"monitor": scope.monitor, "since": since}):
        bucket = topics.setdefault(topic, {})
        key = sentiment if sentiment in SENTIMENTS else "neutral"
        bucket[key] = bucket.get(key, 0) + count
    return topics


def topics_chart(conn, scope: Scope, since: str) -> tuple[Chart | None, list[tuple[str, str]]]:
    topics = topic_counts(conn, scope, since)
    top = sorted(topics, key=lambda t: (-sum(topics[t].values()), t))[:TOP_TOPICS]
    if not top:
        return None, []
    series = [Series(name, [topics[t].get(name, 0) for t in top]) for name in SENTIMENTS]
    chart = Chart("hbar", "Top topics of the last 7 days by sentiment", top, series,
                  "Mentions in the last 7 days (red negative, grey neutral, green positive)",
                  "Topic")  # fmt: skip
    links = [(t, mentions_link(scope.monitor, topics__arraycontains=t, published_at__gte=since[:10]))
             for t in top]  # fmt: skip
    return chart, links


def voice_chart(conn, monitors: list[tuple[str, bool]], since: str) -> Chart | None:
    sql = f"""select count(*) from mention_monitors
              where monitor = :monitor and duplicate_of is null and published_at >= :since
                and mention_id not in {VENDOR_POSTS}"""
    counts = {name: conn.execute(sql, {"monitor": name, "since": since}).fetchone()[0]
              for name, _ in monitors}  # fmt: skip
    total = sum(counts.values())
    if not total:
        return None
    names = sorted(counts, key=lambda n: (-counts[n], n))
    labels = [f"{n} (competitor)" if dict(monitors)[n] else n for n in names]
    values = [100.0 * counts[n] / total for n in names]
    return Chart("hbar", "Share of voice, last 7 days", labels, [Series("share", values)],
                 "Share of the monitored mentions of the last 7 days (%)", "Monitor",
                 value_format="{:.0f}%")  # fmt: skip


# --- source health -------------------------------------------------------------------------

HEALTH_SQL = """
select source, message,
  case
    when enabled = 0 then 'disabled'
    when last_status is null then 'never crawled'
    when last_status = 'running' then 'running'
    when last_status != 'ok' then 'failing'
    when last_ok is null or last_ok < :stale then 'stale'
    else 'ok'
  end as health, last_run
from crawl_health
"""


def source_health(conn, now: datetime) -> Health:
    rows = conn.execute(HEALTH_SQL, {"stale": iso(now - timedelta(days=2))}).fetchall()
    if not rows:
        return Health("No sources yet: add [[source]] entries and run groundswell crawl.", "bad")
    counts: dict[str, int] = {}
    for _, _, health, _ in rows:
        counts[health] = counts.get(health, 0) + 1
    parts = [f"{n} {h}" for h, n in sorted(counts.items(), key=lambda kv: kv[0] != "ok")]
    failing = [f"{source} ({message or 'no mentions'})" for source, message, health, _ in rows
               if health == "failing"][:2]  # fmt: skip
    last = max((r[3] for r in rows if r[3]), default=None)
    text = f"{len(rows)} sources: {', '.join(parts)}."
    if failing:
        text += f" Failing: {'; '.join(failing)}."
    if last:
        text += f" Last crawl {ago(last, now)}."
    bad = any(h in counts for h in ("failing", "stale"))
    return Health(text, "bad" if bad else "good")


def ago(stamp: str, now: datetime) -> str:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    hours = (now - utc(moment)).total_seconds() / 3600
    if hours < 1:
        return "less than an hour ago"
    if hours < 48:
        return f"{hours:.0f} hours ago"
    return f"{hours / 24:.0f} days ago"


# --- empty states --------------------------------------------------------------------------


def newest_mention(conn, monitor: str) -> str | None:
    sql = (f"select max(published_at) from {Scope(monitor).rows}" if monitor
           else "select max(published_at) from mentions")  # fmt: skip
    return conn.execute(sql, {"monitor": monitor}).fetchone()[0]


def month_text(stamp: str) -> str:
    day = date.fromisoformat(stamp[:10])
    return day_label(day, with_year=True)


def why_empty(conn, monitor: str, weeks: int) -> str:
    """Why the scope has no mention in the trend's weeks, in words."""
    newest_overall = newest_mention(conn, "")
    if newest_overall is None:
        return ("The database has no mentions yet: groundswell crawl fetches them from the "
                "configured sources (groundswell demo fills a demo database).")  # fmt: skip
    if not monitor:
        return (f"No mention was published in the last {weeks} weeks; the newest mention is "
                f"from {month_text(newest_overall)}.")  # fmt: skip
    newest = newest_mention(conn, monitor)
    if newest is None:
        return (f"No mention has matched the monitor “{monitor}” yet (check its query in the "
                f"config); the newest mention is from {month_text(newest_overall)}.")  # fmt: skip
    return (
        f"No mention matched the monitor “{monitor}” in the last {weeks} weeks; its newest "
        f"mention is from {month_text(newest)} (newest of all: {month_text(newest_overall)})."
    )


# --- the page ------------------------------------------------------------------------------


def start_dashboard(conn: sqlite3.Connection, requested: str | None,
                    now: datetime) -> Dashboard:  # fmt: skip
    """The monitors and the one shown: what every part of the page needs first."""
    monitors = list_monitors(conn)
    board = Dashboard(chosen_monitor(requested, monitors), monitors)
    board.since_label = day_label((now - timedelta(days=7)).date())
    return board


def add_figures(conn: sqlite3.Connection, board: Dashboard, now: datetime) -> None:
    """The 7-day figures, the trend (or why it is empty), share of voice, source health."""
    scope = Scope(board.monitor)
    board.trend, total = trend_chart(conn, scope, now.date(), board.scope)
    if not total:
        board.empty = why_empty(conn, board.monitor, TREND_WEEKS)
    board.kpis = key_numbers(conn, scope, now)
    week_ago = iso(now - timedelta(days=7))
    board.voice = voice_chart(conn, board.monitors, week_ago) if len(board.monitors) > 1 else None
    board.health = source_health(conn, now)


def add_topics(conn: sqlite3.Connection, board: Dashboard, now: datetime) -> None:
    week_ago = iso(now - timedelta(days=7))
    board.topics, board.topic_links = topics_chart(conn, Scope(board.monitor), week_ago)


def add_inbox(conn: sqlite3.Connection, board: Dashboard, now: datetime) -> None:
    board.inbox, board.inbox_total = needs_response(conn, monitor=board.monitor, order="newest",
                                                    limit=5, now=now)  # fmt: skip


# Independent parts of the page: the home page runs them at once on Datasette's read threads
# (SQLite lets go of the GIL while a query runs), one after the other here.
PARTS = (add_figures, add_topics, add_inbox)


def build_dashboard(conn: sqlite3.Connection, requested: str | None,
                    now: datetime | None = None) -> Dashboard:  # fmt: skip
    now = utc(now)
    board = start_dashboard(conn, requested, now)
    for part in PARTS:
        part(conn, board, now)
    return board
