"""Soak: ``groundswell run`` for a while against a forum that injects faults, readers on Datasette.

A local Reddit-shaped forum (tests/forum_site.py: 100 posts, 5 comments each, replies added
every 15 s) answers with faults: slow responses (0.5-2 s), 429 and 503 with ``Retry-After``,
truncated bodies and connection resets (``--fault-rate`` of requests, default 0.25).
``groundswell run`` crawls it every 20 s, tags (language and duplicates: no models, every 30 s) and serves
Datasette, while ``--readers`` threads read Datasette pages (mentions, crawl runs, a search)
without pause. After ``--minutes`` the faults stop and the run gets two more crawls; then it is
stopped with SIGTERM and the bench prints:

- posts and comments expected (on the forum) vs stored, **lost** and **duplicated**;
- crawl runs by status (none left ``running``), and tag runs;
- reader requests, **reader errors** (anything but HTTP 200), p50/p95 read latency;
- the ``groundswell run`` process's RSS at the start (after one minute) and at the end.

Everything is on 127.0.0.1. Exits 1 when something is lost or duplicated or a reader failed.

    nice -n 10 python bench/soak.py [--minutes 10] [--readers 20] [--seed 19]
"""

from __future__ import annotations

import argparse
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlite_utils  # noqa: E402

from groundswell.store import open_db  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.forum_site import Forum, ForumHandler, stored_ids  # noqa: E402

FAULTS = ("slow", "429", "503", "truncated", "reset")


class FaultyForumHandler(ForumHandler):
    """The forum, but a share of requests (``faults.rate``) meet one of FAULTS."""

    faults: dict  # {"rate": float, "on": threading.Event, "rng": Random, "seen": Counter}

    def do_GET(self):  # noqa: N802
        faults = self.faults
        fault = None
        with self.forum.lock:
            if faults["on"].is_set() and faults["rng"].random() < faults["rate"]:
                fault = faults["rng"].choice(FAULTS)
                faults["seen"][fault] += 1
        if fault == "slow":
            time.sleep(faults["rng"].uniform(0.5, 2.0))
        elif fault in ("429", "503"):
            return self.answer(int(fault), b"busy", {"Retry-After": "1"})
        elif fault == "reset":
            self.close_connection = True
            self.connection.close()
            return None
        elif fault == "truncated":
            self.wfile = TruncatingWriter(self.wfile)
        return super().do_GET()


class TruncatingWriter:
    """Writes half of the body, then closes the connection (Content-Length says more)."""

    def __init__(self, wfile):
        self.wfile, self.headers_done = wfile, False

    def write(self, data: bytes) -> int:
        if not self.headers_done:
            self.headers_done = b"\r\n\r\n" in data
            return self.wfile.write(data)
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        raise ConnectionResetError("truncated on purpose")

    def __getattr__(self, name):
        return getattr(self.wfile, name)


def serve_forum(forum: Forum, faults: dict):
    from http.server import ThreadingHTTPServer

    handler = type("Handler", (FaultyForumHandler,), {"forum": forum, "faults": faults})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def write_config(folder: Path, base: str) -> Path:
    path = folder / "soak.toml"
    path.write_text(f"""[crawl]
download_delay = 0.0
retries = 3
backoff_base = 0.5
backoff_max = 5.0
timeout = 300

[schedule]
tag = "every 30s"
alerts = "every 1d"

[tagging]
stages = ["language", "dedupe"]

[[source]]
name = "forum"
kind = "reddit"
url = "{base}/new.json"
schedule = "every 20s"
""", encoding="utf-8")  # fmt: skip
    return path


class Readers:
    """Threads reading Datasette pages as fast as they answer; latencies and errors."""

    def __init__(self, base: str, count: int, database: str):
        self.paths = [f"/{database}/mentions.json?_size=50&_sort_desc=published_at",
                      f"/{database}/crawl_runs.json?_size=20", f"/{database}/mentions?_size=20",
                      f"/{database}/mentions.json?_search=the&_size=20", f"/{database}"]  # fmt: skip
        self.base, self.count = base, count
        self.latencies: list[float] = []
        self.errors: Counter = Counter()
        self.stopped = threading.Event()
        self.lock = threading.Lock()

    def start(self) -> None:
        for number in range(self.count):
            threading.Thread(target=self.read, args=(number,), daemon=True).start()

    def read(self, number: int) -> None:
        rng = random.Random(number)
        while not self.stopped.is_set():
            path = rng.choice(self.paths)
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.base + path, timeout=30) as answer:
                    answer.read()
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError as error:
                status = type(error).__name__
            with self.lock:
                if status == 200:
                    self.latencies.append(time.monotonic() - started)
                else:
                    self.errors[f"{path.split('?')[0]}: {status}"] += 1
            time.sleep(0.05)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"Datasette did not answer at {url}")


