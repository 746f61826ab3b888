"""The marketer's pages without a browser: the dashboard's figures, readable charts, a mention's
card, empty states that explain themselves, digests in a sandbox, saved searches and their feed.
(tests/test_datasette_pages.py drives the same pages in Chromium.)"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from groundswell.chart_style import MAX_SERIES, keep_biggest, week_labels
from groundswell.store import open_db, save_mentions
from groundswell.store.saved_searches import FEED_SQL, save_search, search_matches
from groundswell.web.card import mention_card
from groundswell.web.charts import Chart, Series, svg_chart
from groundswell.web.dashboard import build_dashboard
from groundswell.web.empty import explain_no_mentions
from groundswell.web.query_charts import chart_from_rows
from groundswell.web.serve import load_metadata
from tests.test_datasette_pages import HOSTILE, get_all, iso, mention, seeded_db

NOW = datetime.now(timezone.utc)


# --- charts ----------------------------------------------------------------------------------


def test_charts_are_wide_with_axis_titles_in_words_and_escaped_labels():
    chart = Chart("line", "Mentions <per> week", ["3 Nov", "10 Nov", "17 Nov"],
                  [Series("<b>acme</b>", [3, 5, 2]), Series("globex", [1, None, 4])],
                  "Week starting (Monday)", "Mentions per week", partial_last=True)  # fmt: skip
    svg = str(svg_chart(chart, width=300))
    assert re.search(r'<svg[^>]* width="600"', svg)  # never narrower than 600 px
    assert "Week starting (Monday)</text>" in svg and "Mentions per week</text>" in svg
    assert "&lt;b&gt;acme&lt;/b&gt;" in svg and "<b>" not in svg
    assert "so far" in svg and 'stroke-dasharray="5 4"' in svg  # this week: not over yet


def test_at_most_six_series_the_rest_as_other():
    rows = [{"week": f"2026-W{w:02d}", "topic": f"topic{t}", "mentions": t + 1}
            for w in range(40, 44) for t in range(10)]  # fmt: skip
    spec = {"type": "line", "x": "week", "y": "mentions", "series": "topic"}
    chart = chart_from_rows(spec, rows)
    names = [s.name for s in chart.series]
    assert len(names) == MAX_SERIES and names[-1] == "other" and names[0] == "topic9"
    assert chart.series[-1].values == [sum(range(1, 6))] * 4  # topics 0-4 added up
    assert chart.categories == ["28 Sep 2026", "5 Oct", "12 Oct", "19 Oct"]  # dates, not W40
    assert keep_biggest({"a": 1, "b": 2}) == ["b", "a"]


def test_weighted_other_and_week_labels_across_a_new_year():
    rows = [{"week": "2026-W40", "source": f"s{n}", "avg_rating": float(n % 5 + 1), "reviews": n}
            for n in range(1, 9)]  # fmt: skip
    spec = {"type": "line", "x": "week", "y": "avg_rating", "series": "source",
            "weight": "reviews", "other": "mean"}  # fmt: skip
    chart = chart_from_rows(spec, rows)
    other = chart.series[-1].values[0]  # s1..s3 by their reviews: (2*1 + 3*2 + 4*3) / 6
    assert round(other, 3) == round((2 * 1 + 3 * 2 + 4 * 3) / 6, 3)
    assert week_labels([date(2026, 12, 28), date(2027, 1, 4)]) == ["28 Dec 2026", "4 Jan 2027"]


# --- the dashboard -------------------------------------------------------------------------------


def test_dashboard_numbers_for_the_brand(tmp_path):
    db = open_db(seeded_db(tmp_path / "g.db"))
    board = build_dashboard(db.conn, None, datetime.now(timezone.utc))
    assert board.monitor == "acme" and ("globex", True) in board.monitors
    mentions, rating, negative = board.kpis
    assert mentions.value == "3"  # m1, m2, m3 today; m5 is 7 days old (the week before)
    assert mentions.change == "+1 vs the 7 days before"  # m5 and m6 then
    assert rating.value == "2.67 ★"  # (2 + 1 + 5) / 3
    assert negative.value == "67%" and negative.link.endswith("sentiment=negative")
    assert "monitors__arraycontains=acme" in mentions.link
    assert [s.name for s in board.trend.series] == ["negative", "neutral", "positive"]
    assert board.trend.partial_last and not board.empty
    assert board.inbox_total == 2 and {m["id"] for m in board.inbox} == {"m1", "m2"}
    assert board.voice.categories[0] == "acme" and "globex (competitor)" in board.voice.categories


def test_the_vendors_own_posts_are_not_counted_on_the_dashboard(tmp_path):
    """Its support answering is not customer voice (mentions.by_vendor): no figure, trend,
    topic or share of voice counts it, for every mention and for a monitor."""
    db = open_db(seeded_db(tmp_path / "g.db"))
    now = datetime.now(timezone.utc)

    def totals(board) -> tuple:
        trend = sum(sum(v or 0 for v in s.values) for s in board.trend.series)
        topics = sum(sum(v or 0 for v in s.values) for s in board.topics.series)
        return board.kpis[0].value, board.kpis[1].value, trend, topics

    def acme_share() -> float:
        voice = build_dashboard(db.conn, None, now).voice
        if voice is None:
            return 0.0
        return dict(zip(voice.categories, voice.series[0].values, strict=True))["acme"]

    before = {scope: totals(build_dashboard(db.conn, scope, now)) for scope in (None, "acme")}
    assert acme_share() > 0
    db.execute("update mentions set by_vendor = 1 where id = 'm3'")  # 5 stars, a topic, acme
    for scope in (None, "acme"):
        mentions, rating, trend, topics = totals(build_dashboard(db.conn, scope, now))
        assert (mentions, rating) == ("2", "1.50 ★")  # (2 + 1) / 2
        assert trend == before[scope][2] - 1 and topics < before[scope][3]
    db.execute("update mentions set by_vendor = 1 where id in ('m1', 'm2')")
    assert acme_share() == 0.0  # none of the week's acme mentions is a customer's


def test_the_trend_shows_mentions_the_models_do_not_read_apart_from_untagged(tmp_path):
    """A mention in a language the models do not read has no sentiment (without stars), as
    an untagged one has none yet: the trend names which, for every mention and a monitor."""
    db = open_db(seeded_db(tmp_path / "g.db"))
    now = datetime.now(timezone.utc)
    db.execute("update mentions set sentiment = null, rating = null, lang = 'es', "
               "out_of_domain = 1 where id = 'm2'")  # fmt: skip
    db.execute("update mentions set sentiment = null, tagged_at = null where id = 'm3'")
    for scope in (None, "acme"):
        trend = build_dashboard(db.conn, scope, now).trend
        last = {s.name: s.values[-1] for s in trend.series}
        assert last["other language"] == 1 and last["untagged"] == 1, scope


def test_an_empty_monitor_says_why(tmp_path):
    db = open_db(seeded_db(tmp_path / "g.db"))
    old = mention(40, published_at="2019-07-04T10:00:00Z", title="Old one")
    save_mentions(db, [old])
    db["mention_monitors"].insert({"mention_id": "m40", "monitor": "Initech", "competitor": 1})
    board = build_dashboard(db.conn, "Initech", NOW)
    assert board.empty == ("No mention matched the monitor “Initech” in the last 8 weeks; its "
                           "newest mention is from 4 Jul 2019 (newest of all: "
                           f"{board.empty.rsplit('newest of all: ', 1)[1]}")  # fmt: skip
    assert "2019" in board.empty and board.kpis[0].value == "0"
    empty = open_db(tmp_path / "empty.db")
    assert "no mentions yet" in build_dashboard(empty.conn, None, NOW).empty


def test_the_home_page_is_the_dashboard_and_the_databases_are_a_click_away(tmp_path):
    db_path = seeded_db(tmp_path / "g.db")
    home, other, everything, databases = get_all(
        db_path, ["/", "/?monitor=globex", "/?monitor=", "/-/databases.json"]
    )
    assert home.status_code == 200 and "<h1>acme</h1>" in home.text
    assert home.text.count('<svg class="gs-chart') == 3  # trend, topics, share of voice
    assert 'href="/groundswell"' in home.text
    assert "<h1>globex</h1>" in other.text and "<h1>All mentions</h1>" in everything.text
    assert [d["name"] for d in databases.json()] == ["groundswell"]  # no _memory
    assert "<script>alert(1)" not in home.text and "&lt;script&gt;alert(1)" in home.text


# --- a mention's card, lists, empty states --------------------------------------------------------


def thread_db(tmp_path):
    db = open_db(seeded_db(tmp_path / "g.db"))
    day = NOW - timedelta(days=1)
    save_mentions(db, [
        mention(20, source="reddit-acme", kind="post", title="Root post", author="op",
                published_at=iso(day)),
        mention(21, source="reddit-acme", kind="comment", title=None, body="First reply",
                parent_id="m20", author="ann", published_at=iso(day + timedelta(hours=1))),
        mention(22, source="reddit-acme", kind="comment", title=None, body=HOSTILE,
                parent_id="m21", author="bo", published_at=iso(day + timedelta(hours=2))),
        mention(23, source="reddit-acme", kind="comment", title=None, body="Second reply",
                parent_id="m20", author="ann", published_at=iso(day + timedelta(hours=3))),
        mention(24, source="reddit-acme", kind="comment", title=None, body="Orphan",
                parent_id="never-stored", author="cy", url="javascript:alert(1)"),
    ])  # fmt: skip
    db["mentions"].update("m13", {"duplicate_of": "m12"})
    return db


def test_the_card_has_the_thread_in_order_duplicates_and_the_authors_other_mentions(tmp_path):
    db = thread_db(tmp_path)
    card = mention_card(db.conn, "m22")
    assert card.root["id"] == "m20"
    assert [(r["id"], r["depth"]) for r in card.replies] == [("m21", 1), ("m22", 2), ("m23", 1)]
    assert [m["id"] for m in mention_card(db.conn, "m21").by_author] == ["m23"]
    assert [d["id"] for d in mention_card(db.conn, "m12").duplicates] == ["m13"]
    assert mention_card(db.conn, "m13").original["id"] == "m12"
    orphan = mention_card(db.conn, "m24")
    assert orphan.missing_root and orphan.replies[0]["id"] == "m24"
    assert mention_card(db.conn, "nope") is None


def test_the_card_page_reads_like_a_message_with_the_reply_link(tmp_path):
    db = thread_db(tmp_path)
    db.close()
    card, hostile, orphan = get_all(tmp_path / "g.db", ["/groundswell/mentions/m21",
                                                        "/groundswell/mentions/m22",
                                                        "/groundswell/mentions/m24"])  # fmt: skip
    assert card.status_code == 200 and 'class="gs-card"' in card.text
    assert "Open on 127.0.0.1 to reply" in card.text and "Root post" in card.text
    assert card.text.index("Root post") < card.text.index("Second reply")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile.text
    assert "<script>alert(1)" not in hostile.text
    assert "javascript:alert" not in orphan.text.split("gs-all-fields")[0]  # never a link
    assert "first post groundswell has not stored" in orphan.text


def test_the_vendors_own_post_is_marked_in_the_thread_and_the_list(tmp_path):
    """The demo's support reply read like one more happy customer: marked "vendor" now."""
    from groundswell.community.vendor_posts import mark_vendor_posts

    db = thread_db(tmp_path)
    assert mark_vendor_posts(db, [" Ann "]) == 2
    db.close()
    card, listed = get_all(tmp_path / "g.db", ["/groundswell/mentions/m20",
                                               "/groundswell/mentions?source=reddit-acme"])  # fmt: skip
    for page in (card, listed):
        assert page.text.count('class="gs-vendor"') == 2, page.url  # m21 and m23, by ann
        assert re.search(r'by ann <span class="gs-vendor"', page.text)


