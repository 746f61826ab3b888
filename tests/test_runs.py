"""Status never lies, and one writer at a time: heartbeats, interrupted runs, leases, and one
new database opened by many processes at once (real subprocesses, real SIGKILLs)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import sqlite_utils

from groundswell.store import open_db, save_mentions, start_crawl_run
from groundswell.store.runs import Heartbeat, close_interrupted_runs, lease, try_lease
from tests.conftest import groundswell, mention, write_config

HOLDER = textwrap.dedent("""
    import sys, time
    from groundswell.store import open_db, start_crawl_run
    from groundswell.store.runs import Heartbeat, start_run, try_lease
    db_path, what = sys.argv[1], sys.argv[2]
    db = open_db(db_path)
    if what == "crawl":
        assert try_lease(db, "crawl:s") is None
        run_id, table = start_crawl_run(db, "s"), "crawl_runs"
    else:
        assert try_lease(db, "tag") is None
        run_id, table = start_run(db, "tag_runs", {"tagged": 0}), "tag_runs"
    with Heartbeat(db_path, table, run_id, every=0.2):
        print("holding", flush=True)
        time.sleep(600)
""")


def start_holder(db_path: Path, what: str) -> subprocess.Popen:
    """A process that takes the ``what`` lease, starts a run and heartbeats until killed."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path), what],
                               stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stdout.readline().strip() == "holding"
    return process


