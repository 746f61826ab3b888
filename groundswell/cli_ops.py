"""``groundswell run``: scheduler + Datasette, until stopped."""

from __future__ import annotations

import click

from groundswell.options import config_option, db_option, read_config


@click.command()
@config_option
@db_option
@click.option("--port", default=8001, show_default=True, help="Datasette port (0: no Datasette)")
@click.option("--host", default="127.0.0.1", show_default=True, help="Datasette host")
def run(config_path: str, db_path: str, port: int, host: str) -> None:
    """Run every scheduled job (crawls, tagging, alerts, digest) and serve Datasette beside it.

    Logs one line per event on stderr; SIGINT/SIGTERM stop cleanly."""
    from schedules.runner import Runner, install_signal_handlers

    config = read_config(config_path)
    runner = Runner(config, config_path, db_path)
    install_signal_handlers(runner)
    runner.run_forever(host=host, port=port or None)