def test_a_mention_the_models_do_not_read_says_so(tmp_path):
    """The demo's Spanish question was shown "positive" like any other; the English-only models
    do not read Spanish (out_of_domain), so it has no sentiment and the pages say why. A text
    lingua only guessed was Dutch ("All were broken", out_of_domain 0) is read: no chip."""
    db = thread_db(tmp_path)
    db["mentions"].update("m21", {"lang": "es", "out_of_domain": 1, "sentiment": None,
                                  "body": "Hola, ¿cómo conecto Shopify?"})  # fmt: skip
    db["mentions"].update("m23", {"lang": "nl", "out_of_domain": 0, "body": "All were broken"})
    db.close()
    card, thread, listed = get_all(tmp_path / "g.db", ["/groundswell/mentions/m21",
                                                       "/groundswell/mentions/m20",
                                                       "/groundswell/mentions?source=reddit-acme"])  # fmt: skip
    # m21 only: in its card's head and its place in the thread, in the thread, in the list
    for page, times in ((card, 2), (thread, 1), (listed, 1)):
        assert page.text.count('class="gs-lang"') == times, page.url
        assert "es · not read: English-only models" in page.text


def test_mentions_list_reads_like_messages_and_explains_an_empty_result(tmp_path):
    db_path = seeded_db(tmp_path / "g.db")
    listed, table, empty, monitor = get_all(db_path, [
        "/groundswell/mentions", "/groundswell/mentions?_view=table",
        "/groundswell/mentions?_search=zeppelin", "/groundswell/mentions?monitors__arraycontains=nobody"])  # fmt: skip
    assert listed.text.count('<article class="gs-message"') == 13
    assert '<table class="rows-and-columns">' not in listed.text
    assert '<table class="rows-and-columns">' in table.text
    assert "No mention at all contains “zeppelin”." in empty.text
    assert "0 records" not in empty.text
    assert "No mention has ever matched the monitor “nobody”." in monitor.text


