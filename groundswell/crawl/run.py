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
from groundswell.crawl.launch import EXIT_BUSY, EXTRACT_KIND
from groundswell.crawl.reach import Reach, abort_unreachable
from groundswell.crawl.rendering import BrowserMissingError, find_browser, use_browser
from groundswell.crawl.settings import settings_for
from groundswell.crawl.spiders.base import MentionSpider
from groundswell.store import (
    finish_crawl_run,
    frontier_backlog,
    mark_thread_replies,
    open_db,
    start_crawl_run,
)
from groundswell.store.runs import Heartbeat, lease

EXIT_OK, EXIT_CRAWL_ERRORS, EXIT_CONFIG = 0, 1, 2


def run_spider(settings, **spider_args):
    """Run one ``MentionSpider`` to completion; return (stats dict, problems list)."""
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(MentionSpider)
    process.crawl(crawler, **spider_args)
    process.start()
    spider = crawler.spider
    stats = crawler.stats.get_stats()
    stats["notes"] = list(getattr(spider, "notes", []))
    stats["stops"] = list(getattr(spider, "stops", []))
    frontier = getattr(spider, "frontier", None)
    if frontier is not None:
        stats["groundswell/left/max_listing_pages"] = len(frontier.listing.refused)
        stats["groundswell/left/max_thread_pages"] = len(frontier.threads.refused)
    problems = list(getattr(spider, "problems", []))
    unexplained = stats.get("log_count/ERROR", 0) - len(problems)
    if unexplained > 0:
        problems.append(f"{unexplained} unexpected error(s) while processing items (see the log)")
    return stats, problems


def crawl_status(stats: dict, problems: list[str]) -> str:
    """The crawl_runs status, decided here and nowhere else: interrupted, blocked, error,
    empty, partial (mentions found, but the crawl was cut short: ``partial_reasons``) or ok.
    Item problems (a nulled field, a skipped record) leave a crawl ``ok``: its message counts
    them."""
    if stats.get("finish_reason") == "shutdown":
        return "interrupted"
    if stats.get("groundswell/blocked"):
        return "blocked"
    if problems:
        return "error"
    if not stats.get("groundswell/parsed", 0):
        return "empty"
    return "partial" if partial_reasons(stats) else "ok"


def partial_reasons(stats: dict, backlog: dict | None = None) -> list[str]:
    """Why a crawl that found mentions fetched less than the source offers; any reason makes
    the crawl ``partial``. ``backlog`` (``frontier_backlog``) counts what waits for the next
    crawl."""
    backlog = backlog or {}
    reasons = []
    if stats.get("groundswell/left/max_listing_pages"):
        reasons.append(f"max_listing_pages ({stats['groundswell/budget/max_listing_pages']}) "
                       f"reached: {plural(backlog.get('page'), 'listing page')} left for the "
                       "next crawl")  # fmt: skip
    if stats.get("groundswell/left/max_thread_pages"):
        reasons.append(f"max_thread_pages ({stats['groundswell/budget/max_thread_pages']}) "
                       f"reached: {plural(backlog.get('thread'), 'thread')} left for the next "
                       "crawl, oldest first")  # fmt: skip
    if stats.get("groundswell/partial"):  # issue 18: many post-like blocks, one or two read
        reasons.append(f"{plural(stats['groundswell/partial'], 'page')} read only in part "
                       "(see the note)")  # fmt: skip
    if stats.get("groundswell/followed_refused"):
        reasons.append(f"{plural(stats['groundswell/followed_refused'], 'linked page')} not "
                       "fetched")  # fmt: skip
    return reasons


def plural(count: int | None, noun: str) -> str:
    if count is None:
        return f"{noun}s"
    return f"{count} {noun}{'' if count == 1 else 's'}"


def crawl_source(config_path: str, db_path: str, source_name: str, full: bool = False) -> int:
    """Crawl one source into the database; ``full`` turns the incremental rules off. One
    crawl of a source at a time: while another holds its lease, this one does nothing."""
    config = load_config(config_path)
    source = config.source_named(source_name)
    db = open_db(db_path)
    with lease(db, f"crawl:{source.name}") as holder:
        if holder is not None:
            print(f"{source.name}: another crawl of this source is in progress "
                  f"({holder.describe()}); not started", file=sys.stderr)  # fmt: skip
            return EXIT_BUSY
        run_id = start_crawl_run(db, source.name)
        with Heartbeat(db_path, "crawl_runs", run_id):
            return crawl_run(config, source, db, db_path, run_id, full)


