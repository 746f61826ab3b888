"""SQL views and indexes that make the database pleasant to browse in Datasette.

``ensure_views(db)`` (re)creates the views that are missing or out of date, so a new version of
a view replaces the old one. It runs inside ``ensure_db_shape``, after every table exists.

``ensure_indexes_for_browsing(db)`` adds the indexes the Datasette pages and canned queries need
to stay fast on a million mentions (see ``bench/datasette_latency.py``).

Weeks are ISO weeks (``2026-W47``, Monday to Sunday, UTC), as in the weekly digest. SQLite 3.40
has no ``%G``/``%V``, so the week is computed from the Thursday of the mention's week.
"""

from __future__ import annotations

import sqlite_utils

from groundswell.store.transaction import transaction


def iso_week_sql(column: str) -> str:
    """SQL for the ISO week (``YYYY-Www``) of an ISO 8601 timestamp column."""
    thursday = f"date({column}, '-3 days', 'weekday 4')"
    return (
        f"strftime('%Y', {thursday}) || '-W' || "
        f"printf('%02d', (strftime('%j', {thursday}) - 1) / 7 + 1)"
    )


# week, topics and monitors are stored on mentions (groundswell/store/denormalise.py): no subquery or
# date computation per row, which a search matching 30,000 mentions paid five times per page.
# published_at comes first: Datasette's array facet (_facet_array; the views link to the
# cheaper _facet_list) de-duplicates whole rows (DISTINCT over every column, in order), and a
# first column that follows the order rows are read in (rowid, roughly crawl order) makes that
# a near-sequential insert: 2-3x faster than with the hashed id first.
MENTIONS_ENRICHED = """
select
    m.published_at,
    m.id,
    m.week,
    m.source,
    m.kind,
    m.sentiment,
    m.rating,
    m.title,
    m.body,
    m.url,
    coalesce(m.topics, '[]') as topics,
    coalesce(m.monitors, '[]') as monitors,
    m.author,
    m.lang,
    m.is_question,
    m.answered,
    m.vendor_responded,
    m.by_vendor,
    m.duplicate_of,
    m.rowid as mention_rowid
from mentions m
"""

ALERT_RESPONSE_TIMES = """
select
    a.id as alert_id,
    a.rule,
    a.kind,
    a.advocate,
    a.status,
    a.mention_id,
    a.summary,
    a.created_at,
    a.sent_at,
    a.due_at,
    a.acknowledged_at,
    a.responded_at,
    a.escalated_at,
    round((julianday(a.acknowledged_at) - julianday(a.sent_at)) * 24 * 60, 1) as minutes_to_ack,
    round((julianday(a.responded_at) - julianday(a.sent_at)) * 24, 2) as hours_to_respond,
    case
        when a.responded_at is not null then a.responded_at <= a.due_at
        when a.due_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now') then 0
    end as within_sla,
    a.responded_at is null and a.status not in ('responded', 'escalated')
        and a.due_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now') as overdue
from alerts a
where a.rule != 'escalation'
"""

CRAWL_HEALTH = """
select
    s.name as source,
    s.kind,
    s.enabled,
    s.schedule,
    r.started_at as last_run,
    r.status as last_status,
    r.pages,
    r.new,
    r.errors,
    r.message,
    (select max(started_at) from crawl_runs
        where source = s.name and status in ('ok', 'partial')) as last_ok,
    (select count(*) from crawl_frontier
        where source = s.name and state in ('pending', 'error')) as backlog,
    (select count(*) from crawl_runs
        where source = s.name and started_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-7 days')
    ) as runs_7d,
    (select count(*) from crawl_runs
        where source = s.name and status in ('error', 'empty')
        and started_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-7 days')
    ) as failed_runs_7d,
    (select coalesce(sum(new), 0) from crawl_runs
        where source = s.name and started_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-7 days')
    ) as new_mentions_7d,
    j.last_success as job_last_success,
    j.last_status as job_status,
    j.last_error as job_error
from sources s
left join crawl_runs r on r.id = (
    select id from crawl_runs where source = s.name order by started_at desc, id desc limit 1
)
left join job_runs j on j.job_id = 'crawl:' || s.name
"""

