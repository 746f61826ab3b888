"""``groundswell run``: scheduler + Datasette, until stopped."""

from __future__ import annotations

import click

from groundswell.cli.options import config_option, db_option, read_config


@click.command()
@config_option
@db_option
@click.option("--port", default=8001, show_default=True, help="Datasette port (0: no Datasette)")
@click.option("--host", default="127.0.0.1", show_default=True, help="Datasette host")
def run(config_path: str, db_path: str, port: int, host: str) -> None:
    """Run every scheduled job (crawls, tagging, alerts, digest) and serve Datasette beside it.

    Logs one line per event on stderr; SIGINT/SIGTERM stop cleanly."""
    from groundswell.schedule.runner import Runner, install_signal_handlers
    from groundswell.web.serve import check_login_configured

    if port:
        check_login_configured(host)  # a bad login secret stops `run` here, not its Datasette
    config = read_config(config_path)
    runner = Runner(config, config_path, db_path)
    install_signal_handlers(runner)
    runner.run_forever(host=host, port=port or None)


@click.command()
@db_option
@click.option("--older-than", required=True, help="age in days, e.g. 400d")
def prune(db_path: str, older_than: str) -> None:
    """Delete mentions older than --older-than (and their tags)."""
    from groundswell.store import open_db
    from groundswell.store.retention import parse_age, prune_older_than

    try:
        age = parse_age(older_than)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--older-than") from None
    click.echo(f"deleted {prune_older_than(open_db(db_path), age)} mention(s)")


@click.command()
@db_option
@click.argument("target", type=click.Path(dir_okay=False))
def backup(db_path: str, target: str) -> None:
    """Copy the database to TARGET with SQLite's online backup (safe while running)."""
    from groundswell.store.retention import backup_database

    try:
        click.echo(f"backed up to {backup_database(db_path, target)}")
    except (FileExistsError, OSError) as error:
        raise click.ClickException(str(error)) from None


@click.command(name="forget-author")
@db_option
@click.argument("author")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def forget_author_command(db_path: str, author: str, yes: bool) -> None:
    """Delete every mention by AUTHOR and its tags (a privacy request)."""
    from groundswell.store import open_db
    from groundswell.store.retention import forget_author

    if not yes:
        click.confirm(f"Delete every mention by {author!r}?", abort=True)
    click.echo(f"deleted {forget_author(open_db(db_path), author)} mention(s) by {author}")


@click.command()
@db_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", default="auto", show_default=True, help="parser kind, or auto")
@click.option("--source", default="ingest", show_default=True, help="source name to store")
@click.option("--url", "base_url", help="the page's original URL (resolves relative links)")
def ingest(
    db_path: str, files: tuple[str, ...], kind: str, source: str, base_url: str | None
) -> None:
    """Store mentions from saved pages, API exports or webhook payloads (e.g. Trustpilot's)."""
    from pathlib import Path

    from groundswell.crawl.ingest import ingest_file
    from groundswell.crawl.parsers import ParseError
    from groundswell.store import open_db

    db = open_db(db_path)
    for file in files:
        try:
            counts, dropped = ingest_file(db, Path(file), kind, source, base_url)
        except (ParseError, ValueError, KeyError) as error:
            raise click.ClickException(f"{file}: {error}") from None
        click.echo(f"{file}: new={counts.new} updated={counts.updated} dropped={dropped}")
