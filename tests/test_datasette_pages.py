"""The Datasette pages marketing opens every morning, driven in headless Chromium (Selenium).

A real ``groundswell serve`` process serves a small seeded database on 127.0.0.1; the browser
opens the mentions table, facets by sentiment, searches, opens canned queries (with their
datasette-vega chart) and checks that hostile review text stays text. Screenshots go to
``tests/artifacts/datasette-*.png``. The checks without a browser (canned queries answer on a
database with and without alerts, views are idempotent, the ISO week matches
Python's) run through Datasette's ASGI client.
"""

from __future__ import annotations

import asyncio
import os
import struct
import subprocess
import sys
import time
import zlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from groundswell.store import open_db, save_mentions
from groundswell.store.views import ensure_indexes_for_browsing, ensure_views, iso_week_sql
from groundswell.web.serve import load_metadata, make_datasette
from tests.conftest import free_port

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1400,1000"]  # fmt: skip
HOSTILE = "Refund refused <script>alert(1)</script> and <img src=x onerror=alert(1)> no reply"
LONG_BODY = "The onboarding checklist was clear. " + "Every step worked as described. " * 20
QUERIES = list(load_metadata()["databases"]["groundswell"]["queries"])
TOKEN_ENV = "GROUNDSWELL_ADVOCATE_TOKEN"
TOKEN = "test-advocate-token-7f3c"


# --- data ---------------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def mention(number: int, **fields) -> dict:
    age = timedelta(hours=3 * number + 1) if number <= 3 else timedelta(days=5 * number - 18)
    published = datetime.now(timezone.utc) - age  # the first three today, the rest over 8 weeks
    return {"id": f"m{number}", "source": "trustpilot-acme", "kind": "review",
            "url": f"http://127.0.0.1/reviews/{number}", "title": f"Review {number}",
            "body": f"Ordinary review number {number}.", "rating": 4.0,
            "published_at": iso(published), "content_hash": f"h{number}", **fields}  # fmt: skip


MENTIONS = [
    mention(1, title="Invoice export broken", body="The invoice export is missing the VAT number.",
            rating=2.0, sentiment="negative"),
    mention(2, title="Hostile", body=HOSTILE, rating=1.0, sentiment="negative"),
    mention(3, title="Great onboarding", body=LONG_BODY, rating=5.0, sentiment="positive"),
    mention(4, source="reddit-acme", kind="question", title="How do I set up SSO?",
            body="Where is the documentation for SSO?", rating=None, is_question=1,
            sentiment="neutral"),
    mention(5, source="reddit-acme", kind="post", title="Switched from Globex",
            body="Switched from Globex, support is much faster.", rating=None,
            sentiment="positive"),
    *[mention(n, sentiment="positive" if n % 2 else "neutral") for n in range(6, 14)],
]  # fmt: skip
TOPICS = [("m1", "billing", "negative"), ("m2", "support", "negative"),
          ("m3", "onboarding", "positive"), ("m4", "security", "neutral"),
          ("m5", "support", "positive"), ("m6", "pricing", "positive"),
          *[(f"m{n}", ("support", "pricing")[n % 2], "neutral") for n in range(7, 14)]]  # fmt: skip
MONITORS = [("m1", "acme", 0), ("m2", "acme", 0), ("m3", "acme", 0), ("m5", "acme", 0),
            ("m5", "globex", 1), ("m6", "acme", 0)]  # fmt: skip


