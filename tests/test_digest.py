"""The weekly digest, on a generated multi-week data set with a planted trend.

``tests/digest_fixtures.py`` plants, in 2026-W47: ``performance`` rising from 2 to 14 mentions,
the average rating dropping about one star, a new negative source (capterra) and hostile text.
"""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import sqlite3
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from PIL import Image

from groundswell.cli import cli
from groundswell.config import Config
from groundswell.digest.build import (
    Digest,
    DigestError,
    build_digest,
    parse_week,
    save_digest,
    send_digest,
    write_digest,
)
from groundswell.digest.render import markdown_text
from tests.conftest import free_port, mention
from tests.digest_fixtures import (
    HOSTILE_AUTHOR,
    HOSTILE_TITLE,
    TARGET_WEEK,
    Planted,
    make_digest_db,
)

ARTIFACTS = Path(__file__).parent / "artifacts"
MONITORS = [
    {"name": "acme", "query": "acme"},
    {"name": "tickettiger", "query": "tickettiger", "competitor": True},
    {"name": "zenlytics", "query": "zenlytics", "competitor": True},
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-dev-shm-usage", "--disable-quic"]  # fmt: skip


def make_config(**digest_settings) -> Config:
    return Config.model_validate({"monitor": MONITORS, "digest": digest_settings})


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> tuple[Path, Planted]:
    path = tmp_path_factory.mktemp("digest") / "planted.db"
    _, facts = make_digest_db(path)
    return path, facts


@pytest.fixture(scope="module")
def week47(planted) -> Digest:
    path, _ = planted
    return build_digest(sqlite_utils.Database(path), make_config(), week=TARGET_WEEK.label)


def copy_db(planted, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    with sqlite3.connect(planted[0]) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target


# --- weeks ---------------------------------------------------------------------------------


def test_weeks_parse_and_default_to_the_last_full_week():
    week = parse_week("2026-W47")
    assert (week.start, week.end) == (date(2026, 11, 16), date(2026, 11, 23))
    assert parse_week(None, today=date(2026, 11, 26)).label == "2026-W47"  # a Thursday
    assert parse_week(None, today=date(2026, 11, 23)).label == "2026-W47"  # Monday after
    assert parse_week(None, today=date(2026, 11, 22)).label == "2026-W46"  # W47 not over yet
    assert parse_week(None, today=date(2027, 1, 4)).label == "2026-W53"
    for bad in ("2026-47", "W47", "2026-W54", "2025-W53", "2026-w47x"):
        with pytest.raises(DigestError, match="expected an ISO week like 2026-W47"):
            parse_week(bad)


# --- the numbers ---------------------------------------------------------------------------


def test_digest_data_finds_the_planted_rise_and_rating_drop(week47, planted):
    _, facts = planted
    data = week47.data
    previous = TARGET_WEEK.shifted(-1)
    # duplicates and competitor-only mentions are not counted
    assert data.current.volume == facts.volume[TARGET_WEEK.label] == 49
    assert data.previous.volume == facts.volume[previous.label] == 32
    # the rating drop: about one star, and exactly what was planted
    assert data.current.avg_rating == pytest.approx(facts.avg_rating(TARGET_WEEK))
    assert data.previous.avg_rating == pytest.approx(facts.avg_rating(previous))
    assert -1.3 < data.rating_change < -0.7
    # the sharp rise of "performance", top of the risers
    top = data.topics_rising[0]
    assert (top.topic, top.count, top.previous, top.sharp) == ("performance", 14, 2, True)
    assert top.negative >= 12
    assert facts.topic_counts[TARGET_WEEK.label]["performance"] == 14
    assert ("source", "capterra", 2) in [(n.kind, n.name, n.negative) for n in data.new_negativity]
    assert [w.week.label for w in data.trend][-1] == "2026-W47" and len(data.trend) == 8
    assert [w.volume for w in data.trend[:-1]] == [32] * 7


def test_tag_cloud_words_carry_counts_and_sentiment(week47):
    words = {w.word: w for w in week47.data.cloud_words}
    assert words["slow dashboard"].count == 12 and words["slow dashboard"].avg_sentiment < -0.5
    assert words["performance"].count == 14 and words["performance"].avg_sentiment < -0.5
    assert words["great support"].avg_sentiment > 0.5
    counts = [w.count for w in week47.data.cloud_words]
    assert counts == sorted(counts, reverse=True)


def test_tag_cloud_breaks_ties_by_relevance_not_the_alphabet():
    """In a quiet week most phrases are said once; the alphabet picked "40-person support desk"
    and "accounts" for the demo's cloud over what the keyphrase stage found most relevant."""
    from groundswell.digest.data import IsoWeek, Mention, cloud_words

    week = IsoWeek(2026, 49)
    mentions = {f"m{i}": Mention(f"m{i}", "forum", "post", None, None, None, "text", None,
                                 "2026-12-01T10:00:00Z", "neutral", 0.0, False, False, False, 0,
                                 week) for i in range(3)}  # fmt: skip
    rows = [{"mention_id": "m0", "term": "40-person support desk", "score": 0.3},
            {"mention_id": "m1", "term": "accounts", "score": 0.4},
            {"mention_id": "m2", "term": "search timeouts", "score": 0.8},
            {"mention_id": "m0", "term": "slow inbox", "score": 0.5},
            {"mention_id": "m1", "term": "slow inbox", "score": 0.2},
            {"mention_id": "m2", "term": "run Acme Helpdesk's", "score": 0.9}]  # fmt: skip
    words = [w.word for w in cloud_words(rows, [], mentions, week, 3, ["acme helpdesk"])]
    assert words == ["slow inbox", "search timeouts", "accounts"]  # "run": 0.9 / 3


def test_tag_cloud_leaves_brand_names_out(tmp_path):
    """Every mention of a brand says its name: in the cloud it crowded out what was said."""
    db, _ = make_digest_db(tmp_path / "brands.db")
    week_ids = [r["id"] for r in db.query(
        "select id from mentions where published_at >= '2026-11-16' and published_at < '2026-11-23'"
    )]  # fmt: skip
    rows = [{"mention_id": i, "phrase": phrase, "score": 0.9} for i in week_ids
            for phrase in ("Acme", "acme iPhone app", "TicketTiger", "Zenlytics", "Acme app",
                           "acme customers")]  # fmt: skip
    db["keyphrases"].insert_all(rows, pk=("mention_id", "phrase"), replace=True)
    data = build_digest(db, make_config(), TARGET_WEEK.label).data
    words = {w.word: w.count for w in data.cloud_words}
    assert words["iPhone app"] == data.current.volume == max(words.values())
    assert not {"acme", "tickettiger", "zenlytics"} & {w.lower() for w in words}
    assert not {"app", "customers"} & set(words)  # too vague alone, once the brand is gone
    assert words["slow dashboard"] == 12  # the rest as before


def test_without_brand_strips_a_name_at_either_end_only():
    from groundswell.digest.data import without_brand

    brands = ["acme helpdesk", "acme"]
    assert without_brand("Acme Helpdesk", brands) == ""
    assert without_brand("Acme Helpdesk iPhone app", brands) == "iPhone app"
    assert without_brand("switched from Acme", brands) == "switched from"
    assert without_brand("the acme way", brands) == "the acme way"
    assert without_brand("acmeish", brands) == "acmeish"


def test_without_brand_strips_a_name_the_phrase_cut_in_two():
    from groundswell.digest.data import without_brand

    brands = ["acme helpdesk", "tiger ticket pro"]
    assert without_brand("helpdesk iPhone app", brands) == "iPhone app"
    assert without_brand("comparing Acme", brands) == "comparing"
    assert without_brand("helpdesk", brands) == ""
    assert without_brand("ticket pro exports", brands) == "exports"
    assert without_brand("pro exports", brands) == "exports"
    assert without_brand("moved from tiger ticket", brands) == "moved from"
    assert without_brand("helpdesk vs acme", brands) == "vs"
    assert without_brand("acme helpdesk app", brands) == "app"  # the whole name first
    assert without_brand("ticket queue", brands) == "ticket queue"  # inside a name: kept
    assert without_brand("support desk", brands) == "support desk"
    assert without_brand("acme helpdesk's", brands) == ""  # possessive
    assert without_brand("Acme Helpdesk’s API", brands) == "API"


def test_share_of_voice_response_queue_and_reviews_to_amplify(week47, planted):
    _, facts = planted
    data = week47.data
    voice = {s.monitor: s for s in data.share_of_voice}
    assert voice["acme"].mentions == 49 and not voice["acme"].competitor
    assert voice["tickettiger"].mentions == 9 and voice["tickettiger"].competitor
    assert voice["zenlytics"].mentions == facts.competitor_mentions["2026-W47"]["zenlytics"]
    assert sum(s.share for s in data.share_of_voice) == pytest.approx(1.0)
    # no alerts table: low-rated reviews + unanswered questions of W44..W47
    weeks = [TARGET_WEEK.shifted(-back).label for back in range(4)]
    expected = sum(facts.unanswered_questions[w] + facts.low_rated_reviews.get(w, 0) for w in weeks)
    assert data.needs_response_from == "mentions"
    assert data.needs_response_total == expected == 8
    assert {item.reason for item in data.needs_response} == {
        "unanswered question", "1★ review", "2★ review"}  # fmt: skip
    assert data.to_amplify[0].helpful_votes == 41  # the most helpful positive review first
    assert all(r.rating is None or r.rating >= 4 for r in data.to_amplify)


def test_share_of_voice_counts_a_competitor_left_behind_as_negative_for_it(tmp_path):
    """A happy review of acme that moved from zenlytics is a positive mention of acme and a lost
    customer for zenlytics, not a positive mention of zenlytics."""
    from groundswell.digest.data import known_monitors, share_of_voice
    from groundswell.store import ensure_db_shape, save_mentions
    from groundswell.tagging.monitors import MonitorMatcher, save_monitor_matches

    db = sqlite_utils.Database(tmp_path / "voice.db")
    ensure_db_shape(db)
    rows = [mention("m1", "We moved to acme from zenlytics and love it.", kind="review",
                    rating=5.0, published_at="2026-11-18T10:00:00Z"),
            mention("m2", "zenlytics support is great.", published_at="2026-11-19T10:00:00Z")]  # fmt: skip
    save_mentions(db, rows)
    db.execute("update mentions set sentiment = 'positive'")
    db.conn.commit()
    config = make_config()
    save_monitor_matches(db, ["m1", "m2"], MonitorMatcher(config.monitor).match(rows))
    voice = {s.monitor: s for s in share_of_voice(db, known_monitors(db, config), TARGET_WEEK)}
    assert (voice["acme"].mentions, voice["acme"].positive_share) == (1, 1.0)
    assert (voice["zenlytics"].mentions, voice["zenlytics"].positive_share,
            voice["zenlytics"].negative_share) == (2, 0.5, 0.5)  # fmt: skip
    assert (voice["zenlytics"].passed_over, voice["acme"].passed_over) == (1, 0)
    text = build_digest(db, config, week=TARGET_WEEK.label).markdown
    assert "**Switching**: 1 mention passed over a competitor (zenlytics 1)." in text
    assert "| zenlytics (competitor) | 2 | 67% |" in text and text.count("| Passed over |") == 1
    scoped = build_digest(db, config, week=TARGET_WEEK.label, monitor="zenlytics").data.current
    assert scoped.volume == 2 and scoped.sentiment_counts == {
        "negative": 1, "neutral": 0, "positive": 1}  # fmt: skip


def test_needs_response_comes_from_the_alerts_table_when_it_exists(planted, tmp_path):
    db = sqlite_utils.Database(copy_db(planted, tmp_path))
    ids = [row["id"] for row in db.query(
        "select id from mentions where published_at >= '2026-11-16' and duplicate_of is null "
        "and kind = 'review' order by id limit 3")]  # fmt: skip
    db["alerts"].insert_all([
        {"id": 1, "rule": "negative_review", "mention_id": ids[0], "advocate": "dana",
         "status": "pending", "due_at": "2026-11-20T09:00:00Z"},
        {"id": 2, "rule": "vip_author", "mention_id": ids[0], "advocate": "dana",
         "status": "sent", "due_at": "2026-11-21T09:00:00Z"},
        {"id": 3, "rule": "negative_review", "mention_id": ids[1], "advocate": "lee",
         "status": "escalated", "due_at": "2099-01-01T00:00:00Z"},
        {"id": 4, "rule": "negative_review", "mention_id": ids[2], "advocate": "lee",
         "status": "responded", "due_at": "2026-11-19T09:00:00Z"},
    ], pk="id")  # fmt: skip
    data = build_digest(db, make_config(), week=TARGET_WEEK.label).data
    assert data.needs_response_from == "alerts"
    assert [item.mention_id for item in data.needs_response] == [ids[0], ids[1]]
    assert data.needs_response_total == 2 and data.needs_response_overdue == 1
    first = data.needs_response[0]
    assert (
        first.overdue and first.advocate == "dana" and first.reason == "negative review, vip author"
    )


def test_the_vendors_own_posts_are_not_counted(planted, tmp_path):
    """A reply from the vendor's support account is not what customers say: with it named in
    ``vendor_accounts`` it leaves the volume, topics, tag cloud and share of voice."""
    db = sqlite_utils.Database(copy_db(planted, tmp_path))
    ids = [row["id"] for row in db.query(
        "select m.id from mentions m join mention_monitors mm on mm.mention_id = m.id "
        "where m.published_at >= '2026-11-16' and m.duplicate_of is null and mm.monitor = 'acme' "
        "and m.id in (select mention_id from mention_topics where topic = 'performance') "
        "order by m.id limit 3")]  # fmt: skip
    db.execute(f"update mentions set author = 'Acme_Support' where id in {tuple(ids)}")
    db.conn.commit()
    counted = build_digest(db, make_config(), week=TARGET_WEEK.label).data
    vendor = Config.model_validate(
        {"monitor": MONITORS, "community": {"vendor_accounts": ["acme_support"]}}
    )
    left_out = build_digest(db, vendor, week=TARGET_WEEK.label).data
    assert counted.current.volume == 49 and left_out.current.volume == 46
    voice = {s.monitor: s.mentions for s in left_out.share_of_voice}
    assert voice["acme"] == 46
    rising = {t.topic: t.count for t in left_out.topics_rising}
    assert rising["performance"] == 11
    words = {w.word: w.count for w in left_out.cloud_words}
    assert words["performance"] == 11


def test_mentions_the_models_do_not_read_leave_the_sentiment_shares(planted, tmp_path):
    """Unrated mentions in a language the models do not read have no sentiment: counted in the
    volume, not as untagged, and not in the shares' denominator; rated ones count by stars."""
    db = sqlite_utils.Database(copy_db(planted, tmp_path))
    before = build_digest(db, make_config(), week=TARGET_WEEK.label).data.current
    ids = [row["id"] for row in db.query(
        "select id from mentions where published_at >= '2026-11-16' and duplicate_of is null "
        "and rating is null and sentiment is not null order by id limit 2")]  # fmt: skip
    db.execute(f"update mentions set sentiment = null, sentiment_score = null, "
               f"out_of_domain = 1, lang = 'es' where id in {tuple(ids)}")  # fmt: skip
    db.conn.commit()
    now = build_digest(db, make_config(), week=TARGET_WEEK.label).data.current
    assert (now.volume, now.unread, now.untagged) == (before.volume, 2, before.untagged)
    assert now.tagged == before.tagged - 2
    assert sum(now.sentiment_counts.values()) == now.tagged


def test_monitor_narrows_the_digest_and_an_unknown_monitor_is_named(planted):
    db = sqlite_utils.Database(planted[0])
    data = build_digest(db, make_config(), week="2026-W47", monitor="tickettiger").data
    assert data.current.volume == 9 and data.previous.volume == 5
    with pytest.raises(DigestError, match="no monitor named 'nope'.*tickettiger"):
        build_digest(db, make_config(), week="2026-W47", monitor="nope")


# --- what a reader sees --------------------------------------------------------------------


def test_rendered_story_reports_the_rise_and_the_drop(week47):
    for text in (week47.markdown, week47.html()):
        assert "49 mentions" in text and "up 53% from 32 last week" in text
        assert "Average rating fell 1.0★" in text and "to 3.2★ (from 4.2★)" in text
        assert "Topic to watch: “performance”" in text and "14 mentions (up from 2)" in text
        assert "▼ 1.0★" in text and "▲ 12" in text
        assert "“capterra” (2)" in text
        assert "Needs a response (8)" in text
    assert "| performance (sharp rise) | 14 | 2 | ▲ 12 |" in week47.markdown
    assert week47.subject.startswith("Weekly digest 2026-W47: 49 mentions, rating 3.2★ (▼ 1.0★)")


def week_of(label: str, negative: int, neutral: int, positive: int):
    from groundswell.digest.data import IsoWeek, WeekStats

    counts = {"negative": negative, "neutral": neutral, "positive": positive}
    return WeekStats(week=IsoWeek.parse(label), volume=sum(counts.values()),
                     sentiment_counts=counts)  # fmt: skip


@pytest.mark.parametrize(
    ("before", "now", "story"),
    [
        ((21, 5, 74), (23, 32, 45), "Positive share down to 45% from 74%; 23% negative."),
        ((20, 40, 40), (21, 19, 60), "Positive share up to 60% from 40%; 21% negative."),
        ((10, 20, 70), (30, 10, 60), "Negative share up to 30% from 10%; 60% positive."),
        ((20, 20, 60), (21, 20, 59), "Sentiment steady: 21% negative, 59% positive."),
        ((0, 0, 0), (21, 20, 59), "Sentiment: 21% negative, 59% positive."),
    ],
)
def test_the_sentiment_line_says_which_share_moved(before, now, story):
    """The demo's digest said "Sentiment steady" while its positive share fell 28 points (the
    week's praise had gone neutral, the negative share moved 3 points)."""
    from types import SimpleNamespace

    from groundswell.digest.render import sentiment_line

    data = SimpleNamespace(previous=week_of("2026-W47", *before), current=week_of("2026-W48", *now))
    line = sentiment_line(data)
    assert line.lead + line.rest == story


def test_the_topic_to_watch_is_the_sharp_rise_with_the_most_complaints():
    """On the demo of 2026-12-07 "features" rose most (4 -> 11, 3 negative) and the story named
    it, while "performance" rose 2 -> 7 with 6 negative: the complaints a team must see."""
    from groundswell.digest.data import TopicChange
    from groundswell.digest.render import topic_to_watch

    features, performance = TopicChange("features", 11, 4, 3), TopicChange("performance", 7, 2, 6)
    assert topic_to_watch([features, performance]).topic == "performance"
    praised = [TopicChange("onboarding", 9, 2, 0), TopicChange("docs", 6, 1, 0)]
    assert topic_to_watch(praised).topic == "onboarding"  # no complaints: the biggest rise
    slow = [TopicChange("pricing", 5, 4, 5), TopicChange("security", 4, 1, 1)]
    assert topic_to_watch(slow).topic == "security"  # only sharp rises are "to watch"
    assert topic_to_watch([TopicChange("pricing", 5, 4, 5)]).topic == "pricing"
    assert topic_to_watch([]) is None


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs


def test_hostile_text_is_escaped_in_html_and_markdown(week47):
    page = week47.html()
    parsed = TagCollector()
    parsed.feed(page)
    assert "script" not in parsed.tags and "b" not in parsed.tags and "i" not in parsed.tags
    assert not [name for name, _ in parsed.attrs if name.startswith("on")]
    hrefs = [value for name, value in parsed.attrs if name in ("href", "src")]
    assert hrefs and all(v.startswith(("https://", "cloud.png", "trend.png")) for v in hrefs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;mallory&lt;/b&gt;" in page and HOSTILE_AUTHOR not in page
    assert "&lt;i&gt;evil&lt;/i&gt; &amp; [phrase](javascript:x)" in page  # the keyphrase
    markdown = week47.markdown
    assert HOSTILE_TITLE not in markdown and "<img" not in markdown and "<b>" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert "\\*\\*bold\\*\\*" in markdown and "\\[click\\](javascript:alert(1))" in markdown
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown)  # no live link
    assert "\\| pipe \\|" in markdown
    for text in (page, markdown, week47.subject):  # no bidi override or zero-width characters
        assert "\u202e" not in text and "\u200b" not in text


def test_markdown_escaping_of_line_starts_and_syntax():
    assert markdown_text("# not a heading", line_start=True) == "\\# not a heading"
    assert markdown_text("1. not a list", line_start=True) == "1\\. not a list"
    assert markdown_text("- item", line_start=True) == "\\- item"
    assert markdown_text("a_b *c* `d` [e](f) <g> & h") == (
        "a\\_b \\*c\\* \\`d\\` \\[e\\](f) &lt;g&gt; &amp; h"
    )
    assert markdown_text(" rest ") == " rest "


def test_empty_week_gives_a_short_honest_digest(planted, tmp_path):
    db = sqlite_utils.Database(planted[0])
    quiet = build_digest(db, make_config(), week="2026-W10")
    assert quiet.data.is_empty and quiet.data.cloud_words == []
    assert "No mentions this week" in quiet.markdown and "none last week either" in quiet.markdown
    assert "No mentions this week" in quiet.html() and 'src="cloud.png"' not in quiet.html()
    assert "Topics on the move" not in quiet.markdown
    after = build_digest(db, make_config(), week="2026-W48")
    assert "No mentions this week** (last week: 49)." in after.markdown
    files = write_digest(quiet, tmp_path / "quiet")
    assert [f.name for f in files] == ["digest.html", "digest.md", "cloud.png", "trend.png"]
    for png in ("cloud.png", "trend.png"):
        with Image.open(tmp_path / "quiet" / png) as image:
            assert image.size[0] > 500


def test_write_digest_files_and_save_digest_row(week47, planted, tmp_path):
    files = write_digest(week47, tmp_path / "out")
    page = files[0].read_text(encoding="utf-8")
    assert 'src="cloud.png"' in page and 'src="trend.png"' in page
    assert (tmp_path / "out" / "cloud.png").read_bytes().startswith(PNG_SIGNATURE)
    db = sqlite_utils.Database(copy_db(planted, tmp_path))
    save_digest(db, week47)
    save_digest(db, week47)  # upsert: still one row for the period
    rows = list(db["digests"].rows)
    assert len(rows) == 1
    row = rows[0]
    assert (row["period"], row["monitor"], row["mentions"]) == ("2026-W47", "", 49)
    assert row["cloud_png"].startswith(PNG_SIGNATURE) and row["trend_png"].startswith(PNG_SIGNATURE)
    assert "data:image/png;base64," in row["html"] and "Topic to watch" in row["markdown"]


def distinct_colours(image: Image.Image) -> int:
    return len(image.convert("RGB").getcolors(maxcolors=1 << 24))


def non_white_share(image: Image.Image) -> float:
    grey = image.convert("L")
    dark = sum(grey.histogram()[:235])
    return dark / (grey.size[0] * grey.size[1])


def test_tag_cloud_png_is_colourful_and_not_blank(week47, tmp_path):
    path = tmp_path / "cloud.png"
    path.write_bytes(week47.cloud_png)
    with Image.open(path) as cloud:
        assert cloud.size == (1200, 560)
        assert distinct_colours(cloud) > 64 and non_white_share(cloud) > 0.05
        assert len(week47.cloud_png) < 100 * 1024  # datasette-render-images' default limit
        colours = cloud.convert("RGB").getcolors(maxcolors=1 << 24)
        red = sum(n for n, (r, g, b) in colours if r > 150 and g < 90 and b < 90)
        green = sum(n for n, (r, g, b) in colours if g > 100 and r < 80 and b < 110)
        assert red > 5000 and green > 1000  # negative words red, positive green


# --- in a browser --------------------------------------------------------------------------


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("Debian's chromium is not installed (make test installs it: "
                    "scripts/install-browser.sh)")  # fmt: skip
    return found


@pytest.mark.browser
def test_digest_renders_in_headless_chromium(week47, tmp_path):
    browser = chromium()
    folder = tmp_path / "digest"
    write_digest(week47, folder)
    url = (folder / "digest.html").as_uri()
    common = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert 'class="cloud" src="cloud.png"' in dom.stdout
    assert "Topic to watch" in dom.stdout and "<script>" not in dom.stdout
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "digest.png"
    shot.unlink(missing_ok=True)
    subprocess.run([*common, f"--screenshot={shot}", "--window-size=1200,2000", url],
                   capture_output=True, timeout=120)  # fmt: skip
    assert shot.exists(), "chromium wrote no screenshot"
    with Image.open(shot) as page:
        assert page.size == (1200, 2000)
        assert distinct_colours(page) > 1000 and non_white_share(page) > 0.05


@pytest.mark.browser
def test_tag_cloud_image_loads_in_the_page(week47, tmp_path):
    chromium()
    driver_path = shutil.which("chromedriver")
    if not driver_path:
        pytest.skip("chromedriver is not installed (scripts/install-browser.sh installs it)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    write_digest(week47, tmp_path / "digest")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium()
    for flag in [*CHROMIUM_FLAGS, "--window-size=1200,2000", f"--user-data-dir={tmp_path / 'p'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.get((tmp_path / "digest" / "digest.html").as_uri())
        cloud = driver.find_element(By.CSS_SELECTOR, "img.cloud")
        loaded = driver.execute_script("return [arguments[0].complete, arguments[0].naturalWidth]",
                                       cloud)  # fmt: skip
        assert loaded == [True, 1200]
        (tmp_path / "cloud-in-page.png").write_bytes(cloud.screenshot_as_png)
    finally:
        driver.quit()
    with Image.open(tmp_path / "cloud-in-page.png") as shown:
        assert shown.size[0] > 600
        assert distinct_colours(shown) > 200 and non_white_share(shown) > 0.05


# --- by email ------------------------------------------------------------------------------


class CollectingHandler:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    controller_module = pytest.importorskip(
        "aiosmtpd.controller", reason="aiosmtpd is not installed (pip install aiosmtpd)"
    )
    handler = CollectingHandler()
    controller = controller_module.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def smtp_config(port: int, **digest_settings) -> Config:
    return Config.model_validate({
        "monitor": MONITORS, "digest": digest_settings,
        "smtp": {"host": "127.0.0.1", "port": port, "sender": "digest@acme.example"},
    })  # fmt: skip


def test_email_arrives_with_the_images_inline(week47, smtp_server):
    controller, handler = smtp_server
    config = smtp_config(controller.port, recipients=["cmo@acme.example", "pr@acme.example"])
    assert send_digest(week47, config) == ["cmo@acme.example", "pr@acme.example"]
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["cmo@acme.example", "pr@acme.example"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"].startswith("Weekly digest 2026-W47: 49 mentions")
    assert message.get_content_type() == "multipart/alternative"
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    page = related.get_body(("html",)).get_content()
    images = [p for p in related.iter_parts() if p.get_content_type() == "image/png"]
    assert len(images) == 2
    for image in images:
        cid = image["Content-ID"].strip("<>")
        assert f'src="cid:{cid}"' in page
        assert image.get_content_disposition() == "inline"
    payloads = {image.get_content() for image in images}
    assert payloads == {week47.cloud_png, week47.trend_png}
    text = message.get_body(("plain",)).get_content()
    assert "Topic to watch: “performance”" in text and "see the HTML version" in text
    assert "&lt;script&gt;" in page and "<script>" not in page


# --- the command ---------------------------------------------------------------------------


def write_toml(path: Path, port: int, recipients: list[str], out_dir: Path) -> Path:
    monitors = "".join(
        f'[[monitor]]\nname = "{m["name"]}"\nquery = "{m["query"]}"\n'
        f"competitor = {str(m.get('competitor', False)).lower()}\n\n"
        for m in MONITORS
    )
    path.write_text(
        f"{monitors}[digest]\nrecipients = {recipients!r}\nout_dir = {str(out_dir)!r}\n\n"
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "digest@acme.example"\n',
        encoding="utf-8",
    )
    return path


def run_digest(*args: str):
    return CliRunner().invoke(cli, ["digest", *args], catch_exceptions=False)


def test_cli_builds_writes_saves_and_sends(planted, smtp_server, tmp_path):
    controller, handler = smtp_server
    db_path = copy_db(planted, tmp_path)
    config = write_toml(tmp_path / "g.toml", controller.port, ["cmo@acme.example"],
                        tmp_path / "digests")  # fmt: skip
    result = run_digest("--week", "2026-W47", "--send", "--config", str(config), "--db",
                        str(db_path))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2026-W47: 49 mentions" in result.output and "sent to 1 recipient(s)" in result.output
    assert (tmp_path / "digests" / "2026-W47" / "digest.html").exists()
    assert len(handler.envelopes) == 1
    assert sqlite_utils.Database(db_path)["digests"].count == 1
    monitor = run_digest("--week", "2026-W47", "--monitor", "tickettiger", "--out",
                         str(tmp_path / "tt"), "--config", str(config), "--db", str(db_path))  # fmt: skip
    assert monitor.exit_code == 0 and (tmp_path / "tt" / "digest.md").exists()


def test_cli_errors_are_one_line(planted, tmp_path):
    db_path = copy_db(planted, tmp_path)
    closed_port = free_port()
    config = write_toml(tmp_path / "g.toml", closed_port, [], tmp_path / "digests")
    common = ["--config", str(config), "--db", str(db_path)]
    cases = {
        ("--week", "2026-47"): "Error: --week: expected an ISO week like 2026-W47 (got '2026-47')",
        ("--week", "2026-W47", "--monitor", "nope"): "Error: --monitor: no monitor named 'nope'",
        ("--week", "2026-W47", "--send"): "Error: --send: not sent: set [digest] recipients in",
    }
    for args, expected in cases.items():
        result = run_digest(*args, *common)
        assert result.exit_code == 1
        assert result.output.splitlines()[-1].startswith(expected), result.output
    write_toml(config, closed_port, ["cmo@acme.example"], tmp_path / "digests")
    down = run_digest("--week", "2026-W47", "--send", *common)
    assert down.exit_code == 1
    last = down.output.splitlines()[-1]
    assert last.startswith(f"Error: could not send the digest via 127.0.0.1:{closed_port}: ")
    assert (tmp_path / "digests" / "2026-W47" / "digest.html").exists()  # written before sending