def test_explain_no_mentions_names_the_filters_and_the_newest_mention(tmp_path):
    db = open_db(seeded_db(tmp_path / "g.db"))
    lines = explain_no_mentions(db.conn, {"_search": "invoice", "sentiment": "positive",
                                          "published_at__gte": "2030-01-01"})  # fmt: skip
    assert lines[0] == ("No mention matched search “invoice”, sentiment = positive, published_at "
                        "on or after 2030-01-01.")  # fmt: skip
    assert lines[1] == "1 mention(s) contain “invoice” without the other filters."
    assert lines[-1].startswith("The newest mention is from ")


def test_canned_query_pages_draw_their_chart(tmp_path):
    db_path = seeded_db(tmp_path / "g.db")
    charted = [name for name, q in load_metadata()["databases"]["groundswell"]["queries"].items()
               if q.get("chart")]  # fmt: skip
    pages = get_all(db_path, [f"/groundswell/{name}" for name in charted])
    for name, page in zip(charted, pages, strict=True):
        assert page.status_code == 200, name
        svg = re.search(r'<svg class="gs-chart[^>]*width="(\d+)"', page.text)
        assert svg and int(svg.group(1)) >= 600, name
        assert 'class="gs-axis-label gs-x-label"' in page.text, name
        assert not re.search(r">\d{4}-W\d\d</text>", page.text), name  # dates, not week codes


