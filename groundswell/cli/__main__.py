"""``python -m groundswell.cli``: the same as the ``groundswell`` command."""

import sys

from groundswell.cli.main import main

sys.exit(main())
