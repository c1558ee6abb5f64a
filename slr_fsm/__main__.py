"""``python -m slr_fsm``: the ``slr-fsm`` command, for an environment without its script."""

import sys

from slr_fsm.cli import main

sys.exit(main())
