"""The synthetic demo site that ``groundswell demo`` crawls.

``build_demo_site(root)`` writes static files (review pages, feeds, and JSON in the shapes of
the Reddit, Hacker News Algolia, Discourse and iTunes customer-review APIs) that
``groundswell replay ROOT`` serves, and returns the sources to configure. All text is invented
(see ``groundswell.demo.content``); the structure mirrors the recorded real responses in
``../shared/fixtures`` so the real parsers read it.

The data covers the six weeks up to ``today`` and is deterministic for ``(today, seed)``.
Planted for the weekly digest to find, in the last full ISO week before ``today``:
performance complaints about Acme Helpdesk about triple, and the average review rating drops
by about one star against the week before. Also planted: one hostile review carrying HTML/JS
payloads as text, one review re-posted to a second site with small edits, a few mentions in
German, Spanish and French, and threads for the community pass (``groundswell.demo.community``):
a defender, one idea asked in different words, an open question like an answered one.
"""

from __future__ import annotations

import html
import json
import random
import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from groundswell.demo import content
from groundswell.demo.content import (
    ACME,
    MIXED,
    NEGATIVE,
    PERFORMANCE,
    POSITIVE,
    TICKETTIGER,
    ZENLYTICS,
    SentenceDeck,
    TextContext,
)

WINDOW_DAYS = 42
TREND_WEEK_WEIGHT = 1.4
BASELINE_WEEKS = 4
BASELINE_PERFORMANCE_CHOICES = (3, 3, 4)
TREND_MULTIPLIER = 3
RATING_DROP = 1.0
RATING_SHARES = {5: 0.46, 4: 0.29, 3: 0.10, 2: 0.07, 1: 0.08}

SCHEMA_ORG, FEED, HACKERNEWS, REDDIT, DISCOURSE, APPSTORE = (
    "schema_org",
    "feed",
    "hackernews",
    "reddit",
    "discourse",
    "appstore",
)

SUBREDDIT = "supportops"
SUBREDDIT_ID = "t5_3k9vq2"
APPSTORE_APP_ID = "1588412307"
APPSTORE_PATH = f"/us/rss/customerreviews/id={APPSTORE_APP_ID}/sortby=mostrecent/json"
HN_QUERY_PATH = "/api/v1/search_by_date"
HN_QUERY = "query=acme+helpdesk&tags=(story,comment)&hitsPerPage=50"
REDDIT_LISTING_PATH = f"/r/{SUBREDDIT}/new.json"
DISCOURSE_LATEST_PATH = "/latest.json"
RSS_PATH = "/supportops-weekly/feed.xml"
ATOM_PATH = "/alerts/feeds/05813379260155482914/9240175563018254017"


# --- public types -------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoBrand:
    """A monitor for the demo config: ``query`` uses groundswell's boolean query syntax."""

    name: str
    query: str
    competitor: bool


DEMO_BRANDS: tuple[DemoBrand, ...] = (
    DemoBrand(ACME, '"Acme Helpdesk"', competitor=False),
    DemoBrand(ZENLYTICS, "Zenlytics", competitor=True),
    DemoBrand(TICKETTIGER, "TicketTiger", competitor=True),
)


@dataclass(frozen=True)
class DemoSource:
    name: str
    kind: str
    url_path: str


@dataclass(frozen=True)
class DemoFile:
    """One written file, by the request path that serves it.

    ``mentions`` is how many mentions the file's parser should return. ``listing_only`` marks
    an index (Discourse ``/latest.json``) whose items are read in full from other files, so a
    parser may return either nothing or one stub per listed item. ``alias_of`` names the file
    this one duplicates byte for byte (the same resource under a second URL).
    """

    path: str
    kind: str
    mentions: int
    listing_only: bool = False
    alias_of: str | None = None


@dataclass(frozen=True)
class PlantedTrend:
    """Ground truth of the planted trends, keyed by ISO week label ("2025-W10")."""

    week: str
    week_start: date
    performance_mentions: dict[str, int]
    average_rating: dict[str, float]
    reviews: dict[str, int]


@dataclass
class DemoSite:
    root: Path
    today: date
    sources: list[DemoSource]
    files: list[DemoFile]
    mentions_by_kind: dict[str, int]
    trend: PlantedTrend

    @property
    def mention_count(self) -> int:
        return sum(self.mentions_by_kind.values())


# --- calendar ------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def iso_week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DemoCalendar:
    """The demo window: the 41 days before ``today`` (``today`` itself stays empty, so no
    mention is ever in the future), and the last full ISO week where the trend is planted."""

    today: date

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=WINDOW_DAYS - 1)

    @property
    def last_day(self) -> date:
        return self.today - timedelta(days=1)

    @property
    def trend_week(self) -> date:
        return monday_of(self.today) - timedelta(days=7)

    @property
    def window_end(self) -> datetime:
        return datetime.combine(self.last_day, time(23, 59, 59), timezone.utc)

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(WINDOW_DAYS - 1)]

    def weeks(self) -> list[date]:
        return sorted({monday_of(day) for day in self.days()})

    def days_in_window(self, week: date) -> int:
        return sum(1 for day in self.days() if monday_of(day) == week)

    def week_end(self, week: date) -> datetime:
        sunday = week + timedelta(days=6)
        return datetime.combine(sunday, time(23, 59, 59), timezone.utc)


def random_moment(
    rng: random.Random,
    cal: DemoCalendar,
    week: date | None = None,
    weekdays_only: bool = False,
) -> datetime:
    """A moment in the window (or in ``week``): busier in the trend week, quieter at
    weekends."""
    days = [d for d in cal.days() if week is None or monday_of(d) == week]
    if weekdays_only:
        days = [d for d in days if d.weekday() < 5] or days
    weights = [
        (TREND_WEEK_WEIGHT if monday_of(d) == cal.trend_week else 1.0)
        * (0.6 if d.weekday() >= 5 else 1.0)
        for d in days
    ]
    return moment_on(rng, rng.choices(days, weights=weights)[0])


def moment_on(rng: random.Random, day: date) -> datetime:
    """A moment of ``day`` between 06:00 and 22:59 UTC, when people post."""
    seconds = rng.randint(6 * 3600, 22 * 3600 + 59 * 60)
    return datetime.combine(day, time(), timezone.utc) + timedelta(seconds=seconds)


def reply_moments(
    rng: random.Random, cal: DemoCalendar, start: datetime, count: int
) -> list[datetime]:
    """Ascending reply times after ``start``, kept inside the start's ISO week and the window."""
    limit = min(cal.week_end(monday_of(start.date())), cal.window_end)
    moments: list[datetime] = []
    previous = start
    for _ in range(count):
        candidate = previous + timedelta(minutes=rng.randint(15, 540))
        if candidate > limit:
            candidate = previous + (limit - previous) / 2
        candidate = candidate.replace(microsecond=0)
        moments.append(candidate)
        previous = candidate
    return moments


# --- drafts: what gets said, before it is rendered in a platform's format -------------------


@dataclass
class Draft:
    role: str  # review | question | answer | followup | vendor | opinion | article | story
    when: datetime
    author: str
    parent: int | None = None  # index of the draft this one replies to, within its unit
    title: str = ""
    body: str = ""
    rating: int | None = None
    lang: str = "en"


@dataclass
class Unit:
    """A review, an article, a comment, or a whole thread: everything shares one topic."""

    platform: str
    form: str  # review | app_review | article | hn_ask | hn_link | hn_comment | post | topic
    brand: str
    rival: str
    drafts: list[Draft]
    special: str = ""
    topic: str = ""
    sentiment: str = ""

    @property
    def root(self) -> Draft:
        return self.drafts[0]

    @property
    def week(self) -> date:
        return monday_of(self.root.when.date())

    @property
    def is_review(self) -> bool:
        return self.form in ("review", "app_review")

    @property
    def performance_eligible(self) -> bool:
        return self.brand == ACME and not self.special

    @property
    def is_open_question(self) -> bool:
        """A question nobody replied to: the demo's ``unanswered_question`` rule alerts on it."""
        asks = self.root.role == "question" or self.form == "hn_ask"
        return asks and len(self.drafts) == 1


def rival_of(brand: str, rng: random.Random) -> str:
    """Acme posts compare with either competitor; competitors' with each other, so a mention
    about a competitor only names Acme when it is about Acme."""
    return rng.choice([b for b in content.BRAND_NAMES if b not in (brand, ACME)])


# --- planning: which units exist, when, by whom ---------------------------------------------


@dataclass(frozen=True)
class ReviewPageSpec:
    platform: str
    brand: str
    count: int
    path: str
    markup: str  # jsonld | microdata
    schema_type: str
    site_name: str