# Reviews that need a reply (the inbox, groundswell.alerts.inbox): low-rated, or tagged negative
# and not rated 4 or 5, or rated 4-5 with a text the model reads as a complaint (the stars and
# the text disagree: worth an advocate's look), with no vendor reply; originals only. Written once so that the inbox's
# query and the partial index below say the same (SQLite matches them as text).
NEEDS_REPLY_REVIEW = (
    "kind = 'review' and (rating <= 2 or (sentiment = 'negative' and coalesce(rating, 0) <= 3) "
    "or (rating >= 4 and text_sentiment = 'negative')) "
    "and coalesce(vendor_responded, 0) = 0 and duplicate_of is null"
)

# Questions still open and unanswered by the vendor (the inbox), originals only.
OPEN_QUESTION = (
    "is_question = 1 and coalesce(answered, 0) = 0 and coalesce(vendor_responded, 0) = 0 "
    "and duplicate_of is null"
)
# community intelligence (groundswell/community/): one row per defender of a monitored brand,
# and the suggested experts of each question still open
DEFENDERS = """
select
    d.monitor,
    d.platform,
    d.defender,
    count(*) as defences,
    count(distinct d.critic) as critics_answered,
    min(d.at) as first_defence,
    max(d.at) as last_defence,
    round(avg(d.sentiment_score), 3) as avg_sentiment,
    json_group_array(d.mention_id) as evidence,
    (select x.url from defences x where x.monitor = d.monitor and x.platform = d.platform
        and x.defender = d.defender order by x.at desc limit 1) as latest_url
from defences d
group by d.monitor, d.platform, d.defender
"""

EXPERTS = """
select
    e.question_id,
    m.title as question,
    m.url as question_url,
    m.source,
    m.published_at as asked_at,
    e.rank,
    e.expert,
    e.platform,
    e.score,
    e.similar_questions,
    e.past_answers
from question_experts e
join mentions m on m.id = e.question_id
where coalesce(m.answered, 0) = 0 and coalesce(m.vendor_responded, 0) = 0
"""

# (index name, table, indexed columns): what each serves is in docs/datasette.md.
BROWSING_INDEXES = (
    # mentions_enriched?week=... and its week facet: the stored ISO week of publication
    ("idx_mentions_week", "mentions", "mentions (week)"),
    # the rating facet
    ("idx_mentions_rating", "mentions", "mentions (rating)"),
    # after a facet click (?sentiment=negative, ?source=x): the newest rows, the other facet
    ("idx_mentions_sentiment_published", "mentions", "mentions (sentiment, published_at)"),
    ("idx_mentions_source_published", "mentions", "mentions (source, published_at)"),
    ("idx_mentions_sentiment_source", "mentions", "mentions (sentiment, source)"),
    ("idx_mentions_source_sentiment", "mentions", "mentions (source, sentiment)"),
    # negative reviews this week
    ("idx_mentions_kind_published", "mentions", "mentions (kind, published_at)"),
    # unanswered questions (a partial index: only the open ones)
    (
        "idx_mentions_open_questions",
        "mentions",
        "mentions (published_at) where is_question = 1 and coalesce(answered, 0) = 0",
    ),
    # the weekly trends read a window of mentions from this index alone
    (
        "idx_mentions_published_cover",
        "mentions",
        "mentions (published_at, duplicate_of, id, source, kind, rating, sentiment)",
    ),
    # ...and each mention's topics and monitors from these
    ("idx_mention_topics_cover", "mention_topics", "mention_topics (mention_id, topic, sentiment)"),
    (
        "idx_mention_monitors_cover",
        "mention_monitors",
        "mention_monitors (mention_id, monitor, competitor)",
    ),
    # topic trends, share of voice, aspect sentiment: the tag rows' copies of their mention's
    # week, date, source, rating and sentiment (groundswell/store/denormalise.py), duplicates left out;
    # duplicate_of (null in every entry) is a column too, so that SQLite reads the index alone
    (
        "idx_mention_topics_week",
        "mention_topics",
        "mention_topics (week, topic, sentiment, duplicate_of) where duplicate_of is null",
    ),
    (
        "idx_mention_topics_published_2",
        "mention_topics",
        "mention_topics (published_at, topic, sentiment, source, rating, duplicate_of, mention_id) "
        "where duplicate_of is null",
    ),
    (
        "idx_mention_monitors_week",
        "mention_monitors",
        "mention_monitors (week, monitor, competitor, mention_sentiment, duplicate_of) "
        "where duplicate_of is null",
    ),
    # the inbox: reviews and questions that need a reply, newest first
    (
        "idx_mentions_needs_reply_2",
        "mentions",
        f"mentions (kind, published_at, id) where {NEEDS_REPLY_REVIEW}",
    ),
    (
        "idx_mentions_open_questions_unreplied",
        "mentions",
        f"mentions (is_question, published_at, id) where {OPEN_QUESTION}",
    ),
    # a mention's card: the author's other mentions
    ("idx_mentions_author", "mentions", "mentions (author, published_at)"),
    # the dashboard: mentions per week by sentiment (the trend), every mention's or a
    # monitor's, and a monitor's by date (duplicate_of, null in each, makes them covering;
    # mention_id, so that the vendor's own posts are left out from the index alone)
    (
        "idx_mentions_week_sentiment",
        "mentions",
        "mentions (week, sentiment, duplicate_of) where duplicate_of is null",
    ),
    (
        "idx_mention_monitors_trend_2",
        "mention_monitors",
        "mention_monitors (monitor, week, mention_sentiment, duplicate_of, mention_id) "
        "where duplicate_of is null",
    ),
    (
        "idx_mention_monitors_published",
        "mention_monitors",
        "mention_monitors (monitor, published_at, mention_sentiment, rating, mention_id, "
        "duplicate_of) where duplicate_of is null",
    ),
    # the vendor's own posts (community/vendor_posts.py), which the dashboard leaves out
    ("idx_mentions_vendor_posts", "mentions", "mentions (id) where by_vendor = 1"),
    # source health: last ok crawl, failures in the last 7 days
    ("idx_crawl_runs_source_status", "crawl_runs", "crawl_runs (source, status, started_at)"),
)