def finished_crawls(db_path: Path) -> int:
    try:
        db = sqlite_utils.Database(db_path)
        return db.execute("select count(*) from crawl_runs where status != 'running'").fetchone()[0]
    except Exception:  # noqa: BLE001 - not created yet
        return 0


def soak(folder: Path, minutes: float, readers_count: int, seed: int, rate: float) -> int:
    forum = Forum(posts=100, comments=5)
    faults = {"rate": rate, "on": threading.Event(), "rng": random.Random(seed), "seen": Counter()}
    faults["on"].set()
    server, base = serve_forum(forum, faults)
    config, db_path, port = write_config(folder, base), folder / "soak.db", free_port()
    open_db(db_path)  # `run` serves an existing database
    command = [sys.executable, "-m", "groundswell.cli", "run", "--config", str(config),
               "--db", str(db_path), "--port", str(port)]  # fmt: skip
    log = open(folder / "run.log", "w")  # noqa: SIM115 - open for the run's whole life
    run = subprocess.Popen(command, cwd=folder, stdout=log, stderr=log)
    datasette = f"http://127.0.0.1:{port}"
    try:
        wait_for(datasette + "/-/versions.json", 120)
    except SystemExit:
        run.kill()
        print((folder / "run.log").read_text()[-2000:])
        raise
    readers = Readers(datasette, readers_count, "groundswell")  # serve.DATABASE_NAME
    readers.start()
    rng, started, rss = random.Random(seed), time.monotonic(), {}
    while time.monotonic() - started < minutes * 60:
        time.sleep(15)
        forum.add_replies(rng.randrange(len(forum.threads)), rng.randint(1, 3))
        if "start" not in rss and time.monotonic() - started > 60:
            rss["start"] = rss_mb(run.pid)
    faults["on"].clear()
    settled = finished_crawls(db_path)
    deadline = time.monotonic() + 300
    while finished_crawls(db_path) < settled + 2 and time.monotonic() < deadline:
        time.sleep(2)
    rss["end"] = rss_mb(run.pid)
    readers.stopped.set()
    run.send_signal(signal.SIGTERM)
    try:
        run.wait(timeout=60)
    except subprocess.TimeoutExpired:
        run.kill()
    server.shutdown()
    return report(forum, db_path, readers, faults["seen"], rss, minutes)


def report(forum: Forum, db_path: Path, readers: Readers, faults: Counter, rss: dict,
           minutes: float) -> int:  # fmt: skip
    db = sqlite_utils.Database(db_path)
    expected_posts, expected_comments = forum.expected()
    posts, comments = stored_ids(db)
    expected = len(expected_posts) + len(expected_comments)
    stored = len(set(posts) | set(comments))
    lost = len((expected_posts - set(posts)) | (expected_comments - set(comments)))
    duplicated = sum(n - 1 for n in (posts + comments).values() if n > 1)
    runs = Counter(r[0] for r in db.execute("select status from crawl_runs"))
    tags = Counter(r[0] for r in db.execute("select status from tag_runs"))
    latencies = sorted(readers.latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    print(f"soak: {minutes:g} min of faults, then two quiet crawls")
    print(f"faults injected: {dict(faults)}")
    print(f"mentions expected {expected}, stored {stored}, lost {lost}, duplicated {duplicated}")
    print(f"crawl runs: {dict(runs)}; tag runs: {dict(tags)}")
    for status, message in db.execute(
        "select status, message from crawl_runs where status not in ('ok', 'running')"
    ):
        print(f"  a crawl run ended {status}: {(message or '')[:200]}")
    errors = sum(readers.errors.values())
    print(f"readers: {len(latencies) + errors} requests, {errors} errors, "
          f"p50 {statistics.median(latencies) * 1000 if latencies else float('nan'):.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms")  # fmt: skip
    for what, count in readers.errors.most_common(5):
        print(f"  {count:5d}  {what}")
    print(f"groundswell run RSS: {rss.get('start', float('nan')):.0f} MB after 1 min, "
          f"{rss.get('end', float('nan')):.0f} MB at the end")  # fmt: skip
    return 0 if lost == duplicated == errors == 0 and not runs.get("running") else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--fault-rate", type=float, default=0.25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        return soak(Path(folder), args.minutes, args.readers, args.seed, args.fault_rate)


if __name__ == "__main__":
    sys.exit(main())
