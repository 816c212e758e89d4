"""Attach the checks that run on every synth: cdk-nag packs and their acknowledgements."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from kickoff.compliance.acknowledgements import acknowledge_deployment
from kickoff.compliance.readiness import EventWindowFacts, ReadinessParams, RegionQuotas
from kickoff.compliance.readiness_pack import DeployReadinessChecks
from kickoff.compliance.resilience_plugin import ResilienceBudgetPlugin
from kickoff.compliance.rule_pack import StackFacts
from kickoff.compliance.stateful_lock_plugin import StatefulLockPlugin
from kickoff.compliance.wa_pack import WellArchitectedChecks
from kickoff.compliance.wa_rules import Params
from kickoff.config.models import KickoffConfig
from kickoff.failover import retry_seconds
from kickoff.planning import DeploymentPlan
from kickoff.stacks.deployment import Deployment

WAF_WINDOWS = (60, 120, 300, 600)


def retry_allowance_seconds(config: KickoffConfig) -> int:
    """Time CloudFront may spend on a failed origin before it tries the next (kickoff.failover.retry_seconds)."""
    edge = config.edge
    return retry_seconds(edge.origin_connection_timeout_seconds, edge.origin_read_timeout_seconds,
                         edge.origin_connection_attempts)


def wa_params(config: KickoffConfig) -> Params:
    """The Well-Architected pack's expectations for one config."""
    return Params(
        production=config.production,
        rto_seconds=config.resilience.rto_seconds,
        retry_allowance_seconds=retry_allowance_seconds(config),
        required_tags={"app": config.app, "env": config.environment},
    )


def readiness_params(config: KickoffConfig, plan: DeploymentPlan) -> ReadinessParams:
    """The deploy-readiness pack's expectations for one config and its capacity plan."""
    window = plan.window
    floors = {}
    for region in config.routed_regions:
        for service in config.services:
            compiled = plan.compiled_target(region, service.name)
            if compiled is not None:
                floors[(region, service.name)] = compiled.min_capacity
    return ReadinessParams(
        deploy_time=window.deploy_time,
        earliest_action=window.start,
        horizon_end=window.end,
        quotas={r.name: RegionQuotas(r.quotas.fargate_vcpu, r.quotas.dynamodb_table_read_units,
                                     r.quotas.dynamodb_table_write_units) for r in config.regions},
        service_methods={s.name: tuple(s.methods) for s in config.services},
        floors=floors,
        event_windows=tuple(
            EventWindowFacts(w.event_ids, w.start, w.restore)
            for w in plan.season_windows if w.start < window.end and w.restore > window.start
        ) if plan.capacity is not None else (),
        planned_regions=frozenset(config.routed_regions) if plan.capacity is not None else frozenset(),
        shared_ip_viewers=config.edge.waf.shared_ip_viewers,
        requests_per_viewer={w: config.requests_per_viewer(w) for w in WAF_WINDOWS},
    )


@dataclass
class Checks:
    """The packs attached to an app, for summaries after synth."""

    aws_solutions: AwsSolutionsChecks
    well_architected: WellArchitectedChecks
    readiness: DeployReadinessChecks
    resilience: ResilienceBudgetPlugin
    stateful_lock: StatefulLockPlugin


def attach_checks(app: cdk.App, deployment: Deployment) -> Checks:
    """Register the nag packs on the app and acknowledge the reviewed findings."""
    stacks = {
        stack.template_file: StackFacts(stack=stack.stack_name, region=stack.region, cell=stack.cell_tag,
                                        account=stack.account)
        for stack in deployment.stacks
    }
    template_stacks = {file: facts.stack for file, facts in stacks.items()}
    checks = Checks(
        aws_solutions=AwsSolutionsChecks(app),
        well_architected=WellArchitectedChecks(app, params=wa_params(deployment.config), stacks=stacks),
        readiness=DeployReadinessChecks(app, params=readiness_params(deployment.config, deployment.plan), stacks=stacks),
        resilience=ResilienceBudgetPlugin(deployment.config, template_stacks=template_stacks),
        stateful_lock=StatefulLockPlugin(deployment.config, template_stacks=template_stacks),
    )
    cdk.Validations.of(app).add_plugins(checks.aws_solutions, checks.well_architected, checks.readiness, checks.resilience,
                                        checks.stateful_lock)
    acknowledge_deployment(deployment)
    return checks