def crawl_run(config, source, db, db_path: str, run_id: int, full: bool) -> int:
    """The crawl of ``source`` recorded as the ``crawl_runs`` row ``run_id``."""
    try:
        settings = crawl_settings(config, source, db_path, full)
    except BrowserMissingError as error:
        finish_crawl_run(db, run_id, status="error", errors=1, message=str(error))
        print(f"{source.name}: {error}", file=sys.stderr)
        return EXIT_CRAWL_ERRORS
    stats, problems = run_spider(
        settings, url=source.url, source=source.name, kind=source.kind, follow=True,
        max_listing_pages=source.max_listing_pages or config.crawl.max_listing_pages,
        max_thread_pages=source.max_thread_pages or config.crawl.max_thread_pages,
        vendor_accounts=source.vendor_accounts, render=source.render,
        render_wait_for=source.render_wait_for, allowed_hosts=source.allowed_hosts,
    )  # fmt: skip
    mark_thread_replies(db, source.name, source.vendor_accounts)
    message = crawl_message(stats, problems, frontier_backlog(db, source.name))
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
        # the page's own scripts stay within the source's reach too
        reach = Reach.for_source(source.url, source.allowed_hosts)
        settings.set("PLAYWRIGHT_ABORT_REQUEST", abort_unreachable(reach), priority="cmdline")
    return settings


MESSAGE_SEPARATOR = " | "


def crawl_message(stats: dict, problems: list[str], backlog: dict | None = None) -> str | None:
    """The crawl_runs message: errors, why the crawl stopped short (budgets, robots.txt,
    redirects, walls), what is left for the next crawl, item problems, notes, then what the
    incremental rules left out."""
    backlog = backlog or {}
    reasons = partial_reasons(stats, backlog)
    parts = [
        f"{len(problems)} error(s); first: {problems[0]}" if problems else None,
        *reasons,
        stops_message(stats["stops"]),
        offsite_message(stats),
        None if reasons else unfinished_message(backlog),
        item_problems_message(stats),
        *stats["notes"][:1],
        incremental_message(stats),
    ]
    return MESSAGE_SEPARATOR.join(part for part in parts if part) or None


def stops_message(stops: list[str], shown: int = 2) -> str | None:
    if not stops:
        return None
    more = f" (+{len(stops) - shown} more)" if len(stops) > shown else ""
    return f"stopped: {'; '.join(stops[:shown])}{more}"


def offsite_message(stats: dict) -> str | None:
    if not stats.get("groundswell/offsite_links"):
        return None
    return (f"{plural(stats['groundswell/offsite_links'], 'link')} to other hosts not followed "
            "(a source stays on its URL's host)")  # fmt: skip


def unfinished_message(backlog: dict) -> str | None:
    unfinished = backlog.get("thread", 0) + backlog.get("page", 0)
    if not unfinished:
        return None
    return f"{unfinished} thread(s) or page(s) unfinished: fetched first by the next crawl"


def item_problems_message(stats: dict) -> str | None:
    """'3 item problem(s) (published_at 2, record 1; ...); first: ...' from the validation
    stats."""
    if not stats.get("groundswell/item_problems"):
        return None
    counts = {key.split("/", 2)[2]: value for key, value in stats.items()
              if key.startswith("groundswell/invalid/")}  # fmt: skip
    if stats.get("groundswell/dropped"):
        counts["dropped"] = stats["groundswell/dropped"]
    by_kind = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
    examples = " / ".join(stats.get("groundswell/item_examples") or [])
    return (f"{stats['groundswell/item_problems']} item problem(s) ({by_kind}; malformed "
            f"fields nulled, unreadable records skipped); first: {examples}")  # fmt: skip


def incremental_message(stats: dict) -> str | None:
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
    notes = [*stats["notes"], *stats["stops"], item_problems_message(stats)]
    for note in filter(None, notes):
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
