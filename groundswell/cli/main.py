"""The ``groundswell`` command line. Thin: each command calls the library and turns errors
into one-line messages."""

from __future__ import annotations

import json
from pathlib import Path

import click

from groundswell.cli.options import (
    GroundswellGroup,
    config_option,
    db_option,
    port_option,
    quiet_option,
    read_config,
)

STARTER_CONFIG = Path(__file__).resolve().parents[1] / "starter.toml"


@click.group(cls=GroundswellGroup)
@click.version_option(package_name="groundswell")
def cli() -> None:
    """groundswell: listen to what customers say about you on review sites and forums."""


@cli.command()
@config_option
@db_option(creates=True)
@click.option("--force", is_flag=True, help="overwrite an existing config file")
def init(config_path: str, db_path: str, force: bool) -> None:
    """Write a commented starter config and create the database."""
    from groundswell.store import open_db

    target = Path(config_path)
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; use --force to overwrite it")
    target.write_text(STARTER_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    open_db(db_path)
    click.echo(f"wrote {target}: its sample sources are disabled; check a URL with "
               "`groundswell extract`, then set enabled = true")  # fmt: skip


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--full", is_flag=True,
              help="follow every page (default: stop paging where stored mentions begin)")  # fmt: skip
@config_option
@db_option(creates=True)
@quiet_option
def crawl(sources: tuple[str, ...], full: bool, config_path: str, db_path: str,
          quiet: bool) -> None:  # fmt: skip
    """Crawl SOURCES (default: every enabled source) into the database.

    Prints a line per source as it finishes, then a summary."""
    from groundswell.cli.crawl_report import CrawlReport
    from groundswell.crawl.launch import chosen_sources, crawl_sources

    config = read_config(config_path)
    chosen = chosen_sources(config, list(sources))
    if not chosen:
        raise click.ClickException(
            f"no enabled sources in {config_path}; enable one or add one (see README)"
        )
    with CrawlReport(db_path, len(chosen), quiet) as report:
        crawl_sources(config, Path(config_path), Path(db_path), list(sources), full,
                      on_start=report.started, on_done=report.finished)  # fmt: skip
    report.conclude()


@cli.command()
@click.argument("url")
@click.option("--kind", default="auto", show_default=True, help="spider kind, or auto")
@click.option("--json", "as_json", is_flag=True, help="JSON lines (the default is a summary)")
@config_option
def extract(url: str, kind: str, as_json: bool, config_path: str) -> None:
    """Crawl one URL with one spider and print the mentions found (nothing is stored)."""
    from groundswell.crawl.launch import EXTRACT_KIND
    from groundswell.crawl.launch import extract as run_extract
    from groundswell.crawl.parsers.registry import known_kinds
    from groundswell.errors import did_you_mean

    read_config(config_path, missing_ok=True)
    if kind != "auto" and kind not in known_kinds():
        choices = ", ".join(["auto", *sorted(known_kinds())])
        raise click.BadParameter(f"{kind!r}{did_you_mean(kind, known_kinds())}; expected one "
                                 f"of {choices}", param_hint="--kind")  # fmt: skip
    done = run_extract(url, kind, Path(config_path))
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    for line in lines:
        click.echo(line if as_json else summary_line(json.loads(line)))
    if done.returncode:
        raise click.ClickException(
            done.stderr.strip().splitlines()[-1] if done.stderr else "failed"
        )
    chosen = None
    for note in done.stderr.splitlines():
        if note.startswith("extract: "):
            click.echo(note, err=True)
        elif note.startswith(EXTRACT_KIND):
            chosen = note.removeprefix(EXTRACT_KIND).strip()
    click.echo(extract_summary(len(lines), kind, chosen), err=True)


def extract_summary(count: int, asked: str, chosen: str | None) -> str:
    """``12 mention(s), kind yelp (picked by --kind auto: write kind = "yelp" in the source)``."""
    if chosen is None:
        return f"{count} mention(s)"
    if asked == "auto":
        return (f'{count} mention(s), kind {chosen} (picked by --kind auto: write kind = '
                f'"{chosen}" in the source)')  # fmt: skip
    return f"{count} mention(s), kind {chosen}"


def summary_line(mention: dict) -> str:
    text = (mention.get("title") or mention.get("body") or "").replace("\n", " ")[:70]
    rating = f" {mention['rating']}★" if mention.get("rating") is not None else ""
    return f"{mention.get('published_at')} {mention.get('kind')}{rating} {mention.get('author')}: {text}"


