"""The composition root: config -> capacity plan -> stacks -> guardrails -> synth, in one place.

``app.py`` (what ``cdk synth`` and ``cdk deploy`` run), the CLI and the tests all compose the
app through ``compose``; ``main`` is ``app.py``'s body and ``synthesize`` the in-process form.

``cdk synth`` passes cdk.json and cdk.context.json through the environment; ``python
app.py`` and the tests do not, so both files are read here as well. The AZs of every
cell come from config and are written into the context before any stack exists, so
synth never looks them up in AWS.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from typing import Any

import aws_cdk as cdk

from kickoff.config import load_for_context
from kickoff.config.context import availability_zone_context, parse_context_args, project_context
from kickoff.config.errors import ConfigError
from kickoff.config.models import KickoffConfig
from kickoff.guardrails.checks import attach_checks
from kickoff.paths import DEFAULT_OUTDIR
from kickoff.planning import DeploymentPlan, build_deployment_plan, default_plan_from, resolve_plan_from
from kickoff.progress import Progress
from kickoff.rules.assembly import missing_context
from kickoff.rules.cfn_lint import prewarm
from kickoff.stacks.deployment import Deployment, build_deployment, template_path


def create_app(
    context: dict[str, Any] | None = None, *, outdir: str | None = None, validation: bool | None = None
) -> cdk.App:
    """An App with project context merged under ``context`` (command-line values win).

    ``validation=False`` turns off aws-cdk-lib's built-in CloudFormation validation
    (about 3 s per synth); the cdk-nag packs still run. None keeps the CDK default, which
    also honours ``CDK_VALIDATION`` and ``cdk synth --no-validation``.
    """
    merged = {**project_context(), **(context or {})}
    kwargs: dict[str, Any] = {"context": merged}
    if outdir is None and "CDK_OUTDIR" not in os.environ:
        outdir = str(DEFAULT_OUTDIR)  # python app.py: write where cdk synth would
    if outdir is not None:
        kwargs["outdir"] = outdir
    if validation is not None:
        kwargs["builtin_cloud_formation_validation"] = validation
    return cdk.App(**kwargs)


def pin_availability_zones(app: cdk.App, config: KickoffConfig) -> None:
    """Write the config's AZs into the app context. Call before any stack is created."""
    for key, zones in availability_zone_context(config).items():
        app.node.set_context(key, zones)


def compose(
    app: cdk.App,
    config: KickoffConfig,
    plan: DeploymentPlan,
    *,
    checks: bool = True,
    lint: bool = False,
    progress: Progress | None = None,
) -> Deployment:
    """Pin the AZs, build every stack of ``config`` for ``plan``, and attach the guardrails.

    ``checks=False`` leaves the guardrails off (commands that only read templates back); ``progress`` reports each
    stage as it runs.
    """
    pin_availability_zones(app, config)
    if progress is None:
        deployment = build_deployment(app, config, plan)
    else:
        with progress.stage("constructs"):
            deployment = build_deployment(app, config, plan)
    if checks:
        attach_checks(app, deployment, lint=lint, progress=progress)
    return deployment


def synthesize(config: KickoffConfig, outdir: str, *, checks: bool, plan_from: datetime) -> Deployment:
    """Build every stack of ``config`` for a deploy at ``plan_from`` and synthesize it into ``outdir``.

    aws-cdk-lib's built-in CloudFormation validation is off (``make synth`` runs it);
    ``checks`` attaches the nag packs and the plugins, so a finding fails the synth.
    """
    app = create_app(outdir=outdir, validation=False)
    deployment = compose(app, config, build_deployment_plan(config, plan_from), checks=checks)
    app.synth()
    return deployment


def synthesize_templates(config: KickoffConfig, outdir: str) -> dict[str, dict[str, Any]]:
    """Synthesize ``config`` for a deploy now into ``outdir`` without validation plugins; stack name -> template."""
    deployment = synthesize(config, outdir, checks=False, plan_from=default_plan_from())
    return {s.stack_name: json.loads(template_path(s).read_text()) for s in deployment.stacks}


MISSING_CONTEXT_FIX = (
    "  Fix: derive the value from config (python -m kickoff context writes AZs to cdk.context.json; add "
    "-c config=PATH for a config kept outside config/), or "
    "resolve it at deploy time inside CloudFormation (a parameter, a dynamic reference, a custom resource)."
)


def main(
    argv: list[str],
    *,
    loaded: tuple[KickoffConfig, DeploymentPlan] | None = None,
    progress: Progress | None = None,
) -> int:
    """``app.py``: load the config the context selects, plan for the deploy time, compose with every check, synth.

    ``app.py`` loads and plans first (``planning.load_and_plan`` over ``config.context.synth_context``), before
    the CDK is imported, so a bad config exits 2 in a fraction of a second; it passes the result as ``loaded``.
    Exit 2 with one message for a bad config or context; exit 1 when the synth needed context the CDK CLI would
    look up in AWS (a lookup would call AWS and write cdk.context.json: synth needs no account), before the CLI
    can look anything up. A guardrail finding raises out of ``app.synth()`` as the CDK reports it. Each stage
    prints its start and finish on stderr through ``progress`` (``app.py``'s, timed from its start).
    """
    try:
        # cfn-lint runs as a plugin instead of aws-cdk-lib's built-in validation (decision 0017).
        app = create_app(parse_context_args(argv), validation=False)
        if loaded is None:
            config = load_for_context(app.node.try_get_context("env"), app.node.try_get_context("config"))
            plan = build_deployment_plan(config, resolve_plan_from(config, app.node.try_get_context("plan_from")))
        else:
            config, plan = loaded
    except ConfigError as error:
        print(f"kickoff: {error}", file=sys.stderr)
        return 2
    # cfn-lint imports and loads its rules on the other core while the constructs are built (the main thread
    # mostly waits for the jsii runtime), so a warm synth's few changed documents lint here right after it.
    prewarm(config.region_names)
    progress = progress or Progress()
    deployment = compose(app, config, plan, lint=True, progress=progress)
    progress.line(f"synth: {len(deployment.stacks)} stacks, then each check")
    assembly = app.synth()
    progress.line(f"synth: done, {assembly.directory}")
    missing = missing_context(assembly.directory)
    if missing:
        print(
            f"kickoff: the synth needed context that the CDK CLI would look up in AWS: {', '.join(missing)}.\n"
            + MISSING_CONTEXT_FIX,
            file=sys.stderr,
        )
        return 1
    return 0
