"""Structured logs: one line per event on stderr, ``ts=... event=... key=value``."""

from __future__ import annotations

import logging
import sys

from groundswell.store import utc_now

LOGGER = logging.getLogger("groundswell")


def setup_event_log(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    LOGGER.handlers[:] = [handler]
    LOGGER.setLevel(level)
    LOGGER.propagate = False


def quoted(value) -> str:
    text = str(value)
    return f'"{text}"' if (not text or any(c in text for c in ' "=')) else text


def log_event(event: str, level: int = logging.INFO, **fields) -> None:
    pairs = " ".join(f"{key}={quoted(value)}" for key, value in fields.items() if value is not None)
    LOGGER.log(level, f"ts={utc_now()} event={event} {pairs}".rstrip())
