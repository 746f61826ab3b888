"""The weekly digest's numbers: one ISO week of mentions, queried into a ``DigestData``.

``collect_digest_data(db, config, week, monitor)`` reads ``mentions`` and their tags
(``mention_topics``, ``keyphrases``, ``mention_monitors``, and ``alerts`` when that table
exists) and computes everything the digest shows. Nothing here renders or writes.

Counting rules: a duplicate (``duplicate_of`` set) never counts; a mention's sentiment is the
model's label, else the one its star rating implies (≤ 2 negative, 3 neutral, ≥ 4 positive).
Without ``monitor`` the digest covers every mention except those that only match competitor
monitors; with ``monitor`` it covers that monitor's mentions. Share of voice always compares
every monitor.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from statistics import mean

import sqlite_utils

from groundswell.config import account_names
from groundswell.digest.community import CommunitySection, collect_community
from groundswell.errors import GroundswellError
from groundswell.tagging.keyphrases import too_vague_alone
from groundswell.tagging.stance import PASSED_OVER

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
SENTIMENTS = ("negative", "neutral", "positive")
SENTIMENT_VALUES = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
CLOSED_ALERT_STATUSES = ("responded", "resolved", "closed", "dismissed", "cancelled")
RESPONSE_LOOKBACK_WEEKS = 4  # the fallback lists mentions of the digest week and the 3 before
NEGATIVITY_BASELINE_WEEKS = 4  # "new" negativity: none in this many weeks before
TOPIC_CHANGE_LIMIT = 5
AMPLIFY_LIMIT = 3
SHARP_RISE_MIN_CHANGE = 3
HELPFUL_KEYS = ("helpful", "helpful_votes", "helpfulCount", "upvotes", "likes", "votes", "score")
MENTION_FIELDS = (
    "id", "source", "kind", "url", "author", "title", "body", "rating", "published_at",
    "sentiment", "sentiment_score", "rating_sentiment", "is_question", "answered",
    "vendor_responded", "raw", "out_of_domain",
)  # fmt: skip
BODY_CHARS = 1000  # the digest shows excerpts; long bodies are cut when read
# Column expressions (over alias ``m``) that keep what the digest reads small.
MENTION_COLUMN_SQL = {
    "body": f"substr(m.body, 1, {BODY_CHARS})",
    "raw": "case when m.kind = 'review' then m.raw end",  # only reviews' helpful votes are read
}

# A digest for one monitor reads the sentiment toward it (``mention_monitors`` aliased ``mm``):
# where the mention passed it over or preferred it, that label, and no score of its own.
TOWARD_MONITOR_SQL = {
    "sentiment": "coalesce(mm.mention_sentiment, m.sentiment)",
    "sentiment_score": "case when mm.stance is null then m.sentiment_score end",
}


class DigestError(GroundswellError, ValueError):
    """The digest cannot be built as asked: a malformed week or an unknown monitor."""


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO 8601 week, Monday to Sunday, e.g. ``2026-W47``."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        match = WEEK_PATTERN.match(text.strip())
        if match:
            year, week = int(match[1]), int(match[2])
            try:
                date.fromisocalendar(year, week, 1)
                return cls(year, week)
            except ValueError:
                pass
        raise DigestError(f"expected an ISO week like 2026-W47 (got {text!r})")

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def last_full_before(cls, today: date) -> IsoWeek:
        """The last Monday-to-Sunday week that ended before ``today``."""
        return cls.containing(today - timedelta(days=today.isoweekday() + 6))

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> date:
        """The Monday after the week (exclusive)."""
        return self.start + timedelta(days=7)

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.containing(self.start + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return self.label


@dataclass
class Mention:
    """One counted mention, with its effective sentiment."""

    id: str
    source: str
    kind: str
    url: str | None
    author: str | None
    title: str | None
    body: str | None
    rating: float | None
    published_at: str
    sentiment: str | None
    sentiment_score: float | None
    is_question: bool
    answered: bool
    vendor_responded: bool
    helpful_votes: int
    week: IsoWeek
    unread: bool = False  # in a language the models do not read (no sentiment without stars)


@dataclass
class WeekStats:
    week: IsoWeek
    volume: int = 0
    sentiment_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SENTIMENTS, 0))
    untagged: int = 0
    unread: int = 0  # no sentiment: in a language the models do not read, and no stars
    avg_rating: float | None = None
    rated: int = 0
    avg_sentiment: float | None = None

    @property
    def tagged(self) -> int:
        """Mentions with a sentiment: the shares' denominator."""
        return self.volume - self.untagged - self.unread

    def share(self, sentiment: str) -> float | None:
        """Fraction of the week's tagged mentions with ``sentiment`` (None when none tagged)."""
        return self.sentiment_counts[sentiment] / self.tagged if self.tagged else None


