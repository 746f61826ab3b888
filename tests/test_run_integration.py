"""`groundswell run` for real: 3 sources on short intervals, new pages mid-run, SIGTERM mid-crawl,
restart; a reader hammers Datasette's JSON API the whole time."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import sqlite_utils

from groundswell.store import open_db
from tests.conftest import free_port

pytest.importorskip("aiosmtpd")
from tests.alert_receivers import SmtpSink  # noqa: E402

INTERVAL = 10


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def review_page(reviews: list[tuple[str, int, str]]) -> str:
    now = datetime.now(timezone.utc)
    items = [{"@type": "Review", "@id": f"#review-{rid}", "author": {"@type": "Person", "name": f"user {rid}"},
              "datePublished": iso(now - timedelta(hours=1)), "reviewBody": text,
              "reviewRating": {"@type": "Rating", "ratingValue": stars, "bestRating": 5}}
             for rid, stars, text in reviews]  # fmt: skip
    data = {
        "@context": "https://schema.org",
        "@type": "SoftwareApplication",
        "name": "Acme Helpdesk",
        "review": items,
    }
    return f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head><body>Reviews</body></html>'


def feed(items: list[tuple[str, str]]) -> str:
    now = datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
    entries = "".join(f"<item><title>{title}</title><link>http://127.0.0.1/{guid}</link><guid>{guid}</guid>"
                      f"<pubDate>{now}</pubDate><description>{title} for Acme</description></item>"
                      for guid, title in items)  # fmt: skip
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>{entries}</channel></rss>'


def listing(ids: list[str]) -> str:
    created = time.time() - 3600
    children = [{"kind": "t3", "data": {"id": i, "name": f"t3_{i}", "title": f"Acme thoughts {i}",
                 "selftext": "We moved our support desk to Acme last month.", "author": f"u{i}",
                 "created_utc": created, "permalink": f"/r/acme/comments/{i}/x/", "num_comments": 0}}
                for i in ids]  # fmt: skip
    return json.dumps({"kind": "Listing", "data": {"after": None, "children": children}})


REVIEWS = [("r1", 5, "Acme made our support team faster."), ("r2", 4, "Good value for the price.")]
NEW_REVIEW = ("r3", 1, "Acme lost three days of tickets and nobody answered us. Terrible.")


def write_site(root: Path, reviews, feed_items, posts) -> None:
    (root / "r" / "acme").mkdir(parents=True, exist_ok=True)
    (root / "reviews.html").write_text(review_page(reviews))
    (root / "feed.xml").write_text(feed(feed_items))
    (root / "r" / "acme" / "new.json").write_text(listing(posts))


def write_config(path: Path, base: str, db: Path, smtp_port: int) -> None:
    sources = [("reviews", "schema_org", "/reviews.html"), ("news", "feed", "/feed.xml"),
               ("reddit", "reddit", "/r/acme/new.json")]  # fmt: skip
    text = [f'[database]\npath = "{db}"',
            "[crawl]\ndownload_delay = 0.0\nretries = 1\nbackoff_base = 0.1\ntimeout = 120",
            f'[schedule]\ntag = "every {INTERVAL}s"\nalerts = "every {INTERVAL}s"\nshutdown_grace = 20',
            f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}',
            '[[monitor]]\nname = "Acme"\nquery = "acme"',
            '[[advocate]]\nname = "Dana"\nemail = "dana@example.com"']  # fmt: skip
    for name, kind, url_path in sources:
        text.append(f'[[source]]\nname = "{name}"\nkind = "{kind}"\nurl = "{base}{url_path}"\n'
                    f'schedule = "every {INTERVAL}s"')  # fmt: skip
    path.write_text("\n\n".join(text) + "\n")


class Reader(threading.Thread):
    """Queries Datasette's JSON API every 100 ms; counts failures once it has answered."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.ok, self.errors, self.stop = url, 0, [], threading.Event()

    def run(self):
        while not self.stop.wait(0.1):
            try:
                response = httpx.get(self.url, timeout=5)
                if response.status_code == 200:
                    self.ok += 1
                elif self.ok:
                    self.errors.append(response.status_code)
            except httpx.HTTPError as error:
                if self.ok:
                    self.errors.append(repr(error))


def start_runner(config: Path, db: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "groundswell.cli", "run", "--config", str(config), "--db", str(db),
         "--port", str(port)], stderr=subprocess.PIPE, text=True)  # fmt: skip