REVIEW_PAGES = (
    ReviewPageSpec(
        platform="reviewhub-acme",
        brand=ACME,
        count=24,
        path="/reviewhub/products/acme-helpdesk.html",
        markup="jsonld",
        schema_type="SoftwareApplication",
        site_name="ReviewHub",
    ),
    ReviewPageSpec(
        platform="reviewhub-zenlytics",
        brand=ZENLYTICS,
        count=9,
        path="/reviewhub/products/zenlytics.html",
        markup="jsonld",
        schema_type="Product",
        site_name="ReviewHub",
    ),
    ReviewPageSpec(
        platform="reviewhub-tickettiger",
        brand=TICKETTIGER,
        count=8,
        path="/reviewhub/products/tickettiger.html",
        markup="jsonld",
        schema_type="SoftwareApplication",
        site_name="ReviewHub",
    ),
    ReviewPageSpec(
        platform="saasgrid-acme",
        brand=ACME,
        count=11,
        path="/saasgrid/acme-helpdesk/reviews.html",
        markup="microdata",
        schema_type="SoftwareApplication",
        site_name="SaaSGrid",
    ),
)
DEMO_SOURCES: tuple[DemoSource, ...] = (
    *(DemoSource(spec.platform, SCHEMA_ORG, spec.path) for spec in REVIEW_PAGES),
    DemoSource("appstore-acme-helpdesk", APPSTORE, APPSTORE_PATH),
    DemoSource("supportops-weekly", FEED, RSS_PATH),
    DemoSource("google-alerts-acme", FEED, ATOM_PATH),
    DemoSource("hn-acme-helpdesk", HACKERNEWS, f"{HN_QUERY_PATH}?{HN_QUERY}"),
    DemoSource(f"reddit-{SUBREDDIT}", REDDIT, REDDIT_LISTING_PATH),
    DemoSource("acme-community", DISCOURSE, DISCOURSE_LATEST_PATH),
)
APPSTORE_REVIEWS = 26
RSS_ARTICLES = 12
ATOM_ENTRIES = 10
HN_STORY_FORMS = ("hn_ask", "hn_link", "hn_link", "hn_ask", "hn_link")
HN_COMMENTS = 11
REDDIT_POSTS = 14
REDDIT_THREADS = 5
DISCOURSE_TOPICS = 10
DISCOURSE_UNANSWERED = 3
# Units dated in the trend week whatever the dice say, so the performance incident always has
# enough Acme posts to be discussed in (which of them turn into complaints is decided later).
INCIDENT_COVERAGE = {
    "appstore": (1, 2, 3, 4),
    "atom": (1, 2),
    "hn": (0, 1, 2),
    "discourse": (2,),
}


class Planner:
    """Lays out every unit with dates and authors; topics and texts come later."""

    def __init__(self, rng: random.Random, cal: DemoCalendar) -> None:
        self.rng = rng
        self.cal = cal

    def spread_moments(self, count: int) -> list[datetime]:
        """``count`` moments, one in each equal slice of the window: reviews trickle in at a
        steady pace, so every week has enough of them for a meaningful average."""
        start = datetime.combine(self.cal.first_day, time(), timezone.utc)
        span = (self.cal.window_end - start).total_seconds()
        return [
            start + timedelta(seconds=int(self.rng.uniform(i, i + 1) * span / count))
            for i in range(count)
        ]

    def open_question_moment(self) -> datetime:
        """Two to six days ago: old enough for the demo's unanswered-question rule at any hour
        of today, recent enough for its seven days (``[alerts] max_age_days``)."""
        return moment_on(self.rng, self.cal.today - timedelta(days=self.rng.randint(2, 6)))

    def incident_moment(self) -> datetime:
        return random_moment(self.rng, self.cal, self.cal.trend_week)

    def weeks_before_trend(self, count: int) -> date:
        return self.cal.trend_week - timedelta(days=7 * count)

    def single(
        self,
        platform: str,
        form: str,
        brand: str,
        role: str,
        author: str,
        when: datetime | None = None,
        special: str = "",
    ) -> Unit:
        moment = when or random_moment(self.rng, self.cal)
        draft = Draft(role=role, when=moment, author=author)
        return Unit(platform, form, brand, rival_of(brand, self.rng), [draft], special=special)

    def review_specials(self) -> dict[str, list[tuple[str, datetime]]]:
        """Per review page, its first reviews' special roles and dates: the hostile one, the
        near-duplicate posted to both sites a day apart, the German one."""
        duplicate = random_moment(
            self.rng, self.cal, self.weeks_before_trend(2), weekdays_only=True
        )
        return {
            "reviewhub-acme": [
                ("hostile", random_moment(self.rng, self.cal, self.weeks_before_trend(3))),
                ("duplicate", duplicate),
                ("german", random_moment(self.rng, self.cal, self.weeks_before_trend(4))),
            ],
            "saasgrid-acme": [("duplicate", duplicate + timedelta(hours=22))],
        }

    def review_pages(self) -> list[Unit]:
        units: list[Unit] = []
        specials = self.review_specials()
        duplicate_author = content.person_name(self.rng)
        for spec in REVIEW_PAGES:
            planned = specials.get(spec.platform, [])
            moments = self.spread_moments(spec.count)
            for index, moment in enumerate(moments):
                special, when = planned[index] if index < len(planned) else ("", moment)
                author = content.person_name(self.rng)
                if special == "duplicate":
                    author = duplicate_author
                unit = self.single(spec.platform, "review", spec.brand, "review", author, when)
                unit.special = special
                units.append(unit)
        return units

    def appstore(self) -> list[Unit]:
        units = []
        for index, moment in enumerate(self.spread_moments(APPSTORE_REVIEWS)):
            pinned = index in INCIDENT_COVERAGE["appstore"]
            when = self.incident_moment() if pinned else moment
            author = content.reddit_handle(self.rng)
            units.append(self.single("appstore", "app_review", ACME, "review", author, when))
        return units

    def feeds(self) -> list[Unit]:
        units = []
        for _ in range(RSS_ARTICLES):
            brand = self.rng.choices(content.BRAND_NAMES, weights=(0.55, 0.25, 0.2))[0]
            units.append(
                self.single("rss", "article", brand, "article", content.full_name(self.rng))
            )
        french_when = random_moment(self.rng, self.cal, self.weeks_before_trend(2))
        for index in range(ATOM_ENTRIES):
            when, special = (french_when, "french") if index == 0 else (None, "")
            if index in INCIDENT_COVERAGE["atom"]:
                when = self.incident_moment()
            units.append(self.single("atom", "article", ACME, "article", "", when, special))
        return units

    def hackernews(self) -> list[Unit]:
        units = [
            self.single("hn", form, ACME, "story", content.short_handle(self.rng))
            for form in HN_STORY_FORMS
        ]
        units[0].root.when = self.open_question_moment()  # an Ask HN: nobody answers it
        for index in range(HN_COMMENTS):
            when = self.incident_moment() if index in INCIDENT_COVERAGE["hn"] else None
            author = content.short_handle(self.rng)
            units.append(self.single("hn", "hn_comment", ACME, "opinion", author, when))
        return units

    def reddit(self) -> list[Unit]:
        units = []
        threaded = set(self.rng.sample(range(REDDIT_POSTS), REDDIT_THREADS))
        for index in range(REDDIT_POSTS):
            brand = self.rng.choices(content.BRAND_NAMES, weights=(0.6, 0.2, 0.2))[0]
            op = content.reddit_handle(self.rng)
            unit = self.single("reddit", "post", brand, "question", op)
            if index in threaded:
                self.add_reddit_comments(unit, self.rng.randint(2, 5))
            units.append(unit)
        return units

    def add_reddit_comments(self, unit: Unit, count: int) -> None:
        moments = reply_moments(self.rng, self.cal, unit.root.when, count)
        for position, moment in enumerate(moments, start=1):
            nested = position > 1 and self.rng.random() < 0.5
            parent = self.rng.randint(1, position - 1) if nested else 0
            by_op = nested and self.rng.random() < 0.5
            author = unit.root.author if by_op else content.reddit_handle(self.rng)
            role = "followup" if by_op else "answer"
            unit.drafts.append(Draft(role=role, when=moment, author=author, parent=parent))

    def discourse(self) -> list[Unit]:
        units = []
        for index in range(DISCOURSE_TOPICS):
            special = {0: "vendor", 1: "spanish"}.get(index, "")
            week = {0: self.weeks_before_trend(2), 1: self.weeks_before_trend(3)}.get(index)
            when = random_moment(self.rng, self.cal, week) if week else None
            if index in INCIDENT_COVERAGE["discourse"]:
                when = self.incident_moment()
            op = content.short_handle(self.rng)
            unit = self.single("discourse", "topic", ACME, "question", op, when, special)
            if special == "vendor":
                self.add_discourse_replies(unit, ["vendor", "followup"])
            elif special == "spanish":
                self.add_discourse_replies(unit, ["answer"])
            elif index >= 2 + DISCOURSE_UNANSWERED:
                roles = [
                    "answer" if n % 2 == 0 else "followup" for n in range(self.rng.randint(1, 4))
                ]
                self.add_discourse_replies(unit, roles)
            units.append(unit)
        return units

    def add_discourse_replies(self, unit: Unit, roles: list[str]) -> None:
        moments = reply_moments(self.rng, self.cal, unit.root.when, len(roles))
        for position, (role, moment) in enumerate(zip(roles, moments, strict=True), start=1):
            author = {
                "vendor": content.VENDOR_HANDLE,
                "followup": unit.root.author,
            }.get(role) or content.short_handle(self.rng)
            parent = position - 1 if role == "followup" else 0
            unit.drafts.append(Draft(role=role, when=moment, author=author, parent=parent))

    def plan(self) -> list[Unit]:
        return (
            self.review_pages()
            + self.appstore()
            + self.feeds()
            + self.hackernews()
            + self.reddit()
            + self.discourse()
        )


# --- topics, ratings and the planted trend --------------------------------------------------


