"""Scrapy settings for groundswell's crawlers. Politeness is on by default.

``settings_for(config)`` layers the validated ``[crawl]`` config over these defaults.
"""

from __future__ import annotations

from scrapy.settings import default_settings as scrapy_defaults

BOT_NAME = "groundswell"
SPIDER_MODULES = ["groundswell.crawl.spiders"]
NEWSPIDER_MODULE = "groundswell.crawl.spiders"

ROBOTSTXT_OBEY = True
USER_AGENT = (
    "groundswell/0.1 (social listening crawler; +https://github.com/groundswell/groundswell)"
)
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50% around the delay
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
# the page cap ([crawl] max_page_mb): larger downloads are cancelled, larger pages not parsed
GROUNDSWELL_MAX_PAGE_BYTES = 10 * 1024 * 1024
DOWNLOAD_MAXSIZE = GROUNDSWELL_MAX_PAGE_BYTES
DOWNLOAD_WARNSIZE = GROUNDSWELL_MAX_PAGE_BYTES // 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs any Python code sent to an HTTP port on localhost, with a
# token in ~/.local/state/scrapy/job_files (left there when a crawl is killed): not for a
# service. It leaves the base list rather than being set to None in EXTENSIONS: Scrapy loads
# every EXTENSIONS key to normalise it, and loading this one imports aiohttp (0.1 s a crawl)
REMOTE_CONTROL_ENABLED = False
EXTENSIONS_BASE = {
    name: order
    for name, order in scrapy_defaults.EXTENSIONS_BASE.items()
    if name != "scrapy.extensions.remote_control.RemoteControl"
}
LOG_LEVEL = "INFO"

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"  # the spider's errback records the failure once
GROUNDSWELL_BACKOFF_BASE = 2.0
GROUNDSWELL_BACKOFF_MAX = 60.0
# Incremental crawls (groundswell/crawl/incremental.py): on for stored crawls unless --full
GROUNDSWELL_INCREMENTAL = False
GROUNDSWELL_RECRAWL_DAYS = 7.0

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "groundswell.crawl.middlewares.backoff.BackoffRetryMiddleware": 550,
    "groundswell.crawl.middlewares.offsite_redirect.OffsiteRedirectMiddleware": 650,
    # first of all: nothing outside the source's host and port (groundswell/crawl/reach.py)
    "groundswell.crawl.middlewares.reach.ReachMiddleware": 50,
}
# Requests of one priority go first in, first out: a crawl's backlog of unfinished threads is
# fetched oldest first; listing pages (priority 1) go before threads.
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

# One pipeline per file, in this order: validate (check and coerce each field: the one
# validation step), normalise (text, ids, hashes), then store (or print).
ITEM_PIPELINES = {
    "groundswell.crawl.pipelines.validate.ValidatePipeline": 100,
    "groundswell.crawl.pipelines.normalize.NormalizePipeline": 200,
}
STORE_PIPELINE = {"groundswell.crawl.pipelines.store.StorePipeline": 300}
PRINT_PIPELINE = {"groundswell.crawl.pipelines.jsonlines.JsonLinesPipeline": 300}
STREAM_PIPELINE = {"groundswell.crawl.pipelines.stream.StreamPipeline": 300}  # worker mode
OUTPUT_PIPELINES = {"store": STORE_PIPELINE, "print": PRINT_PIPELINE, "stream": STREAM_PIPELINE}

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"


def settings_for(crawl_config, output: str = "store") -> dict:
    """Scrapy settings for one crawl: defaults, then ``[crawl]`` config, then the output
    (``store`` in SQLite, ``print`` JSON lines, ``stream`` to Redis for the writer)."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule(__name__, priority="project")
    settings.set("USER_AGENT", crawl_config.user_agent, priority="cmdline")
    settings.set("ROBOTSTXT_OBEY", crawl_config.obey_robots, priority="cmdline")
    settings.set("DOWNLOAD_DELAY", crawl_config.download_delay, priority="cmdline")
    settings.set("AUTOTHROTTLE_START_DELAY", max(crawl_config.download_delay, 0.1), "cmdline")
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", crawl_config.concurrency_per_domain, "cmdline")
    settings.set("RETRY_TIMES", crawl_config.retries, priority="cmdline")
    settings.set("GROUNDSWELL_BACKOFF_BASE", crawl_config.backoff_base, priority="cmdline")
    settings.set("GROUNDSWELL_BACKOFF_MAX", crawl_config.backoff_max, priority="cmdline")
    cap = int(crawl_config.max_page_mb * 1024 * 1024)
    settings.set("GROUNDSWELL_MAX_PAGE_BYTES", cap, priority="cmdline")
    settings.set("DOWNLOAD_MAXSIZE", cap, priority="cmdline")
    settings.set("DOWNLOAD_WARNSIZE", cap // 2, priority="cmdline")
    pipelines = dict(ITEM_PIPELINES)
    pipelines.update(OUTPUT_PIPELINES[output])
    settings.set("ITEM_PIPELINES", pipelines, priority="cmdline")
    return settings
