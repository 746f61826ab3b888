"""Run one crawl in this process: ``python -m groundswell.crawl.run crawl|extract ...``.

Scrapy's Twisted reactor cannot restart inside one process, so ``groundswell crawl`` and
``groundswell extract`` start this module as a subprocess per crawl. A crawl writes its
``crawl_runs`` row; the exit status is 0 when the crawl had no errors, 1 otherwise, with a
one-line reason as the last line on stderr.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.crawler import CrawlerProcess

from groundswell.config import ConfigError, load_config
from groundswell.crawl.launch import EXTRACT_KIND
from groundswell.crawl.rendering import BrowserMissingError, find_browser, use_browser
from groundswell.crawl.settings import settings_for
from groundswell.crawl.spiders.base import MentionSpider
from groundswell.store import finish_crawl_run, mark_thread_replies, open_db, start_crawl_run

EXIT_OK, EXIT_CRAWL_ERRORS, EXIT_CONFIG = 0, 1, 2


def run_spider(settings, **spider_args):
    """Run one ``MentionSpider`` to completion; return (stats dict, problems list)."""
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(MentionSpider)
    process.crawl(crawler, **spider_args)
    process.start()
    stats = crawler.stats.get_stats()
    stats["notes"] = list(getattr(crawler.spider, "notes", []))
    problems = list(getattr(crawler.spider, "problems", []))
    unexplained = stats.get("log_count/ERROR", 0) - len(problems)
    if unexplained > 0:
        problems.append(f"{unexplained} unexpected error(s) while processing items (see the log)")
    return stats, problems


def crawl_status(stats: dict, problems: list[str]) -> str:
    if stats.get("finish_reason") == "shutdown":
        return "interrupted"
    if stats.get("groundswell/blocked"):
        return "blocked"
    if problems:
        return "error"
    # issue 18: a page showed many post-like blocks but its parser read one or two of them
    if stats.get("groundswell/partial"):
        return "partial"
    return "ok" if stats.get("groundswell/parsed", 0) else "empty"


def crawl_source(config_path: str, db_path: str, source_name: str, full: bool = False) -> int:
    """Crawl one source into the database; ``full`` turns the incremental rules off."""
    config = load_config(config_path)
    source = config.source_named(source_name)
    db = open_db(db_path)
    run_id = start_crawl_run(db, source.name)
    try:
        settings = crawl_settings(config, source, db_path, full)
    except BrowserMissingError as error:
        finish_crawl_run(db, run_id, status="error", errors=1, message=str(error))
        print(f"{source.name}: {error}", file=sys.stderr)
        return EXIT_CRAWL_ERRORS
    stats, problems = run_spider(
        settings, url=source.url, source=source.name, kind=source.kind, follow=True,
        max_pages=source.max_pages or config.crawl.max_pages,
        vendor_accounts=source.vendor_accounts, render=source.render,
        render_wait_for=source.render_wait_for,
    )  # fmt: skip
    mark_thread_replies(db, source.name, source.vendor_accounts)
    message = crawl_message(stats, problems)
    finish_crawl_run(
        db, run_id, status=crawl_status(stats, problems), pages=stats.get("groundswell/pages", 0),
        new=stats.get("groundswell/new", 0), updated=stats.get("groundswell/updated", 0),
        errors=len(problems), message=message,
    )  # fmt: skip
    if problems:
        print(f"{source.name}: {message}", file=sys.stderr)
        return EXIT_CRAWL_ERRORS
    return EXIT_OK


def crawl_settings(config, source, db_path: str, full: bool):
    """Scrapy settings for a stored crawl of ``source``: incremental unless ``full``, through
    a browser when the source says ``render = true``."""
    settings = settings_for(config.crawl, output="store")
    settings.set("GROUNDSWELL_DB", db_path, priority="cmdline")
    settings.set("GROUNDSWELL_INCREMENTAL", not full, priority="cmdline")
    settings.set("GROUNDSWELL_RECRAWL_DAYS", source.recrawl_days, priority="cmdline")
    if source.render:
        use_browser(settings, find_browser(config.crawl.browser_path))
    return settings


def crawl_message(stats: dict, problems: list[str]) -> str | None:
    """The crawl_runs message: the first problem, else the first note, else what the
    incremental rules left out."""
    if problems:
        return f"{len(problems)} error(s); first: {problems[0]}"
    if stats["notes"]:
        return stats["notes"][0]
    skipped = []
    if stats.get("groundswell/incremental_stop"):
        skipped.append("stopped paging at a page whose mentions were all stored")
    if stats.get("groundswell/threads_quiet_skipped"):
        skipped.append(f"{stats['groundswell/threads_quiet_skipped']} quiet thread(s) not "
                       "fetched again")  # fmt: skip
    return f"incremental: {'; '.join(skipped)} (--full crawls everything)" if skipped else None


def extract_url(config_path: str, url: str, kind: str) -> int:
    config = load_config(config_path, missing_ok=True)
    settings = settings_for(config.crawl, output="print")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    stats, problems = run_spider(settings, url=url, source="extract", kind=kind, follow=False)
    if stats.get("groundswell/kind"):
        print(f"{EXTRACT_KIND}{stats['groundswell/kind']}", file=sys.stderr)
    for note in stats["notes"]:
        print(f"extract: {note}", file=sys.stderr)
    if stats.get("groundswell/partial"):
        print("extract: warning: only part of the page's posts were read (status partial)",
              file=sys.stderr)  # fmt: skip
    if problems:
        print(f"extract: {problems[0]}", file=sys.stderr)
        return EXIT_CRAWL_ERRORS
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m groundswell.crawl.run")
    parser.add_argument("mode", choices=["crawl", "extract"])
    parser.add_argument("--config", default="groundswell.toml")
    parser.add_argument("--db", default="groundswell.db")
    parser.add_argument("--source")
    parser.add_argument("--url")
    parser.add_argument("--kind", default="auto")
    parser.add_argument("--full", action="store_true", help="crawl without incremental stops")
    args = parser.parse_args(argv)
    try:
        if args.mode == "crawl":
            return crawl_source(args.config, args.db, args.source, full=args.full)
        return extract_url(args.config, args.url, args.kind)
    except ConfigError as error:
        print(str(error), file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