def rating_deck(count: int) -> list[int]:
    """``count`` star ratings in RATING_SHARES proportions (largest remainder), best first."""
    exact = {stars: share * count for stars, share in RATING_SHARES.items()}
    allocated = {stars: int(value) for stars, value in exact.items()}
    leftover = count - sum(allocated.values())
    by_remainder = sorted(exact, key=lambda s: (exact[s] - allocated[s], s), reverse=True)
    for stars in by_remainder[:leftover]:
        allocated[stars] += 1
    return [stars for stars in sorted(allocated, reverse=True) for _ in range(allocated[stars])]


def average(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def units_summing_to(units: list[Unit], needed: int) -> list[Unit]:
    """Units whose mention counts add up to ``needed`` (else as close below as possible),
    preferring units earlier in the list."""
    reachable: dict[int, list[int]] = {0: []}
    for index, unit in enumerate(units):
        for total, chosen in list(reachable.items()):
            new_total = total + len(unit.drafts)
            if new_total <= needed and new_total not in reachable:
                reachable[new_total] = [*chosen, index]
    return [units[index] for index in reachable[max(reachable)]]


class TrendPlanter:
    """Chooses the performance complaints and star ratings, week by week."""

    def __init__(self, rng: random.Random, cal: DemoCalendar, units: list[Unit]) -> None:
        self.rng = rng
        self.cal = cal
        self.units = units

    def in_week(self, week: date, predicate: Callable[[Unit], bool]) -> list[Unit]:
        return [u for u in self.units if u.week == week and predicate(u)]

    def baseline_weeks(self) -> list[date]:
        return [self.cal.trend_week - timedelta(days=7 * n) for n in range(1, BASELINE_WEEKS + 1)]

    def performance_targets(self) -> dict[date, int]:
        baseline = self.baseline_weeks()
        targets = {w: self.rng.choice(BASELINE_PERFORMANCE_CHOICES) for w in baseline}
        for week in self.cal.weeks():
            if week not in targets and week != self.cal.trend_week:
                share = self.cal.days_in_window(week) / 7
                targets[week] = round(average(targets[w] for w in baseline) * share)
        return targets

    def plant(self) -> None:
        targets = self.performance_targets()
        for week in self.cal.weeks():
            if week != self.cal.trend_week:
                self.deal_ratings(self.rateable(week))
        baseline_mean = average(targets[w] for w in self.baseline_weeks())
        reviews_with_complaints = self.rate_trend_week()
        targets[self.cal.trend_week] = max(
            round(TREND_MULTIPLIER * baseline_mean), reviews_with_complaints
        )
        for week in self.cal.weeks():
            self.add_performance_threads(week, targets[week] - self.performance_count(week))

    def rateable(self, week: date) -> list[Unit]:
        return self.in_week(week, lambda u: u.is_review and u.root.rating is None)

    def deal_ratings(self, units: list[Unit]) -> None:
        """Ratings in RATING_SHARES proportions, dealt separately to Acme and to competitor
        reviews so that each group's weekly average is steady."""
        for ours in (True, False):
            group = [u for u in units if (u.brand == ACME) == ours]
            ratings = rating_deck(len(group))
            self.rng.shuffle(ratings)
            for unit, rating in zip(group, ratings, strict=True):
                unit.root.rating = rating

    def rate_trend_week(self) -> int:
        """Turn enough trend-week Acme reviews into performance complaints that the week's
        average rating lands about RATING_DROP below the week before, both over Acme reviews
        and over all reviews. Returns how many complaints that took."""
        week, previous = self.cal.trend_week, self.cal.trend_week - timedelta(days=7)
        self.deal_ratings([u for u in self.rateable(week) if u.brand != ACME])
        acme_open = [u for u in self.rateable(week) if u.performance_eligible]
        self.rng.shuffle(acme_open)
        low_ratings = [self.rng.choice((1, 1, 2)) for _ in acme_open]
        acme_all = self.in_week(week, lambda u: u.is_review and u.brand == ACME)
        everyone = self.in_week(week, lambda u: u.is_review)
        acme_preset = sum(u.root.rating or 0 for u in acme_all)
        others = sum(u.root.rating or 0 for u in everyone if u.brand != ACME)
        acme_before = self.average_rating(previous, acme_only=True)
        all_before = self.average_rating(previous)

        def distance_from_target(complaints: int) -> float:
            rest = rating_deck(len(acme_open) - complaints)
            acme_sum = acme_preset + sum(low_ratings[:complaints]) + sum(rest)
            acme_drop = acme_before - acme_sum / max(1, len(acme_all))
            all_drop = all_before - (acme_sum + others) / max(1, len(everyone))
            return (acme_drop - RATING_DROP) ** 2 + (all_drop - RATING_DROP) ** 2

        complaints = min(range(len(acme_open) + 1), key=distance_from_target)
        for unit, rating in zip(acme_open[:complaints], low_ratings[:complaints], strict=True):
            self.make_performance_complaint(unit)
            unit.root.rating = rating
        self.deal_ratings(self.rateable(week))
        return complaints

    def average_rating(self, week: date, acme_only: bool = False) -> float:
        reviews = self.in_week(week, lambda u: u.is_review and (u.brand == ACME or not acme_only))
        return average(u.root.rating or 0 for u in reviews)

    def performance_count(self, week: date) -> int:
        return sum(len(u.drafts) for u in self.in_week(week, lambda u: u.topic == PERFORMANCE))

    def add_performance_threads(self, week: date, needed: int) -> None:
        candidates = self.in_week(
            week, lambda u: not u.is_review and u.performance_eligible and not u.topic
        )
        self.rng.shuffle(candidates)
        for unit in units_summing_to(candidates, needed):
            self.make_performance_complaint(unit)

    @staticmethod
    def make_performance_complaint(unit: Unit) -> None:
        unit.topic, unit.sentiment = PERFORMANCE, NEGATIVE


SPECIAL_TOPICS = {
    "hostile": ("support", NEGATIVE, 1),
    "duplicate": ("support", POSITIVE, 5),
    "german": ("pricing", POSITIVE, 4),
    "french": ("security", POSITIVE, None),
    "spanish": ("integrations", "", None),
    "vendor": ("integrations", "", None),
}


def assign_special_topics(units: list[Unit]) -> None:
    for unit in units:
        if unit.special and not unit.topic:  # planted community units come with theirs
            unit.topic, unit.sentiment, rating = SPECIAL_TOPICS[unit.special]
            if rating is not None:
                unit.root.rating = rating


def sentiment_for_rating(rating: int) -> str:
    return POSITIVE if rating >= 4 else NEGATIVE if rating <= 2 else MIXED


def assign_everyday_topics(rng: random.Random, units: list[Unit]) -> None:
    deck = SentenceDeck(rng)
    for unit in units:
        if unit.topic:
            continue
        unit.topic = deck.draw("topic", content.EVERYDAY_TOPICS)
        if unit.is_review:
            unit.sentiment = sentiment_for_rating(unit.root.rating or 3)
        else:
            positive_share = 0.4 if unit.form == "hn_comment" else 0.55
            unit.sentiment = POSITIVE if rng.random() < positive_share else NEGATIVE


# --- writing the texts ---------------------------------------------------------------------


def text_context(rng: random.Random, deck: SentenceDeck, unit: Unit) -> TextContext:
    secondary = rng.choice([t for t in content.EVERYDAY_TOPICS if t != unit.topic])
    slots = content.make_slots(rng, unit.brand, unit.rival, op=unit.root.author)
    return TextContext(rng, deck, unit.brand, unit.topic, unit.sentiment, slots, secondary)


def write_special(unit: Unit) -> None:
    root = unit.root
    if unit.special == "hostile":
        root.title, root.body = content.HOSTILE_REVIEW
    elif unit.special == "duplicate":
        root.title, first, second = content.NEAR_DUPLICATE_REVIEW
        root.body = first if unit.platform.startswith("reviewhub") else second
    elif unit.special == "german":
        (root.title, root.body), root.lang = content.GERMAN_REVIEW, "de"
    elif unit.special == "french":
        (root.title, root.body), root.lang = content.FRENCH_ARTICLE, "fr"
    elif unit.special == "spanish":
        (root.title, root.body), root.lang = content.SPANISH_QUESTION, "es"
        unit.drafts[1].body, unit.drafts[1].lang = content.SPANISH_ANSWER, "es"


def write_opinion_post(ctx: TextContext, unit: Unit) -> None:
    """A Reddit post sharing an experience rather than asking: "Brand: headline" + story."""
    headline, _ = content.review_text(ctx)
    unit.root.role = "opinion"
    unit.root.title = f"{unit.brand}: {headline[:1].lower()}{headline[1:]}"
    unit.root.body = content.opinion_text(ctx)


def write_root(ctx: TextContext, unit: Unit) -> None:
    root = unit.root
    if unit.is_review:
        root.title, root.body = content.review_text(ctx, app_voice=unit.form == "app_review")
    elif unit.form == "article":
        root.title, root.body = content.article_text(ctx)
    elif unit.form == "hn_link":
        root.title, _ = content.article_text(ctx)  # a link: HN shows only the headline
    elif unit.form == "hn_comment":
        root.body = content.opinion_text(ctx)
    elif unit.form == "post" and len(unit.drafts) == 1 and ctx.rng.random() < 0.4:
        write_opinion_post(ctx, unit)
    else:
        root.title, root.body = content.question_text(ctx)
        if unit.form == "hn_ask":
            root.title = f"Ask HN: {root.title}"


def reply_text(ctx: TextContext, role: str) -> str:
    if role == "followup":
        return content.followup_text(ctx)
    return content.answer_text(ctx)


def write_vendor_thread(ctx: TextContext, unit: Unit) -> None:
    """The one question the vendor's own account answers (and the asker confirms)."""
    ctx.slots["integration"] = "Jira"
    title, body = content.VENDOR_QUESTION
    unit.root.title, unit.root.body = ctx.fill(title), ctx.fill(body)
    answer, thanks = unit.drafts[1:3]
    answer.body, thanks.body = ctx.fill(content.VENDOR_ANSWER), ctx.fill(content.VENDOR_FOLLOWUP)


def write_fresh_root(ctx: TextContext, unit: Unit, used_titles: set[tuple[str, str]]) -> None:
    """``write_root``, retried a few times so one site never shows the same headline or
    question twice (reviews may share a title, as they do on real sites)."""
    for _ in range(6):
        write_root(ctx, unit)
        if unit.is_review or (unit.platform, unit.root.title) not in used_titles:
            break
    used_titles.add((unit.platform, unit.root.title))


def write_texts(rng: random.Random, units: list[Unit]) -> None:
    deck = SentenceDeck(rng)
    used_titles: set[tuple[str, str]] = set()
    for unit in units:
        ctx = text_context(rng, deck, unit)
        if unit.special == "vendor":
            write_vendor_thread(ctx, unit)
        elif unit.special:
            write_special(unit)
        else:
            write_fresh_root(ctx, unit, used_titles)
            said: set[str] = set()
            for reply in unit.drafts[1:]:
                body = reply_text(ctx, reply.role)  # a question has two canned answers
                for _ in range(2 * len(content.SECONDING)):
                    if body not in said:
                        break
                    body = content.seconding_text(ctx)
                reply.body = body
                said.add(body)


# --- formats -----------------------------------------------------------------------------


def iso_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis_z(moment: datetime, rng: random.Random) -> str:
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{rng.randint(0, 999):03d}Z"


def apple_time(moment: datetime) -> str:
    """The iTunes RSS writes a fixed -07:00 offset whatever the season."""
    return (moment - timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S-07:00")


def long_date(moment: datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def compact_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def script_json(data: object) -> str:
    """JSON for a <script> element: "<", ">" and "&" escaped so text cannot close the tag."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def paragraphs(text: str) -> list[str]:
    return [part for part in text.split("\n\n") if part.strip()]


def html_paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(part, quote=False)}</p>" for part in paragraphs(text))


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def stars(rating: int) -> str:
    return "\u2605" * rating + "\u2606" * (5 - rating)


class IdMaker:
    """Unique ids in each platform's style, deterministic for the RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def unique(self, make: Callable[[], str]) -> str:
        value = make()
        while value in self.used:
            value = make()
        self.used.add(value)
        return value

    def base36(self, first: str, length: int = 7) -> str:
        alphabet = string.digits + string.ascii_lowercase
        return self.unique(lambda: first + "".join(self.rng.choices(alphabet, k=length - 1)))

    def numeric(self, moment: datetime, base: int, per_second: float) -> int:
        """Grows with time like real sequential ids; close moments never swap order by much."""
        value = base + max(0, int((unix(moment) - 1_700_000_000) * per_second))
        value += self.rng.randint(0, 40)
        while str(value) in self.used:
            value += 1
        self.used.add(str(value))
        return value


# --- rendering: schema.org review pages -------------------------------------------------------


def newest_first(units: list[Unit]) -> list[Unit]:
    return sorted(units, key=lambda u: u.root.when, reverse=True)


def aggregate(reviews: list[Draft]) -> dict[str, object]:
    ratings = [r.rating or 0 for r in reviews]
    return {
        "@type": "AggregateRating",
        "ratingValue": f"{average(ratings):.1f}",
        "reviewCount": len(ratings),
        "bestRating": 5,
        "worstRating": 1,
    }


def public_page_url(spec: ReviewPageSpec) -> str:
    """Where the fictional review site itself would publish the page."""
    return f"https://www.{spec.site_name.lower()}.example{spec.path.removesuffix('.html')}"


def review_number(review: Draft) -> int:
    """A stable per-review number (its publication second) for ids and anchors."""
    return unix(review.when)


def jsonld_review(review: Draft, spec: ReviewPageSpec) -> dict[str, object]:
    return {
        "@type": "Review",
        "@id": f"{public_page_url(spec)}#review-{review_number(review)}",
        "author": {"@type": "Person", "name": review.author},
        "datePublished": iso_z(review.when),
        "name": review.title,
        "reviewBody": review.body,
        "inLanguage": review.lang,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": review.rating,
            "bestRating": 5,
            "worstRating": 1,
        },
    }


def jsonld_item(spec: ReviewPageSpec, reviews: list[Draft]) -> dict[str, object]:
    item: dict[str, object] = {"@context": "https://schema.org", "@type": spec.schema_type}
    item["name"] = spec.brand
    if spec.schema_type == "Product":
        item["brand"] = {"@type": "Brand", "name": spec.brand}
        item["category"] = "Help desk software"
    else:
        item["applicationCategory"] = "BusinessApplication"
        item["operatingSystem"] = "Web, iOS, Android"
    item["description"] = f"{spec.brand} is customer support software for growing teams."
    item["offers"] = {"@type": "Offer", "price": "19.00", "priceCurrency": "USD"}
    item["aggregateRating"] = aggregate(reviews)
    item["review"] = [jsonld_review(r, spec) for r in reviews]
    return item


def page_head(title: str, extra: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n{extra}</head>\n"
    )


def visible_review(review: Draft) -> str:
    rating = review.rating or 0
    return (
        f'<li class="review" id="review-{review_number(review)}" lang="{review.lang}">\n'
        f'  <h3 class="review-title">{html.escape(review.title)}</h3>\n'
        f'  <p class="review-meta">by <span class="reviewer">{html.escape(review.author)}</span>'
        f' on <time datetime="{iso_z(review.when)}">{long_date(review.when)}</time>'
        f' <span class="stars" aria-label="{rating} out of 5 stars">{stars(rating)}</span></p>\n'
        f'  <div class="review-body">{html_paragraphs(review.body)}</div>\n</li>\n'
    )


def jsonld_page(spec: ReviewPageSpec, reviews: list[Draft]) -> str:
    item = jsonld_item(spec, reviews)
    head = page_head(
        f"{spec.brand} reviews | {spec.site_name}",
        f'<script type="application/ld+json">\n{script_json(item)}\n</script>\n',
    )
    score = aggregate(reviews)["ratingValue"]
    listing = "".join(visible_review(r) for r in reviews)
    return (
        f'{head}<body>\n<header><a href="/reviewhub/">{spec.site_name}</a></header>\n<main>\n'
        f"<h1>{html.escape(spec.brand)}</h1>\n"
        f'<p class="summary">{score} out of 5 from {len(reviews)} reviews</p>\n'
        f'<ol class="reviews">\n{listing}</ol>\n</main>\n</body>\n</html>\n'
    )


def microdata_review(review: Draft, spec: ReviewPageSpec) -> str:
    rating, number = review.rating or 0, review_number(review)
    return (
        f'<article class="review-card" id="r{number}" lang="{review.lang}" itemprop="review"'
        f' itemscope itemtype="https://schema.org/Review"'
        f' itemid="{public_page_url(spec)}#r{number}">\n'
        f'  <meta itemprop="identifier" content="sg-{number}">\n'
        f'  <h3 itemprop="name">{html.escape(review.title)}</h3>\n'
        '  <p class="byline"><span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        f'<span itemprop="name">{html.escape(review.author)}</span></span>\n'
        f'  <meta itemprop="datePublished" content="{review.when.date().isoformat()}">'
        f'<span class="date">{long_date(review.when)}</span></p>\n'
        '  <div class="rating" itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">'
        '<meta itemprop="worstRating" content="1">'
        f'<span itemprop="ratingValue">{rating}</span> / <span itemprop="bestRating">5</span></div>\n'
        f'  <div itemprop="reviewBody">{html_paragraphs(review.body)}</div>\n</article>\n'
    )


def breadcrumbs_jsonld(spec: ReviewPageSpec) -> str:
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Help desk software"},
            {"@type": "ListItem", "position": 2, "name": spec.brand},
        ],
    }
    return f'<script type="application/ld+json">\n{script_json(crumbs)}\n</script>\n'


