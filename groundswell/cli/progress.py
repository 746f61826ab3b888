"""Progress for long steps (loading models, tagging, crawling): drawn on stderr when it is a
terminal, never in a pipe or a file, never under ``--quiet``. Results go to stdout as lines."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


def shows_progress(quiet: bool = False) -> bool:
    """True when a progress display would be drawn: stderr is a terminal and not ``quiet``."""
    return not quiet and Console(stderr=True).is_terminal


def progress_display(quiet: bool = False) -> Progress:
    """A transient display on stderr (spinner, step, bar, count, time), disabled where
    ``shows_progress`` is false. Lines echoed to stdout meanwhile print above it."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not shows_progress(quiet),
    )
