"""Scale-out on a real Redis: workers share one queue and duplicate filter, one writer stores
the stream; kill -9 a worker, the writer and Redis itself: nothing lost, nothing twice."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.config import load_config
from groundswell.scaleout.jobs import enqueue_crawl
from groundswell.scaleout.keys import (
    ALIVE_KEY,
    INFLIGHT_KEY,
    JOBS_KEY,
    QUEUE_KEY,
    STREAM_KEY,
    WRITER_GROUP,
    connect,
    stream_backlog,
)
from groundswell.scaleout.leases import HostRoundRobinQueue, requeue_dead_leases
from groundswell.store import open_db
from tests.conftest import write_config
from tests.forum_site import Forum, serve, stored_ids
from tests.redis_server import REDIS_SERVER

pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server is not installed (make redis installs it)"
)
GROUNDSWELL = [sys.executable, "-m", "groundswell.cli"]
HERE = Path(__file__).resolve().parent


@pytest.fixture
def forum():
    forum = Forum(posts=40, comments=3, per_page=10)
    server, forum.base = serve(forum)
    yield forum
    server.shutdown()


def fleet_config(tmp_path: Path, forum: Forum, delay: float = 0.0) -> Path:
    source = {"name": "forum", "kind": "reddit", "url": f"{forum.base}/new.json"}
    path = write_config(tmp_path / "groundswell.toml", [source], "obey_robots = false")
    path.write_text(path.read_text().replace("download_delay = 0.0", f"download_delay = {delay}"))
    return path


def queue_crawl(redis_url: str, config_path: Path) -> None:
    config = load_config(str(config_path))
    enqueue_crawl(connect(redis_url), config, config.source[0])


def start(tmp_path: Path, name: str, *args: str, child: list[str] | None = None,
          env: dict | None = None) -> subprocess.Popen:  # fmt: skip
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
    command = [*(child or GROUNDSWELL), *args]
    return subprocess.Popen(command, stderr=log, stdout=log, env=env, cwd=HERE.parent)


def start_worker(tmp_path, name, redis_url, config, idle_exit="3") -> subprocess.Popen:
    return start(tmp_path, name, "worker", "--redis", redis_url, "--config", str(config),
                 "--exit-when-idle", idle_exit, "--log-level", "WARNING")  # fmt: skip


def start_writer(tmp_path, name, redis_url, config, *extra, child=None, env=None):
    return start(tmp_path, name, "writer", "--redis", redis_url, "--config", str(config),
                 "--db", str(tmp_path / "g.db"), "--exit-when-idle", "3", *extra,
                 child=child, env=env)  # fmt: skip


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def log_of(tmp_path: Path, name: str) -> str:
    return (tmp_path / f"{name}.log").read_text()


def assert_each_mention_stored_once(tmp_path: Path, forum: Forum) -> None:
    posts, comments = stored_ids(open_db(tmp_path / "g.db"))
    expected_posts, expected_comments = forum.expected()
    assert set(posts) == expected_posts and set(comments) == expected_comments  # 0 lost
    assert max(posts.values()) == 1 and max(comments.values()) == 1  # 0 duplicated


def assert_nothing_left(redis_url: str) -> None:
    client = connect(redis_url)
    assert stream_backlog(client) == {"jobs": 0, "requests": 0, "inflight": 0, "items": 0,
                                      "pending": 0, "to_tag": 0, "tags": 0}  # fmt: skip
    assert client.xpending(STREAM_KEY, WRITER_GROUP)["pending"] == 0


def test_two_workers_fetch_every_page_once_and_the_writer_stores_every_mention_once(
    tmp_path, redis_server, forum
):
    forum.thread_delay = 0.05
    config = fleet_config(tmp_path, forum)
    workers = [start_worker(tmp_path, f"worker{i}", redis_server.url, config) for i in (1, 2)]
    client = connect(redis_server.url)
    wait_for(lambda: len(list(client.scan_iter(f"{ALIVE_KEY}:*"))) == 2)  # both are up
    queue_crawl(redis_server.url, config)
    writer = start_writer(tmp_path, "writer", redis_server.url, config)
    assert [w.wait(120) for w in workers] == [0, 0]
    assert writer.wait(60) == 0
    pages = len(forum.threads) + len(forum.threads) // forum.per_page  # threads + listing pages
    assert len(forum.requests) == pages and set(forum.requests.values()) == {1}
    fetched = [int(log_of(tmp_path, f"worker{i}").split("stopped: ")[1].split()[0]) for i in (1, 2)]
    assert sum(fetched) == pages and min(fetched) > 0  # both workers took pages from one queue
    assert_each_mention_stored_once(tmp_path, forum)
    assert_nothing_left(redis_server.url)
    db = open_db(tmp_path / "g.db")  # replies mark their parents answered, as after a crawl
    answered = {row[0] for row in db.execute("select id from mentions where answered = 1")}
    replied = {row[0] for row in db.execute("select parent_id from mentions where parent_id "
                                            "in (select id from mentions)")}  # fmt: skip
    assert answered == replied and replied


def test_a_worker_and_the_writer_killed_mid_crawl_lose_nothing_and_store_nothing_twice(
    tmp_path, redis_server, forum
):
    forum.thread_delay = 0.1
    config = fleet_config(tmp_path, forum)
    queue_crawl(redis_server.url, config)
    doomed = start_worker(tmp_path, "doomed", redis_server.url, config, idle_exit="0")
    wait_for(lambda: forum.hits["threads"] >= 3)
    survivor = start_worker(tmp_path, "survivor", redis_server.url, config)
    crash_env = {**__import__("os").environ, "CRASH_AFTER_BATCHES": "3"}
    crashing = start_writer(tmp_path, "crashing", redis_server.url, config, "--batch", "10",
                            child=[sys.executable, str(HERE / "writer_crash_child.py")],
                            env=crash_env)  # fmt: skip
    wait_for(lambda: forum.hits["threads"] >= 12)
    doomed.kill()  # SIGKILL mid-crawl: its leased requests must go to the survivor
    doomed.wait()
    assert crashing.wait(60) == -9  # killed itself after a commit, before its XACK
    assert connect(redis_server.url).xpending(STREAM_KEY, WRITER_GROUP)["pending"] > 0
    writer = start_writer(tmp_path, "writer", redis_server.url, config, "--consumer",
                          "writer-2", "--claim-after", "1")  # fmt: skip
    assert survivor.wait(120) == 0 and writer.wait(60) == 0
    assert "of dead workers back on the queue" in log_of(tmp_path, "survivor")
    assert " 0 taken over" not in log_of(tmp_path, "writer")  # the crashed batch was claimed
    assert_each_mention_stored_once(tmp_path, forum)
    assert_nothing_left(redis_server.url)


def test_download_delay_holds_for_the_whole_fleet(tmp_path, redis_server):
    forum = Forum(posts=12, comments=1, per_page=12)
    server, forum.base = serve(forum)
    config = fleet_config(tmp_path, forum, delay=0.4)
    workers = [start_worker(tmp_path, f"worker{i}", redis_server.url, config) for i in (1, 2)]
    client = connect(redis_server.url)
    wait_for(lambda: len(list(client.scan_iter(f"{ALIVE_KEY}:*"))) == 2)
    queue_crawl(redis_server.url, config)
    assert [w.wait(120) for w in workers] == [0, 0]
    server.shutdown()
    fetched = [int(log_of(tmp_path, f"worker{i}").split("stopped: ")[1].split()[0]) for i in (1, 2)]
    assert len(forum.arrivals) == 13 and min(fetched) > 0  # both workers crawled the host
    gaps = [
        later - earlier for earlier, later in zip(forum.arrivals, forum.arrivals[1:], strict=False)
    ]
    assert min(gaps) >= 0.3  # 0.4 s between any two requests, whichever worker sent them


def test_robots_txt_is_fetched_once_for_the_fleet_and_obeyed_by_every_worker(
    tmp_path, redis_server, forum
):
    blocked = forum.threads[3].post  # its pages: /r/<sub>/comments/<id>/<slug>.json
    thread_folder = blocked["permalink"].split(blocked["id"])[0] + blocked["id"] + "/"
    forum.robots = f"User-agent: *\nDisallow: {thread_folder}\n"
    config = fleet_config(tmp_path, forum)
    config.write_text(config.read_text().replace("obey_robots = false", "obey_robots = true"))
    for name in ("first", "second"):  # the second worker starts after the first has stopped
        queue_crawl(redis_server.url, config)
        assert start_worker(tmp_path, name, redis_server.url, config).wait(120) == 0
    assert forum.requests["/robots.txt"] == 1  # the second worker read the fleet's copy
    assert not [path for path in forum.requests if blocked["id"] in path]  # obeyed by both
    listing_pages = [path for path in forum.requests if path.startswith("/new.json")]
    assert {forum.requests[path] for path in listing_pages} == {2}  # both crawled the site


def test_leases_of_a_worker_whose_heartbeat_expired_go_back_on_the_queue(redis_server):
    """A worker on another machine that vanished: only its heartbeat tells."""
    import scrapy

    client = connect(redis_server.url)
    queue = HostRoundRobinQueue(client, scrapy.Spider("s"), QUEUE_KEY)
    request = scrapy.Request("http://example.test/t/1", meta={"role": "thread"}, priority=0)
    data = queue._encode_request(request)
    client.hset(f"{INFLIGHT_KEY}:otherhost-123-abcdef", "lease", data)
    client.set(f"{ALIVE_KEY}:otherhost-123-abcdef", 1, ex=60)
    assert requeue_dead_leases(client, queue, "me-1-aaaaaa") == 0  # alive: left alone
    client.delete(f"{ALIVE_KEY}:otherhost-123-abcdef")  # its heartbeat expired
    assert requeue_dead_leases(client, queue, "me-1-aaaaaa") == 1
    assert queue.pop().url == "http://example.test/t/1"
    assert list(client.scan_iter(f"{INFLIGHT_KEY}:*")) == []


def test_redis_killed_and_restarted_with_aof_loses_nothing(tmp_path, redis_server, forum):
    forum.thread_delay = 0.05
    config = fleet_config(tmp_path, forum)
    queue_crawl(redis_server.url, config)
    worker = start_worker(tmp_path, "worker", redis_server.url, config)
    writer = start_writer(tmp_path, "writer", redis_server.url, config)
    wait_for(lambda: forum.hits["threads"] >= 10)
    redis_server.kill()
    time.sleep(1)
    redis_server.start()  # same port and dir: the AOF brings back queue, leases and stream
    assert worker.wait(120) == 0 and writer.wait(60) == 0
    assert_each_mention_stored_once(tmp_path, forum)
    assert_nothing_left(redis_server.url)


def test_run_with_redis_queues_crawls_for_the_workers(tmp_path, redis_server, forum):
    from groundswell.schedule.runner import Runner

    config_path = fleet_config(tmp_path, forum)
    runner = Runner(load_config(str(config_path)), str(config_path), str(tmp_path / "g.db"),
                    redis_server.url)  # fmt: skip
    assert runner.enqueue_crawl("forum") is None
    job = json.loads(connect(redis_server.url).lpop(JOBS_KEY))["job"]
    assert job["source"] == "forum" and job["url"] == f"{forum.base}/new.json"


@pytest.mark.parametrize("command", ["worker", "writer", "run", "tag-worker"])
def test_an_unreachable_redis_is_one_line(tmp_path, command):
    config = write_config(tmp_path / "groundswell.toml", [])
    open_db(tmp_path / "g.db")  # `run` reads an existing database
    db = [] if command in ("worker", "tag-worker") else ["--db", str(tmp_path / "g.db")]
    result = CliRunner().invoke(cli, [command, "--redis", "redis://127.0.0.1:1/0", "--config",
                                      str(config), *db])  # fmt: skip
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: cannot reach Redis at redis://127.0.0.1:1/0: Error 111 connecting to "
        "127.0.0.1:1. Connection refused."
    ]
