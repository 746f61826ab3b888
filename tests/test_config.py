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
        (GOOD.replace('"hackernews"', '"hackernew"'), "(got 'hackernew') (did you mean "
                                                       "'hackernews'?)"),
        (GOOD.replace("download_delay", "download_dealy"), "(did you mean 'download_delay'?)"),
        (GOOD.replace('schedule = "every 30m"', 'schedul = "every 30m"'),
         "source[0].schedul: unknown key (did you mean 'schedule'?)"),
        ('[[alert_rule]]\nkind = "negative_reviews"\n', "(did you mean 'negative_review'?)"),
        (GOOD.replace('"every 30m"', '"every 0s"'),
         "source[0].schedule: Value error, 'every 0s' is too often: the shortest interval is "
         "every 10s"),
        ('[schedule]\ntag = "every 5s"\n', "schedule.tag"),
        (GOOD + '\n[[monitor]]\nname = "Acme"\nquery = "acme inc"\n',
         "monitor: Value error, names must be unique; repeated: Acme"),
        ('[[topic]]\nname = "x"\n[[topic]]\nname = "x"\n', "topic: Value error, names must be"),
    ],
)  # fmt: skip
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


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("[crawl]\ndownload_delay = 1\n".encode("utf-16"), "the file is UTF-16 text; save it as UTF-8"),
        ("[crawl]\n# café\n".encode("latin-1"), "line 2: not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    ],
)  # fmt: skip
def test_a_config_in_another_encoding_is_a_located_error(tmp_path, raw, expected):
    path = tmp_path / "groundswell.toml"
    path.write_bytes(raw)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: {expected}"
    db = tmp_path / "g.db"
    CliRunner().invoke(cli, ["init", "--config", str(tmp_path / "new.toml"), "--db", str(db)])
    result = CliRunner().invoke(cli, ["status", "--config", str(path), "--db", str(db)])
    assert result.exit_code == 2 and result.output == f"Error: {path}: {expected}\n"


def test_a_utf8_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "groundswell.toml"
    path.write_bytes("\ufeff".encode() + GOOD.encode())
    assert load_config(path).crawl.download_delay == 0.5


def test_ten_seconds_is_the_shortest_interval(tmp_path):
    assert load_config(write(tmp_path, GOOD.replace("every 30m", "every 10s"))).source
