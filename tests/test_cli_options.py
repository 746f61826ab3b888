"""Every command names its config and database the same way: ``--config PATH`` (default
``groundswell.toml``) and ``--db PATH`` (default ``groundswell.db``); a command that reads
neither does not offer it, and docs/design-notes.md names it (so no option is silently
ignored, and no command quietly lacks one)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from groundswell.cli import cli

NOTES = (Path(__file__).parents[1] / "docs" / "design-notes.md").read_text(encoding="utf-8")
# where a command's --db default differs on purpose: the demo keeps its own database; the
# alerts subcommands take the --db given to `alerts` (itself groundswell.db by default)
OWN_DEFAULTS = {"demo": "demo.db", "alerts ack": None, "alerts list": None}


def leaf_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    commands = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            commands += leaf_commands(command, f"{prefix}{name} ")
        else:
            commands.append((prefix + name, command))
    return commands


COMMANDS = leaf_commands(cli)


def option(command: click.Command, name: str) -> click.Option | None:
    return next((p for p in command.params if name in getattr(p, "opts", ())), None)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_config_and_db_are_named_alike_or_the_absence_is_documented(name, command):
    for flag, default in (("--config", "groundswell.toml"), ("--db", "groundswell.db")):
        found = option(command, flag)
        if found is None:
            assert f"`{name}`" in NOTES or f"`{name.split()[0]}" in NOTES, (
                f"`groundswell {name}` takes no {flag}: say why in docs/design-notes.md"
            )
        elif flag == "--db":
            assert found.default == OWN_DEFAULTS.get(name, default), name
        else:
            assert found.default == default, name