def microdata_page(spec: ReviewPageSpec, reviews: list[Draft]) -> str:
    summary = aggregate(reviews)
    cards = "".join(microdata_review(r, spec) for r in reviews)
    return (
        page_head(f"{spec.brand} user reviews - {spec.site_name}", breadcrumbs_jsonld(spec))
        + '<body>\n<nav><a href="/saasgrid/">SaaSGrid</a> / Help desk software</nav>\n'
        f'<main itemscope itemtype="https://schema.org/{spec.schema_type}">\n'
        f'<h1 itemprop="name">{html.escape(spec.brand)}</h1>\n'
        '<meta itemprop="applicationCategory" content="BusinessApplication">\n'
        '<meta itemprop="operatingSystem" content="Web">\n'
        '<div itemprop="aggregateRating" itemscope itemtype="https://schema.org/AggregateRating">'
        f'Rated <span itemprop="ratingValue">{summary["ratingValue"]}</span>/5 from '
        f'<span itemprop="reviewCount">{summary["reviewCount"]}</span> reviews</div>\n'
        f'<section class="reviews">\n{cards}</section>\n</main>\n</body>\n</html>\n'
    )


# --- rendering: feeds ----------------------------------------------------------------------


def article_url(unit: Unit, host: str) -> str:
    day = unit.root.when
    return f"https://{host}/{day:%Y/%m/%d}/{slugify(unit.root.title)}/"


