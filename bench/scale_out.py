"""Scale-out: pages/s of 1 crawl worker, then of 3 workers sharing one Redis (then one killed).

Starts a real ``redis-server`` (AOF on, fsync every second) and six Reddit-shaped forums (tests/forum_site.py)
on 127.0.0.1-127.0.0.6, each answering every page after ``--latency`` seconds (so the work is
I/O-bound, like the internet); queues one crawl job per forum and times how long the fleet
(``groundswell worker`` processes, one ``groundswell writer``) takes until every mention is
stored. It runs 3 workers twice: undisturbed, then with one worker killed with SIGKILL once
half the pages are fetched and started again a second later, as systemd's
``Restart=always`` would. The configuration is
the default one except ``download_delay = 0`` (AutoThrottle still paces each host by its
latency). Prints pages/s of each run, the speed-up, lost and duplicated mentions; exits 1 if
any mention is lost or stored twice.

    python bench/scale_out.py [--workers 3] [--forums 6] [--posts 100] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import sqlite_utils  # noqa: E402

from groundswell.config import load_config  # noqa: E402
from groundswell.scaleout.jobs import enqueue_crawl  # noqa: E402
from groundswell.scaleout.keys import ALIVE_KEY, connect, stream_backlog  # noqa: E402
from tests.forum_site import Forum, serve  # noqa: E402
from tests.redis_server import REDIS_SERVER, RedisServer  # noqa: E402

GROUNDSWELL = [sys.executable, "-m", "groundswell.cli"]
PER_PAGE = 20
MAX_POSTS = 100  # posts in the recorded listing tests/forum_site.py serves


def write_config(folder: Path, bases: list[str]) -> Path:
    lines = ["[crawl]", "download_delay = 0.0", ""]
    for number, base in enumerate(bases, 1):
        lines += ["[[source]]", f'name = "forum{number}"', 'kind = "reddit"',
                  f'url = "{base}/new.json"', ""]  # fmt: skip
    path = folder / "groundswell.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def start(folder: Path, name: str, *args: str) -> subprocess.Popen:
    log = open(folder / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen([*GROUNDSWELL, *args], stdout=log, stderr=log, cwd=REPO)


def start_worker(folder: Path, name: str, redis_url: str, config: Path) -> subprocess.Popen:
    return start(folder, name, "worker", "--redis", redis_url, "--config", str(config),
                 "--log-level", "WARNING")  # fmt: skip


def stored_counts(db_path: Path) -> Counter:
    if not db_path.exists():
        return Counter()
    db = sqlite_utils.Database(db_path)
    if "mentions" not in db.table_names():
        return Counter()
    return Counter(row[0] for row in db.execute("select site_id from mentions").fetchall())


def page_requests(forums: list[Forum]) -> Counter:
    """Requests per page (path with query) across the forums; robots.txt left out."""
    counts = Counter()
    for number, forum in enumerate(forums):
        for path, times in list(forum.requests.items()):
            if path != "/robots.txt":
                counts[(number, path)] += times
    return counts


def run_fleet(workers: int, args, kill: bool) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"scale-out-{workers}-"))
    forums = [Forum(posts=args.posts, comments=2, per_page=PER_PAGE, id_suffix=f"f{n}")
              for n in range(args.forums)]  # fmt: skip
    bases = []
    for number, forum in enumerate(forums, 1):
        forum.page_delay = args.latency
        bases.append(serve(forum, host=f"127.0.0.{number}")[1])
    config_path = write_config(folder, bases)
    redis = RedisServer(folder / "redis", fsync="everysec").start()
    client = connect(redis.url)
    writer = start(folder, "writer", "writer", "--redis", redis.url, "--config",
                   str(config_path), "--db", str(folder / "g.db"))  # fmt: skip
    fleet = [start_worker(folder, f"worker{n}", redis.url, config_path) for n in range(workers)]
    while len(list(client.scan_iter(f"{ALIVE_KEY}:*"))) < workers:  # every worker is up
        time.sleep(0.1)
    expected = {site_id for forum in forums for site_id in set().union(*forum.expected())}
    pages = sum(len(forum.threads) + -(-len(forum.threads) // PER_PAGE) for forum in forums)
    config = load_config(str(config_path))
    started = time.monotonic()
    for source in config.source:
        enqueue_crawl(client, config, source)
    killed_at = None
    while True:
        fetched = page_requests(forums)
        if kill and killed_at is None and len(fetched) >= pages // 2:
            fleet[-1].send_signal(signal.SIGKILL)
            fleet[-1].wait()  # reaped, as systemd does: no zombie holding its pid
            killed_at = len(fetched)
            time.sleep(1.0)  # systemd: Restart=always, RestartSec=1
            fleet.append(start_worker(folder, "worker-restarted", redis.url, config_path))
        if not any(stream_backlog(client).values()):
            stored = stored_counts(folder / "g.db")
            if set(stored) >= expected:
                break
        if time.monotonic() - started > args.timeout:
            print(f"timed out after {args.timeout}s: see {folder}", file=sys.stderr)
            break
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    for process in [*fleet, writer]:
        if process.poll() is None:
            process.terminate()
            process.wait(30)
    redis.stop()
    fetched, stored = page_requests(forums), stored_counts(folder / "g.db")
    lost = len(expected - set(stored))
    if lost or any(count > 1 for count in stored.values()):
        print(f"logs, database and Redis files kept in {folder}", file=sys.stderr)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return {"workers": workers, "seconds": elapsed, "pages": len(fetched),
            "refetched": sum(fetched.values()) - len(fetched), "killed_at": killed_at,
            "pages_per_s": len(fetched) / elapsed, "expected": len(expected),
            "lost": lost,
            "duplicated": sum(count - 1 for count in stored.values() if count > 1)}  # fmt: skip


def describe(run: dict) -> str:
    kill = (f", one worker killed at {run['killed_at']} pages and restarted"
            if run["killed_at"] is not None else "")  # fmt: skip
    return (f"{run['workers']} worker(s): {run['pages']} pages in {run['seconds']:.1f}s = "
            f"{run['pages_per_s']:.1f} pages/s ({run['refetched']} fetched again{kill}); "
            f"mentions {run['expected']} expected, {run['lost']} lost, "
            f"{run['duplicated']} duplicated")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--forums", type=int, default=6, help="sites (hosts), one job each")
    parser.add_argument(
        "--posts", type=int, default=100, help=f"threads per forum (max {MAX_POSTS})"
    )
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per page")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    if not 1 <= args.posts <= MAX_POSTS:
        parser.error(f"--posts: 1 to {MAX_POSTS} (the recorded listing has {MAX_POSTS} posts)")
    if REDIS_SERVER is None:
        print("redis-server is not installed (make redis installs it)", file=sys.stderr)
        return 1
    runs = [run_fleet(1, args, kill=False)]
    print(describe(runs[0]), flush=True)
    for kill in (False, True):
        runs.append(run_fleet(args.workers, args, kill=kill))
        print(describe(runs[-1]), flush=True)
    base = runs[0]["pages_per_s"]
    calm, killed = (run["pages_per_s"] / base for run in runs[1:])
    verdict = "meets" if killed >= 2.5 else "misses"
    print(f"speed-up with {args.workers} workers: {calm:.2f}x, {killed:.2f}x with one killed "
          f"and restarted ({verdict} the 2.5x target)")  # fmt: skip
    return 1 if any(run["lost"] + run["duplicated"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
