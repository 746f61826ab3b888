from __future__ import annotations

import sqlite_utils
from click.testing import CliRunner

from groundswell.cli import cli

PAYLOAD = "review_api_json/trustpilot_webhook_service_review_created.json"


def test_ingest_a_webhook_payload_twice_stores_it_once(tmp_path, fixtures_dir):
    db = tmp_path / "g.db"
    args = [
        "ingest",
        str(fixtures_dir / PAYLOAD),
        "--kind",
        "trustpilot",
        "--source",
        "tp",
        "--db",
        str(db),
    ]
    first = CliRunner().invoke(cli, args)
    second = CliRunner().invoke(cli, args)
    assert first.exit_code == 0 and "new=1 updated=0" in first.output
    assert "new=0 updated=1" in second.output
    row = next(sqlite_utils.Database(db)["mentions"].rows)
    assert row["source"] == "tp" and row["kind"] == "review" and row["rating"] is not None
    assert row["published_at"].endswith("Z")


def test_ingest_refuses_what_no_parser_reads(tmp_path):
    page = tmp_path / "notes.txt"
    page.write_text("just some notes")
    result = CliRunner().invoke(cli, ["ingest", str(page), "--db", str(tmp_path / "g.db")])
    assert result.exit_code == 1
    assert (
        result.output.strip().splitlines()[-1]
        == f"Error: {page}: no parser recognised this file; name one with --kind"
    )
