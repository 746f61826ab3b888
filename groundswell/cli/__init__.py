"""The ``groundswell`` command line: click commands only, each a thin call into the library."""

from groundswell.cli.main import cli, main

__all__ = ["cli", "main"]
