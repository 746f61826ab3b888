"""SQLite storage through sqlite-utils: one schema (``ensure_db_shape``, run by ``open_db``)
plus ``save_x(db, items)`` writes.

- ``schema``: every table, index, view and trigger; ``open_db``; ``utc_now``;
- ``mentions``: crawled mentions and the reply flags of threads;
- ``crawl_runs``: configured sources and the health of each crawl;
- ``frontier``: the threads and listing pages each source's crawls have yet to finish;
- ``denormalise`` and ``views``: the copies and views Datasette's pages read;
- ``retention``: pruning, backups, forgetting an author.
"""

from groundswell.store.crawl_runs import (
    close_open_crawl_runs,
    finish_crawl_run,
    save_sources,
    source_status,
    start_crawl_run,
)
from groundswell.store.frontier import (
    frontier_backlog,
    load_frontier,
    save_failed,
    save_fetched,
    save_listed,
    save_requested,
    unfinished,
)
from groundswell.store.mentions import SaveCounts, mark_thread_replies, save_mentions
from groundswell.store.schema import (
    MENTION_COLUMNS,
    enable_mentions_fts,
    ensure_db_shape,
    open_db,
    utc_now,
)

__all__ = [
    "MENTION_COLUMNS", "SaveCounts", "close_open_crawl_runs", "enable_mentions_fts",
    "ensure_db_shape", "finish_crawl_run", "frontier_backlog", "load_frontier",
    "mark_thread_replies", "open_db", "save_failed", "save_fetched", "save_listed",
    "save_mentions", "save_requested", "save_sources", "source_status", "start_crawl_run", "unfinished", "utc_now",
]  # fmt: skip
