"""``groundswell tag-worker`` that kills itself (SIGKILL) after tagging its first batch, before
publishing the results: a tag worker dying mid-batch (tests/test_scale_out_tagging.py)."""

import os
import signal
import sys

from groundswell.cli import cli
from groundswell.scaleout.tag_worker import TagWorker


def die_instead(self, entry_ids, results):
    os.kill(os.getpid(), signal.SIGKILL)


TagWorker.publish = die_instead
cli(sys.argv[1:], prog_name="groundswell")
