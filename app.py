#!/usr/bin/env python3
"""Kickoff CDK app: load config -> plan capacity -> build stacks -> attach checks -> synth.

Select the config with ``-c env=NAME`` (config/NAME.yaml, default prod) or
``-c config=PATH``. The capacity plan is compiled for a deploy now; ``-c plan_from=<ISO time>``
pins that deploy time (a review synth; a time in the past is refused). Works under
``cdk synth`` and as ``python app.py -c env=dev``. The body is ``kickoff.application.main``,
the one composition root the CLI and the tests share.
"""

import os
import sys

from kickoff.progress import Progress

PROGRESS = Progress()  # the synth's stages are timed from here

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from kickoff.config.context import synth_context  # noqa: E402
from kickoff.config.errors import ConfigError  # noqa: E402
from kickoff.planning import load_and_plan  # noqa: E402

if __name__ == "__main__":
    # Config and plan first, with no CDK loaded: a bad config exits 2 in about a second.
    try:
        loaded = load_and_plan(synth_context(sys.argv[1:], os.environ))
    except ConfigError as error:
        print(f"kickoff: {error}", file=sys.stderr)
        sys.exit(2)
    PROGRESS.line("config and plan: done")
    from kickoff.application import main

    sys.exit(main(sys.argv[1:], loaded=loaded, progress=PROGRESS))
