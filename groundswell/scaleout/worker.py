"""``groundswell worker``: one crawl worker of a fleet sharing a Redis (scrapy-redis)."""

from __future__ import annotations

from scrapy.crawler import CrawlerProcess

from groundswell.config import Config
from groundswell.crawl.settings import settings_for
from groundswell.scaleout.keys import DUPEFILTER_KEY, JOBS_KEY, QUEUE_KEY, connect, redis_params
from groundswell.scaleout.leases import new_worker_id
from groundswell.scaleout.spider import WorkerSpider


def worker_settings(config: Config, redis_url: str, worker_id: str):
    """The crawl settings of ``[crawl]``, with scrapy-redis' shared scheduler queue and
    duplicate filter (with leases, per job) and the Redis stream as the output."""
    settings = settings_for(config.crawl, output="stream")
    shared = {
        "SCHEDULER": "groundswell.scaleout.leases.LeasedScheduler",
        "DUPEFILTER_CLASS": "groundswell.scaleout.leases.JobDupeFilter",
        "SCHEDULER_PERSIST": True,  # the queue is the fleet's: a worker stopping keeps it
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_QUEUE_CLASS": "groundswell.scaleout.leases.HostRoundRobinQueue",
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        "REDIS_START_URLS_KEY": JOBS_KEY,
        "REDIS_URL": redis_url,
        "REDIS_PARAMS": redis_params(),
        "GROUNDSWELL_WORKER_ID": worker_id,
        # the worker runs WorkerSpider alone: Scrapy need not import every platform spider
        # (and so every parser, extruct and feedparser included) to list them; a job's parser
        # is imported when its first page arrives (0.15 s off a restarted worker's start)
        "SPIDER_MODULES": [],
    }
    for name, value in shared.items():
        settings.set(name, value, priority="cmdline")
    fleet_politeness(settings, config.crawl.download_delay)
    fleet_robots(settings)
    return settings


def fleet_politeness(settings, delay: float) -> None:
    """``download_delay`` held fleet-wide per host by a Redis token, taken just before the
    request goes out; the worker's own delays (Scrapy's slot delay, AutoThrottle) would space
    its requests again after the token, so with a delay they are off and the token alone
    paces each host. With ``download_delay = 0`` AutoThrottle paces each worker as usual."""
    settings.set("GROUNDSWELL_FLEET_DELAY", delay, priority="cmdline")
    if delay > 0:
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        settings.set("RANDOMIZE_DOWNLOAD_DELAY", False, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares["groundswell.scaleout.politeness.FleetPolitenessMiddleware"] = 560
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")


def fleet_robots(settings) -> None:
    """Each site's robots.txt downloaded once for the fleet, kept in Redis (scaleout/robots.py)."""
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] = None
    middlewares["groundswell.scaleout.robots.FleetRobotsTxtMiddleware"] = 100
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")


def run_worker(config: Config, redis_url: str, idle_exit: float = 0.0,
               log_level: str = "INFO") -> dict:  # fmt: skip
    """Crawl the fleet's jobs until stopped (SIGTERM/SIGINT: leased requests go back on the
    queue), or until the fleet has had nothing to do for ``idle_exit`` seconds."""
    connect(redis_url)  # a wrong URL fails here, in one line
    worker_id = new_worker_id()
    settings = worker_settings(config, redis_url, worker_id)
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(WorkerSpider)
    process.crawl(crawler, worker_id=worker_id, idle_exit=idle_exit)
    process.start()
    return crawler.stats.get_stats()
