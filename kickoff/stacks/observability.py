"""Observability stack (us-east-1): the dashboard that shows every Region side by side."""

from __future__ import annotations

from constructs import Construct

from kickoff import naming
from kickoff.config.models import EDGE_REGION, KickoffConfig, LiveConfig
from kickoff.constructs.cross_region_dashboard import CrossRegionDashboard, RegionView
from kickoff.constructs.live_monitoring import live_alarm_keys
from kickoff.stacks.base import KickoffStack


class ObservabilityStack(KickoffStack):
    """The cross-Region dashboard. Every value it shows is found by fixed name in its Region, so it
    references no other stack; it deploys after the cells so their metrics and alarms exist."""

    def __init__(self, scope: Construct, *, config: KickoffConfig) -> None:
        super().__init__(
            scope,
            config=config,
            unit="observability",
            region=EDGE_REGION,
            cell=None,
            description=f"Kickoff {config.environment}: cross-Region dashboard",
        )
        live = config.live or LiveConfig(channels=())
        self.dashboard = CrossRegionDashboard(
            self,
            "CrossRegionDashboard",
            dashboard_name=naming.cross_region_dashboard_name(config.identity),
            regions=[
                RegionView(
                    region=region,
                    load_balancer_name=naming.load_balancer_name(config.identity),
                    cluster_name=naming.cluster_name(config.identity),
                    table_name=naming.table_name(config.identity),
                    local_canary=(
                        naming.canary_name(config.identity, region) if config.monitoring.canaries.enabled else None
                    ),
                    region_impaired_alarm_arn=(
                        f"arn:{self.partition}:cloudwatch:{region}:{config.account}:alarm:"
                        f"{naming.region_impaired_alarm_name(config.identity, region)}"
                    ),
                    plan_environment=naming.environment_key(config.identity) if config.calendar is not None else None,
                    live_group=naming.live_channel_group_name(config.identity) if live.channels_in(region) else None,
                    live_alarm_arns=tuple(
                        f"arn:{self.partition}:cloudwatch:{region}:{config.account}:alarm:"
                        f"{naming.live_alarm_name(config.identity, region, channel.name, key)}"
                        for channel in live.channels_in(region)
                        for key in live_alarm_keys(channel.pipelines)
                    ),
                )
                for region in config.region_names
            ],
            kickoffs=[(e.id, e.kickoff) for e in config.calendar.events] if config.calendar is not None else [],
        )
