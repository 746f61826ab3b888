from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from groundswell.replay import server_url, start_replay_server

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"real recorded pages not found at {FIXTURES} (../shared is absent)")
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
