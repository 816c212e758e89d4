"""Every quota a config declares per Region, what the plan and the season need of it, and each cell's ceiling.

The needs are the ones the synth checks hold (``kickoff.planning``): the compiled horizon on the cells in
routing and the whole season on the cells as designed, N-1, the re-arrival surge and the deploy surge
included. The ceiling says how many concurrent viewers one cell serves before a limit binds: the point at
which another cell, not another quota increase, is the next step.
"""

from __future__ import annotations

from dataclasses import dataclass

from kickoff import naming
from kickoff.config.live_checks import live_quota_needs
from kickoff.config.models import QUOTA_CODES, QUOTA_SERVICES, KickoffConfig
from kickoff.plan_limits import plan_params, region_models, service_models
from kickoff.planning import DeploymentPlan, event_forecast, season_baseline
from kickoff.reports.table import render_table
from kickoff.scaling import compiled_peaks, season_peaks
from kickoff.scaling.footprint import CeilingLimit, cell_ceiling

# How long a request takes: AWS publishes no general figure (docs/getting-started.md cites the sources).
LEAD_TIME_NOTE = (
    "Lead time: AWS approves small increases automatically and sends larger ones to AWS Support, with no "
    "published time; DynamoDB says its table-throughput increases typically take 24-48 hours. Service Quotas keeps "
    "at most 20 requests open per account and 1 per quota. Reserved LCUs per Region start at 0. File every request "
    "at least a week before the first event, and check each one with the command above before the first deploy."
)

# The planner's quota names by the config field that declares them.
PLANNER_QUOTAS = {
    "fargate_vcpu": "fargate_vcpu_quota",
    "alb_targets": "alb_targets_quota",
    "network_interfaces": "network_interfaces_quota",
}


@dataclass(frozen=True)
class QuotaRow:
    """One declared quota of one Region against the largest need found."""

    region: str
    quota: str
    code: str
    declared: float
    needed: float
    command: str
    service: str = ""
    aws_default: float = 0

    @property
    def above_default(self) -> bool:
        """The config declares more than AWS grants a new account: the account needs an increase."""
        return self.declared > self.aws_default

    @property
    def request_command(self) -> str:
        """The AWS CLI call that asks for the declared value (what the synth's checks assume the account has)."""
        return (
            f"aws service-quotas request-service-quota-increase --region {self.region} --service-code {self.service} "
            f"--quota-code {self.code} --desired-value {self.declared:.0f}"
        )

    @property
    def fits(self) -> bool:
        return self.needed <= self.declared


@dataclass(frozen=True)
class QuotaReport:
    """The rows of ``kickoff quotas`` and the ceiling of every cell (limits lowest first)."""

    rows: tuple[QuotaRow, ...]
    ceilings: dict[str, tuple[CeilingLimit, ...]]


def quota_report(config: KickoffConfig, plan: DeploymentPlan) -> QuotaReport:
    """What ``kickoff quotas`` prints, as data."""
    services = service_models(config)
    needs: dict[tuple[str, str], float] = {}

    def need(region: str, quota: str, value: float) -> None:
        needs[(region, quota)] = max(needs.get((region, quota), 0.0), value)

    floor = sum(s.min_tasks * s.vcpu for s in config.services)
    if plan.capacity is not None:
        routed = region_models(config, routed_only=True)
        horizon = compiled_peaks(plan.capacity.targets, services, routed, plan.capacity.baseline)
        for region, peaks in horizon.items():
            for peak in peaks:
                need(region, peak.quota, peak.need)
    if config.calendar is not None:
        season = season_peaks(
            [event_forecast(config, e, config.region_names) for e in config.calendar.events],
            services,
            region_models(config, routed_only=False),
            plan_params(config),
            season_baseline(config, plan.window),
        )
        for (region, quota), (peak, _) in season.worst.items():
            need(region, quota, peak.need)
    rows = []
    for region in config.regions:
        need(region.name, "fargate_vcpu_quota", floor)
        lcu = (
            max((r.capacity_units for r in plan.alb_reservations(region.name)), default=0)
            if config.scaling.alb_reservations
            else 0
        )
        warm = plan.table_warm_throughput
        by_field = {
            "dynamodb_table_read_units": warm.read_units_per_second if warm else 0,
            "dynamodb_table_write_units": warm.write_units_per_second if warm else 0,
            "alb_reserved_lcu_per_region": lcu,
            "alb_reserved_lcu_per_alb": lcu,
            "targets_per_target_group": max(
                (v for (r, q), v in needs.items() if r == region.name and q.startswith("target_group_targets_quota")),
                default=0.0,
            ),
        }
        for name, planner in PLANNER_QUOTAS.items():
            by_field[name] = needs.get((region.name, planner), 0.0)
        by_field.update(live_quota_needs(config.live, region.name))
        for name, code in QUOTA_CODES.items():
            rows.append(
                QuotaRow(
                    region.name,
                    name,
                    code,
                    getattr(region.quotas, name),
                    by_field[name],
                    f"aws service-quotas get-service-quota --region {region.name} --service-code "
                    f"{QUOTA_SERVICES[name]} --quota-code {code} --query Quota.Value",
                    QUOTA_SERVICES[name],
                    type(region.quotas).model_fields[name].default,
                )
            )
    ceilings = {r.name: tuple(cell_ceiling(r, services)) for r in region_models(config, routed_only=False)}
    return QuotaReport(tuple(rows), ceilings)


def render_quotas(config: KickoffConfig, plan: DeploymentPlan, report: QuotaReport) -> str:
    """``kickoff quotas`` as printed: every declared quota with what it must cover, the requests for those the
    account must raise, and each cell's ceiling."""
    out = [
        f"{naming.environment_key(config.identity)}: declared quotas against the plan for "
        f"{plan.window.deploy_time:%Y-%m-%d %H:%M} UTC and the whole season (N-1, the re-arrival surge and each "
        "service's deploy surge included)\n",
        render_table(
            ["region", "quota", "code", "declared", "needed", "check the account's value"],
            [[r.region, r.quota, r.code, f"{r.declared:,}", f"{r.needed:,.0f}", r.command] for r in report.rows],
        ),
        "\nRequests for the quotas declared above AWS's default (the synth's checks assume the account has the "
        "declared value). Run one only where the check above returns less:",
        *(f"  {r.request_command}" for r in report.rows if r.above_default),
        f"\n{LEAD_TIME_NOTE}",
        "\nOne cell's ceiling: concurrent viewers it serves at the target utilisation before a limit binds (a steady "
        "audience; the kickoff's arrival surge comes on top). Past the first limit, raise it; past max_tasks and "
        "the quotas AWS grants, add a cell.\n",
        render_table(
            ["region", "binding limit", "viewers", "next limits"],
            [
                [
                    region,
                    limits[0].limit,
                    f"{limits[0].viewers:,.0f}",
                    "; ".join(f"{c.limit} {c.viewers:,.0f}" for c in limits[1:3]),
                ]
                for region, limits in report.ceilings.items()
            ],
        ),
    ]
    return "\n".join(out)
