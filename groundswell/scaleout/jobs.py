"""Crawl jobs: ``groundswell run --redis`` pushes one per scheduled crawl; a worker pops it as
its spider's start URL (scrapy-redis' ``RedisSpider`` reads JSON start data)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

from groundswell.config import Config, SourceConfig
from groundswell.scaleout.keys import JOBS_KEY


def crawl_job(config: Config, source: SourceConfig) -> dict:
    """What a worker needs to crawl ``source``: its URL, kind and budgets, and a job id that
    scopes the duplicate filter and the budgets to this one crawl."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return {
        "id": f"{source.name}-{stamp}-{uuid.uuid4().hex[:6]}",
        "source": source.name,
        "kind": source.kind,
        "url": source.url,
        "max_listing_pages": source.max_listing_pages or config.crawl.max_listing_pages,
        "max_thread_pages": source.max_thread_pages or config.crawl.max_thread_pages,
        "vendor_accounts": list(source.vendor_accounts),
        "allowed_hosts": list(source.allowed_hosts),
    }


def enqueue_crawl(client, config: Config, source: SourceConfig) -> str:
    """Queue one crawl of ``source`` for the fleet; returns its job id."""
    job = crawl_job(config, source)
    client.rpush(JOBS_KEY, json.dumps({"url": job["url"], "job": job}))
    return job["id"]
