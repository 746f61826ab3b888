"""A generated, tagged multi-week data set with a trend planted for the weekly digest.

``make_digest_db(path)`` writes nine ISO weeks (2026-W39 … 2026-W47) of mentions, their
topics, keyphrases and monitor links, and returns ``Planted``: what the generator put there,
counted independently of the digest code. Planted in the target week 2026-W47:

- the topic ``performance`` rises sharply (2 mentions a week before, 14 in the target week),
  almost all negative, with keyphrases like "slow dashboard";
- the average review rating drops by about one star (≈ 4.2★ → ≈ 3.2★);
- a new source of negativity, ``capterra``, appears with two low-rated reviews;
- hostile text (HTML, script, Markdown link syntax, ``javascript:`` URLs) in one positive and
  one negative review, one keyphrase and one author name.

Every week also has competitor-only mentions (left out of the brand's own numbers),
duplicates (never counted) and unanswered questions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import sqlite_utils

from groundswell.digest.data import IsoWeek
from groundswell.store import ensure_db_shape

TARGET_WEEK = IsoWeek(2026, 47)
FIRST_WEEK = IsoWeek(2026, 39)
SEED = 20261122

BASELINE_RATINGS = (5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 3, 4)  # 4.17★
TARGET_RATINGS = (5, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 3)  # 3.5★; with the extra reviews ≈ 3.2★
CAPTERRA_RATINGS = (1, 2)
FORUM_SENTIMENTS = ("positive", "positive", "neutral", "negative", "positive", "neutral")
EVERYDAY_TOPICS = ("pricing", "support", "onboarding", "integrations", "reporting")
PERFORMANCE = "performance"
BASELINE_PERFORMANCE = 2
TARGET_PERFORMANCE_EXTRA = 12
DUPLICATES_PER_WEEK = 3
COMPETITORS = {"tickettiger": 5, "zenlytics": 3}
TARGET_TICKETTIGER = 9
OWN_MONITOR = "acme"

HOSTILE_TITLE = "<script>alert(1)</script>"
HOSTILE_BODY = (
    "Love it <img src=x onerror=alert(1)> **bold** [click](javascript:alert(1)) | pipe | "
    "<a href=\"javascript:alert('x')\">link</a> & more \u202egnp.exe\u200b"
)
HOSTILE_AUTHOR = "<b>mallory</b>"
HOSTILE_URL = "javascript:alert(1)"
HOSTILE_KEYPHRASE = "<i>evil</i> & [phrase](javascript:x)"
HOSTILE_NEGATIVE_TITLE = "</li><script>alert(2)</script>"

PHRASES = {
    ("pricing", "positive"): ("fair pricing", "good value"),
    ("pricing", "neutral"): ("pricing tiers", "annual plan"),
    ("pricing", "negative"): ("price increase", "hidden fees"),
    ("support", "positive"): ("great support", "fast replies"),
    ("support", "neutral"): ("support ticket", "help center"),
    ("support", "negative"): ("slow support", "no reply"),
    ("onboarding", "positive"): ("easy setup", "smooth onboarding"),
    ("onboarding", "neutral"): ("setup wizard", "first week"),
    ("onboarding", "negative"): ("confusing setup", "steep learning curve"),
    ("integrations", "positive"): ("slack integration", "great api"),
    ("integrations", "neutral"): ("zapier", "webhooks"),
    ("integrations", "negative"): ("broken sync", "missing integration"),
    ("reporting", "positive"): ("clear reports", "useful dashboards"),
    ("reporting", "neutral"): ("csv export", "weekly report"),
    ("reporting", "negative"): ("wrong numbers", "report errors"),
    (PERFORMANCE, "positive"): ("fast search",),
    (PERFORMANCE, "neutral"): ("load time",),
    (PERFORMANCE, "negative"): ("slow dashboard", "page load time", "timeouts"),
}
SCORES = {"positive": (0.55, 0.95), "neutral": (-0.15, 0.15), "negative": (-0.95, -0.5)}


@dataclass
class Planted:
    """What the generator wrote, counted the simple way, for the tests to compare against."""

    target: IsoWeek = TARGET_WEEK
    volume: dict[str, int] = field(default_factory=dict)  # week label → counted mentions
    ratings: dict[str, list[float]] = field(default_factory=dict)
    topic_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    unanswered_questions: dict[str, int] = field(default_factory=dict)
    low_rated_reviews: dict[str, int] = field(default_factory=dict)
    competitor_mentions: dict[str, dict[str, int]] = field(default_factory=dict)

    def avg_rating(self, week: IsoWeek) -> float:
        values = self.ratings[week.label]
        return sum(values) / len(values)


@dataclass
class Generator:
    rng: random.Random
    planted: Planted
    mentions: list[dict] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)
    keyphrases: list[dict] = field(default_factory=list)
    monitors: list[dict] = field(default_factory=list)
    serial: int = 0

    def published(self, week: IsoWeek) -> str:
        day = week.start + timedelta(days=self.rng.randrange(7))
        moment = datetime.combine(day, time(self.rng.randrange(24), self.rng.randrange(60)))
        return moment.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")

    def add(
        self, week: IsoWeek, source: str, kind: str, sentiment: str, topic: str,
        rating: float | None = None, monitors: tuple[str, ...] = (OWN_MONITOR,), **extra,
    ) -> dict:  # fmt: skip
        self.serial += 1
        mention_id = f"m{self.serial:05d}"
        low, high = SCORES[sentiment]
        row = {
            "id": mention_id, "source": source, "source_kind": source, "kind": kind,
            "url": f"https://{source}.example.com/{mention_id}", "author": f"user{self.serial}",
            "title": f"{topic.capitalize()} {sentiment} {kind} {self.serial}",
            "body": f"About {topic}: a {sentiment} {kind} number {self.serial}. " * 3,
            "rating": rating, "published_at": self.published(week), "lang": "en",
            "sentiment": sentiment, "sentiment_score": round(self.rng.uniform(low, high), 3),
            "is_question": 0, "answered": 0, "vendor_responded": 0,
            "tagged_at": "2026-11-23T00:00:00Z", **extra,
        }  # fmt: skip
        self.mentions.append(row)
        self.tag(row, topic, sentiment, monitors)
        return row

    def tag(self, row: dict, topic: str, sentiment: str, monitors: tuple[str, ...]) -> None:
        self.topics.append({"mention_id": row["id"], "topic": topic, "score": 0.8,
                            "sentiment": sentiment})  # fmt: skip
        for phrase in PHRASES[(topic, sentiment)]:
            self.keyphrases.append({"mention_id": row["id"], "phrase": phrase, "score": 0.5})
        for monitor in monitors:
            self.monitors.append({"mention_id": row["id"], "monitor": monitor,
                                  "competitor": int(monitor in COMPETITORS)})  # fmt: skip
        if row.get("duplicate_of"):
            return
        label = row["published_at"][:10]
        week = IsoWeek.containing(datetime.fromisoformat(label).date()).label
        if OWN_MONITOR in monitors or not monitors:
            self.planted.volume[week] = self.planted.volume.get(week, 0) + 1
            counts = self.planted.topic_counts.setdefault(week, {})
            counts[topic] = counts.get(topic, 0) + 1
            if row["rating"] is not None:
                self.planted.ratings.setdefault(week, []).append(row["rating"])
        for monitor in monitors:
            by_week = self.planted.competitor_mentions.setdefault(week, {})
            by_week[monitor] = by_week.get(monitor, 0) + 1


def rating_sentiment(rating: float) -> str:
    return "negative" if rating <= 2 else "neutral" if rating < 4 else "positive"


def add_reviews(gen: Generator, week: IsoWeek, ratings: tuple[int, ...]) -> None:
    for index, rating in enumerate(ratings):
        source = "g2" if index % 2 == 0 else "trustpilot"
        topic = EVERYDAY_TOPICS[index % len(EVERYDAY_TOPICS)]
        gen.add(week, source, "review", rating_sentiment(rating), topic, rating=rating)
        if rating <= 2:
            count_low_rated(gen, week)


def count_low_rated(gen: Generator, week: IsoWeek) -> None:
    gen.planted.low_rated_reviews[week.label] = gen.planted.low_rated_reviews.get(week.label, 0) + 1


def add_forum(gen: Generator, week: IsoWeek, performance: int) -> None:
    for index in range(18):
        source = "reddit" if index < 10 else "hackernews"
        kind = "post" if index % 3 == 0 else "comment"
        sentiment = FORUM_SENTIMENTS[index % len(FORUM_SENTIMENTS)]
        if index < performance:
            gen.add(week, source, kind, "negative" if index % 2 == 0 else "neutral", PERFORMANCE)
            continue
        monitors = (OWN_MONITOR, "zenlytics") if index == 17 else (OWN_MONITOR,)
        topic = EVERYDAY_TOPICS[(index + week.week) % len(EVERYDAY_TOPICS)]
        gen.add(week, source, kind, sentiment, topic, monitors=monitors)


def add_questions(gen: Generator, week: IsoWeek, unanswered: int) -> None:
    gen.add(week, "reddit", "question", "neutral", "support", is_question=1, answered=1)
    for _ in range(unanswered):
        gen.add(week, "reddit", "question", "neutral", "onboarding", is_question=1)
    gen.planted.unanswered_questions[week.label] = unanswered


def add_duplicates(gen: Generator, week: IsoWeek) -> None:
    originals = [m for m in gen.mentions if m["published_at"] >= week.start.isoformat()][:3]
    for original in originals[:DUPLICATES_PER_WEEK]:
        copy = gen.add(week, original["source"], original["kind"], original["sentiment"],
                       "pricing", rating=original["rating"], duplicate_of=original["id"])  # fmt: skip
        copy["body"] = original["body"]


def add_competitors(gen: Generator, week: IsoWeek) -> None:
    for monitor, count in COMPETITORS.items():
        if monitor == "tickettiger" and week == TARGET_WEEK:
            count = TARGET_TICKETTIGER
        for index in range(count):
            sentiment = FORUM_SENTIMENTS[index % len(FORUM_SENTIMENTS)]
            gen.add(week, "reddit", "comment", sentiment, "pricing", monitors=(monitor,))


def add_target_week_plants(gen: Generator, week: IsoWeek) -> None:
    for index in range(TARGET_PERFORMANCE_EXTRA):
        source = "reddit" if index % 2 == 0 else "hackernews"
        sentiment = "neutral" if index == 0 else "negative"
        gen.add(week, source, "comment", sentiment, PERFORMANCE)
    for rating in CAPTERRA_RATINGS:
        gen.add(week, "capterra", "review", "negative", "support", rating=rating)
        count_low_rated(gen, week)
    hostile = gen.add(week, "g2", "review", "positive", "support", rating=5,
                      title=HOSTILE_TITLE, body=HOSTILE_BODY, author=HOSTILE_AUTHOR,
                      url=HOSTILE_URL, raw='{"helpful": "41 people found this helpful"}')  # fmt: skip
    gen.keyphrases.append({"mention_id": hostile["id"], "phrase": HOSTILE_KEYPHRASE, "score": 1})
    gen.add(week, "trustpilot", "review", "negative", "support", rating=1,
            title=HOSTILE_NEGATIVE_TITLE, body=HOSTILE_BODY, author=HOSTILE_AUTHOR)  # fmt: skip
    count_low_rated(gen, week)


def generate(seed: int = SEED) -> Generator:
    gen = Generator(random.Random(seed), Planted())
    week = FIRST_WEEK
    while week <= TARGET_WEEK:
        target = week == TARGET_WEEK
        add_reviews(gen, week, TARGET_RATINGS if target else BASELINE_RATINGS)
        add_forum(gen, week, BASELINE_PERFORMANCE)
        add_questions(gen, week, unanswered=2 if target else 1)
        if target:
            add_target_week_plants(gen, week)
        add_duplicates(gen, week)
        add_competitors(gen, week)
        week = week.shifted(1)
    return gen


def write_generated(db: sqlite_utils.Database, gen: Generator) -> None:
    ensure_db_shape(db)
    with db.conn:
        db["mentions"].insert_all(gen.mentions, pk="id", alter=True)
        db["mention_topics"].insert_all(gen.topics, pk=("mention_id", "topic"), replace=True)
        db["keyphrases"].insert_all(gen.keyphrases, pk=("mention_id", "phrase"), replace=True)
        db["mention_monitors"].insert_all(gen.monitors, pk=("mention_id", "monitor"))


def make_digest_db(path: str | Path, seed: int = SEED) -> tuple[sqlite_utils.Database, Planted]:
    """Write the generated data set to a new SQLite file at ``path``."""
    db = sqlite_utils.Database(path)
    gen = generate(seed)
    write_generated(db, gen)
    return db, gen.planted
