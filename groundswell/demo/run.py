"""``groundswell demo``: build the synthetic demo site, replay it on 127.0.0.1, crawl it."""

from __future__ import annotations

from pathlib import Path

from groundswell.config import load_config
from groundswell.crawl.launch import CrawlResult, crawl_sources
from groundswell.crawl.replay import server_url, start_replay_server


def run_demo(
    db_path: Path, site_port: int = 8777, workdir: Path | None = None
) -> list[CrawlResult]:
    """Build the demo site under ``workdir`` (default: beside the database), crawl it all."""
    from groundswell.demo.site import build_demo_site, write_demo_config

    workdir = workdir or demo_config_path(db_path).parent
    build_demo_site(workdir / "site")
    server = start_replay_server(workdir / "site", site_port)
    try:
        config_path = write_demo_config(
            workdir / "groundswell-demo.toml", server_url(server), db_path
        )
        return crawl_sources(load_config(config_path), config_path, db_path)
    finally:
        server.shutdown()
        server.server_close()


def demo_config_path(db_path: Path) -> Path:
    return db_path.resolve().parent / f".{db_path.stem}-demo" / "groundswell-demo.toml"


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
