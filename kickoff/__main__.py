"""``python -m kickoff``: see kickoff.cli."""

import os
import sys

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from kickoff.cli import main  # noqa: E402

if __name__ == "__main__":  # not in worker processes that import this module (cfn-lint runs in a pool)
    sys.exit(main())
