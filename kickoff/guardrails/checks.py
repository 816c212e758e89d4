"""Attach the checks that run on every synth: cdk-nag packs and their acknowledgements."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from kickoff.guardrails.acknowledgements import acknowledge_deployment
from kickoff.guardrails.cfn_lint_plugin import CfnLintPlugin
from kickoff.guardrails.checkov_plugin import CheckovPlugin
from kickoff.guardrails.progress import Timed
from kickoff.guardrails.readiness_pack import DeployReadinessChecks
from kickoff.guardrails.release_order_plugin import ReleaseOrderPlugin
from kickoff.guardrails.resilience_plugin import ResilienceBudgetPlugin
from kickoff.guardrails.rule_pack import StackFacts
from kickoff.guardrails.stateful_lock_plugin import StatefulLockPlugin
from kickoff.guardrails.twin_plugin import TwinPlugin
from kickoff.guardrails.wa_pack import WellArchitectedChecks
from kickoff.progress import Progress
from kickoff.rules.params import readiness_params, wa_params
from kickoff.stacks.deployment import Deployment


@dataclass
class Checks:
    """The packs attached to an app, for summaries after synth."""

    aws_solutions: AwsSolutionsChecks
    well_architected: WellArchitectedChecks
    readiness: DeployReadinessChecks
    resilience: ResilienceBudgetPlugin
    stateful_lock: StatefulLockPlugin
    twin: TwinPlugin
    release_order: ReleaseOrderPlugin


def attach_checks(
    app: cdk.App, deployment: Deployment, *, lint: bool = False, progress: Progress | None = None
) -> Checks:
    """Register the nag packs on the app and acknowledge the reviewed findings.

    ``lint`` adds cfn-lint as a plugin, in place of aws-cdk-lib's built-in validation (``app.py`` turns that off
    and sets this), and checkov; in-process synths (the tests) lint and scan explicitly where they need it. With
    ``progress`` each check reports its start and finish as the synth runs it.
    """
    stacks = {
        stack.template_file: StackFacts(
            stack=stack.stack_name, region=stack.region, cell=stack.cell_tag, account=stack.account
        )
        for stack in deployment.stacks
    }
    template_stacks = {file: facts.stack for file, facts in stacks.items()}
    checks = Checks(
        aws_solutions=AwsSolutionsChecks(app),
        well_architected=WellArchitectedChecks(app, params=wa_params(deployment.config), stacks=stacks),
        readiness=DeployReadinessChecks(
            app, params=readiness_params(deployment.config, deployment.plan), stacks=stacks
        ),
        resilience=ResilienceBudgetPlugin(deployment.config, template_stacks=template_stacks),
        stateful_lock=StatefulLockPlugin(deployment.config, template_stacks=template_stacks),
        twin=TwinPlugin(deployment.config, deployment.plan, stacks=stacks),
        release_order=ReleaseOrderPlugin(deployment),
    )
    plugins = [
        checks.aws_solutions,
        checks.well_architected,
        checks.readiness,
        checks.resilience,
        checks.stateful_lock,
        checks.twin,
        checks.release_order,
        *([CfnLintPlugin(stacks=stacks), CheckovPlugin(stacks=stacks)] if lint else []),
    ]
    cdk.Validations.of(app).add_plugins(*(Timed(p, progress) if progress else p for p in plugins))
    acknowledge_deployment(deployment)
    return checks
