from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from groundswell.crawl.pipelines.normalize import content_hash
from groundswell.crawl.replay import server_url, start_replay_server
from groundswell.store import open_db

REPO_ROOT = Path(__file__).resolve().parents[1]
# real recorded pages, copied from ../shared/fixtures with their MANIFEST.tsv lines
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# large training and bench data stay beside the checkout; tests that need it skip without it
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def fixtures_url(fixtures_dir: Path):
    server = start_replay_server(fixtures_dir)
    yield server_url(server)
    server.shutdown()


@pytest.fixture
def replay(tmp_path: Path):
    """A replay server over a fresh folder: returns (folder, base url)."""
    root = tmp_path / "site"
    root.mkdir()
    server = start_replay_server(root)
    yield root, server_url(server)
    server.shutdown()


@pytest.fixture
def redis_server(tmp_path: Path):
    """A real ``redis-server`` on a free port, its files in the test's folder (the scale-out
    tests skip when it is not installed)."""
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def db(tmp_path: Path):
    """A fresh database in shape (``open_db``), in the test's own folder."""
    return open_db(tmp_path / "g.db")


def mention(mention_id: str = "m1", body: str = "Support never answered my ticket.", **fields):
    """A mention as the crawler stores it (a forum post unless ``fields`` say otherwise), with
    the ``content_hash`` the crawler would compute."""
    row = {"id": mention_id, "source": "s", "source_kind": "reddit", "kind": "post",
           "url": f"http://127.0.0.1/{mention_id}", "title": None, "body": body,
           "published_at": "2026-11-10T00:00:00Z", **fields}  # fmt: skip
    row.setdefault("content_hash", content_hash(row["title"], row["body"]))
    return row


@pytest.fixture(scope="session")
def demo_builds() -> dict:
    """The session's demo builds by the day they were built for (see ``demo_run``)."""
    return {}


@pytest.fixture
def demo_run(demo_builds, tmp_path_factory):
    """The demo as a new user runs it first (``groundswell demo --no-serve``, in a pipe):
    crawled and tagged, nothing else run yet. Returns (database path, finished process).

    Built once per session and day: the demo dates its posts from the day it runs, and the
    tests compare with today's (the alert windows, the regenerated reviews), so a suite that
    runs past midnight builds it again rather than read yesterday's demo as today's."""
    while date.today() not in demo_builds:
        day, folder = date.today(), tmp_path_factory.mktemp("demo")
        db_path = folder / "demo.db"
        result = groundswell("demo", "--no-serve", "--db", str(db_path), cwd=folder)
        assert result.returncode == 0, result.stderr
        assert "tagged" in result.stdout
        if date.today() == day:  # else midnight passed while it was built: build again
            demo_builds[day] = (db_path, result)
    return demo_builds[date.today()]


@pytest.fixture
def demo_db(demo_run) -> Path:
    return demo_run[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def groundswell(*args: str, cwd: Path | None = None, timeout: float = 300):
    """Run the real ``groundswell`` command in a subprocess (as a user would)."""
    return subprocess.run(
        [sys.executable, "-m", "groundswell.cli", *args],
        capture_output=True, text=True, cwd=cwd, timeout=timeout,
    )  # fmt: skip


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def write_config(path: Path, sources: list[dict], extra: str = "") -> Path:
    lines = ["[crawl]", "download_delay = 0.0", "retries = 1", "backoff_base = 0.1", extra, ""]
    for source in sources:
        lines.append("[[source]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in source.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
