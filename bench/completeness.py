"""Crawl completeness: does every post and comment of a forum end up stored, once?

A local Reddit-shaped forum (tests/forum_site.py: the real 100-post listing, 5 comments per
thread, threads answering in 0.25 s, some threads gaining replies between crawls) is crawled
by the real crawl subprocess (``python -m groundswell.crawl.run crawl``), on 127.0.0.1 only:

1. ``kills``: 10 incremental crawls, each killed with SIGKILL at a random point, then one
   normal crawl; expected vs stored posts and comments after it;
2. ``default``: the default configuration, no kills: three crawls with replies added between
   them; expected vs stored after each;
3. ``budget``: ``max_thread_pages = 30`` on a forum of quiet threads (older than
   ``recrawl_days``): crawls until the run is no longer ``partial``.

The configuration is the default one except ``download_delay = 0`` (a local server needs no
politeness delay; AutoThrottle still paces requests by latency). Exits 1 when anything is
missing or duplicated at the end of a scenario.

    python bench/completeness.py [--seed 7] [--kills 10] [--delay 0.25]
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlite_utils  # noqa: E402

from tests.forum_site import Forum, serve, stored_ids  # noqa: E402

SOURCE = "forum"


def write_config(folder: Path, base: str, extra: str = "") -> Path:
    path = folder / "groundswell.toml"
    path.write_text(f'[crawl]\ndownload_delay = 0.0\n{extra}\n\n[[source]]\nname = "{SOURCE}"\n'
                    f'kind = "reddit"\nurl = "{base}/new.json"\n', encoding="utf-8")  # fmt: skip
    return path


def start_crawl(config: Path, db: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "groundswell.crawl.run", "crawl", "--config", str(config),
               "--db", str(db), "--source", SOURCE]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def crawl(config: Path, db: Path, kill_after: float | None = None) -> tuple[bool, float]:
    """One crawl; with ``kill_after``, SIGKILL it then if it still runs. (killed?, seconds)"""
    started = time.monotonic()
    process = start_crawl(config, db)
    try:
        process.wait(timeout=kill_after if kill_after is not None else 900)
        return False, time.monotonic() - started
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True, time.monotonic() - started


def last_run(db: Path) -> dict:
    sql = "select status, pages, new, message from crawl_runs order by id desc limit 1"
    rows = list(sqlite_utils.Database(db).query(sql))
    return rows[0] if rows else {}


def tally(forum: Forum, db: Path) -> dict:
    expected_posts, expected_comments = forum.expected()
    posts, comments = stored_ids(sqlite_utils.Database(db))
    return {
        "posts": len(expected_posts), "stored_posts": len(posts),
        "missing_posts": len(expected_posts - set(posts)),
        "comments": len(expected_comments), "stored_comments": len(comments),
        "missing_comments": len(expected_comments - set(comments)),
        "duplicated": sum(n - 1 for n in (posts + comments).values() if n > 1),
        "unexpected": len((set(posts) | set(comments)) - expected_posts - expected_comments),
    }  # fmt: skip


def print_tally(label: str, counts: dict, run: dict) -> None:
    print(f"  {label:<26} posts {counts['stored_posts']:>3}/{counts['posts']:<3} "
          f"comments {counts['stored_comments']:>3}/{counts['comments']:<3} "
          f"missing {counts['missing_posts'] + counts['missing_comments']:>3} "
          f"duplicated {counts['duplicated']} unexpected {counts['unexpected']}  "
          f"[{run.get('status')}, {run.get('pages')} pages]")  # fmt: skip
    if run.get("message"):
        print(f"  {'':<26} message: {run['message'][:160]}")


def add_replies(forum: Forum, rng: random.Random, threads: int = 8) -> int:
    """Some threads, recent and old, gain one to three replies."""
    added = 0
    for index in rng.sample(range(len(forum.threads)), threads):
        count = rng.randint(1, 3)
        forum.add_replies(index, count)
        added += count
    return added


def scenario_kills(folder: Path, rng: random.Random, kills: int, delay: float) -> dict:
    print(f"kills: {kills} crawls killed with SIGKILL at random points, then one normal crawl")
    forum = Forum(posts=100, comments=5)
    forum.thread_delay = delay
    server, base = serve(forum)
    config, db = write_config(folder, base), folder / "kills.db"
    killed = 0
    for number in range(1, kills + 1):
        added = add_replies(forum, rng) if number > 1 else 0
        was_killed, seconds = crawl(config, db, kill_after=rng.uniform(1.0, 20.0))
        killed += was_killed
        counts = tally(forum, db)
        print(f"  crawl {number:>2}: +{added:<2} replies, {'killed' if was_killed else 'finished'}"
              f" after {seconds:4.1f}s; stored {counts['stored_posts']} posts, "
              f"{counts['stored_comments']}/{counts['comments']} comments")  # fmt: skip
    add_replies(forum, rng)
    _, seconds = crawl(config, db)
    counts = tally(forum, db)
    print(f"  ({killed} of {kills} crawls were killed mid-crawl; the last took {seconds:.1f}s)")
    print_tally("after the next normal crawl", counts, last_run(db))
    server.shutdown()
    return counts


def scenario_default(folder: Path, rng: random.Random, delay: float) -> dict:
    print("default: the default configuration, no kills, replies added between crawls")
    forum = Forum(posts=100, comments=5)
    forum.thread_delay = delay
    server, base = serve(forum)
    config, db = write_config(folder, base), folder / "default.db"
    for number in range(1, 4):
        added = add_replies(forum, rng) if number > 1 else 0
        _, seconds = crawl(config, db)
        print_tally(f"crawl {number} (+{added} replies, {seconds:.0f}s)", tally(forum, db),
                    last_run(db))  # fmt: skip
    counts = tally(forum, db)
    server.shutdown()
    return counts


def scenario_budget(folder: Path) -> dict:
    print("budget: max_thread_pages = 30, quiet threads, crawls until the backlog is empty")
    forum = Forum(posts=100, comments=5, newest_age_days=30)
    server, base = serve(forum)
    config = write_config(folder, base, extra="max_thread_pages = 30")
    db = folder / "budget.db"
    for number in range(1, 8):
        crawl(config, db)
        run = last_run(db)
        print_tally(f"crawl {number}", tally(forum, db), run)
        if run.get("status") != "partial":
            break
    counts = tally(forum, db)
    server.shutdown()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.25, help="seconds a thread takes")
    parser.add_argument("--only", choices=["kills", "default", "budget"])
    args = parser.parse_args()
    rng = random.Random(args.seed)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.only in (None, "kills"):
            results["kills"] = scenario_kills(folder, rng, args.kills, args.delay)
        if args.only in (None, "default"):
            results["default"] = scenario_default(folder, rng, args.delay)
        if args.only in (None, "budget"):
            results["budget"] = scenario_budget(folder)
    bad = {name: c for name, c in results.items()
           if c["missing_posts"] or c["missing_comments"] or c["duplicated"]}  # fmt: skip
    print(
        "result:", "FAIL " + ", ".join(bad) if bad else "0 missing, 0 duplicated in every scenario"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
