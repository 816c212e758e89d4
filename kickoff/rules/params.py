"""What the template packs expect of one config: the parameters the config and its plan give them.

Pure (no CDK): ``kickoff.guardrails`` passes them to the packs on every synth, and
``python -m kickoff readiness`` to the same rules over a ``cdk.out`` it only reads.
"""

from __future__ import annotations

from kickoff import naming
from kickoff.config.live_checks import live_quota_needs
from kickoff.config.models import KickoffConfig
from kickoff.config.models.fault_injection import CELL_FAULT_ACTIONS
from kickoff.failover import retry_seconds
from kickoff.plan_limits import region_model
from kickoff.planning import DeploymentPlan, blocked_windows, event_forecast
from kickoff.rules.readiness import (
    EventWindowFacts,
    LiveChannelFacts,
    LiveFacts,
    OperationsFacts,
    ReadinessParams,
    RegionQuotas,
)
from kickoff.rules.well_architected import Params

WAF_WINDOWS = (60, 120, 300, 600)


def retry_allowance_seconds(config: KickoffConfig) -> int:
    """Time CloudFront may spend on a failed origin before it tries the next (kickoff.failover.retry_seconds)."""
    edge = config.edge
    return retry_seconds(
        edge.origin_connection_timeout_seconds, edge.origin_read_timeout_seconds, edge.origin_connection_attempts
    )


def wa_params(config: KickoffConfig) -> Params:
    """The Well-Architected pack's expectations for one config."""
    return Params(
        production=config.production,
        rto_seconds=config.resilience.rto_seconds,
        retry_allowance_seconds=retry_allowance_seconds(config),
        required_tags={"app": config.app, "env": config.environment},
        fault_actions=CELL_FAULT_ACTIONS if config.fault_injection.enabled else (),
        config_fields=config_fields(config),
    )


def config_fields(config: KickoffConfig) -> dict[str, str]:
    """Where the config values that shape resources are set (``file:line: field``), by a key rules look up."""
    fields: dict[str, str] = {}
    for i, service in enumerate(config.services):
        for name in ("min_tasks", "max_tasks", "image", "cpu"):
            fields[f"services.{service.name}.{name}"] = config.locate(("services", i, name))
    for loc in (("monitoring", "load_balancer", "critical_5xx_percent"), ("monitoring", "notifications")):
        fields[".".join(map(str, loc))] = config.locate(loc)
    operations = [("fault_injection", "zonal_autoshift"), ("monitoring", "canaries", "enabled")]
    if config.pipeline is not None:
        operations += [("pipeline", "canary_region"), ("pipeline", "bake_minutes")]
    for loc in operations:
        fields[".".join(loc)] = config.locate(loc)
    if config.live is not None:
        for i, channel in enumerate(config.live.channels):
            for name in ("ingest_regions", "events", "start_lead_minutes"):
                fields[f"live.{channel.name}.{name}"] = config.locate(("live", "channels", i, name))
            medialive = naming.live_resource_name(config.identity, channel.name)
            fields[f"live-channel:{medialive}.channel_class"] = config.locate(("live", "channels", i, "channel_class"))
        for i, region in enumerate(config.regions):
            for quota in live_quota_needs(config.live, region.name):
                fields[f"quota:{region.name}:{quota}"] = config.locate(("regions", i, "quotas", quota))
    fields[f"behavior:{config.default_behavior.path_pattern}"] = config.locate(("edge", "default_cache_policy"))
    for i, behavior in enumerate(config.edge.cache_behaviors):
        fields[f"behavior:{behavior.path_pattern}"] = config.locate(("edge", "cache_behaviors", i, "cache_policy"))
    return fields


def readiness_params(config: KickoffConfig, plan: DeploymentPlan) -> ReadinessParams:
    """The deploy-readiness pack's expectations for one config and its capacity plan."""
    window = plan.window
    return ReadinessParams(
        deploy_time=window.deploy_time,
        earliest_action=window.start,
        horizon_end=window.end,
        quotas={r.name: region_quotas(config, r.name) for r in config.regions},
        service_methods={s.name: tuple(s.methods) for s in config.services},
        event_windows=tuple(
            EventWindowFacts(w.event_ids, w.start, w.restore)
            for w in plan.season_windows
            if w.start < window.end and w.restore > window.start
        )
        if plan.capacity is not None
        else (),
        planned_regions=frozenset(config.routed_regions) if config.calendar is not None else frozenset(),
        registry_path=naming.capacity_parameter_path(config.identity),
        shared_ip_viewers=config.edge.waf.shared_ip_viewers,
        requests_per_viewer={w: config.requests_per_viewer(w) for w in WAF_WINDOWS},
        config_fields=config_fields(config),
        permissions_boundary=naming.permissions_boundary_name(config.identity),
        operations=operations_facts(config),
        live=live_facts(config),
    )


def live_facts(config: KickoffConfig) -> LiveFacts:
    """What the config says the live channels hold, with the calendar's events their schedules must cover."""
    live = config.live
    if live is None:
        return LiveFacts()
    events = (
        tuple(event_forecast(config, e, config.region_names) for e in config.calendar.events)
        if config.calendar is not None
        else ()
    )
    return LiveFacts(
        channels=tuple(
            LiveChannelFacts(
                c.name,
                naming.live_resource_name(config.identity, c.name),
                c.ingest_regions,
                c.events,
                c.start_lead_minutes,
            )
            for c in live.channels
        ),
        path_prefix=live.prefix,
        production=config.production,
        agent_rate_minutes=config.scaling.agent.rate_minutes,
        events=events,
        quotas={r.name: {q: getattr(r.quotas, q) for q in live_quota_needs(live, r.name)} for r in config.regions},
    )


def operations_facts(config: KickoffConfig) -> OperationsFacts:
    """What the config says the release, the cells' alarms and canaries and zonal autoshift hold."""
    identity, pipeline = config.identity, config.pipeline
    regions = config.region_names
    canaries = config.monitoring.canaries.enabled
    return OperationsFacts(
        canary_region=pipeline.canary_region if pipeline else None,
        bake_minutes=pipeline.bake_minutes if pipeline else 0,
        region_impaired={r: naming.region_impaired_alarm_name(identity, r) for r in config.routed_regions},
        canaries={t: naming.canary_name(identity, t) for t in (*regions, naming.VIEWER_PROBE)} if canaries else {},
        divergence_alarms={r: naming.divergence_alarm_name(identity, r, r) for r in regions}
        if canaries and len(regions) > 1
        else {},
        zonal_autoshift=config.fault_injection.zonal_autoshift,
        blocked_windows=tuple(blocked_windows(config)),
    )


def region_quotas(config: KickoffConfig, region: str) -> RegionQuotas:
    """One Region's declared quotas, and the cell's network interfaces that are not tasks."""
    quotas = config.region(region).quotas
    model = region_model(config, config.region(region))
    return RegionQuotas(
        quotas.fargate_vcpu,
        quotas.dynamodb_table_read_units,
        quotas.dynamodb_table_write_units,
        alb_targets=quotas.alb_targets,
        targets_per_target_group=quotas.targets_per_target_group,
        network_interfaces=quotas.network_interfaces,
        other_network_interfaces=model.other_network_interfaces,
    )