@cli.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@port_option(8765, "port on 127.0.0.1 (0: any free)")
def replay(directory: str, port: int) -> None:
    """Serve a folder of recorded pages on 127.0.0.1 for tests and trying sources."""
    from groundswell.crawl.replay import make_replay_server, server_url

    server = make_replay_server(directory, port, verbose=True)
    click.echo(f"replaying {directory} at {server_url(server)} (Ctrl+C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command()
@db_option
@port_option(8001, "Datasette port (0: any free)")
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(db_path: str, port: int, host: str) -> None:
    """Browse the database in Datasette."""
    from groundswell.ports import listening_socket
    from groundswell.web.serve import check_login_configured, datasette_url, serve_datasette

    check_login_configured(host)
    sock = listening_socket(host, port)  # before any work: a busy port fails at once

    from groundswell.store import open_db

    open_db(db_path)
    click.echo(f"Datasette at {datasette_url(host, sock)} (Ctrl+C stops)")
    serve_datasette(db_path, sock, host=host)


@cli.command()
@config_option
@db_option
def status(config_path: str, db_path: str) -> None:
    """Each source: last crawl, its status and counts."""
    from rich.console import Console

    from groundswell.schedule.state import job_health
    from groundswell.store import open_db, save_sources, source_status
    from groundswell.store.runs import last_tag_run

    config = read_config(config_path, missing_ok=True)
    db = open_db(db_path)
    save_sources(db, config.source)
    console = Console(width=200)
    console.print(sources_table(source_status(db)))
    last_tag = last_tag_run(db)
    if last_tag:
        console.print(tag_run_line(last_tag))
    jobs = job_health(db)
    if jobs:
        console.print(jobs_table(jobs))


def tag_run_line(run: dict) -> str:
    """The last ``groundswell tag`` run, in a line: its status, when, how many it tagged (a
    run that queued mentions for tag workers says so in its message instead)."""
    line = f"last tag run: {run['status']} (started {run['started_at']}"
    counted = run["status"] == "ok" and (run["tagged"] or not run.get("message"))
    line += f", tagged {run['tagged']})" if counted else ")"
    return line + (f": {run['message']}" if run.get("message") else "")


def sources_table(rows: list[dict]):
    from rich.table import Table

    columns = ("source", "kind", "last_run", "status", "pages", "new", "updated", "errors",
               "mentions", "backlog", "message")  # fmt: skip
    table = Table(*columns, title="sources")
    for row in rows:
        table.add_row(*(str(row[k]) if row[k] is not None else "" for k in columns))
    return table


def jobs_table(rows: list[dict]):
    from rich.table import Table

    columns = ("job_id", "working", "last_started", "last_status", "last_success", "last_error")
    table = Table(*columns, title="scheduled jobs (groundswell run)")
    for row in rows:
        table.add_row(*(str(row[k]) if row[k] is not None else "" for k in columns))
    return table


@cli.command()
@db_option(creates=True, default="demo.db")
@port_option(8001, "Datasette port (0: any free)")
@port_option(0, "demo site port on 127.0.0.1 (0: any free)", name="--site-port")
@click.option("--no-serve", is_flag=True, help="crawl, tag and store, then exit")
@click.option("--no-tag", is_flag=True, help="crawl and store only (skip the models)")
@quiet_option
def demo(db_path: str, port: int, site_port: int, no_serve: bool, no_tag: bool,
         quiet: bool) -> None:  # fmt: skip
    """Crawl the built-in demo site with the real spiders, tag it, store it and open Datasette.

    Writes its config beside the database (demo.db: demo.toml) for the other commands."""
    from groundswell.ports import listening_socket

    sock = None if no_serve else listening_socket("127.0.0.1", port)  # a busy port fails now
    try:
        crawl_and_tag_demo(Path(db_path), site_port, no_tag, quiet)
        if sock is not None:
            from groundswell.web.serve import datasette_url, serve_datasette

            click.echo(f"Datasette at {datasette_url('127.0.0.1', sock)} (Ctrl+C stops)")
            serve_datasette(db_path, sock)
    finally:
        if sock is not None:
            sock.close()


def crawl_and_tag_demo(db_path: Path, site_port: int, no_tag: bool, quiet: bool) -> None:
    from groundswell.cli.crawl_report import CrawlReport
    from groundswell.cli.tagging import run_community_pass, tag_all
    from groundswell.demo.run import demo_config_path, run_demo
    from groundswell.demo.site import DEMO_SOURCES
    from groundswell.store import open_db

    with CrawlReport(str(db_path), len(DEMO_SOURCES), quiet) as report:
        run_demo(db_path, site_port=site_port, on_start=report.started, on_done=report.finished)
    report.conclude()
    config_path = demo_config_path(db_path)
    click.echo(f"demo config: {config_path} (sources, monitors, topics, a sample advocate and "
               "alert rules); other commands read it with --config")  # fmt: skip
    if not no_tag:
        config = read_config(str(config_path))
        db = open_db(db_path)
        done = tag_all(config, db, config.model.batch_size, quiet)
        click.echo(f"tagged {done or 0} mention(s)")
        run_community_pass(config, db)


def register_commands() -> None:
    from groundswell.cli.alerts import alerts
    from groundswell.cli.community import advocates, community, ideas
    from groundswell.cli.digest import digest
    from groundswell.cli.ops import backup, forget_author_command, ingest, prune, run
    from groundswell.cli.scaleout import tag_worker, worker, writer
    from groundswell.cli.searches import searches
    from groundswell.cli.tagging import classify, evaluate_command, tag

    for command in (ingest, tag, classify, evaluate_command, alerts, digest, run, prune, backup,
                    forget_author_command, searches, community, ideas, advocates, worker,
                    writer, tag_worker):  # fmt: skip
        cli.add_command(command)


register_commands()


def main() -> None:
    cli(prog_name="groundswell")