@dataclass
class SourceStats:
    source: str
    volume: int
    previous_volume: int
    avg_rating: float | None
    previous_avg_rating: float | None
    negative: int


@dataclass
class TopicChange:
    topic: str
    count: int
    previous: int
    negative: int

    @property
    def change(self) -> int:
        return self.count - self.previous

    @property
    def sharp(self) -> bool:
        return self.change >= SHARP_RISE_MIN_CHANGE and self.count >= 2 * max(self.previous, 1)


@dataclass
class NewNegativity:
    """A source or topic with negative mentions this week and none in the weeks before."""

    kind: str  # "source" or "topic"
    name: str
    negative: int


@dataclass
class VoiceShare:
    monitor: str
    competitor: bool
    mentions: int
    previous: int
    share: float
    previous_share: float | None
    positive_share: float | None
    negative_share: float | None
    passed_over: int = 0  # this week's mentions that left it or chose another (its stance)


@dataclass
class PendingResponse:
    mention_id: str
    source: str
    kind: str
    url: str | None
    author: str | None
    title: str | None
    body: str | None
    rating: float | None
    published_at: str
    reason: str
    status: str | None = None
    advocate: str | None = None
    due_at: str | None = None
    overdue: bool = False


@dataclass
class ReviewHighlight:
    mention_id: str
    source: str
    url: str | None
    author: str | None
    title: str | None
    body: str | None
    rating: float | None
    helpful_votes: int
    sentiment_score: float | None


@dataclass
class CloudWord:
    word: str
    count: int
    avg_sentiment: float | None


@dataclass
class DigestData:
    week: IsoWeek
    monitor: str | None
    generated_at: str
    current: WeekStats
    previous: WeekStats
    trend: list[WeekStats]
    sources: list[SourceStats]
    topics_rising: list[TopicChange]
    topics_falling: list[TopicChange]
    new_negativity: list[NewNegativity]
    share_of_voice: list[VoiceShare]
    needs_response: list[PendingResponse]
    needs_response_total: int
    needs_response_overdue: int
    needs_response_from: str  # "alerts" or "mentions"
    to_amplify: list[ReviewHighlight]
    cloud_words: list[CloudWord]
    community: CommunitySection = field(default_factory=CommunitySection)

    @property
    def is_empty(self) -> bool:
        return self.current.volume == 0

    @property
    def rating_change(self) -> float | None:
        if self.current.avg_rating is None or self.previous.avg_rating is None:
            return None
        return self.current.avg_rating - self.previous.avg_rating


# --- small helpers -------------------------------------------------------------------------


def utc_now_text() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def rating_label(rating: float | None) -> str | None:
    if rating is None:
        return None
    return "negative" if rating <= 2 else "neutral" if rating < 4 else "positive"


def effective_sentiment(row: dict) -> tuple[str | None, float | None]:
    """The model's label and score, else what the star rating implies."""
    label = row.get("sentiment") or row.get("rating_sentiment") or rating_label(row.get("rating"))
    label = label if label in SENTIMENT_VALUES else None
    score = row.get("sentiment_score")
    if score is None and label is not None:
        score = SENTIMENT_VALUES[label]
    return label, score


