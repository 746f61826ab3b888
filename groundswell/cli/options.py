"""Options and error handling shared by every ``groundswell`` command."""

from __future__ import annotations

import click

from groundswell.config import DEFAULT_CONFIG, DEFAULT_DB, ConfigError, load_config
from groundswell.errors import GroundswellError


class ConfigProblem(click.ClickException):
    """A broken configuration: exit status 2, like a usage error."""

    exit_code = 2


class GroundswellGroup(click.Group):
    """The command group: any ``GroundswellError`` a command lets through becomes a one-line
    message (a broken config exits 2, like a usage error; the rest 1), never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise ConfigProblem(str(error)) from None
        except GroundswellError as error:
            raise click.ClickException(str(error)) from None


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


def db_option(function):
    return click.option(
        "--db", "db_path", default=DEFAULT_DB, show_default=True,
        type=click.Path(dir_okay=False), help="SQLite database",
    )(function)  # fmt: skip
