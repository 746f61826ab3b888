"""Crawl configured sources, each in its own subprocess (``python -m groundswell.crawl.run``)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from groundswell.config import Config, SourceConfig
from groundswell.store import close_open_crawl_runs, frontier_backlog, open_db, save_sources

EXTRACT_KIND = "extract-kind: "  # the stderr line in which extract names the parser it used
EXIT_BUSY = 3  # another crawl of the source holds its lease: nothing done, not a failure


@dataclass
class CrawlResult:
    source: str
    returncode: int
    reason: str | None = None  # why it failed, or why it did not run (another crawl of it)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def last_line(text: str) -> str | None:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else None


def crawl_one(config_path: Path, db_path: Path, source: str, timeout: float,
              full: bool = False) -> CrawlResult:  # fmt: skip
    command = [sys.executable, "-m", "groundswell.crawl.run", "crawl", "--config", str(config_path),
               "--db", str(db_path), "--source", source, *(["--full"] if full else [])]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        record_stopped_run(db_path, source, f"crawl timed out after {timeout:.0f}s", process.pid)
        return CrawlResult(source, 124, f"timed out after {timeout:.0f}s")
    code = process.returncode
    reason = last_line(stderr) if code else None
    if code == EXIT_BUSY:
        return CrawlResult(source, 0, reason)
    if code < 0:
        record_stopped_run(db_path, source, f"crawl stopped by signal {-code}", process.pid)
    elif code not in (0, 1, 2):
        record_stopped_run(db_path, source, f"crawl process died: {reason}", process.pid)
    return CrawlResult(source, code, reason)


def record_stopped_run(db_path: Path, source: str, message: str, pid: int | None = None) -> None:
    """Close the run a crawl process left ``running`` (or record one), saying why it stopped
    and what the frontier keeps for the next crawl."""
    db = open_db(db_path)
    backlog = frontier_backlog(db, source)
    waiting = backlog["thread"] + backlog["page"]
    if waiting:
        message += f"; {waiting} thread(s) or page(s) unfinished: fetched first by the next crawl"
    close_open_crawl_runs(db, source, "error", message, pid)


def chosen_sources(config: Config, names: list[str] | None = None) -> list[SourceConfig]:
    """The named sources (an unknown name is a ``ConfigError``), else every enabled one."""
    if names:
        return [config.source_named(n) for n in names]
    return [s for s in config.source if s.enabled]


def crawl_sources(config: Config, config_path: Path, db_path: Path,
                  names: list[str] | None = None, full: bool = False,
                  on_start: Callable[[str], None] | None = None,
                  on_done: Callable[[CrawlResult], None] | None = None) -> list[CrawlResult]:  # fmt: skip
    """Crawl the named sources (default: every enabled one), one after another; ``full``
    follows every page instead of stopping where stored mentions begin. ``on_start`` and
    ``on_done`` hear of each source as it starts and as it finishes."""
    chosen = chosen_sources(config, names)
    save_sources(open_db(db_path), config.source)
    results = []
    for source in chosen:
        if on_start:
            on_start(source.name)
        results.append(crawl_one(config_path, db_path, source.name, config.crawl.timeout, full))
        if on_done:
            on_done(results[-1])
    return results


def extract(url: str, kind: str, config_path: Path) -> subprocess.CompletedProcess:
    """Run one spider over one URL; mentions come back as JSON lines on stdout."""
    command = [sys.executable, "-m", "groundswell.crawl.run", "extract", "--url", url, "--kind", kind,
               "--config", str(config_path)]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True)