# --- digests, saved searches -----------------------------------------------------------------------


def test_digests_render_as_pages_in_a_sandbox(tmp_path):
    db = open_db(seeded_db(tmp_path / "g.db"))
    db["digests"].update(("2026-W47", ""), {"html": f"<h1>Week</h1><p>{HOSTILE}</p>"})
    db.close()
    listing, page, raw, table = get_all(tmp_path / "g.db", [
        "/-/groundswell/digests", "/-/groundswell/digests/2026-W47",
        "/-/groundswell/digests/2026-W47.html", "/groundswell/digests"])  # fmt: skip
    assert "Mentions up 30%" in listing.text
    assert re.search(r'<iframe[^>]* src="/-/groundswell/digests/2026-W47.html" sandbox', page.text)
    assert raw.headers["content-security-policy"].startswith("sandbox; default-src 'none'")
    assert "<h1>Week</h1>" in raw.text
    assert "Read this digest" in table.text and "&lt;h1&gt;Week" not in table.text


def test_saved_searches_have_a_feed_and_the_canned_query_is_their_sql(tmp_path):
    db = open_db(seeded_db(tmp_path / "g.db"))
    save_search(db, "invoices", "dana", query="invoice export")
    save_search(db, "acme negatives", "dana", monitor="acme", sentiment="negative",
                email="dana@example.test")  # fmt: skip
    assert [m["atom_id"] for m in search_matches(db, "invoices")] == ["m1"]
    assert {m["atom_id"] for m in search_matches(db, "acme negatives")} == {"m1", "m2"}
    assert search_matches(db, "unknown") == []
    queries = load_metadata()["databases"]["groundswell"]["queries"]
    assert queries["saved_search_feed"]["sql"] == FEED_SQL
    db.close()
    feed, page = get_all(tmp_path / "g.db", ["/groundswell/saved_search_feed.atom?name=invoices",
                                             "/-/groundswell/searches"])  # fmt: skip
    assert feed.status_code == 200 and "<title>Invoice export broken</title>" in feed.text
    assert "saved_search_feed.atom?name=acme+negatives" in page.text
    assert "emailed daily to dana@example.test" in page.text


