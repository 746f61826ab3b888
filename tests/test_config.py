from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.config import ConfigError, load_config

GOOD = """
[crawl]
download_delay = 0.5

[[monitor]]
name = "Acme"
query = "acme"

[[source]]
name = "hn"
kind = "hackernews"
url = "http://127.0.0.1:9/api/v1/search?query=acme"
schedule = "every 30m"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "groundswell.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_loads(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.crawl.download_delay == 0.5
    assert config.source[0].kind == "hackernews"
    assert config.source_named("hn").schedule == "every 30m"
    assert config.monitor[0].competitor is False


@pytest.mark.parametrize(
    "text, expected",
    [
        (GOOD.replace("download_delay", "download_dealy"), "crawl.download_dealy: unknown key"),
        (GOOD.replace('"hackernews"', '"myspace"'), "source[0].kind: expected one of"),
        (GOOD.replace('"every 30m"', '"sometimes"'), "source[0].schedule"),
        (GOOD.replace("http://127.0.0.1:9", "ftp://x"), "source[0].url"),
        (GOOD.replace("0.5", '"fast"'), "crawl.download_delay"),
        (
            GOOD + '\n[[source]]\nname = "hn"\nkind = "reddit"\nurl = "http://127.0.0.1/"\n',
            "unique",
        ),
        ("[crawl\n", "not valid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_cli_exits_2_with_one_located_message(tmp_path):
    path = write(tmp_path, GOOD.replace("download_delay", "download_dealy"))
    result = CliRunner().invoke(
        cli, ["crawl", "--config", str(path), "--db", str(tmp_path / "x.db")]
    )
    assert result.exit_code == 2
    assert f"{path}: crawl.download_dealy: unknown key" in result.output
    assert "Traceback" not in result.output


def test_missing_config_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["crawl", "--config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "no such file" in result.output and "groundswell init" in result.output


def test_init_writes_a_valid_starter_config_and_db(tmp_path):
    config, db = tmp_path / "groundswell.toml", tmp_path / "groundswell.db"
    result = CliRunner().invoke(cli, ["init", "--config", str(config), "--db", str(db)])
    assert result.exit_code == 0, result.output
    loaded = load_config(config)
    assert loaded.source and all(not s.enabled for s in loaded.source)  # nothing crawls by surprise
    assert db.exists()
    again = CliRunner().invoke(cli, ["init", "--config", str(config), "--db", str(db)])
    assert again.exit_code == 1 and "--force" in again.output
