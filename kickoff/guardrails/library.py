"""The checks a library user's app attaches: cdk-nag's AwsSolutions and Kickoff's deploy-readiness pack.

``attach_library_checks(app, stacks, registry=...)`` registers both as validation plugins, so ``cdk synth`` (and
``cdk deploy``) fail on a finding exactly as Kickoff's own synth does. The readiness pack gets what it can know
without a Kickoff config: the agent's registry path (every ECS scalable target must be registered), and no declared
quotas or calendar (the agent plans those from Kickoff's published forecast and the registered services).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from kickoff.constructs.capacity_agent import AgentRegistry
from kickoff.guardrails.readiness_pack import DeployReadinessChecks
from kickoff.guardrails.rule_pack import StackFacts
from kickoff.rules.readiness import ReadinessParams

# A library app compiles no schedule: no time enters its checks.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def library_params(stacks: Sequence[cdk.Stack], registry: AgentRegistry) -> ReadinessParams:
    """Readiness expectations for an app that embeds ``PrescaledService`` in ``stacks``."""
    return ReadinessParams(
        deploy_time=EPOCH,
        earliest_action=EPOCH,
        horizon_end=EPOCH,
        quotas={},
        service_methods={},
        planned_regions=frozenset(s.region for s in stacks),
        registry_path=registry.parameter_path,
    )


def attach_library_checks(
    app: cdk.App, stacks: Sequence[cdk.Stack], *, registry: AgentRegistry
) -> tuple[AwsSolutionsChecks, DeployReadinessChecks]:
    """Register AwsSolutions and the deploy-readiness pack on ``app`` for ``stacks`` (each with an explicit
    Region)."""
    facts = {
        s.template_file: StackFacts(stack=s.stack_name, region=s.region, cell=s.region, account=s.account)
        for s in stacks
    }
    nag = AwsSolutionsChecks(app)
    readiness = DeployReadinessChecks(app, params=library_params(stacks, registry), stacks=facts)
    cdk.Validations.of(app).add_plugins(nag, readiness)
    return nag, readiness