def kill_9(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_a_killed_crawl_is_closed_as_interrupted_by_the_next_command(tmp_path):
    db_path = tmp_path / "g.db"
    config = write_config(tmp_path / "g.toml", [{"name": "s", "kind": "feed",
                                                 "url": "http://127.0.0.1:9/feed.xml"}])  # fmt: skip
    holder = start_holder(db_path, "crawl")
    time.sleep(0.5)
    db = sqlite_utils.Database(db_path)
    [run] = list(db["crawl_runs"].rows)
    assert run["status"] == "running" and run["pid"] == holder.pid
    assert run["heartbeat_at"] >= run["started_at"]
    live = groundswell("status", "--config", str(config), "--db", str(db_path))
    assert "running" in live.stdout and "interrupted" not in live.stdout  # alive: left alone
    kill_9(holder)
    after = groundswell("status", "--config", str(config), "--db", str(db_path))
    assert after.returncode == 0, after.stderr
    assert "interrupted" in after.stdout
    [run] = list(db["crawl_runs"].rows)
    assert run["status"] == "interrupted" and run["finished_at"]
    assert f"({holder.pid} on" in run["message"]
    assert db["leases"].count == 0  # the dead holder's lease is dropped too


def test_a_killed_tag_run_is_interrupted_and_status_says_so(tmp_path):
    db_path = tmp_path / "g.db"
    holder = start_holder(db_path, "tag")
    kill_9(holder)
    result = groundswell("status", "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    assert "last tag run: interrupted" in result.stdout


def test_sigterm_stops_a_tag_run_as_interrupted_with_its_batch_rolled_back(tmp_path):
    db_path = tmp_path / "g.db"
    db = open_db(db_path)
    save_mentions(db, [mention(f"m{i}", f"Ticket {i}: the inbox was slow again today.")
                       for i in range(3000)])  # fmt: skip
    tagger = subprocess.Popen([sys.executable, "-m", "groundswell.cli", "tag", "--db",
                               str(db_path), "--batch-size", "50", "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while not db.execute("select count(*) from mentions where tagged_at is not null").fetchone()[0]:
        assert tagger.poll() is None and time.monotonic() < deadline, tagger.communicate()
        time.sleep(0.05)
    tagger.send_signal(signal.SIGTERM)
    tagger.communicate(timeout=60)
    assert tagger.returncode != 0
    [run] = list(db["tag_runs"].rows)
    assert run["status"] == "interrupted" and run["finished_at"]  # recorded at once
    assert run["message"] == "stopped by SIGTERM"
    assert db["leases"].count == 0
    tagged = db.execute("select count(*) from mentions where tagged_at is not null").fetchone()[0]
    half_done = db.execute("select count(*) from mentions where (tagged_at is null) != "
                           "(sentiment is null)").fetchone()[0]  # fmt: skip
    assert 0 < tagged < 3000 and tagged % 50 == 0 and half_done == 0  # whole batches only


def test_a_second_tag_run_does_nothing_while_one_is_in_progress(tmp_path):
    db_path = tmp_path / "g.db"
    holder = start_holder(db_path, "tag")
    try:
        second = groundswell("tag", "--db", str(db_path))
        assert second.returncode == 0, second.stderr
        assert "another tag run is in progress" in second.stdout
        assert f"pid {holder.pid}" in second.stdout
    finally:
        kill_9(holder)
    third = groundswell("tag", "--db", str(db_path))  # the holder is gone: the lease is free
    assert third.returncode == 0, third.stderr
    assert "in progress" not in third.stdout


def test_a_second_crawl_of_one_source_does_nothing_while_one_is_in_progress(tmp_path):
    db_path = tmp_path / "g.db"
    config = write_config(tmp_path / "g.toml", [{"name": "s", "kind": "feed",
                                                 "url": "http://127.0.0.1:9/feed.xml"}])  # fmt: skip
    holder = start_holder(db_path, "crawl")
    try:
        second = groundswell("crawl", "--config", str(config), "--db", str(db_path))
        assert second.returncode == 0, second.stderr
        assert "another crawl of this source is in progress" in second.stdout
        runs = list(sqlite_utils.Database(db_path)["crawl_runs"].rows)
        assert [r["pid"] for r in runs] == [holder.pid]  # the second recorded no run
    finally:
        kill_9(holder)


def test_a_lease_is_held_by_one_process_and_taken_over_from_a_dead_one(tmp_path):
    db = open_db(tmp_path / "g.db")
    with lease(db, "tag") as holder:
        assert holder is None
        assert db["leases"].get("tag")["pid"] == os.getpid()
    assert db["leases"].count == 0
    db["leases"].insert({"name": "tag", "pid": 2**22 + 12345, "host": os.uname().nodename,
                         "acquired_at": "2026-01-01T00:00:00Z"})  # fmt: skip
    assert try_lease(db, "tag") is None  # its holder is not a live process
    assert db["leases"].get("tag")["pid"] == os.getpid()


def test_a_heartbeat_is_renewed_while_the_run_lives(tmp_path):
    db_path = tmp_path / "g.db"
    db = open_db(db_path)
    run_id = start_crawl_run(db, "s")
    db["crawl_runs"].update(run_id, {"heartbeat_at": "2026-01-01T00:00:00Z"})
    with Heartbeat(db_path, "crawl_runs", run_id, every=0.1):
        time.sleep(0.5)
    assert db["crawl_runs"].get(run_id)["heartbeat_at"] > "2026-01-01T00:00:00Z"
    assert close_interrupted_runs(db) == 0  # this process lives: still running
    assert db["crawl_runs"].get(run_id)["status"] == "running"


def test_a_run_on_another_host_is_interrupted_once_its_heartbeat_is_stale(tmp_path):
    db = open_db(tmp_path / "g.db")
    run_id = start_crawl_run(db, "s")
    db["crawl_runs"].update(run_id, {"host": "elsewhere", "heartbeat_at": "2026-01-01T00:00:00Z"})
    assert close_interrupted_runs(db) == 1
    assert db["crawl_runs"].get(run_id)["status"] == "interrupted"


OPENER = "import sys; from groundswell.store import open_db; open_db(sys.argv[1]); print('ok')"


def test_forty_processes_opening_one_new_database_at_once_create_it_once(tmp_path):
    db_path = tmp_path / "new.db"
    processes = [subprocess.Popen([sys.executable, "-c", OPENER, str(db_path)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(40)]  # fmt: skip
    results = [p.communicate(timeout=120) for p in processes]
    failed = [err[-300:] for (out, err), p in zip(results, processes, strict=True)
              if p.returncode != 0]  # fmt: skip
    assert failed == []
    db = sqlite_utils.Database(db_path)
    names = [r[0] for r in db.execute("select name from sqlite_master where type = 'table'")]
    assert len(names) == len(set(names)) and "mentions" in names and "leases" in names
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
