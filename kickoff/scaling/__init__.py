"""Kickoff pre-scaling: event calendar + viewer forecast -> scheduled capacity (pure Python).

Nothing here imports CDK, constructs or pydantic. The planner needs only the
standard library; ``simulate`` needs numpy and ``plot`` matplotlib, so they are
not imported here.

Typical use::

    from kickoff.scaling import build_plan, plan_table
    plan = build_plan(events, services, regions, PlanParams(), baseline=baseline)
    for target in plan.targets:         # one per (region, service) scalable target
        target.steps                    # one-time actions: at(...) expressions
        target.recurring                # cron(...) baseline actions
"""

from kickoff.scaling.audience import AudienceShape, diurnal_profile, event_fraction
from kickoff.scaling.footprint import compiled_peaks
from kickoff.scaling.model import (
    AlbParams,
    BandCombination,
    BaselineForecast,
    EventForecast,
    PlanError,
    PlanParams,
    PlanProblems,
    RegionModel,
    ServiceModel,
)
from kickoff.scaling.plan import (
    CapacityPlan,
    baseline_demand,
    build_plan,
    event_windows,
    window_demand,
)
from kickoff.scaling.prices import FARGATE_ARM64_US_EAST_1, FARGATE_X86_64_US_EAST_1, FargatePrice
from kickoff.scaling.report import (
    ALB_RESERVED_LCU_HOUR_USD,
    CostRow,
    PlanRow,
    format_plan_table,
    plan_costs,
    plan_table,
)
from kickoff.scaling.schedule import (
    AlbReservation,
    EventWindow,
    RecurringStep,
    ScheduledStep,
    TargetPlan,
)
from kickoff.scaling.season import check_season, season_peaks
from kickoff.scaling.table import WarmThroughput, warm_throughput

__all__ = [
    "FARGATE_ARM64_US_EAST_1",
    "FARGATE_X86_64_US_EAST_1",
    "AlbParams",
    "AlbReservation",
    "AudienceShape",
    "BandCombination",
    "BaselineForecast",
    "CapacityPlan",
    "EventForecast",
    "EventWindow",
    "FargatePrice",
    "PlanError",
    "PlanParams",
    "PlanProblems",
    "PlanRow",
    "RecurringStep",
    "RegionModel",
    "ScheduledStep",
    "ServiceModel",
    "TargetPlan",
    "WarmThroughput",
    "baseline_demand",
    "build_plan",
    "diurnal_profile",
    "event_fraction",
    "check_season",
    "compiled_peaks",
    "season_peaks",
    "event_windows",
    "ALB_RESERVED_LCU_HOUR_USD",
    "CostRow",
    "format_plan_table",
    "plan_costs",
    "plan_table",
    "warm_throughput",
    "window_demand",
]