# Indexes earlier versions made that nothing reads any more.
OBSOLETE_INDEXES = (
    "idx_mentions_iso_week",  # the view reads the stored week now
    "idx_mentions_needs_reply",  # before a 4-5 star review whose text complains was in
    "idx_mention_topics_published",  # before the dashboard left the vendor's posts out
    "idx_mention_monitors_trend",  # the same
)


def view_sql(name: str, sql: str) -> str:
    return f"CREATE VIEW [{name}] as {sql.strip()}"  # as SQLite stores it


def view_is_current(db: sqlite_utils.Database, name: str, sql: str) -> bool:
    stored = db.execute("select sql from sqlite_master where type = 'view' and name = ?", [name])
    return (stored.fetchone() or [None])[0] == view_sql(name, sql)


VIEWS = {
    "mentions_enriched": MENTIONS_ENRICHED,
    "alert_response_times": ALERT_RESPONSE_TIMES,
    "crawl_health": CRAWL_HEALTH,
    "defenders": DEFENDERS,
    "experts": EXPERTS,
}


def ensure_views(db: sqlite_utils.Database) -> list[str]:
    """(Re)create the browsing views that are missing or out of date; return their names.

    Needs the tables of ``ensure_db_shape``. A view whose SQL is unchanged is left alone, so
    running this on every start does not change the schema under a running Datasette.
    """
    stale = [(name, sql) for name, sql in VIEWS.items() if not view_is_current(db, name, sql)]
    if not stale:
        return []  # every command opens the database: no write lock when nothing changes
    with transaction(db):
        for name, sql in stale:
            db.execute(f"drop view if exists [{name}]")
            db.execute(view_sql(name, sql))
    return [name for name, _ in stale]


def ensure_indexes_for_browsing(db: sqlite_utils.Database) -> list[str]:
    """Create the indexes the Datasette pages need (dropping obsolete ones); return the names
    of those it created."""
    tables = set(db.table_names())
    existing = {row[0] for row in db.execute("select name from sqlite_master where type = 'index'")}
    for name in existing.intersection(OBSOLETE_INDEXES):
        db.execute(f"drop index [{name}]")
    created = []
    for name, table, target in BROWSING_INDEXES:
        if table in tables and name not in existing:
            db.execute(f"create index if not exists [{name}] on {target}")
            created.append(name)
    return created