def rss_item(unit: Unit) -> str:
    draft = unit.root
    link = article_url(unit, "supportops-weekly.example")
    description = f"<p>{html.escape(draft.body, quote=False)}</p>"
    return (
        "    <item>\n"
        f"      <title>{xml_escape(draft.title)}</title>\n"
        f"      <link>{xml_escape(link)}</link>\n"
        f"      <dc:creator>{xml_escape(draft.author)}</dc:creator>\n"
        f"      <pubDate>{format_datetime(draft.when)}</pubDate>\n"
        f"      <category>{xml_escape(unit.brand)}</category>\n"
        f"      <category>{xml_escape(unit.topic.capitalize())}</category>\n"
        f'      <guid isPermaLink="true">{xml_escape(link)}</guid>\n'
        f"      <description>{xml_escape(description)}</description>\n"
        "    </item>\n"
    )


def rss_feed(units: list[Unit], cal: DemoCalendar) -> str:
    items = "".join(rss_item(u) for u in newest_first(units))
    built = format_datetime(newest_first(units)[0].root.when if units else cal.window_end)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom">\n  <channel>\n'
        "    <title>Support Ops Weekly</title>\n"
        "    <link>https://supportops-weekly.example/</link>\n"
        "    <description>News and opinion on customer support software.</description>\n"
        "    <language>en-us</language>\n"
        f"    <lastBuildDate>{built}</lastBuildDate>\n"
        '    <atom:link href="https://supportops-weekly.example/feed/" rel="self"'
        ' type="application/rss+xml"/>\n'
        f"{items}  </channel>\n</rss>\n"
    )


ALERT_OUTLETS = ("helpdesk-journal.example", "saasbeat.example", "cx-ledger.example")


def bold_brand(text: str) -> str:
    escaped = html.escape(text, quote=False)
    return escaped.replace(ACME, f"<b>{ACME}</b>")


def google_redirect(target: str, rng: random.Random) -> str:
    code = "".join(rng.choices(string.ascii_letters + string.digits, k=34))
    return f"https://www.google.com/url?rct=j&sa=t&url={target}&ct=ga&cd=CAIyGjk0&usg=AOvVaw{code}"


def atom_entry(unit: Unit, rng: random.Random, ids: IdMaker) -> str:
    draft = unit.root
    host = "tech-hebdo.example" if draft.lang == "fr" else rng.choice(ALERT_OUTLETS)
    link = google_redirect(article_url(unit, host), rng)
    entry_id = ids.unique(lambda: str(rng.randint(10**18, 10**19 - 1)))
    snippet = bold_brand(draft.body)
    if len(draft.body) > 180:
        snippet = bold_brand(draft.body[:180].rsplit(" ", 1)[0]) + "&nbsp;..."
    return (
        "<entry>"
        f"<id>tag:google.com,2013:googlealerts/feed:{entry_id}</id>"
        f'<title type="html">{xml_escape(bold_brand(draft.title))}</title>'
        f"<link href={quoteattr(link)}></link>"
        f"<published>{iso_z(draft.when)}</published><updated>{iso_z(draft.when)}</updated>"
        f'<content type="html">{xml_escape(snippet)}</content>'
        "<author><name></name></author></entry>"
    )


def atom_feed(units: list[Unit], rng: random.Random, ids: IdMaker) -> str:
    ordered = newest_first(units)
    entries = "".join(atom_entry(u, rng, ids) for u in ordered)
    updated = iso_z(ordered[0].root.when)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">'
        "<id>tag:google.com,2005:reader/user/05813379260155482914/state/com.google/alerts/"
        "9240175563018254017</id>"
        "<title>Google Alert - Acme Helpdesk</title>"
        '<link href="https://www.google.com/alerts/feeds/05813379260155482914/'
        '9240175563018254017" rel="self"></link>'
        f"<updated>{updated}</updated>{entries}</feed>"
    )


# --- rendering: Hacker News Algolia ------------------------------------------------------------


HN_CONTEXT_STORIES = (
    ("Ask HN: What does your customer support stack look like?", ""),
    ("Ask HN: How do small SaaS teams handle support on weekends?", ""),
    ("The hidden cost of per-seat pricing", "https://unitcosts.example/per-seat-pricing"),
    ("Show HN: A tiny self-hosted status page", "https://github.example/pagelight/pagelight"),
)


def hn_html(text: str) -> str:
    """HN's comment markup: escaped text, paragraphs after the first opened with <p>."""
    return "<p>".join(html.escape(part) for part in paragraphs(text))


def highlight(value: str, words: tuple[str, ...]) -> dict[str, object]:
    matched = [w for w in words if w in value.lower()]
    marked = value
    for word in matched:
        marked = re.sub(f"({re.escape(word)})", r"<em>\1</em>", marked, flags=re.IGNORECASE)
    return {"value": marked, "matchLevel": "full" if matched else "none", "matchedWords": matched}


HN_WORDS = ("acme", "helpdesk")


@dataclass
class HnStory:
    object_id: int
    title: str
    url: str
    when: datetime


def hn_story_hit(unit: Unit, story: HnStory, rng: random.Random) -> dict[str, object]:
    draft = unit.root
    story_text = "" if unit.form == "hn_link" else hn_html(draft.body)
    return {
        "created_at": draft.when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "title": draft.title,
        "url": story.url,
        "author": draft.author,
        "points": rng.randint(2, 180),
        "story_text": story_text,
        "comment_text": None,
        "num_comments": rng.randint(0, 60),
        "story_id": None,
        "story_title": None,
        "story_url": None,
        "parent_id": None,
        "created_at_i": unix(draft.when),
        "_tags": ["story", f"author_{draft.author}", f"story_{story.object_id}"]
        + (["ask_hn"] if unit.form == "hn_ask" else []),
        "objectID": str(story.object_id),
        "_highlightResult": {
            "title": highlight(draft.title, HN_WORDS),
            "url": highlight(story.url, HN_WORDS),
            "author": highlight(draft.author, ()),
            "story_text": highlight(story_text, HN_WORDS),
        },
    }


def hn_comment_hit(
    draft: Draft, object_id: int, story: HnStory, parent_id: int
) -> dict[str, object]:
    text = hn_html(draft.body)
    return {
        "created_at": draft.when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "title": "",
        "url": "",
        "author": draft.author,
        "points": None,
        "story_text": None,
        "comment_text": text,
        "num_comments": None,
        "story_id": story.object_id,
        "story_title": story.title,
        "story_url": story.url,
        "parent_id": parent_id,
        "created_at_i": unix(draft.when),
        "_tags": ["comment", f"author_{draft.author}", f"story_{story.object_id}"],
        "objectID": str(object_id),
        "_highlightResult": {
            "author": highlight(draft.author, ()),
            "comment_text": highlight(text, HN_WORDS),
            "story_title": highlight(story.title, HN_WORDS),
        },
    }


def hn_id(ids: IdMaker, moment: datetime) -> int:
    return ids.numeric(moment, base=38_000_000, per_second=1 / 6)


def hn_search(units: list[Unit], rng: random.Random, ids: IdMaker) -> dict[str, object]:
    stories = [u for u in units if u.form != "hn_comment"]
    own: list[HnStory] = []
    for unit in sorted(stories, key=lambda u: u.root.when):
        url = "" if unit.form == "hn_ask" else article_url(unit, rng.choice(ALERT_OUTLETS))
        own.append(HnStory(hn_id(ids, unit.root.when), unit.root.title, url, unit.root.when))
    hits: list[tuple[datetime, dict[str, object]]] = []
    for unit, story in zip(sorted(stories, key=lambda u: u.root.when), own, strict=True):
        hits.append((unit.root.when, hn_story_hit(unit, story, rng)))
    for unit in [u for u in units if u.form == "hn_comment"]:
        draft = unit.root
        story = hn_comment_story(draft, own, rng, ids)
        object_id = hn_id(ids, draft.when)
        parent_id = story.object_id
        if rng.random() < 0.35 and object_id - story.object_id > 100:
            parent_id = ids.numeric(
                draft.when - timedelta(minutes=rng.randint(5, 50)), 38_000_000, 1 / 6
            )
        hits.append((draft.when, hn_comment_hit(draft, object_id, story, parent_id)))
    hits.sort(key=lambda pair: pair[0], reverse=True)
    return {
        "hits": [hit for _, hit in hits],
        "nbHits": len(hits),
        "page": 0,
        "nbPages": 1,
        "hitsPerPage": 50,
        "exhaustiveNbHits": True,
        "processingTimeMS": rng.randint(1, 12),
        "query": "acme helpdesk",
        "params": f"advancedSyntax=true&analytics=false&{HN_QUERY.replace('(', '%28').replace(')', '%29')}",
    }


