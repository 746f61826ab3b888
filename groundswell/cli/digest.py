"""``groundswell digest``: build the weekly digest, write it, store it, optionally email it."""

from __future__ import annotations

import re
from pathlib import Path

import click

from groundswell.cli.options import config_option, db_option, read_config


@click.command("digest")
@click.option(
    "--week",
    metavar="YYYY-Www",
    help="ISO week, e.g. 2026-W47 (default: the last full week before today)",
)
@click.option("--monitor", metavar="NAME", help="only the mentions of this monitor")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="folder for digest.html, digest.md and the images (default: [digest] out_dir/WEEK)",
)
@click.option("--send", is_flag=True, help="email it to [digest] recipients via [smtp]")
@config_option
@db_option
def digest(week: str | None, monitor: str | None, out_dir: str | None, send: bool,
           config_path: str, db_path: str) -> None:  # fmt: skip
    """Weekly digest: tag cloud, week-over-week story, share of voice, what needs a response."""
    from groundswell.digest.build import (
        DigestError,
        build_digest,
        parse_week,
        save_digest,
        send_digest,
        write_digest,
    )  # fmt: skip
    from groundswell.store import open_db

    config = read_config(config_path, missing_ok=True)
    try:
        week = parse_week(week).label
    except DigestError as error:
        raise click.ClickException(f"--week: {error}") from None
    db = open_db(db_path)
    try:
        built = build_digest(db, config, week=week, monitor=monitor)
    except DigestError as error:
        raise click.ClickException(f"--monitor: {error}") from None
    folder = Path(out_dir) if out_dir else Path(config.digest.out_dir) / folder_name(built)
    try:
        written = write_digest(built, folder)
    except OSError as error:
        raise click.ClickException(f"cannot write {folder}: {error.strerror or error}") from None
    save_digest(db, built)
    click.echo(f"{built.period}: {built.headline}")
    click.echo(f"wrote {written[0]} (and digest.md, cloud.png, trend.png); saved to digests")
    note = missing_voice_note(config, built, config_path)
    if note:
        click.echo(note, err=True)
    if send and not config.digest.recipients:
        raise click.ClickException(f"--send: not sent: set [digest] recipients in {config_path}")
    if send:
        sent_to = send_digest(built, config)
        click.echo(f"sent to {len(sent_to)} recipient(s)")


def folder_name(built) -> str:
    """``2026-W47``, or ``2026-W47-acme`` for one monitor (made safe as a file name)."""
    if not built.data.monitor:
        return built.period
    return f"{built.period}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', built.data.monitor)}"


def missing_voice_note(config, built, config_path: str) -> str | None:
    """Why the digest has no share-of-voice section, when the user may expect one."""
    if built.data.share_of_voice or built.data.monitor or not config.monitor:
        return None
    if not any(m.competitor for m in config.monitor):
        return ("share of voice left out: it compares your monitors with at least one "
                f"[[monitor]] marked competitor = true in {config_path}")  # fmt: skip
    names = ", ".join(m.name for m in config.monitor)
    return (f"share of voice left out: no mention of {built.period} or the week before "
            f"matches the monitors ({names}); check their queries in {config_path}, then "
            "run `groundswell tag --monitors`")  # fmt: skip
