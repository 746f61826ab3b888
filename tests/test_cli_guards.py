"""What stops a new user stumbling: busy ports fail at once in one line, a mistyped --db is
refused, crawl reports as it goes, progress only on a terminal, prune asks first, dry runs
say why they would send nothing."""

from __future__ import annotations

import os
import pty
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.store import open_db, save_mentions
from tests.conftest import REPO_ROOT, groundswell, mention, write_config


@pytest.fixture
def busy_port():
    """A port another program is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def shaped_db(tmp_path: Path) -> Path:
    open_db(tmp_path / "g.db")
    return tmp_path / "g.db"


def invoke(*args: str, **options):
    return CliRunner().invoke(cli, list(args), **options)


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    for fragment in fragments:
        assert fragment in result.output


# --- ports --------------------------------------------------------------------------------


def test_a_busy_port_fails_within_a_second_before_any_work(busy_port, tmp_path):
    db = str(shaped_db(tmp_path))
    config = write_config(tmp_path / "g.toml", [])
    cases = {
        "serve": ["serve", "--db", db, "--port", str(busy_port)],
        "replay": ["replay", str(tmp_path), "--port", str(busy_port)],
        "demo --port": ["demo", "--db", str(tmp_path / "d.db"), "--port", str(busy_port)],
        "demo --site-port": [
            "demo",
            "--db",
            str(tmp_path / "d.db"),
            "--no-serve",
            "--site-port",
            str(busy_port),
        ],  # fmt: skip
        "run": ["run", "--config", str(config), "--db", db, "--port", str(busy_port)],
    }
    for name, args in cases.items():
        started = time.monotonic()
        result = invoke(*args)
        assert time.monotonic() - started < 1.0, name
        option = "--site-port" if name == "demo --site-port" else "--port"
        assert_one_line_error(result, f"port {busy_port} ", "in use", f"another port with {option}")
    assert not (tmp_path / "d.db").exists() and not (tmp_path / ".d-site").exists()


def test_a_port_out_of_range_is_a_usage_error(tmp_path):
    result = invoke("serve", "--db", str(shaped_db(tmp_path)), "--port", "99999")
    assert result.exit_code == 2 and "99999 is not in the range 0<=x<=65535" in result.output
    assert isinstance(result.exception, SystemExit)


def test_serve_announces_only_the_url_it_serves(tmp_path):
    """The URL is printed once the port is bound; --port 0 announces the port it got."""
    db = shaped_db(tmp_path)
    server = subprocess.Popen([sys.executable, "-m", "groundswell.cli", "serve", "--db", str(db),
                               "--port", "0"], stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        line = server.stdout.readline().strip()
        url = line.split()[2]
        assert line.startswith("Datasette at http://127.0.0.1:") and not url.endswith(
            ":0/groundswell"
        )
        with urllib.request.urlopen(url, timeout=60) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_replay_on_a_busy_port_has_no_traceback(busy_port, tmp_path):
    done = groundswell("replay", str(tmp_path), "--port", str(busy_port))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (f"Error: port {busy_port} on 127.0.0.1 is already in use by "
                                   "another program: stop that program or choose another port "
                                   "with --port")  # fmt: skip


# --- --db ---------------------------------------------------------------------------------

READERS = {
    "status": ["status"],
    "tag": ["tag"],
    "digest": ["digest"],
    "serve": ["serve", "--port", "0"],
    "prune": ["prune", "--older-than", "400d", "--yes"],
    "backup": ["backup", "copy.db"],
    "forget-author": ["forget-author", "bob", "--yes"],
    "run": ["run", "--port", "0"],
    "alerts": ["alerts", "--dry-run"],
    "alerts list": ["alerts", "list"],
    "alerts ack": ["alerts", "ack", "abc"],
}


@pytest.mark.parametrize("name", READERS)
def test_a_missing_database_is_refused_and_not_created(name, tmp_path):
    config = write_config(tmp_path / "g.toml", [])
    typo = tmp_path / "nested" / "typo.db"
    args = [*READERS[name], "--db", str(typo)]
    if name not in ("alerts list", "alerts ack", "backup", "forget-author", "prune", "serve"):
        args += ["--config", str(config)]
    result = invoke(*args)
    assert result.exit_code == 2
    assert_one_line_error(result, f"no database at {typo}", "check --db")
    assert not typo.parent.exists()


def test_creating_commands_create_the_database_and_say_so(tmp_path, fixtures_dir):
    made = invoke("init", "--config", str(tmp_path / "g.toml"), "--db", str(tmp_path / "a.db"))
    assert made.exit_code == 0 and f"created a new database at {tmp_path / 'a.db'}" in made.output
    payload = fixtures_dir / "review_api_json" / "trustpilot_webhook_service_review_created.json"
    ingested = invoke(
        "ingest", str(payload), "--kind", "trustpilot", "--db", str(tmp_path / "b.db")
    )
    assert ingested.exit_code == 0 and f"created a new database at {tmp_path / 'b.db'}" in (
        ingested.output
    )
    again = invoke("ingest", str(payload), "--kind", "trustpilot", "--db", str(tmp_path / "b.db"))
    assert again.exit_code == 0 and "created a new database" not in again.output


def test_a_file_that_is_not_sqlite_is_refused_in_one_line(tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("not a database")
    config = write_config(tmp_path / "g.toml", [{"name": "a", "kind": "reddit",
                                                 "url": "http://127.0.0.1:9/a.json"}])  # fmt: skip
    for args in (["status"], ["crawl"], ["tag"]):
        result = invoke(*args, "--db", str(notes), "--config", str(config))
        assert result.exit_code == 2
        assert_one_line_error(result, f"{notes} is not a SQLite database")
    assert notes.read_text() == "not a database"


# --- crawl --------------------------------------------------------------------------------


def two_sources(fixtures_url: str) -> list[dict]:
    return [
        {"name": "play", "kind": "google_play",
         "url": f"{fixtures_url}/review_html/google_play_app_details_dunzo_2021.html"},
        {"name": "praw", "kind": "reddit",
         "url": f"{fixtures_url}/forum_api_json/reddit_search_r_all.json"},
    ]  # fmt: skip


def test_crawl_prints_a_line_per_source_and_a_summary(tmp_path, fixtures_url):
    config = write_config(tmp_path / "g.toml", two_sources(fixtures_url))
    done = groundswell("crawl", "--config", str(config), "--db", str(tmp_path / "g.db"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "play: ok pages=1 new=40 updated=0 errors=0",
        "praw: ok pages=1 new=6 updated=0 errors=0",
        "crawled 2 source(s): 2 ok; 46 new and 0 updated mention(s)",
    ]
    # in a pipe: no progress display
    assert done.stderr == f"created a new database at {tmp_path / 'g.db'}\n"


def test_crawl_with_nothing_enabled_says_what_to_do(tmp_path):
    config, db = tmp_path / "groundswell.toml", tmp_path / "groundswell.db"
    assert invoke("init", "--config", str(config), "--db", str(db)).exit_code == 0
    result = invoke("crawl", "--config", str(config), "--db", str(db))
    assert_one_line_error(
        result, f"no enabled sources in {config}; enable one or add one (see README)"
    )


def test_a_mistyped_source_name_suggests_the_nearest(tmp_path, fixtures_url):
    config = write_config(tmp_path / "g.toml", two_sources(fixtures_url))
    result = invoke("crawl", "plya", "--config", str(config), "--db", str(tmp_path / "g.db"))
    assert (
        result.exit_code == 2 and "no source named 'plya' (did you mean 'play'?)" in result.output
    )


def run_on_terminal(args: list[str], cwd: Path) -> tuple[str, str]:
    """Run ``groundswell ARGS`` with stderr on a pseudo-terminal: (stdout, terminal text)."""
    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    done = subprocess.run([sys.executable, "-m", "groundswell.cli", *args], cwd=cwd,
                          stdout=subprocess.PIPE, stderr=follower, text=True, timeout=300)  # fmt: skip
    os.close(follower)
    reader.join(5)
    os.close(leader)
    return done.stdout, b"".join(chunks).decode("utf-8", "replace")


def test_crawl_progress_shows_on_a_terminal_unless_quiet(tmp_path, fixtures_url):
    config = write_config(tmp_path / "g.toml", two_sources(fixtures_url))
    common = ["crawl", "--config", str(config), "--db", str(tmp_path / "g.db")]
    out, terminal = run_on_terminal(common, tmp_path)
    assert "crawling play" in terminal and "crawled 2 source(s)" in out
    out, terminal = run_on_terminal([*common, "--quiet"], tmp_path)
    assert "crawling" not in terminal and "crawled 2 source(s)" in out


# --- extract ------------------------------------------------------------------------------


def test_extract_says_which_kind_it_picked_and_how_many(fixtures_url):
    url = f"{fixtures_url}/review_html/google_play_app_details_dunzo_2021.html"
    done = groundswell("extract", url)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == ('40 mention(s), kind google_play (picked by --kind '
                                            'auto: write kind = "google_play" in the source)')  # fmt: skip
    as_json = groundswell("extract", url, "--json")
    assert as_json.stderr.splitlines()[-1].startswith("40 mention(s), kind google_play")


def test_extract_suggests_the_nearest_kind():
    result = invoke("extract", "http://127.0.0.1:9/", "--kind", "yelpp")
    assert result.exit_code == 2 and "'yelpp' (did you mean 'yelp'?)" in result.output


# --- prune --------------------------------------------------------------------------------


def pruned_db(tmp_path: Path) -> Path:
    db = open_db(tmp_path / "g.db")
    save_mentions(db, [mention("old", published_at="2020-01-01T00:00:00Z"),
                       mention("new", body="fresh", published_at="2099-01-01T00:00:00Z")])  # fmt: skip
    return tmp_path / "g.db"


def count(db_path: Path) -> int:
    return sqlite_utils.Database(db_path)["mentions"].count


def test_prune_shows_what_it_would_delete_and_asks(tmp_path):
    db = pruned_db(tmp_path)
    refused = invoke("prune", "--older-than", "400d", "--db", str(db), input="n\n")
    assert "prune would delete 1 of 2 mention(s)" in refused.output
    assert (
        "published 2020-01-01 to 2020-01-01" in refused.output and "Delete them?" in refused.output
    )
    assert refused.exit_code == 1 and "nothing deleted" in refused.output and count(db) == 2
    no_answer = invoke("prune", "--older-than", "400d", "--db", str(db), input="")
    assert no_answer.exit_code == 1 and "--yes" in no_answer.output and count(db) == 2
    agreed = invoke("prune", "--older-than", "400d", "--db", str(db), input="y\n")
    assert agreed.exit_code == 0 and "deleted 1 mention(s)" in agreed.output and count(db) == 1


def test_prune_of_everything_says_so_and_needs_yes_in_a_script(tmp_path):
    db = pruned_db(tmp_path)
    save_mentions(open_db(db), [mention("new", published_at="2000-01-01T00:00:00Z")])
    script = groundswell("prune", "--older-than", "0d", "--db", str(db))
    assert "prune would delete every mention in the database" in script.stdout
    assert script.returncode == 1 and count(db) == 2
    assert script.stderr.strip().splitlines()[-1] == (
        "Error: nothing deleted: answer y, or rerun `groundswell prune` with --yes"
    )
    confirmed = groundswell("prune", "--older-than", "0d", "--db", str(db), "--yes")
    assert confirmed.returncode == 0 and count(db) == 0


def test_nothing_to_prune_says_so(tmp_path):
    result = invoke("prune", "--older-than", "99999d", "--db", str(pruned_db(tmp_path)))
    assert result.exit_code == 0 and result.output.startswith("nothing to prune")


# --- alerts: a dry run that sends nothing says why -----------------------------------------

ADVOCATE = '[[advocate]]\nname = "dana"\nemail = "dana@example.test"\nmonitors = ["Acme"]\n'


def dry_run(tmp_path: Path, name: str, config_text: str, mentions: list[dict],
            tagged: bool = True) -> str:  # fmt: skip
    """The last line of ``alerts --dry-run`` over a database holding ``mentions``."""
    config, db_path = tmp_path / f"{name}.toml", tmp_path / f"{name}.db"
    config.write_text(config_text, encoding="utf-8")
    db = open_db(db_path)
    save_mentions(db, mentions)
    if tagged:
        db.execute("update mentions set tagged_at = '2026-01-01T00:00:00Z'")
        db.conn.commit()
    result = invoke("alerts", "--config", str(config), "--db", str(db_path), "--dry-run")
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[-1]


def recent_review(mention_id: str, rating: float) -> dict:
    from datetime import datetime, timedelta, timezone

    when = (datetime.now(timezone.utc) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return mention(mention_id, kind="review", rating=rating, published_at=when, source="g2")


def test_a_dry_run_that_sends_nothing_says_why(tmp_path):
    bad = [recent_review("bad", 1.0)]
    assert dry_run(tmp_path, "nobody", "", bad) == (
        "nothing to send: no [[advocate]] in the config: alerts have nobody to go to "
        "(see README, Alerts for advocates)"
    )
    assert dry_run(tmp_path, "unrouted", ADVOCATE, bad).startswith(
        "nothing to send: 1 mention(s) or incident(s) match a rule, but no advocate's filters"
    )
    fine = [recent_review("fine", 5.0)]
    assert dry_run(tmp_path, "untagged", ADVOCATE, fine, tagged=False) == (
        "nothing to send: nothing new: no mention from the last 7 day(s) ([alerts] max_age_days) "
        "matches a rule (negative_review, unanswered_question); 1 mention(s) are not tagged yet: "
        "run `groundswell tag`"
    )


# --- tag --monitors -----------------------------------------------------------------------


def test_tag_monitors_rematches_after_a_query_changes_and_explains_misses(tmp_path):
    db = open_db(tmp_path / "g.db")
    save_mentions(db, [mention("a", body="Acme Helpdesk lost my ticket"),
                       mention("b", body="Zenlytics is fine")])  # fmt: skip
    db.execute("update mentions set tagged_at = '2026-01-01T00:00:00Z'")
    db.conn.commit()
    config = tmp_path / "g.toml"
    config.write_text('[[monitor]]\nname = "Acme"\nquery = "acmee"\n', encoding="utf-8")
    missed = invoke("tag", "--monitors", "--config", str(config), "--db", str(tmp_path / "g.db"))
    assert missed.exit_code == 0 and "0 tagged mention(s) match the monitors Acme" in missed.output
    assert "no mention matches the monitor(s) Acme" in missed.output
    config.write_text('[[monitor]]\nname = "Acme"\nquery = "acme"\n', encoding="utf-8")
    fixed = invoke("tag", "--monitors", "--config", str(config), "--db", str(tmp_path / "g.db"))
    assert "1 tagged mention(s) match the monitors Acme" in fixed.output
    assert "no mention matches" not in fixed.output
    rows = list(sqlite_utils.Database(tmp_path / "g.db")["mention_monitors"].rows)
    assert [(r["mention_id"], r["monitor"]) for r in rows] == [("a", "Acme")]


def test_no_command_leaves_a_traceback_for_these_inputs(tmp_path, busy_port):
    """The probe's list: a config in UTF-16 or invalid UTF-8, two monitors with one name,
    --port 99999, a --db that is not SQLite, a busy port."""
    db = shaped_db(tmp_path)
    utf16 = tmp_path / "utf16.toml"
    utf16.write_bytes("[crawl]\ndownload_delay = 1\n".encode("utf-16"))
    latin = tmp_path / "latin.toml"
    latin.write_bytes("[crawl]\n# caf\xe9\n".encode("latin-1"))
    twins = tmp_path / "twins.toml"
    twins.write_text('[[monitor]]\nname = "A"\nquery = "a"\n[[monitor]]\nname = "A"\nquery = "b"\n')
    notes = tmp_path / "notes.db"
    notes.write_text("hello")
    runs = [
        ["tag", "--config", str(utf16), "--db", str(db)],
        ["tag", "--config", str(latin), "--db", str(db)],
        ["tag", "--config", str(twins), "--db", str(db)],
        ["serve", "--db", str(db), "--port", "99999"],
        ["status", "--db", str(notes)],
        ["serve", "--db", str(db), "--port", str(busy_port)],
    ]
    for args in runs:
        done = subprocess.run([sys.executable, "-m", "groundswell.cli", *args], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode in (1, 2), (args, done.stderr)
        assert "Traceback" not in done.stderr and "Error: " in done.stderr, (args, done.stderr)