def hn_comment_story(draft: Draft, own: list[HnStory], rng: random.Random, ids: IdMaker) -> HnStory:
    earlier = [s for s in own if s.when < draft.when - timedelta(hours=1)]
    if earlier and rng.random() < 0.4:
        return rng.choice(earlier)
    title, url = rng.choice(HN_CONTEXT_STORIES)
    when = draft.when - timedelta(hours=rng.randint(2, 30))
    return HnStory(hn_id(ids, when), title, url, when)


# --- rendering: Reddit ------------------------------------------------------------------------


def reddit_html(text: str, wrapper: bool) -> str:
    body = "\n\n".join(
        "<p>" + html.escape(part).replace("&#x27;", "&#39;") + "</p>" for part in paragraphs(text)
    )
    markup = f'<div class="md">{body}\n</div>'
    return f"<!-- SC_OFF -->{markup}<!-- SC_ON -->" if wrapper else markup


def reddit_listing(
    children: list[dict[str, object]], after: str | None = None
) -> dict[str, object]:
    return {
        "kind": "Listing",
        "data": {
            "after": after,
            "dist": len(children),
            "modhash": "",
            "geo_filter": "",
            "children": children,
            "before": None,
        },
    }


@dataclass
class RedditPost:
    unit: Unit
    post_id: str
    permalink: str
    score: int
    upvote_ratio: float
    comment_ids: list[str] = field(default_factory=list)


def reddit_post_data(post: RedditPost) -> dict[str, object]:
    draft = post.unit.root
    flair = "Question" if draft.role == "question" else "Discussion"
    score = post.score
    return {
        "approved_at_utc": None,
        "subreddit": SUBREDDIT,
        "selftext": draft.body,
        "author_fullname": f"t2_{abs(hash_text(draft.author)) % 36**8:x}",
        "saved": False,
        "title": draft.title,
        "subreddit_name_prefixed": f"r/{SUBREDDIT}",
        "hidden": False,
        "link_flair_text": flair,
        "downs": 0,
        "name": f"t3_{post.post_id}",
        "upvote_ratio": post.upvote_ratio,
        "ups": score,
        "score": score,
        "is_self": True,
        "domain": f"self.{SUBREDDIT}",
        "selftext_html": reddit_html(draft.body, wrapper=True),
        "edited": False,
        "created": float(unix(draft.when)),
        "created_utc": float(unix(draft.when)),
        "over_18": False,
        "locked": False,
        "stickied": False,
        "subreddit_id": SUBREDDIT_ID,
        "id": post.post_id,
        "author": draft.author,
        "num_comments": len(post.unit.drafts) - 1,
        "permalink": post.permalink,
        "url": f"https://www.reddit.com{post.permalink}",
        "thumbnail": "self",
        "distinguished": None,
    }


def hash_text(text: str) -> int:
    """A stable string hash (Python's ``hash`` changes between runs)."""
    value = 7
    for char in text:
        value = (value * 31 + ord(char)) % (2**61 - 1)
    return value


def reddit_comment(
    post: RedditPost, index: int, rng: random.Random, depth: int
) -> dict[str, object]:
    unit = post.unit
    draft = unit.drafts[index]
    parent = draft.parent or 0
    parent_name = f"t1_{post.comment_ids[parent - 1]}" if parent else f"t3_{post.post_id}"
    children = [
        reddit_comment(post, child, rng, depth + 1)
        for child in range(1, len(unit.drafts))
        if unit.drafts[child].parent == index
    ]
    comment_id = post.comment_ids[index - 1]
    score = rng.randint(1, 40)
    return {
        "kind": "t1",
        "data": {
            "subreddit_id": SUBREDDIT_ID,
            "link_id": f"t3_{post.post_id}",
            "replies": reddit_listing(children) if children else "",
            "id": comment_id,
            "author": draft.author,
            "parent_id": parent_name,
            "score": score,
            "ups": score,
            "downs": 0,
            "body": draft.body,
            "body_html": reddit_html(draft.body, wrapper=False),
            "edited": False,
            "is_submitter": draft.author == unit.root.author,
            "name": f"t1_{comment_id}",
            "created": float(unix(draft.when)),
            "created_utc": float(unix(draft.when)),
            "permalink": f"{post.permalink}{comment_id}/",
            "depth": depth,
            "subreddit": SUBREDDIT,
            "controversiality": 0,
            "score_hidden": False,
            "stickied": False,
            "distinguished": None,
        },
    }


def reddit_thread(post: RedditPost, rng: random.Random) -> list[dict[str, object]]:
    top_level = [i for i in range(1, len(post.unit.drafts)) if post.unit.drafts[i].parent == 0]
    comments = [reddit_comment(post, i, rng, depth=0) for i in top_level]
    head = reddit_listing([{"kind": "t3", "data": reddit_post_data(post)}])
    return [head, reddit_listing(comments)]


def reddit_posts(units: list[Unit], ids: IdMaker, rng: random.Random) -> list[RedditPost]:
    posts = []
    for unit in sorted(units, key=lambda u: u.root.when):
        post_id = ids.base36("1")
        slug = slugify(unit.root.title)[:50].strip("-").replace("-", "_")
        permalink = f"/r/{SUBREDDIT}/comments/{post_id}/{slug}/"
        score, ratio = rng.randint(1, 90), round(rng.uniform(0.7, 1.0), 2)
        post = RedditPost(unit, post_id, permalink, score, ratio)
        post.comment_ids = [ids.base36("m") for _ in unit.drafts[1:]]
        posts.append(post)
    return posts


# --- rendering: Discourse ---------------------------------------------------------------------


@dataclass
class DiscourseUser:
    user_id: int
    username: str
    name: str

    @property
    def avatar_template(self) -> str:
        return f"/user_avatar/community.acmehelpdesk.example/{self.username}/{{size}}/1_2.png"

    def summary(self) -> dict[str, object]:
        return {
            "id": self.user_id,
            "username": self.username,
            "name": self.name,
            "avatar_template": self.avatar_template,
        }


@dataclass
class DiscourseTopic:
    unit: Unit
    topic_id: int
    slug: str
    post_ids: list[int]
    created_at: list[str]
    views: int


def discourse_users(units: list[Unit], rng: random.Random) -> dict[str, DiscourseUser]:
    users: dict[str, DiscourseUser] = {
        content.VENDOR_HANDLE: DiscourseUser(2, content.VENDOR_HANDLE, "Acme Support")
    }
    for unit in units:
        for draft in unit.drafts:
            if draft.author not in users:
                name = content.name_for_handle(draft.author, rng)
                users[draft.author] = DiscourseUser(100 + len(users) * 7, draft.author, name)
    return users


def discourse_topics(units: list[Unit], rng: random.Random) -> list[DiscourseTopic]:
    topics = []
    next_post_id = 8400
    for number, unit in enumerate(sorted(units, key=lambda u: u.root.when)):
        post_ids = []
        for _ in unit.drafts:
            next_post_id += rng.randint(1, 9)
            post_ids.append(next_post_id)
        next_post_id += rng.randint(5, 40)
        created = [iso_millis_z(d.when, rng) for d in unit.drafts]
        slug = slugify(unit.root.title) or "topic"
        topics.append(
            DiscourseTopic(unit, 1200 + number * 3, slug, post_ids, created, rng.randint(9, 400))
        )
    return topics


