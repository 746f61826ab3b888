"""`groundswell serve`: Datasette answers JSON and renders the mentions page in Chromium."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from groundswell.store import open_db, save_mentions
from groundswell.web.serve import make_datasette
from tests.conftest import free_port

ARTIFACTS = Path(__file__).parent / "artifacts"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)> support never answered"


def seeded_db(path: Path) -> Path:
    db = open_db(path)
    save_mentions(db, [
        {"id": "m1", "source": "demo", "kind": "review", "url": "http://127.0.0.1/r/1",
         "title": "Great onboarding", "body": "Setup took ten minutes.", "rating": 5.0,
         "published_at": "2026-11-20T10:00:00Z", "content_hash": "h1"},
        {"id": "m2", "source": "demo", "kind": "review", "url": "http://127.0.0.1/r/2",
         "title": "Hostile", "body": HOSTILE, "rating": 1.0,
         "published_at": "2026-11-21T10:00:00Z", "content_hash": "h2"},
    ])  # fmt: skip
    return path


def test_datasette_serves_mentions_json_with_metadata(tmp_path):
    ds = make_datasette(seeded_db(tmp_path / "any-name.db"))

    async def fetch():
        rows = await ds.client.get("/groundswell/mentions.json?_shape=array")
        search = await ds.client.get("/groundswell/mentions.json?_search=onboarding&_shape=array")
        page = await ds.client.get("/groundswell/mentions")
        return rows, search, page

    rows, search, page = asyncio.run(fetch())
    assert rows.status_code == 200
    assert {r["id"] for r in rows.json()} == {"m1", "m2"}
    assert [r["id"] for r in search.json()] == ["m1"]
    assert "Mentions" in page.text and "One row per review" in page.text
    assert "<script>alert(1)</script>" not in page.text  # escaped, shown as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


@pytest.fixture
def served(tmp_path):
    db = seeded_db(tmp_path / "g.db")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "groundswell.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{base}/-/versions.json", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(10)


def test_serve_command_answers_mentions_json(served):
    response = httpx.get(f"{served}/groundswell/mentions.json?_shape=array")
    assert response.status_code == 200
    assert len(response.json()) == 2


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip(
            "Debian's chromium is not installed (make test installs it: scripts/install-browser.sh)"
        )
    return found


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]  # fmt: skip


@pytest.mark.browser
def test_mentions_page_renders_in_headless_chromium(served, tmp_path):
    browser = chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "mentions.png"
    url = f"{served}/groundswell/mentions"
    common = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert "Great onboarding" in dom.stdout
    assert "2 rows" in dom.stdout
    assert "<script>alert(1)</script>" not in dom.stdout  # no injected script element
    subprocess.run([*common, f"--screenshot={shot}", "--window-size=1280,900", url],
                   capture_output=True, timeout=120)  # fmt: skip
    assert shot.exists() and shot.stat().st_size > 10_000


def test_beyond_loopback_a_login_is_required(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from groundswell.cli import cli

    monkeypatch.delenv("GROUNDSWELL_PASSWORD_HASH", raising=False)
    db_path = seeded_db(tmp_path / "g.db")
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--db", str(db_path)])
    assert result.exit_code == 1 and "GROUNDSWELL_PASSWORD_HASH" in result.output

    monkeypatch.setenv("GROUNDSWELL_PASSWORD_HASH", "pbkdf2_sha256$480000$salt$notarealhash")
    ds = make_datasette(db_path, require_login=True)

    async def fetch(cookies=None):
        return await ds.client.get("/groundswell/mentions.json", cookies=cookies or {})

    assert asyncio.run(fetch()).status_code == 403
    cookie = {"ds_actor": ds.sign({"a": {"id": "analyst"}}, "actor")}
    assert asyncio.run(fetch(cookie)).status_code == 200
