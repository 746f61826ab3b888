"""``groundswell demo``: build the synthetic demo site, replay it on 127.0.0.1, crawl it."""

from __future__ import annotations

import json
from pathlib import Path

from groundswell.config import load_config
from groundswell.crawl import CrawlResult, crawl_sources
from groundswell.replay import server_url, start_replay_server


def toml_value(value) -> str:
    return json.dumps(value) if not isinstance(value, bool) else str(value).lower()


def demo_config_text(site, base_url: str, db_path: Path) -> str:
    from groundswell.demo_site import DEMO_BRANDS

    lines = ["# Written by `groundswell demo`: the built-in demo site replayed on 127.0.0.1.",
             "[database]", f"path = {toml_value(str(db_path))}", "",
             "[crawl]", "download_delay = 0.0", "retries = 1", "backoff_base = 0.2",
             "max_pages = 50", ""]  # fmt: skip
    for brand in DEMO_BRANDS:
        lines += ["[[monitor]]", f"name = {toml_value(brand.name)}",
                  f"query = {toml_value(brand.query)}",
                  f"competitor = {toml_value(brand.competitor)}", ""]  # fmt: skip
    for source in site.sources:
        lines += ["[[source]]", f"name = {toml_value(source.name)}",
                  f"kind = {toml_value(source.kind)}",
                  f"url = {toml_value(base_url + source.url_path)}", 'schedule = "every 1h"',
                  'vendor_accounts = ["acme_support"]', ""]  # fmt: skip
    return "\n".join(lines)


def run_demo(
    db_path: Path, site_port: int = 8777, workdir: Path | None = None
) -> list[CrawlResult]:
    """Build the demo site under ``workdir`` (default: beside the database), crawl it all."""
    from groundswell.demo_site import build_demo_site

    workdir = workdir or db_path.resolve().parent / f".{db_path.stem}-demo"
    site = build_demo_site(workdir / "site")
    server = start_replay_server(workdir / "site", site_port)
    try:
        config_path = workdir / "groundswell-demo.toml"
        config_path.write_text(demo_config_text(site, server_url(server), db_path), "utf-8")
        return crawl_sources(load_config(config_path), config_path, db_path)
    finally:
        server.shutdown()
        server.server_close()