def wait_until(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def scalar(db_path: Path, sql: str, params=()):
    try:
        return sqlite_utils.Database(db_path).execute(sql, params).fetchone()[0]
    except Exception:  # the runner may not have created the table yet
        return None


@pytest.mark.slow
def test_run_crawls_tags_alerts_survives_sigterm_and_restart(tmp_path, replay):
    root, base = replay
    write_site(root, REVIEWS, [("n1", "Acme ships a new inbox")], ["p1", "p2"])
    db, config, port = tmp_path / "g.db", tmp_path / "g.toml", free_port()
    smtp = SmtpSink().start()
    write_config(config, base, db, smtp.port)
    open_db(db)  # `groundswell init` made it: `run` never creates a database (a --db typo)
    runner = start_runner(config, db, port)
    reader = Reader(f"http://127.0.0.1:{port}/groundswell/mentions.json?_size=5")
    reader.start()
    try:
        assert wait_until(lambda: scalar(db, "select count(*) from mentions") == 5, 90), (
            "first crawls"
        )
        # new pages appear mid-run: a 1-star review and a news item
        write_site(root, [*REVIEWS, NEW_REVIEW], [("n1", "Acme ships a new inbox"),
                   ("n2", "Acme raises prices")], ["p1", "p2"])  # fmt: skip
        new_id_sql = "select id from mentions where body like 'Acme lost three days%'"
        assert wait_until(lambda: scalar(db, new_id_sql) is not None, 60), "new review crawled"
        tagged = (
            "select count(*) from mentions where body like 'Acme lost%' and tagged_at is not null"
        )
        assert wait_until(lambda: scalar(db, tagged) == 1, 120), "new review tagged"
        assert wait_until(
            lambda: any("Acme lost three days" in m.part("plain") for m in smtp.mails), 60
        )
        # SIGTERM while a crawl is running
        running = (
            "select count(*) from job_runs where job_id like 'crawl:%' and last_status = 'running'"
        )
        assert wait_until(lambda: (scalar(db, running) or 0) > 0, 60, step=0.05), "a crawl running"
        reader.stop.set()  # Datasette stops with the runner: the reader's watch ends here
        reader.join()
        assert reader.ok > 50 and reader.errors == []
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(60) == 0
        assert scalar(db, "select count(*) from crawl_runs where status = 'running'") == 0
        stopped_at = datetime.now(timezone.utc)
        last_starts = dict(sqlite_utils.Database(db).execute(
            "select source, max(started_at) from crawl_runs group by source").fetchall())  # fmt: skip
        fired = "select job_id, last_started from job_runs where job_id like 'crawl:%'"
        last_fired = dict(sqlite_utils.Database(db).execute(fired).fetchall())
        # restart: no job fires again before its interval has passed
        runner = start_runner(config, db, port)
        time.sleep(INTERVAL + 8)
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(60) == 0
        after = sqlite_utils.Database(db).execute(
            "select source, min(started_at) from crawl_runs where started_at > ? group by source",
            [iso(stopped_at)]).fetchall()  # fmt: skip

        def seconds_between(earlier: str, later: str) -> float:
            parse = lambda text: datetime.fromisoformat(text.replace("Z", "+00:00"))  # noqa: E731
            return (parse(later) - parse(earlier)).total_seconds()

        # when the scheduler fired each crawl job (job_runs), to the second
        for job_id, started in sqlite_utils.Database(db).execute(fired).fetchall():
            if started != last_fired[job_id]:
                assert seconds_between(last_fired[job_id], started) >= INTERVAL - 1, job_id
        # and the crawls' own rows, which start after their subprocess has loaded (seconds on a
        # busy machine, so less precisely)
        for source, first_start in after:
            gap = seconds_between(last_starts[source], first_start)
            assert gap >= INTERVAL / 2, (source, gap)
        ids = [r[0] for r in sqlite_utils.Database(db).execute("select site_id from mentions")]
        assert (
            sorted(ids)
            == sorted(["#review-r1", "#review-r2", "#review-r3", "n1", "n2", "t3_p1", "t3_p2"])
            or len(ids) == 7
        )
        assert len(smtp.distinct_ids()) == len(smtp.mails)  # no alert sent twice
    finally:
        reader.stop.set()
        if runner.poll() is None:
            runner.kill()
        smtp.stop()
