"""The documentation's screenshots (docs/screenshots/), taken from the demo database.

    python scripts/screenshots.py --db demo.db [--out docs/screenshots]

The database is one ``groundswell demo --no-serve --db demo.db`` made (crawled and tagged);
this script adds what a team would have after a few days (the last full week's digest, a saved
search), serves it with a login on 127.0.0.1, logs in as "dana" in headless Chromium and saves
one PNG per page. It changes the database it is given: point it at a copy.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from groundswell.config import load_config  # noqa: E402
from groundswell.demo.run import demo_config_path  # noqa: E402
from groundswell.digest.build import build_digest, save_digest  # noqa: E402
from groundswell.store import open_db  # noqa: E402
from groundswell.store.saved_searches import save_search  # noqa: E402
from tests.conftest import free_port  # noqa: E402

PASSWORD = "screenshots"
WIDTH = 1400


def prepare(db_path: Path) -> dict[str, str]:
    """A digest, a saved search; the ids of the mentions the pages show."""
    db = open_db(db_path)
    config = load_config(demo_config_path(db_path))
    save_digest(db, build_digest(db, config))
    save_search(db, "Slow search complaints", "dana", query="search slow", sentiment="negative",
                email="support-leads@example.com")  # fmt: skip
    reply = db.execute(
        "select m.id from mentions m join mentions p on p.id = m.parent_id "
        "where (select count(*) from mentions r where r.parent_id = m.parent_id) >= 2 "
        "order by m.published_at desc limit 1"
    ).fetchone()
    review = db.execute(
        "select id from mentions where kind = 'review' and rating <= 2 and vendor_response "
        "is null order by published_at desc limit 1"
    ).fetchone()
    week = db.execute("select period from digests order by period desc limit 1").fetchone()
    return {"reply": reply[0], "review": review[0], "week": week[0]}


def serve(db_path: Path, port: int) -> subprocess.Popen:
    from datasette_auth_passwords.utils import hash_password

    env = {**os.environ, "GROUNDSWELL_PASSWORD_HASH_DANA": hash_password(PASSWORD)}
    command = [sys.executable, "-m", "groundswell.cli", "serve", "--db", str(db_path),
               "--port", str(port)]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("groundswell serve did not start")


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--window-size={WIDTH},1000", "--disable-background-networking"):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def log_in(driver, base: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/-/login")
    driver.find_element(By.NAME, "username").send_keys("dana")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form input[type=submit]").click()
    time.sleep(1)


def capture(driver, url: str, path: Path, max_height: int = 2600) -> None:
    driver.get(url)
    time.sleep(0.8)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(WIDTH, min(max(height + 20, 700), max_height))
    driver.save_screenshot(str(path))
    driver.set_window_size(WIDTH, 1000)
    shrink(path)
    print(f"wrote {path}")


def shrink(path: Path) -> None:
    """256 colours: a third of the bytes in the repository, no visible change."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a demo database (a copy)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    ids = prepare(args.db)
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = serve(args.db, port)
    driver = browser()
    try:
        pages = {
            "dashboard": "/",
            "mentions": "/groundswell/mentions",
            "mention-card": f"/groundswell/mentions/{ids['reply']}",
            "topic-trends": "/groundswell/topic_trends",
            "empty-search": "/groundswell/mentions?_search=fax+machine&source=reviewhub-acme",
            "digest": f"/-/groundswell/digests/{ids['week']}",
        }
        for name, path in pages.items():
            capture(driver, base + path, args.out / f"{name}.png")
        log_in(driver, base)
        capture(driver, f"{base}/-/groundswell/inbox", args.out / "inbox.png", max_height=1800)
        capture(driver, f"{base}/groundswell/mentions/{ids['review']}",
                args.out / "mention-card-actions.png")  # fmt: skip
        capture(driver, f"{base}/-/groundswell/searches", args.out / "saved-searches.png")
    finally:
        driver.quit()
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