def test_saved_searches_email_their_new_matches_once_a_day(tmp_path):
    from click.testing import CliRunner

    from groundswell.cli import cli
    from tests.alert_receivers import SmtpSink

    db_path = seeded_db(tmp_path / "g.db")
    db = open_db(db_path)
    save_search(db, "invoices", "dana", query="invoice", email="dana@example.test")
    save_search(db, "quiet", "dana", query="zeppelin", email="dana@example.test")
    db["mentions"].update("m1", {"first_seen_at": iso(NOW - timedelta(hours=2))})
    sink = SmtpSink().start()
    config = tmp_path / "g.toml"
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\ntimeout = 5\n')
    try:
        args = ["searches", "--email", "--config", str(config), "--db", str(db_path)]
        first = CliRunner().invoke(cli, args)
        second = CliRunner().invoke(cli, args)
    finally:
        sink.stop()
    assert first.exit_code == 0, first.output
    assert "invoices: 1 new mention(s) sent to dana@example.test" in first.output
    assert [m.recipients for m in sink.mails] == [["dana@example.test"]]  # "quiet" found none
    assert "Invoice export broken" in sink.mails[0].part("plain")
    assert "emailed 0 saved search(es)" in second.output  # nothing new since
    listed = CliRunner().invoke(cli, ["searches", "--db", str(db_path)])
    assert "invoices: 1 recent match(es), emailed daily to dana@example.test" in listed.output


@pytest.mark.parametrize(
    ("kind", "series"),
    [
        (
            "hbar",
            [Series("negative", [2, 1]), Series("neutral", [4, 0]), Series("positive", [3, 1])],
        ),
        ("hbar", [Series("share", [69.2, 17.3, 13.5])]),
        ("stacked", [Series("negative", [10, 2]), Series("positive", [31, 9])]),
    ],
)
def test_bars_and_their_values_stay_inside_the_chart(kind, series):
    """The demo's topics bar (9 mentions) ran under the legend: the axis stopped at 8; its
    share of voice (69%) lost its label past the right edge: the axis stopped at 60."""
    categories = [f"c{n}" for n in range(len(series[0].values))]
    chart = Chart(kind, "t", categories, series, "x", "y", value_format="{:.0f}%")
    svg = str(svg_chart(chart))
    width = float(re.search(r'<svg[^>]* width="(\d+)"', svg).group(1))
    legend = re.search(r'<g class="gs-legend"><rect x="([\d.]+)"', svg)
    right = float(legend.group(1)) - 16 if legend else width
    plot = svg.split('<g class="gs-legend">')[0]
    for x, w in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', plot):
        assert float(x) + float(w) <= right + 0.1
    if kind == "stacked":
        tops = [float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)"', plot)]
        assert min(tops) >= 16 - 0.1  # the tallest column stays under the top of the plot
    for x, label in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="start"[^>]*>([\d.]+%)<', svg):
        assert float(x) + 7 * len(label) <= width
