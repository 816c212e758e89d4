"""Attach the checks that run on every synth: cdk-nag packs and their acknowledgements."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from kickoff.compliance.acknowledgements import acknowledge_deployment
from kickoff.compliance.resilience_plugin import ResilienceBudgetPlugin
from kickoff.compliance.wa_pack import StackFacts, WellArchitectedChecks
from kickoff.compliance.wa_rules import Params
from kickoff.config.models import KickoffConfig
from kickoff.stacks.deployment import Deployment


def retry_allowance_seconds(config: KickoffConfig) -> int:
    """Time CloudFront spends on a dead origin before it gives up: timeout x attempts."""
    return config.edge.origin_connection_timeout_seconds * config.edge.origin_connection_attempts


def wa_params(config: KickoffConfig) -> Params:
    """The Well-Architected pack's expectations for one config."""
    return Params(
        production=config.production,
        rto_seconds=config.resilience.rto_seconds,
        retry_allowance_seconds=retry_allowance_seconds(config),
        required_tags={"app": config.app, "env": config.environment},
    )


@dataclass
class Checks:
    """The packs attached to an app, for summaries after synth."""

    aws_solutions: AwsSolutionsChecks
    well_architected: WellArchitectedChecks
    resilience: ResilienceBudgetPlugin


def attach_checks(app: cdk.App, deployment: Deployment) -> Checks:
    """Register the nag packs on the app and acknowledge the reviewed findings."""
    stacks = {
        stack.template_file: StackFacts(stack=stack.stack_name, region=stack.region, cell=stack.cell_tag)
        for stack in deployment.stacks
    }
    checks = Checks(
        aws_solutions=AwsSolutionsChecks(app),
        well_architected=WellArchitectedChecks(app, params=wa_params(deployment.config), stacks=stacks),
        resilience=ResilienceBudgetPlugin(
            deployment.config, template_stacks={f: facts.stack for f, facts in stacks.items()}
        ),
    )
    cdk.Validations.of(app).add_plugins(checks.aws_solutions, checks.well_architected, checks.resilience)
    acknowledge_deployment(deployment)
    return checks
