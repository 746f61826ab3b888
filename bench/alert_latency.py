"""End-to-end alert latency: a new 1-star review appears on a local review site -> crawl (the
real Scrapy spider in its subprocess) -> alerts (rules, routing, SMTP) -> the email arrives at
a real SMTP server (aiosmtpd). Everything listens on 127.0.0.1.

No tagging step: a review rated 2 stars or less is a negative review by its rating alone.
Prints the seconds of each stage and end to end, per run and the median.

    python bench/alert_latency.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from groundswell.alerts.delivery import default_channels  # noqa: E402
from groundswell.alerts.outbox import run_alert_cycle  # noqa: E402
from groundswell.config import load_config  # noqa: E402
from groundswell.crawl.launch import crawl_sources  # noqa: E402
from groundswell.crawl.replay import server_url, start_replay_server  # noqa: E402
from groundswell.store import open_db  # noqa: E402
from tests.alert_receivers import SmtpSink  # noqa: E402

PAGE = "reviews/acme-helpdesk.html"


def review_node(page_url: str, number: int, rating: int, text: str) -> dict:
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {
        "@type": "Review",
        "@id": f"{page_url}#review-{number}",
        "author": {"@type": "Person", "name": f"Customer {number}"},
        "datePublished": now,
        "name": f"Review number {number}",
        "reviewBody": text,
        "reviewRating": {"@type": "Rating", "ratingValue": rating, "bestRating": 5},
    }


def write_page(site: Path, reviews: list[dict]) -> None:
    item = {"@context": "https://schema.org", "@type": "Product", "name": "Acme Helpdesk",
            "review": reviews}  # fmt: skip
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Acme reviews</title>'
        f'<script type="application/ld+json">{json.dumps(item)}</script></head>'
        "<body><h1>Acme Helpdesk</h1></body></html>"
    )
    target = site / PAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")


def write_config(folder: Path, page_url: str, smtp_port: int) -> Path:
    path = folder / "groundswell.toml"
    path.write_text(
        f"""[crawl]
download_delay = 0.0
retries = 0

[[source]]
name = "reviewhub"
kind = "schema_org"
url = "{page_url}"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
sender = "alerts@groundswell.test"

[[advocate]]
name = "alice"
email = "alice@example.test"
""",
        encoding="utf-8",
    )
    return path


def timed_run(folder: Path, site: Path, reviews: list[dict], page_url: str, smtp: SmtpSink):
    """One new 1-star review: (crawl s, alerts s, end to end s)."""
    config_path = folder / "groundswell.toml"
    config, db_path = load_config(config_path), folder / "g.db"
    before = len(smtp.mails)
    reviews.append(review_node(page_url, len(reviews) + 1, 1, "Support never answered. 1 star."))
    started = time.monotonic()
    write_page(site, reviews)
    crawl_sources(config, config_path, db_path)
    crawled = time.monotonic()
    report = run_alert_cycle(open_db(db_path), config, default_channels(config))
    alerted = time.monotonic()
    if not smtp.wait_for(before + 1, timeout=30) or report.delivery.failed:
        raise RuntimeError(f"no email arrived: {report.delivery.failed}")
    arrived = smtp.mails[before].arrived
    return crawled - started, alerted - crawled, arrived - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    smtp = SmtpSink().start()
    with tempfile.TemporaryDirectory() as tmp:
        folder, site = Path(tmp), Path(tmp) / "site"
        server = start_replay_server(site)
        page_url = f"{server_url(server)}/{PAGE}"
        write_config(folder, page_url, smtp.port)
        reviews = [review_node(page_url, 1, 5, "Great product, fast answers.")]
        write_page(site, reviews)
        config_path = folder / "groundswell.toml"
        crawl_sources(load_config(config_path), config_path, folder / "g.db")  # the baseline
        results = [timed_run(folder, site, reviews, page_url, smtp) for _ in range(args.runs)]
        server.shutdown()
    smtp.stop()
    print(f"{'run':<6}{'crawl s':>10}{'alerts+smtp s':>15}{'end to end s':>15}")
    for number, (crawl, alert, total) in enumerate(results, start=1):
        print(f"{number:<6}{crawl:>10.2f}{alert:>15.3f}{total:>15.2f}")
    medians = [statistics.median(column) for column in zip(*results, strict=True)]
    print(f"{'median':<6}{medians[0]:>10.2f}{medians[1]:>15.3f}{medians[2]:>15.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
