"""Every CLI command is documented in the README; the README shows the two set-up commands."""

from __future__ import annotations

from pathlib import Path

from groundswell.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def command_names(group, prefix="") -> list[str]:
    names = []
    for name, command in group.commands.items():
        names.append(f"{prefix}{name}")
        if hasattr(command, "commands"):
            names += command_names(command, f"{prefix}{name} ")
    return names


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in command_names(cli) if f"groundswell {name}" not in readme]
    assert missing == []


def test_readme_setup_commands_and_ci_agree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\ndemo:" in makefile and "\ntest:" in makefile
