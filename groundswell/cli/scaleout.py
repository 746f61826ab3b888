"""``groundswell worker``, ``writer`` and ``tag-worker``: a fleet sharing one Redis."""

from __future__ import annotations

import signal
import threading

import click

from groundswell.cli.options import config_option, db_option, read_config

IDLE_HELP = "stop once nothing at all waits in Redis for this many seconds (0: run until stopped)"
CLAIM_HELP = "take over entries another {} left unacknowledged this many seconds"


def stop_on_signals() -> threading.Event:
    """An event SIGINT and SIGTERM set: the loop finishes its batch, then stops."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def redis_option(required: bool = True):
    return click.option("--redis", "redis_url", required=required, metavar="URL",
                        help="the fleet's Redis, e.g. redis://HOST:6379/0")  # fmt: skip


@click.command()
@redis_option()
@config_option
@click.option("--exit-when-idle", "idle_exit", type=click.FloatRange(0), default=0.0,
              show_default=True, help=IDLE_HELP)  # fmt: skip
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]))  # fmt: skip
def worker(redis_url: str, config_path: str, idle_exit: float, log_level: str) -> None:
    """Crawl the jobs queued in Redis, beside any number of other workers.

    Workers share one request queue and one duplicate filter (scrapy-redis), so a page is
    fetched once across the fleet; mentions go to a Redis stream for `groundswell writer`.
    The [crawl] settings of --config apply (politeness, retries)."""
    from groundswell.scaleout.worker import run_worker

    config = read_config(config_path, missing_ok=True)
    stats = run_worker(config, redis_url, idle_exit=idle_exit, log_level=log_level)
    click.echo(f"worker stopped: {stats.get('groundswell/pages', 0)} page(s), "
               f"{stats.get('groundswell/streamed', 0)} mention(s) sent", err=True)  # fmt: skip


@click.command()
@redis_option()
@config_option
@db_option(creates=True)
@click.option("--consumer", default="writer", show_default=True,
              help="this writer's name in the consumer group (one per writer process)")  # fmt: skip
@click.option("--batch", type=click.IntRange(1), default=500, show_default=True,
              help="mentions stored per transaction")  # fmt: skip
@click.option("--claim-after", type=click.FloatRange(0), default=30.0, show_default=True,
              help=CLAIM_HELP.format("writer"))  # fmt: skip
@click.option("--tag-workers", is_flag=True,
              help="queue the mentions that need tags for `groundswell tag-worker`s and store "
                   "their results (default: `groundswell tag` tags them here)")  # fmt: skip
@click.option("--exit-when-idle", "idle_exit", type=click.FloatRange(0), default=0.0,
              show_default=True, help=IDLE_HELP)  # fmt: skip
def writer(redis_url: str, config_path: str, db_path: str, consumer: str, batch: int,
           claim_after: float, tag_workers: bool, idle_exit: float) -> None:  # fmt: skip
    """Store the mentions the workers send (a Redis stream) in the SQLite database.

    Each batch is acknowledged only after it is committed; entries a killed writer left
    unacknowledged are stored by the next one. Run one writer per database. With
    --tag-workers, new and edited mentions are queued for the tag workers and the writer
    stores their tags (acknowledged after the commit too)."""
    from groundswell.scaleout.keys import connect
    from groundswell.scaleout.writer import StreamWriter
    from groundswell.store import open_db, save_sources

    config = read_config(config_path, missing_ok=True)
    client = connect(redis_url)
    db = open_db(db_path)
    save_sources(db, config.source)
    vendors = {s.name: list(s.vendor_accounts) for s in config.source}
    tags = None
    if tag_workers:
        from groundswell.scaleout.tag_results import TagResultWriter

        dedupe = "dedupe" in config.tagging.stages
        tags = TagResultWriter(client, db, consumer, batch, claim_after, dedupe=dedupe)
    stream = StreamWriter(client, db, consumer, batch, claim_after, vendors, tags)
    stop = stop_on_signals()
    click.echo(f"writing mentions from {redis_url} into {db_path} (Ctrl+C stops)", err=True)
    totals = stream.run(idle_exit=idle_exit, stop=stop)
    click.echo(f"writer stopped: {totals.stored} mention(s) stored ({totals.new} new) in "
               f"{totals.batches} batch(es); {totals.claimed} taken over from other writers",
               err=True)  # fmt: skip
    if tag_workers:
        click.echo(f"{totals.queued_for_tags} mention(s) queued for the tag workers, "
                   f"{totals.tags_stored} tag result(s) stored", err=True)  # fmt: skip


@click.command(name="tag-worker")
@redis_option()
@config_option
@click.option("--batch", type=click.IntRange(1), default=None,
              help="mentions per batch (default: [model] batch_size)")  # fmt: skip
@click.option("--consumer", default=None,
              help="this worker's name in the consumer group (default: host-pid-random)")  # fmt: skip
@click.option("--claim-after", type=click.FloatRange(0), default=30.0, show_default=True,
              help=CLAIM_HELP.format("tag worker"))  # fmt: skip
@click.option("--exit-when-idle", "idle_exit", type=click.FloatRange(0), default=0.0,
              show_default=True, help=IDLE_HELP)  # fmt: skip
def tag_worker(redis_url: str, config_path: str, batch: int | None, consumer: str | None,
               claim_after: float, idle_exit: float) -> None:  # fmt: skip
    """Tag the mentions `groundswell writer --tag-workers` queues in Redis, beside any number
    of other tag workers (no database needed: `groundswell writer` stores the tags).

    Runs the [tagging] stages of --config but dedupe (the writer's); give every tag worker
    the scheduler's config file. A killed worker's batch is tagged by another."""
    from groundswell.cli.tagging import build_tagger
    from groundswell.scaleout.keys import connect
    from groundswell.scaleout.leases import new_worker_id
    from groundswell.scaleout.tag_worker import TagWorker, worker_stages

    config = read_config(config_path, missing_ok=True)
    client = connect(redis_url)
    tagger = build_tagger(config, stages=worker_stages(config))
    tagger.load_models()
    worker = TagWorker(client, tagger, consumer or new_worker_id(),
                       batch or config.model.batch_size, claim_after)  # fmt: skip
    stop = stop_on_signals()
    click.echo(f"tagging mentions queued in {redis_url} (Ctrl+C stops)", err=True)
    totals = worker.run(idle_exit=idle_exit, stop=stop)
    click.echo(f"tag worker stopped: {totals.tagged} mention(s) tagged in {totals.batches} "
               f"batch(es); {totals.claimed} taken over from other tag workers", err=True)  # fmt: skip
