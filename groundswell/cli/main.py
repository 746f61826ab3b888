"""The ``groundswell`` command line. Thin: each command calls the library and turns errors
into one-line messages."""

from __future__ import annotations

import json
from pathlib import Path

import click

from groundswell.cli.options import GroundswellGroup, config_option, db_option, read_config

STARTER_CONFIG = Path(__file__).resolve().parents[1] / "starter.toml"


@click.group(cls=GroundswellGroup)
@click.version_option(package_name="groundswell")
def cli() -> None:
    """groundswell: listen to what customers say about you on review sites and forums."""


@cli.command()
@config_option
@db_option
@click.option("--force", is_flag=True, help="overwrite an existing config file")
def init(config_path: str, db_path: str, force: bool) -> None:
    """Write a commented starter config and create the database."""
    from groundswell.store import open_db

    target = Path(config_path)
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; use --force to overwrite it")
    target.write_text(STARTER_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    open_db(db_path)
    click.echo(f"wrote {target} and created {db_path}")


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--full", is_flag=True,
              help="follow every page (default: stop paging where stored mentions begin)")  # fmt: skip
@config_option
@db_option
def crawl(sources: tuple[str, ...], full: bool, config_path: str, db_path: str) -> None:
    """Crawl SOURCES (default: every enabled source) into the database."""
    from groundswell.crawl.launch import crawl_sources

    config = read_config(config_path)
    results = crawl_sources(config, Path(config_path), Path(db_path), list(sources), full)
    report_crawls(results, db_path)


def report_crawls(results, db_path: str) -> None:
    from groundswell.store import open_db, source_status

    by_source = {row["source"]: row for row in source_status(open_db(db_path))}
    for result in results:
        row = by_source.get(result.source, {})
        click.echo(f"{result.source}: {row.get('status')} pages={row.get('pages')} "
                   f"new={row.get('new')} updated={row.get('updated')} errors={row.get('errors')}")  # fmt: skip
    failed = [r for r in results if not r.ok]
    if failed:
        raise click.ClickException("; ".join(f"{r.reason or r.source}" for r in failed))


@cli.command()
@click.argument("url")
@click.option("--kind", default="auto", show_default=True, help="spider kind, or auto")
@click.option("--json", "as_json", is_flag=True, help="JSON lines (the default is a summary)")
@config_option
def extract(url: str, kind: str, as_json: bool, config_path: str) -> None:
    """Crawl one URL with one spider and print the mentions found (nothing is stored)."""
    from groundswell.crawl.launch import extract as run_extract
    from groundswell.crawl.parsers.registry import known_kinds

    read_config(config_path, missing_ok=True)
    if kind != "auto" and kind not in known_kinds():
        choices = ", ".join(["auto", *sorted(known_kinds())])
        raise click.BadParameter(f"{kind!r}; expected one of {choices}", param_hint="--kind")
    done = run_extract(url, kind, Path(config_path))
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    for line in lines:
        click.echo(line if as_json else summary_line(json.loads(line)))
    if done.returncode:
        raise click.ClickException(
            done.stderr.strip().splitlines()[-1] if done.stderr else "failed"
        )
    for note in done.stderr.splitlines():
        if note.startswith("extract: "):
            click.echo(note, err=True)
    if not as_json:
        click.echo(f"{len(lines)} mention(s)", err=True)


def summary_line(mention: dict) -> str:
    text = (mention.get("title") or mention.get("body") or "").replace("\n", " ")[:70]
    rating = f" {mention['rating']}★" if mention.get("rating") is not None else ""
    return f"{mention.get('published_at')} {mention.get('kind')}{rating} {mention.get('author')}: {text}"


@cli.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--port", default=8765, show_default=True, help="port on 127.0.0.1 (0: any free)")
def replay(directory: str, port: int) -> None:
    """Serve a folder of recorded pages on 127.0.0.1 for tests and trying sources."""
    from groundswell.crawl.replay import make_replay_server, server_url

    server = make_replay_server(directory, port, verbose=True)
    click.echo(f"replaying {directory} at {server_url(server)} (Ctrl+C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


@cli.command()
@db_option
@click.option("--port", default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(db_path: str, port: int, host: str) -> None:
    """Browse the database in Datasette."""
    from groundswell.store import open_db
    from groundswell.web.serve import check_login_configured, serve_datasette

    check_login_configured(host)
    open_db(db_path)
    click.echo(f"Datasette at http://{host}:{port}/groundswell")
    serve_datasette(db_path, host=host, port=port)


@cli.command()
@config_option
@db_option
def status(config_path: str, db_path: str) -> None:
    """Each source: last crawl, its status and counts."""
    from rich.console import Console

    from groundswell.schedule.state import job_health
    from groundswell.store import open_db, save_sources, source_status

    config = read_config(config_path, missing_ok=True)
    db = open_db(db_path)
    save_sources(db, config.source)
    console = Console(width=200)
    console.print(sources_table(source_status(db)))
    jobs = job_health(db)
    if jobs:
        console.print(jobs_table(jobs))


def sources_table(rows: list[dict]):
    from rich.table import Table

    columns = ("source", "kind", "last_run", "status", "pages", "new", "updated", "errors",
               "mentions", "message")  # fmt: skip
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
@db_option
@click.option("--port", default=8001, show_default=True, help="Datasette port")
@click.option("--site-port", default=8777, show_default=True, help="demo site port on 127.0.0.1")
@click.option("--no-serve", is_flag=True, help="crawl, tag and store, then exit")
@click.option("--no-tag", is_flag=True, help="crawl and store only (skip the models)")
def demo(db_path: str, port: int, site_port: int, no_serve: bool, no_tag: bool) -> None:
    """Crawl the built-in demo site with the real spiders, tag it, store it and open Datasette."""
    from groundswell.demo.run import run_demo, tag_demo

    results = run_demo(Path(db_path), site_port=site_port)
    report_crawls(results, db_path)
    if not no_tag:
        click.echo(f"tagged {tag_demo(Path(db_path))} mention(s)")
    if not no_serve:
        from groundswell.web.serve import serve_datasette

        click.echo(f"Datasette at http://127.0.0.1:{port}/groundswell (Ctrl+C stops)")
        serve_datasette(db_path, port=port)


def register_commands() -> None:
    from groundswell.cli.alerts import alerts
    from groundswell.cli.community import advocates, community, ideas
    from groundswell.cli.digest import digest
    from groundswell.cli.ops import backup, forget_author_command, ingest, prune, run
    from groundswell.cli.tagging import classify, evaluate_command, tag

    for command in (ingest, tag, classify, evaluate_command, alerts, digest, run, prune, backup,
                    forget_author_command, community, ideas, advocates):  # fmt: skip
        cli.add_command(command)


register_commands()


def main() -> None:
    cli(prog_name="groundswell")
