"""Options and error handling shared by every ``groundswell`` command."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from groundswell.config import DEFAULT_CONFIG, DEFAULT_DB, ConfigError, load_config
from groundswell.errors import GroundswellError

SQLITE_HEADER = b"SQLite format 3\x00"
PORTS = click.IntRange(0, 65535)


class UsageProblem(click.ClickException):
    """A wrong argument or file the user named: one line, exit status 2 like a usage error."""

    exit_code = 2


class ConfigProblem(UsageProblem):
    """A broken configuration: exit status 2, like a usage error."""


class GroundswellGroup(click.Group):
    """The command group: any ``GroundswellError`` a command lets through becomes a one-line
    message (a broken config exits 2, like a usage error; the rest 1), never a traceback;
    so does a database SQLite cannot read."""

    def invoke(self, ctx: click.Context):
        from groundswell.models.quiet import quiet_model_libraries

        quiet_model_libraries()
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise ConfigProblem(str(error)) from None
        except GroundswellError as error:
            raise click.ClickException(str(error)) from None
        except sqlite3.DatabaseError as error:
            raise click.ClickException(f"database: {error}") from None


def read_config(path: str, missing_ok: bool = False):
    try:
        return load_config(path, missing_ok=missing_ok)
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None


def config_option(function):
    return click.option(
        "--config", "config_path", default=DEFAULT_CONFIG, show_default=True,
        type=click.Path(dir_okay=False), help="configuration file",
    )(function)  # fmt: skip


def require_database(path: str) -> str:
    """``path`` when it holds a SQLite database; else a one-line error naming it (a mistyped
    --db must not quietly become a new, empty database)."""
    if not Path(path).exists():
        raise UsageProblem(
            f"no database at {path}: check --db (`groundswell init` creates one; `groundswell "
            "crawl` and `groundswell demo` fill one)"
        )
    return check_sqlite_file(path)


def check_sqlite_file(path: str) -> str:
    """``path`` unless it exists and is not a SQLite database (an empty file is one)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return path
    except OSError as error:
        raise UsageProblem(f"cannot read {path}: {error.strerror or error}") from None
    if head and head != SQLITE_HEADER:
        raise UsageProblem(f"{path} is not a SQLite database: check --db")
    return path


def announce_new_database(path: str) -> None:
    """Say so, when the command ends, if it created the database at ``path``."""
    ctx = click.get_current_context()

    def announce() -> None:
        if Path(path).exists():
            click.echo(f"created a new database at {path}", err=True)

    ctx.call_on_close(announce)


def checked_database(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """--db of a command that reads a database: it must exist. A group (``alerts``) checks
    later, once it knows whether a subcommand was given its own --db."""
    if isinstance(ctx.command, click.Group):
        return value
    return require_database(value)


def created_database(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """--db of a command that creates the database when it is missing (and says so)."""
    if not Path(value).exists():
        announce_new_database(value)
    return check_sqlite_file(value)


def db_option(function=None, *, creates: bool = False, default: str = DEFAULT_DB,
              checked: bool = True):  # fmt: skip
    """``--db PATH``. Only ``creates`` commands (init, demo, crawl, ingest) make a new
    database; every other command refuses a path where there is none (one that reads it only
    with some option, ``checked=False``, calls ``require_database`` itself)."""
    callback = created_database if creates else checked_database if checked else None

    def decorate(command):
        return click.option(
            "--db", "db_path", default=default, show_default=True,
            type=click.Path(dir_okay=False), callback=callback,
            help="SQLite database" + (" (created if missing)" if creates else ""),
        )(command)  # fmt: skip

    return decorate(function) if function is not None else decorate


def port_option(default: int, help: str, name: str = "--port"):
    """A TCP port option: 0 to 65535 (0: any free port, or as ``help`` says)."""
    return click.option(name, default=default, show_default=True, type=PORTS, help=help)


def quiet_option(function):
    return click.option(
        "--quiet", "-q", is_flag=True,
        help="no progress display (it is never shown when output goes to a pipe or file)",
    )(function)  # fmt: skip
