"""``groundswell demo``: build the synthetic demo site, replay it on 127.0.0.1, crawl it.

The demo's config (sources, monitors, topics, a sample advocate and alert rules) is written
beside the database, in plain sight: ``demo.db`` gets ``demo.toml``, ``x.db`` gets
``x-demo.toml``; every other command reads it with ``--config``. The generated site lives in
a hidden folder beside them (``.demo-site/``) and is served on a free port while it is crawled.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from groundswell.config import load_config
from groundswell.crawl.launch import CrawlResult, crawl_sources
from groundswell.crawl.replay import server_url, start_replay_server
from groundswell.errors import GroundswellError

DEMO_CONFIG_MARK = "# groundswell.toml for the built-in demo"


class DemoConfigClashError(GroundswellError, FileExistsError):
    """The demo's config path holds a file the demo did not write."""


def run_demo(
    db_path: Path,
    site_port: int = 0,
    workdir: Path | None = None,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[CrawlResult], None] | None = None,
) -> list[CrawlResult]:
    """Build the demo site under ``workdir`` (default: a hidden folder beside the database),
    serve it on ``site_port`` (0: any free port), write the demo config and crawl it all."""
    from groundswell.demo.site import build_demo_site, write_demo_config

    config_path = demo_config_path(db_path)
    check_demo_config_path(config_path)
    site = (workdir or demo_site_dir(db_path)) / "site"
    # bound before the site is built: a busy --site-port fails at once (files are read per request)
    server = start_replay_server(site, site_port, option="--site-port")
    try:
        build_demo_site(site)
        write_demo_config(config_path, server_url(server), db_path)
        return crawl_sources(
            load_config(config_path), config_path, db_path, on_start=on_start, on_done=on_done
        )
    finally:
        server.shutdown()
        server.server_close()


def demo_config_path(db_path: Path) -> Path:
    """``demo.db`` -> ``demo.toml``; ``x.db`` -> ``x-demo.toml`` (never the user's own
    ``groundswell.toml``), beside the database."""
    stem = db_path.stem if db_path.stem.endswith("demo") else f"{db_path.stem}-demo"
    return db_path.resolve().parent / f"{stem}.toml"


def demo_site_dir(db_path: Path) -> Path:
    return db_path.resolve().parent / f".{db_path.stem}-site"


def check_demo_config_path(path: Path) -> None:
    """The demo rewrites its config on every run, but never a file someone else wrote."""
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        if handle.readline().startswith(DEMO_CONFIG_MARK):
            return
    raise DemoConfigClashError(
        f"{path} exists and is not a demo config: the demo writes its config there; "
        "move that file or choose another --db name"
    )


def tag_demo(db_path: Path) -> int:
    """Tag what the demo crawl stored, with the demo config's monitors and topics, then run
    the community pass (advocates, defenders, experts, ideas)."""
    from groundswell.community import run_community_pass
    from groundswell.store import open_db
    from groundswell.tagging.tagger import Tagger, tag_untagged

    config = load_config(demo_config_path(db_path))
    db = open_db(db_path)
    tagged = tag_untagged(db, Tagger(config, db=db), config.model.batch_size)
    run_community_pass(db, config)
    return tagged
