"""Distributed tagging: mentions/s of `groundswell tag` in one process, then of the fleet
(`groundswell writer --tag-workers` storing what 1, then 2 `groundswell tag-worker`s tag).

Stores ``--texts`` TweetEval tweets as untagged mentions, then times

* ``groundswell tag`` on them, less its model loading (timed on ten mentions first);
* the fleet on a real ``redis-server``: tag workers started and their models loaded before
  the clock starts, then ``groundswell tag --redis`` queues the mentions and the clock stops
  when the writer has stored every mention's tags.

Prints mentions/s of each. On this 2-core machine the workers share the two cores a single
process already uses, so the figure is the fleet's overhead, not a speed-up; run tag workers
on other machines for that (docs/scale-out.md).

    python bench/scale_out_tagging.py [--texts 3000] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from groundswell.store import open_db, save_mentions  # noqa: E402
from tests.conftest import mention  # noqa: E402
from tests.redis_server import REDIS_SERVER, RedisServer  # noqa: E402

GROUNDSWELL = [sys.executable, "-m", "groundswell.cli"]
TWEETS = REPO.parent / "shared" / "data" / "sentiment" / "tweeteval" / "train_text.txt"


def store_mentions(db_path: Path, texts: list[str]) -> None:
    save_mentions(open_db(db_path), [mention(f"m{i}", text) for i, text in enumerate(texts)])


def untagged(db_path: Path) -> int:
    return (
        open_db(db_path)
        .execute("select count(*) from mentions where tagged_at is null")
        .fetchone()[0]
    )


def timed_plain_tag(folder: Path, texts: list[str]) -> float:
    """Seconds ``groundswell tag`` takes over ``texts``, less its model loading."""
    seconds = []
    for name, part in (("load", texts[:10]), ("plain", texts)):
        store_mentions(folder / f"{name}.db", part)
        started = time.monotonic()
        subprocess.run([*GROUNDSWELL, "tag", "--db", str(folder / f"{name}.db"), "--quiet"],
                       check=True, capture_output=True, cwd=folder)  # fmt: skip
        seconds.append(time.monotonic() - started)
    return seconds[1] - seconds[0]


def start(folder: Path, name: str, *args: str) -> subprocess.Popen:
    log = open(folder / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen([*GROUNDSWELL, *args], stdout=log, stderr=log, cwd=folder)


def timed_fleet(folder: Path, texts: list[str], workers: int) -> float:
    """Seconds from queueing ``texts`` to every one tagged by ``workers`` tag workers."""
    db_path, config = folder / f"fleet{workers}.db", folder / "groundswell.toml"
    store_mentions(db_path, texts)
    redis = RedisServer(folder / f"redis{workers}").start()
    fleet = [start(folder, f"tagger{workers}-{i}", "tag-worker", "--redis", redis.url,
                   "--config", str(config)) for i in range(workers)]  # fmt: skip
    while not all("tagging mentions" in (folder / f"tagger{workers}-{i}.log").read_text()
                  for i in range(workers)):  # fmt: skip
        time.sleep(0.2)  # models loaded
    writer = start(folder, f"writer{workers}", "writer", "--redis", redis.url, "--config",
                   str(config), "--db", str(db_path), "--tag-workers")  # fmt: skip
    started = time.monotonic()
    subprocess.run([*GROUNDSWELL, "tag", "--redis", redis.url, "--db", str(db_path)],
                   check=True, capture_output=True, cwd=folder)  # fmt: skip
    while untagged(db_path):
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    for process in [*fleet, writer]:
        process.terminate()
        process.wait(60)
    redis.stop()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=3000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if REDIS_SERVER is None:
        print("redis-server is not installed (make redis installs it)", file=sys.stderr)
        return 1
    lines = TWEETS.read_text(encoding="utf-8").splitlines()
    texts = list(dict.fromkeys(line.strip() for line in lines if line.strip()))[: args.texts]
    folder = Path(tempfile.mkdtemp(prefix="scale-out-tagging-"))
    (folder / "groundswell.toml").write_text("", encoding="utf-8")
    plain = timed_plain_tag(folder, texts)
    print(f"groundswell tag, one process: {len(texts)} mentions in {plain:.1f}s = "
          f"{len(texts) / plain:.0f} mentions/s (model loading left out)", flush=True)  # fmt: skip
    for workers in args.workers:
        seconds = timed_fleet(folder, texts, workers)
        print(f"fleet, {workers} tag worker(s) + writer: {len(texts)} mentions in "
              f"{seconds:.1f}s = {len(texts) / seconds:.0f} mentions/s", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
