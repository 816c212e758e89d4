"""``python -m kickoff``: see kickoff.cli."""

import sys

from kickoff.cli import main

sys.exit(main())
