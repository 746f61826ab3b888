"""``groundswell writer`` that kills itself (SIGKILL) right after committing its Nth batch,
before acknowledging it: the worst moment for a writer to die (tests/test_scale_out.py)."""

import os
import signal
import sys

import groundswell.scaleout.writer as writer_module
from groundswell.cli import cli

real_save_mentions = writer_module.save_mentions
batches = 0


def save_then_die(db, items):
    global batches
    counts = real_save_mentions(db, items)
    batches += 1
    if batches >= int(os.environ["CRASH_AFTER_BATCHES"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return counts


writer_module.save_mentions = save_then_die
cli(sys.argv[1:], prog_name="groundswell")
