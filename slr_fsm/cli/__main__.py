"""``python -m slr_fsm.cli``: the ``slr-fsm`` command."""

import sys

from slr_fsm.cli import main

sys.exit(main())
