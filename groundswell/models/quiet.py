"""Keep the model libraries' own progress bars and advice off the user's screen.

transformers draws a "Loading weights" bar when the shipped models are first exported, and
ONNX Runtime's quantiser logs advice through the root logger (which, with no handler set,
installs one that prints to stderr for the rest of the process). groundswell shows its own
progress; these are noise to a user, so commands switch them off.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

QUIET_ENVIRONMENT = {
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # read by transformers' tqdm when it is imported
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    "TOKENIZERS_PARALLELISM": "false",  # else a warning on every fork after tokenizing
}
ORT_ERRORS_ONLY = 3


def quiet_model_libraries() -> None:
    """Switch off transformers' and ONNX Runtime's progress bars and warnings for this
    process and its children (an explicit setting in the environment wins)."""
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    transformers = sys.modules.get("transformers")
    if transformers is not None:  # imported already: the environment is read too late
        transformers.utils.logging.disable_progress_bar()
        transformers.utils.logging.set_verbosity_error()
    onnxruntime = sys.modules.get("onnxruntime")
    if onnxruntime is not None:
        onnxruntime.set_default_logger_severity(ORT_ERRORS_ONLY)


@contextmanager
def root_logging_silenced() -> Iterator[None]:
    """Drop what third-party code logs through the root logger meanwhile, and stop
    ``logging.warning()`` from installing a stderr handler for the rest of the process."""
    root = logging.getLogger()
    sink = logging.NullHandler()
    previous = root.level
    root.addHandler(sink)
    root.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        root.removeHandler(sink)
        root.setLevel(previous)