def png(width: int = 24, height: int = 12) -> bytes:
    """A small valid PNG (a blue block), made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x27\x68\x90" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


def add_tags(db) -> None:
    db["mention_topics"].insert_all(
        [{"mention_id": m, "topic": t, "score": 0.9, "sentiment": s} for m, t, s in TOPICS]
    )
    db["mention_monitors"].insert_all(
        [{"mention_id": m, "monitor": name, "competitor": c} for m, name, c in MONITORS]
    )


def add_alerts_jobs_and_digest(db) -> None:
    """Rows in ``alerts``, ``job_runs`` and a ``digests`` row with images."""
    now = datetime.now(timezone.utc)
    db["alerts"].insert({
        "id": "a1", "rule": "negative_review", "kind": "negative_review", "mention_id": "m2",
        "advocate": "alice", "channel": "email", "status": "responded", "attempts": 1,
        "created_at": iso(now - timedelta(hours=5)), "due_at": iso(now + timedelta(hours=19)),
        "sent_at": iso(now - timedelta(hours=5)), "acknowledged_at": iso(now - timedelta(hours=4)),
        "responded_at": iso(now - timedelta(hours=2)), "summary": "Hostile",
    })  # fmt: skip
    db["alerts"].insert({
        "id": "a2", "rule": "negative_review", "kind": "negative_review", "mention_id": "m1",
        "advocate": "bob", "channel": "email", "status": "sent", "attempts": 1,
        "created_at": iso(now - timedelta(hours=1)), "due_at": iso(now + timedelta(hours=23)),
        "sent_at": iso(now - timedelta(hours=1)), "summary": "Invoice export broken",
    })  # fmt: skip
    job = {"job_id": "crawl:trustpilot-acme", "last_status": "ok", "last_success": iso(now),
           "runs": 3, "period_seconds": 3600}  # fmt: skip
    db["job_runs"].insert(job)
    db["digests"].insert({"period": "2026-W47", "monitor": "", "created_at": iso(now),
                          "mentions": 13, "headline": "Mentions up 30%", "html": "<p>digest</p>",
                          "markdown": "# digest", "cloud_png": png(), "trend_png": png(30, 14)},
                         pk=("period", "monitor"))  # fmt: skip


def seeded_db(path: Path, alerts: bool = True) -> Path:
    db = open_db(path)
    save_mentions(db, MENTIONS)
    for item in MENTIONS:
        db["mentions"].update(item["id"], {"sentiment": item["sentiment"]})
    add_tags(db)
    if alerts:
        add_alerts_jobs_and_digest(db)
    ensure_indexes_for_browsing(db)
    ensure_views(db)
    db.close()
    return path


def get_all(db_path: Path, paths: list[str]) -> list:
    ds = make_datasette(db_path)

    async def fetch():
        return [await ds.client.get(path) for path in paths]

    return asyncio.run(fetch())


# --- without a browser --------------------------------------------------------------------


@pytest.mark.parametrize("alerts", [True, False], ids=["with-alerts", "no-alerts-yet"])
def test_every_canned_query_and_view_answers(tmp_path, alerts):
    db_path = seeded_db(tmp_path / "g.db", alerts=alerts)
    names = list(QUERIES)
    views = ["mentions_enriched", "alert_response_times", "crawl_health"]
    responses = get_all(db_path, [f"/groundswell/{name}.json?_shape=objects" for name in names]
                        + [f"/groundswell/{view}.json" for view in views])  # fmt: skip
    for path, response in zip(names + views, responses, strict=True):
        assert response.status_code == 200, (path, response.text[:300])
        assert response.json().get("error") is None, path


def test_canned_queries_have_titles_and_descriptions():
    queries = load_metadata()["databases"]["groundswell"]["queries"]
    for name, query in queries.items():
        assert query.get("title"), name
        assert query.get("description") or query.get("description_html"), name


def test_every_table_and_column_is_described(tmp_path):
    db = open_db(seeded_db(tmp_path / "g.db"))
    tables = load_metadata()["databases"]["groundswell"]["tables"]
    hidden = {name for name, meta in tables.items() if meta.get("hidden")}
    for name in [*db.table_names(), *db.view_names()]:
        if name in hidden or name.startswith(("mentions_fts", "sqlite_")):
            continue
        assert tables.get(name, {}).get("description") or tables.get(name, {}).get(
            "description_html"
        ), name
        columns = {c.name for c in db[name].columns}
        assert columns <= set(tables[name].get("columns", {})), (name, columns)


def test_views_are_idempotent(tmp_path):
    db = open_db(seeded_db(tmp_path / "g.db", alerts=False))
    assert ensure_views(db) == []  # up to date: nothing dropped
    assert db.execute("select count(*) from alert_response_times").fetchone()[0] == 0
    add_alerts_jobs_and_digest(db)
    assert ensure_views(db) == []
    rows = list(db.query("select alert_id, minutes_to_ack, within_sla from alert_response_times"))
    assert rows == [{"alert_id": "a1", "minutes_to_ack": 60.0, "within_sla": 1},
                    {"alert_id": "a2", "minutes_to_ack": None, "within_sla": None}]  # fmt: skip
    assert ensure_indexes_for_browsing(db) == []  # all there already
    health = list(db.query("select source, job_status from crawl_health"))
    assert health == []  # no sources synced in this database


def test_mentions_enriched_has_week_topics_and_monitors(tmp_path):
    db = open_db(seeded_db(tmp_path / "g.db"))
    row = next(db.query("select * from mentions_enriched where id = 'm5'"))
    year, week, _ = datetime.fromisoformat(row["published_at"].replace("Z", "+00:00")).isocalendar()
    assert row["week"] == f"{year}-W{week:02d}"
    assert row["topics"] == '["support"]' and row["monitors"] == '["acme","globex"]'


def test_list_facet_counts_as_the_array_facet(tmp_path):
    db_path = seeded_db(tmp_path / "g.db")
    base = "/groundswell/mentions_enriched.json?_facet_size=max"
    paths = [f"{base}&_facet_{kind}=topics&_facet_{kind}=monitors{extra}"
             for extra in ("", "&_search=review", "&topics__arraycontains=support")
             for kind in ("array", "list")]  # fmt: skip
    responses = get_all(db_path, paths)

    def facet(response, name: str) -> list[tuple]:
        results = response.json()["facet_results"][name]["results"]
        return [(r["value"], r["count"], r["selected"],
                 r["toggle_url"].replace("_facet_list", "_facet_array")) for r in results]  # fmt: skip

    for array, listed in zip(responses[::2], responses[1::2], strict=True):
        for name in ("topics", "monitors"):
            assert facet(listed, name) and facet(listed, name) == facet(array, name), name
    html = get_all(db_path, ["/groundswell/mentions_enriched?_search=review&_facet_list=topics"])
    assert "topics__arraycontains=support" in html[0].text


def test_iso_week_sql_matches_python():
    import sqlite3

    conn = sqlite3.connect(":memory:")
    day = date(2020, 12, 20)
    for _ in range(800):
        day += timedelta(days=1)
        got = conn.execute(f"select {iso_week_sql(':d')}", {"d": f"{day}T12:00:00Z"}).fetchone()[0]
        year, week, _ = day.isocalendar()
        assert got == f"{year}-W{week:02d}", day


def test_pages_escape_hostile_text_and_truncate_long_bodies(tmp_path):
    db_path = seeded_db(tmp_path / "g.db")
    table, row, enriched, digests = get_all(db_path, [
        "/groundswell/mentions", "/groundswell/mentions/m3", "/groundswell/mentions_enriched",
        "/groundswell/digests"])  # fmt: skip
    assert "<script>alert(1)</script>" not in table.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in table.text
    assert LONG_BODY.strip() not in table.text and "\u2026" in table.text  # cut in the table
    assert LONG_BODY.strip() in row.text  # whole on the row page
    assert 'href="/groundswell/mentions/m5"' in enriched.text  # the plugin links ids
    assert 'class="gs-sentiment gs-sentiment-negative"' in table.text
    assert digests.text.count('<img src="data:image/png;base64,') == 2


# --- in headless Chromium -----------------------------------------------------------------


def browser_or_skip() -> None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            pytest.skip(f"{path} is absent (Debian's chromium and chromium-driver: "
                        "scripts/install-browser.sh installs them)")  # fmt: skip
    pytest.importorskip("selenium", reason="selenium is not installed (pip install selenium)")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    browser_or_skip()
    db = seeded_db(tmp_path_factory.mktemp("pages") / "g.db")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "groundswell.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, TOKEN_ENV: TOKEN},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_for(base, process)
    yield base
    process.terminate()
    process.wait(10)


def wait_for(base: str, process: subprocess.Popen) -> None:
    for _ in range(150):
        if process.poll() is not None:
            pytest.fail(f"groundswell serve exited: {process.stderr.read().decode()[-2000:]}")
        try:
            httpx.get(f"{base}/-/versions.json", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail("groundswell serve did not answer within 30 s")


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('profile')}"]:
        options.add_argument(flag)
    chrome = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    chrome.set_page_load_timeout(60)
    yield chrome
    chrome.quit()


def shot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"datasette-{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


def wait_until(driver, condition, seconds: float = 15):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(condition)


def no_alert_opens(driver, seconds: float = 1.5) -> bool:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support import expected_conditions

    try:
        wait_until(driver, expected_conditions.alert_is_present(), seconds)
    except TimeoutException:
        return True
    driver.switch_to.alert.dismiss()
    return False


def row_count(driver) -> int:
    from selenium.webdriver.common.by import By

    return len(driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr"))


@pytest.mark.browser
def test_mentions_page_folds_column_descriptions(served, driver):
    from selenium.webdriver.common.by import By

    driver.get(f"{served}/groundswell/mentions")
    details = driver.find_element(By.CSS_SELECTOR, "details.gs-columns")
    assert details.get_attribute("open") is None
    described = load_metadata()["databases"]["groundswell"]["tables"]["mentions"]["columns"]
    assert f"What the {len(described)} columns mean" in details.text
    assert not driver.find_element(By.CSS_SELECTOR, "dl.column-descriptions").is_displayed()
    assert row_count(driver) == len(MENTIONS)
    shot(driver, "mentions")
    details.find_element(By.TAG_NAME, "summary").click()
    assert driver.find_element(By.CSS_SELECTOR, "dl.column-descriptions").is_displayed()


@pytest.mark.browser
def test_facet_by_sentiment_by_clicking_a_value(served, driver):
    from selenium.webdriver.common.by import By

    driver.get(f"{served}/groundswell/mentions")
    facet = driver.find_element(By.CSS_SELECTOR, '.facet-info[data-column="sentiment"]')
    facet.find_element(By.LINK_TEXT, "negative").click()
    wait_until(driver, lambda d: "sentiment=negative" in d.current_url)
    assert row_count(driver) == 2
    assert '2 rows where sentiment = "negative"' in driver.find_element(By.TAG_NAME, "h3").text
    shot(driver, "facet-sentiment")


@pytest.mark.browser
def test_search_a_phrase_with_the_search_box(served, driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(f"{served}/groundswell/mentions")
    box = driver.find_element(By.ID, "_search")
    box.send_keys('"invoice export"', Keys.ENTER)
    wait_until(driver, lambda d: "_search=" in d.current_url)
    assert row_count(driver) == 1
    assert "Invoice export broken" in driver.find_element(By.CSS_SELECTOR, "table").text
    shot(driver, "search")


@pytest.mark.browser
def test_open_a_canned_query_with_its_chart(served, driver):
    from selenium.webdriver.common.by import By

    driver.get(f"{served}/groundswell")
    driver.find_element(By.LINK_TEXT, "Topic trends by week").click()
    wait_until(driver, lambda d: "/groundswell/topic_trends" in d.current_url)
    assert "g.mark=line" in driver.current_url  # groundswell.js chose the default chart
    pytest.importorskip("datasette_vega", reason="datasette-vega (the charts) is not installed")
    chart = wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".vega-embed"))[0]
    wait_until(driver, lambda d: chart.find_elements(By.CSS_SELECTOR, "canvas, svg"))
    assert row_count(driver) >= 5
    assert "support" in driver.find_element(By.CSS_SELECTOR, "table.rows-and-columns").text
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", chart)
    shot(driver, "topic-trends")


@pytest.mark.browser
def test_needs_response_and_negative_reviews_open(served, driver):
    from selenium.webdriver.common.by import By

    driver.get(f"{served}/groundswell/negative_reviews_this_week")
    table = driver.find_element(By.CSS_SELECTOR, "table.rows-and-columns").text
    assert "Invoice export broken" in table or "Hostile" in table
    shot(driver, "negative-reviews")
    driver.get(f"{served}/groundswell/advocate_response_times")
    assert "alice" in driver.find_element(By.CSS_SELECTOR, "table.rows-and-columns").text


@pytest.mark.browser
def test_hostile_review_renders_as_text(served, driver):
    from selenium.webdriver.common.by import By

    for path in ("/groundswell/mentions?sentiment=negative", "/groundswell/mentions/m2",
                 "/groundswell/mentions_enriched?_search=refund"):  # fmt: skip
        driver.get(f"{served}{path}")
        assert no_alert_opens(driver), path
        table = driver.find_element(By.CSS_SELECTOR, "table.rows-and-columns")
        assert "<script>alert(1)</script>" in table.text, path
        assert "<img src=x onerror=alert(1)>" in table.text, path
        assert not table.find_elements(By.CSS_SELECTOR, "script, img[src='x']"), path
    shot(driver, "hostile-row")


@pytest.mark.browser
def test_digest_images_show_in_the_digests_table(served, driver):
    from selenium.webdriver.common.by import By

    driver.get(f"{served}/groundswell/digests")
    images = driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns img")
    assert len(images) == 2
    assert all(driver.execute_script("return arguments[0].naturalWidth", i) > 0 for i in images)
    shot(driver, "digests")


# --- mark responded (groundswell/web/plugins/groundswell_respond.py) --------------------------------------


def respond_requests(db_path: Path, requests: list[tuple[str, dict]]) -> list:
    ds = make_datasette(db_path)

    async def send():
        return [await ds.client.post("/-/groundswell/respond/m1", **kw) for _, kw in requests]

    return asyncio.run(send())


def test_mark_responded_needs_the_token(tmp_path, monkeypatch):
    db_path = seeded_db(tmp_path / "g.db")
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    (off,) = respond_requests(db_path, [("off", {"data": {"token": TOKEN}})])
    assert off.status_code == 403 and TOKEN_ENV in off.text
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    wrong, csrf, empty = respond_requests(db_path, [
        ("wrong", {"headers": {"Authorization": "Bearer nope"}}),
        ("no csrftoken", {"data": {"token": TOKEN}, "cookies": {"ds_csrftoken": "abc"}}),
        ("empty", {"data": {"token": ""}}),
    ])  # fmt: skip
    assert [wrong.status_code, csrf.status_code, empty.status_code] == [403, 403, 403]
    db = open_db(db_path)
    assert not db["mentions"].get("m1")["vendor_responded"]
    assert db["alerts"].get("a2")["status"] == "sent"
    (done,) = respond_requests(db_path, [("ok", {"headers": {"Authorization": f"Bearer {TOKEN}"}})])
    assert done.status_code == 200 and done.json()["alerts"] == 1
    assert db["mentions"].get("m1")["vendor_responded"] == 1
    assert db["alerts"].get("a2")["status"] == "responded"


@pytest.mark.browser
def test_advocate_marks_a_mention_responded(served, driver):
    from selenium.webdriver.common.by import By

    driver.get(f"{served}/groundswell/mentions/m1")
    driver.find_element(By.LINK_TEXT, "mark responded").click()
    wait_until(driver, lambda d: "/-/groundswell/respond/m1" in d.current_url)
    driver.find_element(By.ID, "gs-token").send_keys("wrong-token")
    driver.find_element(By.CSS_SELECTOR, "form.gs-respond button").click()
    wait_until(
        driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".message-error")
    )  # the reply page
    assert "Wrong advocate token" in driver.find_element(By.CSS_SELECTOR, ".message-error").text
    driver.find_element(By.ID, "gs-token").send_keys(TOKEN)
    shot(driver, "mark-responded")
    driver.find_element(By.CSS_SELECTOR, "form.gs-respond button").click()
    wait_until(driver, lambda d: d.current_url.endswith("/groundswell/mentions/m1"))
    assert "Marked responded; 1 open alert(s) closed" in driver.page_source
    cell = driver.find_element(By.CSS_SELECTOR, "td.col-vendor_responded")
    assert cell.text.strip() == "1"
