"""One import package: the wheel is the product (its contents, an install outside the checkout),
one base exception for the CLI to report, and tagging stages registered by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest
from click.testing import CliRunner

from groundswell.alerts.delivery import ChannelError
from groundswell.alerts.outbox import AlertNotFoundError
from groundswell.cli import cli
from groundswell.config import Config, ConfigError, load_config
from groundswell.crawl.parsers import ParseError
from groundswell.crawl.rendering import BrowserMissingError
from groundswell.demo.run import DemoConfigClashError
from groundswell.digest.data import DigestError
from groundswell.digest.send import DigestSendError
from groundswell.errors import GroundswellError
from groundswell.ports import PortError
from groundswell.store import open_db
from groundswell.tagging.query import QueryError
from groundswell.tagging.stages import DEFAULT_STAGES, STAGES
from groundswell.tagging.tagger import Tagger
from groundswell.web.serve import LoginRequiredError
from tests.conftest import REPO_ROOT, free_port, mention

# what the default config loads at run time, besides the code
PACKAGE_DATA = [
    "groundswell/starter.toml",
    "groundswell/web/metadata.json",
    "groundswell/web/plugins/groundswell_cells.py",
    "groundswell/web/plugins/groundswell_respond.py",
    "groundswell/web/templates/groundswell_respond.html",
    "groundswell/web/static/groundswell.css",
    "groundswell/models/artifacts/student/adapter.safetensors",
    "groundswell/models/artifacts/student/config.json",
    "groundswell/models/artifacts/sentiment/adapter.safetensors",
    "groundswell/models/artifacts/sentiment/config.json",
    "groundswell/models/artifacts/topics/heads.npz",
]


@pytest.mark.parametrize(
    "error",
    [ConfigError, ParseError, QueryError, ChannelError, DigestError, DigestSendError,
     AlertNotFoundError, BrowserMissingError, LoginRequiredError, PortError,
     DemoConfigClashError],
)  # fmt: skip
def test_every_domain_error_is_a_groundswell_error(error):
    assert issubclass(error, GroundswellError)


def test_the_cli_reports_a_domain_error_in_one_line(tmp_path):
    open_db(tmp_path / "g.db")
    result = CliRunner().invoke(
        cli, ["alerts", "ack", "nosuchalert", "--db", str(tmp_path / "g.db")]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert result.output.startswith("Error: ") and "nosuchalert" in result.output
    assert "Traceback" not in result.output


def test_stages_are_registered_by_name_and_configured(tmp_path):
    assert tuple(STAGES) == DEFAULT_STAGES
    assert Config().tagging.stages == list(DEFAULT_STAGES)
    path = tmp_path / "groundswell.toml"
    path.write_text('[tagging]\nstages = ["language", "sentimnt"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tagging\.stages.*unknown stage 'sentimnt'"):
        load_config(path)


def test_a_tagger_runs_only_its_stages():
    tagger = Tagger(Config(), stages=["language", "monitors"])
    (tags,) = tagger.tag(
        [mention("m1", "Der Kundendienst antwortet leider nie auf Anfragen")]
    ).mentions
    assert tags.columns["lang"] == "de"
    assert "sentiment" not in tags.columns and tags.topics == [] and tags.keyphrases == []


def test_classify_runs_a_subset_of_stages():
    result = CliRunner().invoke(
        cli, ["classify", "--stages", "language", "--config", "nonexistent.toml"],
        input="Support never answered my ticket\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"lang": "en", "out_of_domain": False}
    bad = CliRunner().invoke(cli, ["classify", "--stages", "sentimnt"], input="x\n")
    assert bad.exit_code == 2 and "unknown stage 'sentimnt'" in bad.output


def run(command: list, **options) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, **options)
    assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    return done


def get_json(url: str, wait: float = 60):
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.load(response)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.mark.slow
def test_the_wheel_is_the_product(tmp_path):
    """``pip wheel .`` holds one import package with its data; installed into a fresh venv and
    run from a folder outside the checkout, the demo crawls and tags and Datasette serves the
    project's plugins and metadata."""
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(REPO_ROOT),
         "-w", str(tmp_path / "dist")])  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("groundswell-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names if ".dist-info/" not in n} == {"groundswell"}
    assert [n for n in PACKAGE_DATA if n not in names] == []

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    run([*pip, "torch==2.13.0"])  # the local CPU build, before anything can ask for another
    run([*pip, str(wheel)])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    groundswell = str(venv / "bin" / "groundswell")
    demo = run([groundswell, "demo", "--no-serve", "--db", "x.db", "--site-port", "0"],
               cwd=elsewhere, env=env)  # fmt: skip
    assert "tagged" in demo.stdout

    port = free_port()
    server = subprocess.Popen([groundswell, "serve", "--db", "x.db", "--port", str(port)],
                              cwd=elsewhere, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        plugins = {p["name"] for p in get_json(f"http://127.0.0.1:{port}/-/plugins.json")}
        metadata = get_json(f"http://127.0.0.1:{port}/-/metadata.json")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert {"groundswell_cells.py", "groundswell_respond.py", "datasette-vega"} <= plugins
    assert "needs_response" in metadata["databases"]["groundswell"]["queries"]