def helpful_votes(raw: str | None) -> int:
    """Helpful/up votes a site reported in ``raw`` ("12 people found this helpful" → 12)."""
    if not raw:
        return 0
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return 0
    if not isinstance(data, dict):
        return 0
    for key in HELPFUL_KEYS:
        value = data.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return max(int(value), 0)
        if isinstance(value, str):
            digits = re.search(r"\d[\d,]*", value)
            if digits:
                return int(digits[0].replace(",", ""))
    return 0


def day_text(day: date) -> str:
    """Bound for ``published_at`` comparisons: ISO strings of any precision sort after it."""
    return day.isoformat()


def in_week(published_at: str, week: IsoWeek) -> bool:
    return day_text(week.start) <= published_at < day_text(week.end)


def average(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return mean(known) if known else None


# --- scope and loading ---------------------------------------------------------------------


def scope_clause(monitor: str | None, vendors: Sequence[str] = ()) -> tuple[str, list]:
    """SQL (over alias ``m``) for the mentions a digest counts, and its parameters: not
    duplicates, and not written by a vendor account (``vendors``: a reply from the vendor's own
    support is not what customers say)."""
    counted, params = customer_clause(vendors)
    if monitor:
        return (
            f"{counted} and m.id in (select mention_id from mention_monitors where monitor = ?)",
            [*params, monitor],
        )
    ours = (
        "(not exists (select 1 from mention_monitors x where x.mention_id = m.id)"
        " or exists (select 1 from mention_monitors x where x.mention_id = m.id"
        " and coalesce(x.competitor, 0) = 0))"
    )
    return f"{counted} and {ours}", params


def customer_clause(vendors: Sequence[str] = ()) -> tuple[str, list]:
    """SQL (over alias ``m``) for a mention that is no duplicate and no vendor account's."""
    counted = "(m.duplicate_of is null or m.duplicate_of = '')"
    if not vendors:
        return counted, []
    names = sorted(account_names(vendors))
    marks = ", ".join("?" * len(names))
    return f"{counted} and lower(coalesce(m.author, '')) not in ({marks})", names


def period_clause(start: date, end: date) -> tuple[str, list]:
    return "m.published_at >= ? and m.published_at < ?", [day_text(start), day_text(end)]


def mention_from_row(row: dict) -> Mention:
    label, score = effective_sentiment(row)
    published = row["published_at"]
    return Mention(
        id=row["id"], source=row["source"] or "unknown", kind=row["kind"] or "post",
        url=row["url"], author=row["author"], title=row["title"], body=row["body"],
        rating=row["rating"], published_at=published, sentiment=label, sentiment_score=score,
        is_question=bool(row["is_question"]) or row["kind"] == "question",
        answered=bool(row["answered"]), vendor_responded=bool(row["vendor_responded"]),
        helpful_votes=helpful_votes(row["raw"]),
        week=IsoWeek.containing(date.fromisoformat(published[:10])),
        unread=bool(row["out_of_domain"]),
    )  # fmt: skip


def load_mentions(
    db: sqlite_utils.Database, start: date, end: date, monitor: str | None,
    vendors: Sequence[str] = (),
) -> list[Mention]:  # fmt: skip
    scope, scope_params = scope_clause(monitor, vendors)
    period, period_params = period_clause(start, end)
    columns, toward, toward_params = mention_columns(), "", []
    # for one monitor, the sentiment toward it: "we moved to Acme from Zenlytics" is no praise
    # of Zenlytics
    if monitor:
        columns = mention_columns(overrides=TOWARD_MONITOR_SQL)
        toward = " left join mention_monitors mm on mm.mention_id = m.id and mm.monitor = ?"
        toward_params = [monitor]
    sql = (
        f"select {columns} from mentions m{toward} where {period} and {scope} "
        "order by m.published_at"
    )
    mentions = []
    for row in db.query(sql, toward_params + period_params + scope_params):
        try:
            mentions.append(mention_from_row(row))
        except ValueError:
            continue  # a published_at that is not an ISO date: it cannot be placed in a week
    return mentions


def mention_columns(prefix: str = "", overrides: dict[str, str] | None = None) -> str:
    """The mention columns the digest reads, aliased ``{prefix}{name}``."""
    sql = {**MENTION_COLUMN_SQL, **(overrides or {})}
    return ", ".join(f"{sql.get(name, f'm.{name}')} as {prefix}{name}" for name in MENTION_FIELDS)


def load_tag_rows(
    db: sqlite_utils.Database, table: str, term: str, start: date, end: date, monitor: str | None,
    vendors: Sequence[str] = (),
) -> list[dict]:  # fmt: skip
    """``(mention_id, term, score[, sentiment])`` rows of ``table`` for the counted mentions
    (``score``: the topic's or the keyphrase's relevance, 0-1)."""
    scope, scope_params = scope_clause(monitor, vendors)
    period, period_params = period_clause(start, end)
    extra = ", t.sentiment as tag_sentiment" if table == "mention_topics" else ""
    sql = (
        f"select t.mention_id, t.{term} as term, t.score{extra} from {table} t "
        f"join mentions m on m.id = t.mention_id where {period} and {scope}"
    )
    return [row for row in db.query(sql, period_params + scope_params) if row["term"]]


def known_monitors(db: sqlite_utils.Database, config) -> dict[str, bool]:
    """Every monitor name (configured or seen in ``mention_monitors``) → is it a competitor."""
    monitors = {
        row["monitor"]: bool(row["competitor"])
        for row in db.query(
            "select monitor, max(coalesce(competitor, 0)) as competitor "
            "from mention_monitors group by monitor"
        )
    }
    for monitor in config.monitor:
        monitors[monitor.name] = monitor.competitor
    return monitors


def check_monitor(monitors: dict[str, bool], monitor: str | None) -> None:
    """A ``DigestError`` unless ``monitor`` is None or one of ``monitors`` (``known_monitors``)."""
    if monitor is not None and monitor not in monitors:
        names = ", ".join(sorted(monitors)) or "none configured"
        raise DigestError(f"no monitor named {monitor!r} (monitors: {names})")


# --- week statistics -----------------------------------------------------------------------


def week_stats(week: IsoWeek, mentions: list[Mention]) -> WeekStats:
    stats = WeekStats(week=week, volume=len(mentions))
    for mention in mentions:
        if mention.sentiment is None and mention.unread:
            stats.unread += 1
        elif mention.sentiment is None:
            stats.untagged += 1
        else:
            stats.sentiment_counts[mention.sentiment] += 1
    ratings = [m.rating for m in mentions if m.rating is not None]
    stats.rated = len(ratings)
    stats.avg_rating = mean(ratings) if ratings else None
    stats.avg_sentiment = average(m.sentiment_score for m in mentions)
    return stats


def mentions_by_week(mentions: list[Mention]) -> dict[IsoWeek, list[Mention]]:
    grouped: dict[IsoWeek, list[Mention]] = defaultdict(list)
    for mention in mentions:
        grouped[mention.week].append(mention)
    return grouped


def source_stats(current: list[Mention], previous: list[Mention]) -> list[SourceStats]:
    def by_source(mentions: list[Mention]) -> dict[str, list[Mention]]:
        grouped: dict[str, list[Mention]] = defaultdict(list)
        for mention in mentions:
            grouped[mention.source].append(mention)
        return grouped

    now, before = by_source(current), by_source(previous)
    rows = [
        SourceStats(
            source=name,
            volume=len(now.get(name, [])),
            previous_volume=len(before.get(name, [])),
            avg_rating=average(m.rating for m in now.get(name, [])),
            previous_avg_rating=average(m.rating for m in before.get(name, [])),
            negative=sum(1 for m in now.get(name, []) if m.sentiment == "negative"),
        )
        for name in set(now) | set(before)
    ]
    return sorted(rows, key=lambda row: (-row.volume, -row.previous_volume, row.source))


# --- topics, negativity, cloud -------------------------------------------------------------


def topic_sentiment(row: dict, mention: Mention) -> str | None:
    tagged = row.get("tag_sentiment")
    return tagged if tagged in SENTIMENT_VALUES else mention.sentiment


def topic_changes(
    topic_rows: list[dict], by_id: dict[str, Mention], week: IsoWeek
) -> tuple[list[TopicChange], list[TopicChange]]:
    """Topics rising and falling against the week before, biggest change first."""
    previous_week = week.shifted(-1)
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in topic_rows:
        mention = by_id.get(row["mention_id"])
        if mention is None or mention.week not in (week, previous_week):
            continue
        slot = "now" if mention.week == week else "before"
        counts[row["term"]][slot] += 1
        if slot == "now" and topic_sentiment(row, mention) == "negative":
            counts[row["term"]]["negative"] += 1
    changes = [
        TopicChange(topic, c["now"], c["before"], c["negative"]) for topic, c in counts.items()
    ]
    rising = sorted((c for c in changes if c.change > 0), key=lambda c: (-c.change, c.topic))
    falling = sorted((c for c in changes if c.change < 0), key=lambda c: (c.change, c.topic))
    return rising[:TOPIC_CHANGE_LIMIT], falling[:TOPIC_CHANGE_LIMIT]


def new_negativity(
    mentions: list[Mention], topic_rows: list[dict], by_id: dict[str, Mention], week: IsoWeek
) -> list[NewNegativity]:
    baseline_start = week.shifted(-NEGATIVITY_BASELINE_WEEKS)
    now: dict[tuple[str, str], int] = Counter()
    before: set[tuple[str, str]] = set()

    def count(key: tuple[str, str], mention: Mention) -> None:
        if mention.week == week:
            now[key] += 1
        elif baseline_start <= mention.week < week:
            before.add(key)

    for mention in mentions:
        if mention.sentiment == "negative":
            count(("source", mention.source), mention)
    for row in topic_rows:
        mention = by_id.get(row["mention_id"])
        if mention is not None and topic_sentiment(row, mention) == "negative":
            count(("topic", row["term"]), mention)
    fresh = [NewNegativity(kind, name, n) for (kind, name), n in now.items()
             if (kind, name) not in before]  # fmt: skip
    return sorted(fresh, key=lambda item: (-item.negative, item.kind, item.name))


def brand_names(monitors: dict[str, bool], config) -> list[str]:
    """What the monitors look for (their names, and the names their queries ask for on their
    own), lowercase, longest first: every mention of a brand says its name, so in the tag
    cloud it would only crowd out what people said about it."""
    from groundswell.tagging.query import monitor_brand_names

    names = {name.lower() for name in monitors} | set(monitor_brand_names(config.monitor))
    return sorted(names, key=lambda name: (-len(name), name))


POSSESSIVE = re.compile(r"['’]s$")


def without_brand(word: str, brands: Sequence[str]) -> str:
    """``word`` less a brand name at its start or end: "Acme Helpdesk iPhone" -> "iPhone";
    "" when it is only a brand. A phrase whose few words cut a brand name in two keeps only
    what is not the name: "helpdesk iPhone app" -> "iPhone app", "comparing acme" ->
    "comparing" (for "Acme Helpdesk")."""
    tokens = word.split()
    lower = [POSSESSIVE.sub("", token.lower()) for token in tokens]  # "acme's" is acme
    names = [brand.split() for brand in brands]
    for name in names:
        if lower == name:
            return ""
        if lower[: len(name)] == name:
            return " ".join(tokens[len(name) :])
        if lower[-len(name) :] == name:
            return " ".join(tokens[: -len(name)])
    start, end = brand_cut_lengths(lower, names)
    return " ".join(tokens[start : len(tokens) - end])


def brand_cut_lengths(lower: list[str], names: list[list[str]]) -> tuple[int, int]:
    """(words at the start that end a brand name, words at the end that begin one), longest
    first: what a keyphrase window cut out of a longer name."""
    start = max((len(name) - cut for name in names for cut in range(1, len(name))
                 if lower[: len(name) - cut] == name[cut:]), default=0)  # fmt: skip
    end = max((cut for name in names for cut in range(1, len(name))
               if len(lower) - start >= cut and lower[len(lower) - cut :] == name[:cut]),
              default=0)  # fmt: skip
    return start, end


def cloud_words(
    keyphrase_rows: list[dict], topic_rows: list[dict], by_id: dict[str, Mention], week: IsoWeek,
    limit: int, brands: Sequence[str] = (),
) -> list[CloudWord]:  # fmt: skip
    """Keyphrases and topics of the week, brand names left out: mentions per word and their
    average sentiment. The ``limit`` most mentioned words; among words mentioned as often, the
    more relevant (summed keyphrase or topic score) first: in a quiet week most words are
    mentioned once, and the alphabet would pick them ("40-person support desk", "accounts"); a
    phrase that lost a brand name keeps the share of its relevance its remaining words had,
    unless all that is left is a word too vague to stand alone ("app", "customers")."""
    seen: set[tuple[str, str]] = set()
    forms: dict[str, Counter] = defaultdict(Counter)
    scores: dict[str, list[float]] = defaultdict(list)
    counts: Counter = Counter()
    relevance: Counter = Counter()
    for row in [*topic_rows, *keyphrase_rows]:
        mention = by_id.get(row["mention_id"])
        term = " ".join(str(row["term"]).split())
        word = without_brand(term, brands)
        key = word.lower()
        if mention is None or mention.week != week or not key or (mention.id, key) in seen:
            continue
        if word != term and too_vague_alone(key):  # "Acme Helpdesk app" is no tag as "app"
            continue
        seen.add((mention.id, key))
        counts[key] += 1
        # what is left of "run Acme Helpdesk's" ("run") keeps its share of the phrase's relevance
        relevance[key] += (row.get("score") or 0.0) * len(word.split()) / len(term.split())
        forms[key][word] += 1
        tagged = row.get("tag_sentiment")
        score = SENTIMENT_VALUES[tagged] if tagged in SENTIMENT_VALUES else mention.sentiment_score
        if score is not None:
            scores[key].append(score)
    top = sorted(counts.items(), key=lambda item: (-item[1], -relevance[item[0]], item[0]))[:limit]
    return [CloudWord(forms[key].most_common(1)[0][0], n, average(scores[key])) for key, n in top]


# --- share of voice ------------------------------------------------------------------------


def share_of_voice(db: sqlite_utils.Database, monitors: dict[str, bool], week: IsoWeek,
                   vendors: Sequence[str] = ()) -> list[VoiceShare]:  # fmt: skip
    """Each monitor's share of the week's monitored mentions (``monitors``: ``known_monitors``).

    Empty without a competitor monitor, or when no mention of either week matched a monitor.
    """
    if not any(monitors.values()):
        return []
    previous = week.shifted(-1)
    period, params = period_clause(previous.start, week.end)
    counted, counted_params = customer_clause(vendors)
    sql = (  # the sentiment toward the monitor: "we moved from Zenlytics" is not praise of it
        "select mm.monitor, m.id, m.published_at, mm.mention_sentiment as sentiment, "
        "m.rating_sentiment, m.rating, mm.stance "
        "from mention_monitors mm join mentions m on m.id = mm.mention_id "
        f"where {period} and {counted}"
    )
    now: dict[str, list[str | None]] = defaultdict(list)
    before: Counter = Counter()
    passed_over: Counter = Counter()
    for row in db.query(sql, params + counted_params):
        if in_week(row["published_at"], week):
            now[row["monitor"]].append(effective_sentiment(row)[0])
            passed_over[row["monitor"]] += row["stance"] == PASSED_OVER
        else:
            before[row["monitor"]] += 1
    total_now = sum(len(labels) for labels in now.values())
    total_before = sum(before.values())
    if not total_now and not total_before:
        return []  # nothing monitored yet (untagged): a table of zeros says nothing
    shares = [
        voice_share(name, competitor, now.get(name, []), before[name], total_now, total_before,
                    passed_over[name])
        for name, competitor in monitors.items()
    ]  # fmt: skip
    return sorted(shares, key=lambda s: (-s.mentions, s.competitor, s.monitor))


def voice_share(
    name: str, competitor: bool, labels: list[str | None], previous: int, total: int,
    total_before: int, passed_over: int = 0,
) -> VoiceShare:  # fmt: skip
    tagged = [label for label in labels if label]
    return VoiceShare(
        monitor=name, competitor=competitor, mentions=len(labels), previous=previous,
        share=len(labels) / total if total else 0.0,
        previous_share=previous / total_before if total_before else None,
        positive_share=tagged.count("positive") / len(tagged) if tagged else None,
        negative_share=tagged.count("negative") / len(tagged) if tagged else None,
        passed_over=passed_over,
    )  # fmt: skip


# --- needs a response, worth amplifying ----------------------------------------------------


def alerts_usable(db: sqlite_utils.Database) -> bool:
    """The alert cycle runs here (it has synced advocates or raised alerts): the open alerts
    are the response queue. Otherwise the queue is derived from the mentions themselves."""
    found = db.execute("select exists(select 1 from alerts) or exists(select 1 from advocates)")
    return bool(found.fetchone()[0])


def pending_from_alerts(
    db: sqlite_utils.Database, week: IsoWeek, monitor: str | None, now: str
) -> list[PendingResponse]:
    """Open alerts (not yet responded) on counted mentions published before the week ended."""
    scope, scope_params = scope_clause(monitor)
    closed = ", ".join("?" * len(CLOSED_ALERT_STATUSES))
    columns = mention_columns("m_")
    sql = (
        f"select a.*, {columns} from alerts a join mentions m on m.id = a.mention_id "
        f"where coalesce(a.status, 'pending') not in ({closed}) "
        f"and m.published_at < ? and {scope}"
    )
    params = [*CLOSED_ALERT_STATUSES, day_text(week.end), *scope_params]
    by_mention: dict[str, PendingResponse] = {}
    for row in db.query(sql, params):
        item = pending_from_alert_row(row, now)
        known = by_mention.get(item.mention_id)
        if known is None or (item.due_at or "~") < (known.due_at or "~"):
            if known is not None:
                item.reason = ", ".join(sorted({known.reason, item.reason}))
            by_mention[item.mention_id] = item
        else:
            known.reason = ", ".join(sorted({known.reason, item.reason}))
    return sorted(by_mention.values(), key=lambda i: (not i.overdue, i.due_at or "~",
                                                      i.published_at))  # fmt: skip


def pending_from_alert_row(row: dict, now: str) -> PendingResponse:
    due_at = row.get("due_at")
    return PendingResponse(
        mention_id=row["mention_id"], source=row["m_source"] or "unknown",
        kind=row["m_kind"] or "post", url=row["m_url"], author=row["m_author"],
        title=row["m_title"], body=row["m_body"], rating=row["m_rating"],
        published_at=row["m_published_at"], reason=(row.get("rule") or "alert").replace("_", " "),
        status=row.get("status"), advocate=row.get("advocate"), due_at=due_at,
        overdue=bool(due_at) and due_at < now,
    )  # fmt: skip


def needs_response_reason(mention: Mention, rating_max: float) -> str | None:
    if mention.vendor_responded:
        return None
    if mention.kind == "review" and mention.rating is not None and mention.rating <= rating_max:
        return f"{mention.rating:g}★ review"
    if mention.is_question and not mention.answered:
        return "unanswered question"
    return None


def pending_from_mentions(
    mentions: list[Mention], week: IsoWeek, rating_max: float
) -> list[PendingResponse]:
    """Without an alerts table: low-rated reviews and unanswered questions of recent weeks."""
    since = week.shifted(-(RESPONSE_LOOKBACK_WEEKS - 1))
    pending = []
    for mention in mentions:
        reason = needs_response_reason(mention, rating_max)
        if reason and since <= mention.week <= week:
            pending.append(PendingResponse(
                mention_id=mention.id, source=mention.source, kind=mention.kind, url=mention.url,
                author=mention.author, title=mention.title, body=mention.body,
                rating=mention.rating, published_at=mention.published_at, reason=reason,
            ))  # fmt: skip
    return sorted(pending, key=lambda item: item.published_at)


def reviews_to_amplify(mentions: list[Mention], week: IsoWeek) -> list[ReviewHighlight]:
    """The week's most helpful positive reviews: votes, then stars, sentiment, substance."""
    positive = [
        m for m in mentions
        if m.week == week and m.kind == "review" and m.sentiment == "positive"
        and (m.rating is None or m.rating >= 4)
    ]  # fmt: skip
    positive.sort(key=lambda m: (m.helpful_votes, m.rating or 0, m.sentiment_score or 0,
                                 min(len(m.body or ""), 800)), reverse=True)  # fmt: skip
    return [
        ReviewHighlight(
            mention_id=m.id,
            source=m.source,
            url=m.url,
            author=m.author,
            title=m.title,
            body=m.body,
            rating=m.rating,
            helpful_votes=m.helpful_votes,
            sentiment_score=m.sentiment_score,
        )  # fmt: skip
        for m in positive[:AMPLIFY_LIMIT]
    ]


# --- everything together -------------------------------------------------------------------


def collect_digest_data(
    db: sqlite_utils.Database, config, week: IsoWeek, monitor: str | None = None,
    now: str | None = None,
) -> DigestData:  # fmt: skip
    """Query every number the digest shows for ``week`` (``config`` is a ``Config``)."""
    monitors = known_monitors(db, config)
    check_monitor(monitors, monitor)
    now = now or utc_now_text()
    settings = config.digest
    trend_weeks = [week.shifted(-back) for back in range(settings.trend_weeks - 1, -1, -1)]
    window_start = min(trend_weeks[0], week.shifted(-NEGATIVITY_BASELINE_WEEKS))
    vendors = config.vendor_accounts()
    mentions = load_mentions(db, window_start.start, week.end, monitor, vendors)
    by_id = {m.id: m for m in mentions}
    grouped = mentions_by_week(mentions)
    topic_rows = load_tag_rows(db, "mention_topics", "topic", window_start.start, week.end,
                               monitor, vendors)  # fmt: skip
    keyphrase_rows = load_tag_rows(db, "keyphrases", "phrase", week.start, week.end, monitor,
                                   vendors)  # fmt: skip
    rising, falling = topic_changes(topic_rows, by_id, week)
    if alerts_usable(db):
        pending, pending_from = pending_from_alerts(db, week, monitor, now), "alerts"
    else:
        rating_max = config.alerts.negative_rating_max
        pending, pending_from = pending_from_mentions(mentions, week, rating_max), "mentions"
    trend = [week_stats(w, grouped.get(w, [])) for w in trend_weeks]
    return DigestData(
        week=week, monitor=monitor, generated_at=now,
        current=trend[-1], previous=trend[-2], trend=trend,
        sources=source_stats(grouped.get(week, []), grouped.get(week.shifted(-1), [])),
        topics_rising=rising, topics_falling=falling,
        new_negativity=new_negativity(mentions, topic_rows, by_id, week),
        share_of_voice=share_of_voice(db, monitors, week, vendors),
        needs_response=pending[: settings.list_limit], needs_response_total=len(pending),
        needs_response_overdue=sum(1 for item in pending if item.overdue),
        needs_response_from=pending_from,
        to_amplify=reviews_to_amplify(mentions, week)[: settings.list_limit],
        cloud_words=cloud_words(keyphrase_rows, topic_rows, by_id, week, settings.cloud_words,
                                brand_names(monitors, config)),
        community=collect_community(db, day_text(week.start), day_text(week.end), monitor,
                                    settings.list_limit),
    )  # fmt: skip
