"""Observability stack (us-east-1): the dashboard that shows every Region side by side."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from constructs import Construct

from kickoff import naming
from kickoff.config.models import EDGE_REGION, KickoffConfig
from kickoff.constructs.cross_region_dashboard import CrossRegionDashboard, RegionView
from kickoff.constructs.level_math import floor_expression
from kickoff.planning import DeploymentPlan, FloorLevel
from kickoff.stacks.base import KickoffStack


class ObservabilityStack(KickoffStack):
    """The cross-Region dashboard. Every value it shows is found by fixed name in its Region, so it
    references no other stack; it deploys after the cells so their metrics and alarms exist."""

    def __init__(self, scope: Construct, *, config: KickoffConfig, plan: DeploymentPlan) -> None:
        super().__init__(
            scope,
            config=config,
            unit="observability",
            region=EDGE_REGION,
            cell=None,
            description=f"Kickoff {config.environment}: cross-Region dashboard",
        )
        self.dashboard = CrossRegionDashboard(
            self,
            "CrossRegionDashboard",
            dashboard_name=naming.cross_region_dashboard_name(config),
            regions=[
                RegionView(
                    region=region,
                    load_balancer_name=naming.load_balancer_name(config),
                    cluster_name=naming.cluster_name(config),
                    table_name=naming.table_name(config),
                    local_canary=(naming.canary_name(config, region) if config.monitoring.canaries.enabled else None),
                    region_impaired_alarm_arn=(
                        f"arn:{self.partition}:cloudwatch:{region}:{config.account}:alarm:"
                        f"{naming.region_impaired_alarm_name(config, region)}"
                    ),
                    plan_minimum=floor_expression(f"tasks{index}", plan_minimum(config, plan, region), subtract=False),
                )
                for index, region in enumerate(config.region_names)
            ],
            kickoffs=[(e.event_id, e.kickoff) for e in plan.events if e.kickoff >= plan.window.start],
        )


def plan_minimum(config: KickoffConfig, plan: DeploymentPlan, region: str) -> list[FloorLevel]:
    """The plan's minimum of every service of a cell added up, per event span."""
    total: dict[tuple[datetime, datetime], int] = defaultdict(int)
    for service in config.services:
        for level in plan.floor_levels(region, service.name):
            total[(level.start, level.end)] += level.min_tasks
    return [FloorLevel(start, end, tasks) for (start, end), tasks in sorted(total.items())]
