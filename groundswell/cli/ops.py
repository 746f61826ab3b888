"""``groundswell run``: scheduler + Datasette, until stopped."""

from __future__ import annotations

from datetime import timedelta

import click

from groundswell.cli.options import config_option, db_option, port_option, read_config


@click.command()
@config_option
@db_option
@port_option(8001, "Datasette port (0: no Datasette)")
@click.option("--host", default="127.0.0.1", show_default=True, help="Datasette host")
@click.option("--redis", "redis_url", metavar="URL",
              help="queue crawls in this Redis for `groundswell worker`s and store what they "
                   "send (default: crawl in this machine's processes)")  # fmt: skip
@click.option("--tag-workers", is_flag=True,
              help="with --redis: `groundswell tag-worker`s tag the mentions and the writer "
                   "stores their tags (default: tag on this machine)")  # fmt: skip
def run(config_path: str, db_path: str, port: int, host: str, redis_url: str | None,
        tag_workers: bool) -> None:  # fmt: skip
    """Run every scheduled job (crawls, tagging, alerts, digest) and serve Datasette beside it.

    Logs one line per event on stderr; SIGINT/SIGTERM stop cleanly. With --redis, crawls are
    queued for the workers and a writer stores their mentions; with --tag-workers too, the
    tag workers tag them (the scheduled tagging only queues what is left untagged)."""
    from groundswell.ports import check_port_free
    from groundswell.web.serve import check_login_configured

    config = read_config(config_path)
    if tag_workers and not redis_url:
        raise click.UsageError("--tag-workers needs --redis")
    if redis_url:  # a wrong URL or a Redis that is down fails here, at once
        from groundswell.scaleout.keys import connect

        connect(redis_url)
    if port:  # Datasette starts in a child process: a bad secret or a busy port fails here, at once
        check_login_configured(host)
        check_port_free(host, port)

    from groundswell.schedule.runner import Runner, install_signal_handlers

    runner = Runner(config, config_path, db_path, redis_url, tag_workers)
    install_signal_handlers(runner)
    runner.run_forever(host=host, port=port or None)


def checked_age(ctx: click.Context, param: click.Parameter, value: str) -> timedelta:
    from groundswell.store.retention import parse_age

    try:
        return parse_age(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command()
@db_option
@click.option("--older-than", "age", required=True, callback=checked_age,
              help="age in days, e.g. 400d")  # fmt: skip
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def prune(db_path: str, age: timedelta, yes: bool) -> None:
    """Delete mentions older than --older-than (and their tags).

    Shows what it would delete and asks first (a script needs --yes)."""
    from groundswell.store import open_db
    from groundswell.store.retention import prune_older_than, prune_preview

    db = open_db(db_path)
    preview = prune_preview(db, age)
    if not preview.count:
        click.echo(f"nothing to prune: no mention published before {preview.cutoff_text}")
        return
    click.echo(preview.describe())
    confirm_or_abort("Delete them?", yes, "prune")
    click.echo(f"deleted {prune_older_than(db, age, now=preview.now)} mention(s)")


def confirm_or_abort(question: str, yes: bool, command: str) -> None:
    """Ask (a script or cron with no answer on stdin is refused); --yes goes ahead."""
    if yes:
        return
    try:
        confirmed = click.confirm(question, default=False)
    except click.Abort:  # end of input: nobody there to answer
        click.echo(err=True)
        confirmed = False
    if not confirmed:
        raise click.ClickException(
            f"nothing deleted: answer y, or rerun `groundswell {command}` with --yes"
        )


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

    confirm_or_abort(f"Delete every mention by {author!r}?", yes, "forget-author")
    click.echo(f"deleted {forget_author(open_db(db_path), author)} mention(s) by {author}")


@click.command()
@db_option(creates=True)
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
