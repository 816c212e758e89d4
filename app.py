#!/usr/bin/env python3
"""Kickoff CDK app: load config -> plan capacity -> build stacks -> attach checks -> synth.

Select the config with ``-c env=NAME`` (config/NAME.yaml, default prod) or
``-c config=PATH``. The capacity plan is compiled for a deploy now; ``-c plan_from=<ISO time>``
pins that deploy time (a review synth; a time in the past is refused). Works under
``cdk synth`` and as ``python app.py -c env=dev``.
"""

import os
import sys

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from kickoff.application import create_app, parse_context_args, pin_availability_zones  # noqa: E402
from kickoff.compliance.assembly import missing_context  # noqa: E402
from kickoff.compliance.checks import attach_checks  # noqa: E402
from kickoff.config import ConfigError, load_for_context  # noqa: E402
from kickoff.planning import build_deployment_plan, resolve_plan_from  # noqa: E402
from kickoff.stacks import build_deployment  # noqa: E402


def main() -> int:
    try:
        app = create_app(parse_context_args(sys.argv[1:]))
        config = load_for_context(app.node.try_get_context("env"), app.node.try_get_context("config"))
        plan_from = resolve_plan_from(config, app.node.try_get_context("plan_from"))
        plan = build_deployment_plan(config, plan_from)
    except ConfigError as error:
        print(f"kickoff: {error}", file=sys.stderr)
        return 2
    pin_availability_zones(app, config)
    deployment = build_deployment(app, config, plan)
    attach_checks(app, deployment)
    assembly = app.synth()
    # A context lookup would make the CDK CLI call AWS and write the answer into cdk.context.json:
    # synth needs no account (README, "Deploying"). Fail before the CLI can look anything up.
    missing = missing_context(assembly.directory)
    if missing:
        print(f"kickoff: the synth needed context that the CDK CLI would look up in AWS: {', '.join(missing)}.\n"
              "  Fix: derive the value from config (python -m kickoff context writes AZs to cdk.context.json), or "
              "resolve it at deploy time inside CloudFormation (a parameter, a dynamic reference, a custom resource).",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