def discourse_post(
    topic: DiscourseTopic, index: int, users: dict[str, DiscourseUser]
) -> dict[str, object]:
    draft = topic.unit.drafts[index]
    user = users[draft.author]
    vendor = draft.author == content.VENDOR_HANDLE
    cooked = html_paragraphs(draft.body)
    if vendor:
        op = topic.unit.root.author
        cooked = cooked.replace(f"@{op}", f'<a class="mention" href="/u/{op}">@{op}</a>')
    reply_to = topic.unit.drafts[index].parent
    return {
        "id": topic.post_ids[index],
        "name": user.name,
        "username": user.username,
        "avatar_template": user.avatar_template,
        "created_at": topic.created_at[index],
        "cooked": cooked,
        "post_number": index + 1,
        "post_type": 1,
        "updated_at": topic.created_at[index],
        "reply_count": sum(1 for d in topic.unit.drafts[1:] if index and d.parent == index),
        "reply_to_post_number": reply_to + 1 if reply_to else None,
        "quote_count": 0,
        "incoming_link_count": 0,
        "reads": max(1, topic.views // 3),
        "score": round(topic.views / 10 + index, 1),
        "yours": False,
        "topic_id": topic.topic_id,
        "topic_slug": topic.slug,
        "display_username": user.name,
        "primary_group_name": "acme_staff" if vendor else None,
        "version": 1,
        "user_title": "Acme Helpdesk Support Team" if vendor else None,
        "accepted_answer": vendor,
        "moderator": vendor,
        "admin": False,
        "staff": vendor,
        "user_id": user.user_id,
        "hidden": False,
        "trust_level": 4 if vendor else 1,
        "deleted_at": None,
        "user_deleted": False,
    }


def discourse_posters(topic: DiscourseTopic, users: dict[str, DiscourseUser]) -> list[dict]:
    authors: list[str] = []
    for draft in topic.unit.drafts:
        if draft.author not in authors:
            authors.append(draft.author)
    last = topic.unit.drafts[-1].author
    posters = []
    for author in authors:
        roles = []
        if author == topic.unit.root.author:
            roles.append("Original Poster")
        if author == last:
            roles.append("Most Recent Poster")
        posters.append(
            {
                "extras": "latest" if author == last else None,
                "description": ", ".join(roles) or "Frequent Poster",
                "user_id": users[author].user_id,
                "primary_group_id": None,
            }
        )
    return posters


def discourse_topic_json(topic: DiscourseTopic, users: dict[str, DiscourseUser]) -> dict:
    unit = topic.unit
    posts = [discourse_post(topic, i, users) for i in range(len(unit.drafts))]
    participants = {users[d.author].user_id: users[d.author] for d in unit.drafts}
    vendor_answer = next((p for p in posts if p["accepted_answer"]), None)
    data: dict[str, object] = {
        "post_stream": {"posts": posts, "stream": topic.post_ids},
        "tags": [],
        "id": topic.topic_id,
        "title": unit.root.title,
        "fancy_title": html.escape(unit.root.title, quote=False),
        "posts_count": len(posts),
        "created_at": topic.created_at[0],
        "views": topic.views,
        "reply_count": len(posts) - 1,
        "like_count": len(posts) - 1,
        "last_posted_at": topic.created_at[-1],
        "visible": True,
        "closed": False,
        "archived": False,
        "archetype": "regular",
        "slug": topic.slug,
        "category_id": 4,
        "word_count": sum(len(d.body.split()) for d in unit.drafts),
        "deleted_at": None,
        "user_id": users[unit.root.author].user_id,
        "pinned": False,
        "highest_post_number": len(posts),
        "chunk_size": 20,
        "details": {
            "created_by": users[unit.root.author].summary(),
            "last_poster": users[unit.drafts[-1].author].summary(),
            "participants": [u.summary() for u in participants.values()],
        },
    }
    if vendor_answer:
        data["accepted_answer"] = {
            "post_number": vendor_answer["post_number"],
            "username": vendor_answer["username"],
            "excerpt": unit.drafts[int(vendor_answer["post_number"]) - 1].body[:120],
        }
    return data


def discourse_latest(topics: list[DiscourseTopic], users: dict[str, DiscourseUser]) -> dict:
    ordered = sorted(topics, key=lambda t: t.created_at[-1], reverse=True)
    listed: list[dict[str, object]] = []
    seen_users: dict[int, DiscourseUser] = {}
    for topic in ordered:
        unit = topic.unit
        for draft in unit.drafts:
            seen_users.setdefault(users[draft.author].user_id, users[draft.author])
        listed.append(
            {
                "id": topic.topic_id,
                "title": unit.root.title,
                "fancy_title": html.escape(unit.root.title, quote=False),
                "slug": topic.slug,
                "posts_count": len(unit.drafts),
                "reply_count": len(unit.drafts) - 1,
                "highest_post_number": len(unit.drafts),
                "image_url": None,
                "created_at": topic.created_at[0],
                "last_posted_at": topic.created_at[-1],
                "bumped": True,
                "bumped_at": topic.created_at[-1],
                "archetype": "regular",
                "unseen": False,
                "pinned": False,
                "unpinned": None,
                "visible": True,
                "closed": False,
                "archived": False,
                "bookmarked": None,
                "liked": None,
                "tags": [],
                "views": topic.views,
                "like_count": len(unit.drafts) - 1,
                "has_summary": False,
                "last_poster_username": unit.drafts[-1].author,
                "category_id": 4,
                "pinned_globally": False,
                "featured_link": None,
                "has_accepted_answer": unit.special == "vendor",
                "posters": discourse_posters(topic, users),
            }
        )
    return {
        "users": [u.summary() for u in seen_users.values()],
        "primary_groups": [],
        "topic_list": {
            "can_create_topic": False,
            "draft": None,
            "draft_key": "new_topic",
            "draft_sequence": None,
            "per_page": 30,
            "topics": listed,
        },
    }


# --- rendering: iTunes customer reviews ----------------------------------------------------------


def appstore_entry(draft: Draft, review_id: str, rng: random.Random) -> dict[str, object]:
    votes = rng.randint(0, 6)
    return {
        "author": {
            "uri": {"label": f"https://itunes.apple.com/us/reviews/id{rng.randint(10**8, 10**9)}"},
            "name": {"label": draft.author},
            "label": "",
        },
        "im:version": {"label": rng.choice(("5.11.2", "5.12.0", "5.12.1"))},
        "im:rating": {"label": str(draft.rating)},
        "id": {"label": review_id},
        "title": {"label": draft.title},
        "content": {"label": draft.body, "attributes": {"type": "text"}},
        "link": {
            "attributes": {
                "rel": "related",
                "href": f"https://itunes.apple.com/us/review?id={APPSTORE_APP_ID}&type=Purple%20Software",
            }
        },
        "im:voteSum": {"label": str(rng.randint(0, votes))},
        "im:contentType": {"attributes": {"term": "Application", "label": "Application"}},
        "im:voteCount": {"label": str(votes)},
        "updated": {"label": apple_time(draft.when)},
    }


def appstore_feed(units: list[Unit], rng: random.Random, ids: IdMaker) -> dict[str, object]:
    ordered = newest_first(units)
    entries = [
        appstore_entry(u.root, str(ids.numeric(u.root.when, 10_400_000_000, 3.0)), rng)
        for u in ordered
    ]
    base = f"https://itunes.apple.com/us/rss/customerreviews/id={APPSTORE_APP_ID}"
    page = (
        f"https://itunes.apple.com/us/rss/customerreviews/page=1/id={APPSTORE_APP_ID}"
        f"/sortby=mostrecent/xml?urlDesc=/customerreviews/id={APPSTORE_APP_ID}"
        "/sortby=mostrecent/json"
    )
    return {
        "feed": {
            "author": {
                "name": {"label": "iTunes Store"},
                "uri": {"label": "http://www.apple.com/itunes/"},
            },
            "entry": entries,
            "updated": {"label": apple_time(ordered[0].root.when)},
            "rights": {"label": "Copyright 2008 Apple Inc."},
            "title": {"label": "iTunes Store: Customer Reviews"},
            "icon": {"label": "http://itunes.apple.com/favicon.ico"},
            "link": [
                {
                    "attributes": {
                        "rel": "alternate",
                        "type": "text/html",
                        "href": f"https://apps.apple.com/us/app/id{APPSTORE_APP_ID}",
                    }
                },
                {"attributes": {"rel": "self", "href": f"{base}/sortby=mostrecent/json"}},
                {"attributes": {"rel": "first", "href": page}},
                {"attributes": {"rel": "last", "href": page}},
            ],
            "id": {"label": f"{base}/sortby=mostrecent/json"},
        }
    }


# --- writing files ---------------------------------------------------------------------------


class SiteWriter:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: list[DemoFile] = []

    def write(
        self,
        path: str,
        text: str,
        kind: str,
        mentions: int,
        listing_only: bool = False,
        alias_of: str | None = None,
    ) -> None:
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        self.files.append(DemoFile(path, kind, mentions, listing_only, alias_of))

    def write_with_alias(self, path: str, alias: str, text: str, kind: str, mentions: int) -> None:
        self.write(path, text, kind, mentions)
        self.write(alias, text, kind, mentions, alias_of=path)


def units_of(units: list[Unit], platform: str) -> list[Unit]:
    return [u for u in units if u.platform == platform]


def render_review_pages(writer: SiteWriter, units: list[Unit]) -> None:
    for spec in REVIEW_PAGES:
        reviews = [u.root for u in newest_first(units_of(units, spec.platform))]
        render = jsonld_page if spec.markup == "jsonld" else microdata_page
        writer.write(spec.path, render(spec, reviews), SCHEMA_ORG, len(reviews))


def render_feeds(
    writer: SiteWriter, units: list[Unit], rng: random.Random, ids: IdMaker, cal: DemoCalendar
) -> None:
    rss_units, atom_units = units_of(units, "rss"), units_of(units, "atom")
    writer.write(RSS_PATH, rss_feed(rss_units, cal), FEED, len(rss_units))
    writer.write(ATOM_PATH, atom_feed(atom_units, rng, ids), FEED, len(atom_units))


def render_hackernews(
    writer: SiteWriter, units: list[Unit], rng: random.Random, ids: IdMaker
) -> None:
    """Written twice: under the exact query (what the source asks for) and the bare path (what
    the replay server falls back to when a crawl adds or reorders parameters)."""
    hn_units = units_of(units, "hn")
    text = compact_json(hn_search(hn_units, rng, ids))
    query_path = f"{HN_QUERY_PATH}?{HN_QUERY}"
    writer.write_with_alias(query_path, HN_QUERY_PATH, text, HACKERNEWS, len(hn_units))


def render_reddit(writer: SiteWriter, units: list[Unit], rng: random.Random, ids: IdMaker) -> None:
    """The listing, plus each commented post's thread at ``<permalink minus slash>.json`` (what
    the crawler follows) and at ``<permalink>.json`` (reddit answers both)."""
    posts = reddit_posts(units_of(units, "reddit"), ids, rng)
    newest = sorted(posts, key=lambda p: p.unit.root.when, reverse=True)
    children = [{"kind": "t3", "data": reddit_post_data(p)} for p in newest]
    writer.write(REDDIT_LISTING_PATH, compact_json(reddit_listing(children)), REDDIT, len(posts))
    for post in posts:
        if len(post.unit.drafts) > 1:
            text = compact_json(reddit_thread(post, rng))
            thread_path = f"{post.permalink.rstrip('/')}.json"
            alias = f"{post.permalink}.json"
            writer.write_with_alias(thread_path, alias, text, REDDIT, len(post.unit.drafts))


def render_discourse(writer: SiteWriter, units: list[Unit], rng: random.Random) -> None:
    forum_units = units_of(units, "discourse")
    users = discourse_users(forum_units, rng)
    topics = discourse_topics(forum_units, rng)
    latest = compact_json(discourse_latest(topics, users))
    writer.write(DISCOURSE_LATEST_PATH, latest, DISCOURSE, len(topics), listing_only=True)
    for topic in topics:
        text = compact_json(discourse_topic_json(topic, users))
        path = f"/t/{topic.topic_id}.json"
        alias = f"/t/{topic.slug}/{topic.topic_id}.json"
        writer.write_with_alias(path, alias, text, DISCOURSE, len(topic.unit.drafts))


def render_appstore(
    writer: SiteWriter, units: list[Unit], rng: random.Random, ids: IdMaker
) -> None:
    app_units = units_of(units, "appstore")
    text = compact_json(appstore_feed(app_units, rng, ids))
    writer.write(APPSTORE_PATH, text, APPSTORE, len(app_units))


# --- ground truth --------------------------------------------------------------------------


PLATFORM_KINDS = {
    "rss": FEED,
    "atom": FEED,
    "hn": HACKERNEWS,
    "reddit": REDDIT,
    "discourse": DISCOURSE,
    "appstore": APPSTORE,
}


def mentions_by_kind(units: list[Unit]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for unit in units:
        kind = PLATFORM_KINDS.get(unit.platform, SCHEMA_ORG)
        counts[kind] = counts.get(kind, 0) + len(unit.drafts)
    return counts


def planted_trend(cal: DemoCalendar, units: list[Unit]) -> PlantedTrend:
    performance: dict[str, int] = {}
    ratings: dict[str, list[int]] = {}
    for week in cal.weeks():
        label = iso_week_label(week)
        performance[label] = 0
        ratings[label] = []
    for unit in units:
        for draft in unit.drafts:
            label = iso_week_label(draft.when.date())
            if content.PERFORMANCE_COMPLAINT.search(f"{draft.title} {draft.body}"):
                performance[label] += 1
            if draft.rating is not None:
                ratings[label].append(draft.rating)
    return PlantedTrend(
        week=iso_week_label(cal.trend_week),
        week_start=cal.trend_week,
        performance_mentions=performance,
        average_rating={label: round(average(r), 2) for label, r in ratings.items() if r},
        reviews={label: len(r) for label, r in ratings.items()},
    )


# --- entry points ----------------------------------------------------------------------------


def keep_open_questions_off_alert_edges(cal: DemoCalendar, units: list[Unit]) -> None:
    """An open question asked yesterday turns 24 hours old at some hour of today, and one asked
    eight days ago leaves the seven days the alerts look back over at some hour of today: the
    demo's alerts would depend on the hour it runs. Those questions are asked a day earlier
    (before the trend is planted, so its weekly counts include them where they land)."""
    edges = {cal.last_day, cal.today - timedelta(days=8)}
    for unit in units:
        if unit.is_open_question and unit.root.when.date() in edges:
            unit.root.when -= timedelta(days=1)


def keep_a_fresh_low_rating(cal: DemoCalendar, units: list[Unit]) -> None:
    """The demo's advocate always has a review of 1 or 2 stars from the last six days to answer
    (the negative-review rule looks back seven days, so one seven days old leaves during
    today). On the rare day the dealt ratings leave none, the newest review of those days
    trades ratings with the most recent low rating outside the trend week."""

    def age(unit: Unit) -> int:
        return (cal.today - unit.root.when.date()).days

    acme = [u for u in units if u.is_review and u.brand == ACME]
    if any((u.root.rating or 5) <= 2 for u in acme if 1 <= age(u) <= 6):
        return
    everyday = [u for u in acme if not u.special and u.topic != PERFORMANCE]
    fresh = [u for u in everyday if 1 <= age(u) <= 6]
    low = [u for u in everyday if (u.root.rating or 5) <= 2 and u.week != cal.trend_week]
    if fresh and low:
        newest = max(fresh, key=lambda u: (u.week != cal.trend_week, u.root.when))
        donor = min(low, key=age)
        newest.root.rating, donor.root.rating = donor.root.rating, newest.root.rating


def generate_units(cal: DemoCalendar, seed: int) -> list[Unit]:
    from groundswell.demo.community import planted_units

    rng = random.Random(f"groundswell-demo:{seed}:{cal.today.isoformat()}")
    units = Planner(rng, cal).plan() + planted_units(cal, seed)
    keep_open_questions_off_alert_edges(cal, units)
    assign_special_topics(units)
    TrendPlanter(rng, cal, units).plant()
    keep_a_fresh_low_rating(cal, units)
    assign_everyday_topics(rng, units)
    write_texts(rng, units)
    return units


def build_demo_site(root: Path, today: date | None = None, seed: int = 7) -> DemoSite:
    """Write the demo site under ``root`` and return the sources to configure.

    Deterministic: the same ``(today, seed)`` writes byte-identical files.
    """
    cal = DemoCalendar(today or date.today())
    units = generate_units(cal, seed)
    rng = random.Random(f"groundswell-demo-render:{seed}:{cal.today.isoformat()}")
    ids = IdMaker(rng)
    writer = SiteWriter(Path(root))
    render_review_pages(writer, units)
    render_appstore(writer, units, rng, ids)
    render_feeds(writer, units, rng, ids, cal)
    render_hackernews(writer, units, rng, ids)
    render_reddit(writer, units, rng, ids)
    render_discourse(writer, units, rng)
    return DemoSite(
        root=Path(root),
        today=cal.today,
        sources=list(DEMO_SOURCES),
        files=writer.files,
        mentions_by_kind=mentions_by_kind(units),
        trend=planted_trend(cal, units),
    )


# --- the demo configuration ----------------------------------------------------------------


def toml_value(value: object) -> str:
    """A TOML literal for a str, bool, number or list of those (JSON strings are TOML strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def toml_table(header: str, values: dict[str, object]) -> list[str]:
    return [header, *(f"{key} = {toml_value(value)}" for key, value in values.items()), ""]


def demo_config_lines(base_url: str, db_path: Path | str) -> list[str]:
    base = base_url.rstrip("/")
    lines = [
        "# groundswell.toml for the built-in demo (written by groundswell.demo.site).",
        "# Every source below is a page of the synthetic demo site, served on this machine by",
        "# `groundswell replay`; nothing is fetched from the internet. The data is invented.",
        "",
        *toml_table("[database]", {"path": str(db_path)}),
        "# A local replay server: no need to be gentle with it.",
        *toml_table(
            "[crawl]",
            {"download_delay": 0.0, "retries": 1, "backoff_base": 0.2, "max_listing_pages": 50},
        ),
        "# Brand monitors: Acme Helpdesk is ours; the others are competitors (share of voice).",
    ]
    for brand in DEMO_BRANDS:
        lines += toml_table(
            "[[monitor]]",
            {"name": brand.name, "query": brand.query, "competitor": brand.competitor},
        )
    lines.append("# One source per demo page or API endpoint; `kind` picks the spider.")
    for source in DEMO_SOURCES:
        values: dict[str, object] = {
            "name": source.name,
            "kind": source.kind,
            "url": base + source.url_path,
            "schedule": "every 1h",
        }
        if source.kind == DISCOURSE:
            values["vendor_accounts"] = [content.VENDOR_HANDLE]
        lines += toml_table("[[source]]", values)
    lines.append("# Topics the tagger looks for; the demo data talks about all of them.")
    for topic in content.demo_topics():
        lines += toml_table("[[topic]]", topic)
    lines += [
        *toml_table("[digest]", {"weekday": "mon", "time": "08:00"}),
        *demo_alert_lines(),
    ]
    return lines


def demo_alert_lines() -> list[str]:
    """A sample advocate and the rules that route Acme Helpdesk's reviews and questions to
    them: ``groundswell alerts --dry-run`` on the demo shows what would be sent and why."""
    return [
        "# Alerts: who answers what. `groundswell alerts --config THIS_FILE --db DEMO_DB",
        "# --dry-run` lists what would be sent and why. The address is invented and [smtp]",
        "# points at this machine, so a real `groundswell alerts` here has nowhere to deliver.",
        *toml_table(
            "[[advocate]]",
            {
                "name": "Support lead",
                "email": "support-lead@example.com",
                "monitors": ["Acme Helpdesk"],
                "escalate_to": "head-of-support@example.com",
            },
        ),
        "# A review of 2 stars or less (or read as negative) needs an answer within 4 hours;",
        "# a question nobody answered in a day, within 8 (the alert names the community members",
        "# who answered the most similar questions before: ask one of them to help).",
        *toml_table("[[alert_rule]]", {"kind": "negative_review", "rating_max": 2, "sla_hours": 4}),
        *toml_table(
            "[[alert_rule]]",
            {
                "kind": "unanswered_question",
                "after_hours": 24,
                "sla_hours": 8,
                "suggest_experts": True,
            },
        ),
    ]


def write_demo_config(path: Path | str, base_url: str, db_path: Path | str) -> Path:
    """Write a commented ``groundswell.toml`` whose sources point at the demo site served at
    ``base_url`` (e.g. ``http://127.0.0.1:8777``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(demo_config_lines(base_url, db_path)) + "\n", encoding="utf-8")
    return path
