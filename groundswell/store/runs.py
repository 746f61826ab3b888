"""Runs that say the truth about themselves, and one writer at a time.

- A crawl or tag run records its process (``pid``, ``host``) and a ``heartbeat_at`` that a
  background thread renews every ``HEARTBEAT_S`` seconds (``Heartbeat``).
- ``close_interrupted_runs`` (run by ``open_db``, so by every command) closes each ``running``
  row whose process is gone (killed, crashed, the machine rebooted) as ``interrupted``; on
  another host, a run is gone once its heartbeat is ``STALE_S`` old.
- ``lease(db, name)``: at most one live holder per name (``tag``, ``crawl:<source>``), taken
  in one ``BEGIN IMMEDIATE`` transaction; a lease whose holder is gone is taken over.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils

from groundswell.store.schema import utc_now
from groundswell.store.transaction import transaction

HEARTBEAT_S = 10.0
STALE_S = 300.0  # a holder on another host is gone after this long without a heartbeat
RUN_TABLES = ("crawl_runs", "tag_runs")
BUSY_TIMEOUT_MS = 30_000


def this_process() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname()}


def pid_alive(pid: int) -> bool:
    """Is ``pid`` a live process on this machine (a zombie, killed but not reaped, is not)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS): os.kill's answer stands
    return state not in ("Z", "X")


def holder_alive(pid: int | None, host: str | None, heartbeat_at: str | None,
                 now: datetime | None = None) -> bool:  # fmt: skip
    if pid is None:
        return True  # a row written before runs recorded their process: nothing to judge by
    if host == socket.gethostname():
        return pid_alive(int(pid))
    if not heartbeat_at:
        return False
    beat = datetime.fromisoformat(heartbeat_at.replace("Z", "+00:00"))
    return (now or datetime.now(timezone.utc)) - beat < timedelta(seconds=STALE_S)


def close_interrupted_runs(db: sqlite_utils.Database) -> int:
    """Close each ``running`` crawl or tag run whose process is gone as ``interrupted``, and
    drop the leases such processes held; returns how many runs were closed."""
    closed = 0
    for table in RUN_TABLES:
        rows = db.execute(f"select id, pid, host, heartbeat_at from [{table}] "
                          "where status = 'running' and pid is not null").fetchall()  # fmt: skip
        for run_id, pid, host, heartbeat_at in rows:
            if holder_alive(pid, host, heartbeat_at):
                continue
            message = (f"interrupted: its process ({pid} on {host}) is gone (killed or "
                       f"crashed); last heartbeat {heartbeat_at or 'never'}")  # fmt: skip
            with transaction(db):
                closed += db.execute(
                    f"update [{table}] set status = 'interrupted', finished_at = ?, "
                    "message = ? where id = ? and status = 'running'",
                    [utc_now(), message, run_id],
                ).rowcount
    drop_dead_leases(db)
    return closed


def drop_dead_leases(db: sqlite_utils.Database) -> None:
    rows = db.execute("select name, pid, host, heartbeat_at from leases").fetchall()
    dead = [name for name, pid, host, beat in rows if not holder_alive(pid, host, beat)]
    if dead:
        with transaction(db):
            for name in dead:
                db.execute("delete from leases where name = ?", [name])


def start_run(db: sqlite_utils.Database, table: str, row: dict) -> int:
    """Insert a ``running`` row of ``table`` (crawl_runs, tag_runs) with this process on it."""
    now = utc_now()
    full = {"started_at": now, "status": "running", "heartbeat_at": now, **this_process(), **row}
    return db[table].insert(full).last_pk


def finish_run(db: sqlite_utils.Database, table: str, run_id: int, **fields) -> None:
    db[table].update(run_id, {"finished_at": utc_now(), **fields})


def last_tag_run(db: sqlite_utils.Database) -> dict | None:
    rows = list(db["tag_runs"].rows_where(order_by="id desc", limit=1))
    return rows[0] if rows else None


@dataclass
class LeaseHolder:
    name: str
    pid: int
    host: str
    acquired_at: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, since {self.acquired_at}"


def try_lease(db: sqlite_utils.Database, name: str) -> LeaseHolder | None:
    """Take the lease ``name``: None when taken, else its live holder (not us)."""
    me, now = this_process(), utc_now()
    if db.conn.in_transaction:
        db.conn.commit()
    with transaction(db):  # BEGIN IMMEDIATE: the check and the take are one step
        row = db.execute("select pid, host, acquired_at, heartbeat_at from leases "
                         "where name = ?", [name]).fetchone()  # fmt: skip
        if row and (row[0], row[1]) != (me["pid"], me["host"]) and holder_alive(*row[:2], row[3]):
            return LeaseHolder(name, row[0], row[1], row[2])
        db.execute("insert or replace into leases (name, pid, host, acquired_at, heartbeat_at) "
                   "values (?, ?, ?, ?, ?)", [name, me["pid"], me["host"], now, now])  # fmt: skip
    return None


def release_lease(db: sqlite_utils.Database, name: str) -> None:
    me = this_process()
    with transaction(db):
        db.execute("delete from leases where name = ? and pid = ? and host = ?",
                   [name, me["pid"], me["host"]])  # fmt: skip


@contextmanager
def lease(db: sqlite_utils.Database, name: str) -> Iterator[LeaseHolder | None]:
    """``with lease(db, "tag") as holder:`` holder is None when this process holds the lease
    (released at the end), else the live process that holds it (nothing was taken)."""
    holder = try_lease(db, name)
    try:
        yield holder
    finally:
        if holder is None:
            release_lease(db, name)


class Heartbeat:
    """Renew a run's ``heartbeat_at`` (and the leases this process holds) every
    ``HEARTBEAT_S`` seconds from a daemon thread with its own connection."""

    def __init__(self, db_path: str | Path, table: str, run_id: int,
                 every: float = HEARTBEAT_S):  # fmt: skip
        self.db_path, self.table, self.run_id, self.every = str(db_path), table, run_id, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.beat, name="heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)

    def beat(self) -> None:
        me = this_process()
        while not self.stopped.wait(self.every):
            try:
                conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_MS / 1000)
                with conn:
                    now = utc_now()
                    conn.execute(f"update [{self.table}] set heartbeat_at = ? where id = ?",
                                 [now, self.run_id])  # fmt: skip
                    conn.execute("update leases set heartbeat_at = ? where pid = ? and host = ?",
                                 [now, me["pid"], me["host"]])  # fmt: skip
                conn.close()
            except sqlite3.Error:
                continue  # a busy moment: the next beat tries again
