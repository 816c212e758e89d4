"""Inputs of the pre-scaling planner, as plain frozen dataclasses.

The CDK side builds these from validated config; this module only re-checks the
invariants the planner relies on (tz-aware times, shares summing to 1, sane
numbers) so the planner can also be called from a CLI or a pipeline directly.
All times are normalised to UTC on construction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum

from kickoff.scaling.alb_model import AlbParams
from kickoff.scaling.audience import AudienceShape

SHARE_TOLERANCE = 1e-6
"""Absolute tolerance when checking that region shares sum to 1."""


class PlanError(ValueError):
    """A capacity plan cannot be built or would not be executable.

    The message always names the region, the service or event, and the numbers.
    """


class PlanProblems(PlanError):
    """Every reason a plan cannot run, found in one pass (each names the region, service or event, and numbers)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)

    @staticmethod
    def raise_if_any(problems: Sequence[str]) -> None:
        """Raise ``PlanProblems`` for a non-empty list."""
        if problems:
            raise PlanProblems(problems)


def _utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (got naive {value.isoformat()})")
    return value.astimezone(UTC)


def _check_shares(shares: Mapping[str, float], what: str) -> Mapping[str, float]:
    if not shares:
        raise ValueError(f"{what}: region_share is empty")
    bad = {r: s for r, s in shares.items() if not (0.0 <= s <= 1.0) or math.isnan(s)}
    if bad:
        raise ValueError(f"{what}: region shares must be within [0, 1], got {bad}")
    total = sum(shares.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"{what}: region shares sum to {total:.6f}, expected 1")
    # A plain dict copy (picklable for the simulator's worker processes); never mutated.
    return dict(shares)


@dataclass(frozen=True)
class EventForecast:
    """One live event and its audience forecast.

    Fields:
        event_id: unique name of the event, used in plan rows and errors.
        kickoff: scheduled start, any time zone (must be tz-aware); stored in UTC.
        duration: expected length from kickoff to the final whistle.
        overtime: allowance past ``duration`` during which capacity is still held
            (overtime, weather delays). Must be >= 0.
        peak_viewers: forecast peak concurrent viewers, all regions together.
        uncertainty: half-width of the forecast band as a fraction (0.2 = +/-20%).
        region_share: region name -> fraction of viewers served there; sums to 1.
        earliest_kickoff, latest_kickoff: the flex window, when the kickoff may move (a broadcaster's flex, a
            weather delay). Default None: the scheduled kickoff. The plan covers every kickoff in the window:
            capacity is up ``lead_time`` before the earliest one's audience and held through the latest one's end
            plus overtime.
    """

    event_id: str
    kickoff: datetime
    duration: timedelta
    overtime: timedelta
    peak_viewers: int
    uncertainty: float
    region_share: Mapping[str, float]
    earliest_kickoff: datetime | None = None
    latest_kickoff: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kickoff", _utc(self.kickoff, f"event {self.event_id} kickoff"))
        for name in ("earliest_kickoff", "latest_kickoff"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _utc(value, f"event {self.event_id} {name}"))
        if not self.first_kickoff <= self.kickoff <= self.last_kickoff:
            raise ValueError(
                f"event {self.event_id}: the flex window {self.first_kickoff.isoformat()} .. "
                f"{self.last_kickoff.isoformat()} must contain the kickoff {self.kickoff.isoformat()}"
            )
        if self.duration <= timedelta(0):
            raise ValueError(f"event {self.event_id}: duration must be positive, got {self.duration}")
        if self.overtime < timedelta(0):
            raise ValueError(f"event {self.event_id}: overtime must be >= 0, got {self.overtime}")
        if self.peak_viewers < 0:
            raise ValueError(f"event {self.event_id}: peak_viewers must be >= 0, got {self.peak_viewers}")
        if not 0.0 <= self.uncertainty < 1.0:
            raise ValueError(f"event {self.event_id}: uncertainty must be in [0, 1), got {self.uncertainty}")
        object.__setattr__(self, "region_share", _check_shares(self.region_share, f"event {self.event_id}"))

    @property
    def first_kickoff(self) -> datetime:
        """The earliest possible kickoff (UTC): the scheduled one without a flex window."""
        return self.earliest_kickoff or self.kickoff

    @property
    def last_kickoff(self) -> datetime:
        """The latest possible kickoff (UTC): the scheduled one without a flex window."""
        return self.latest_kickoff or self.kickoff

    @property
    def flexes(self) -> bool:
        """Whether the kickoff may move (the flex window is wider than one instant)."""
        return self.first_kickoff != self.last_kickoff

    def kickoffs(self, spacing: timedelta) -> tuple[datetime, ...]:
        """Kickoffs the planner considers: the flex window every ``spacing`` from the earliest, the latest, the
        scheduled one. ``spacing`` no longer than the shortest interval a step covers makes the steps exact (see
        ``scenarios.window_scenarios``)."""
        if not self.flexes:
            return (self.kickoff,)
        out = {self.kickoff, self.last_kickoff}
        t = self.first_kickoff
        while t < self.last_kickoff:
            out.add(t)
            t += spacing
        return tuple(sorted(out))

    @property
    def latest_end(self) -> datetime:
        """The latest kickoff plus the expected duration and the overtime allowance (UTC): capacity is held
        until then."""
        return self.last_kickoff + self.duration + self.overtime


@dataclass(frozen=True)
class BaselineForecast:
    """The platform's predictable non-event audience (the weekday baseline).

    Fields:
        hourly_viewers: expected global concurrent viewers per UTC hour. Either 24
            values (hour of day, every day alike) or 168 (hour of week, Monday 00:00
            UTC first). Each value is the level at the middle of its hour; the
            curve is linear between hour midpoints.
        uncertainty: half-width of the baseline forecast band (fraction). Default 0.1.
        region_share: region name -> fraction of baseline viewers; sums to 1.
        valid_from: first instant the recurring baseline steps may fire (tz-aware).
        valid_until: instant after which they stop; the service's configured
            min/max are restored then.
    """

    hourly_viewers: tuple[float, ...]
    region_share: Mapping[str, float]
    valid_from: datetime
    valid_until: datetime
    uncertainty: float = 0.1

    def __post_init__(self) -> None:
        if len(self.hourly_viewers) not in (24, 168):
            raise ValueError(f"baseline: hourly_viewers needs 24 or 168 values, got {len(self.hourly_viewers)}")
        if any(v < 0 or math.isnan(v) for v in self.hourly_viewers):
            raise ValueError("baseline: hourly_viewers must be >= 0")
        object.__setattr__(self, "hourly_viewers", tuple(float(v) for v in self.hourly_viewers))
        object.__setattr__(self, "valid_from", _utc(self.valid_from, "baseline valid_from"))
        object.__setattr__(self, "valid_until", _utc(self.valid_until, "baseline valid_until"))
        if self.valid_until <= self.valid_from:
            raise ValueError("baseline: valid_until must be after valid_from")
        if not 0.0 <= self.uncertainty < 1.0:
            raise ValueError(f"baseline: uncertainty must be in [0, 1), got {self.uncertainty}")
        object.__setattr__(self, "region_share", _check_shares(self.region_share, "baseline"))


@dataclass(frozen=True)
class ServiceModel:
    """One ECS service on Fargate, deployed in every region.

    Fields:
        name: service name (matches the config's service name).
        cpu_units: Fargate task CPU units (1024 = 1 vCPU).
        memory_mib: Fargate task memory in MiB.
        min_tasks: configured baseline minimum tasks per region (restored after events).
        max_tasks: configured maximum tasks per region; a plan needing more is rejected.
        rps_per_task: requests/s one task serves at 100% CPU.
        target_utilization: fraction in (0, 1]; planning headroom and the
            target-tracking target.
        rps_per_viewer: ``a``, steady requests/s per concurrent viewer.
        requests_per_arrival: ``b``, requests caused by each newly arriving viewer
            (login, entitlement, playback start).
        table_reads_per_request: DynamoDB read units consumed per request. Default 0.
        table_writes_per_request: DynamoDB write units consumed per request. Default 0.
        deploy_surge: tasks a rolling deployment runs per planned task at its peak (ECS ``maximumPercent`` /
            100): every per-task quota (load balancer targets, network interfaces, subnet addresses, Fargate
            vCPU) must hold the plan times this, since a release can start while the plan's peak holds.
            Default 1.0 (no surge counted).
    """

    name: str
    cpu_units: int
    memory_mib: int
    min_tasks: int
    max_tasks: int
    rps_per_task: float
    target_utilization: float
    rps_per_viewer: float
    requests_per_arrival: float
    table_reads_per_request: float = 0.0
    table_writes_per_request: float = 0.0
    deploy_surge: float = 1.0

    def __post_init__(self) -> None:
        if not 1.0 <= self.deploy_surge <= 2.0:
            raise ValueError(f"service {self.name}: deploy_surge must be within [1, 2], got {self.deploy_surge}")
        if self.cpu_units <= 0 or self.memory_mib <= 0:
            raise ValueError(f"service {self.name}: cpu_units and memory_mib must be positive")
        if not 0 <= self.min_tasks <= self.max_tasks:
            raise ValueError(
                f"service {self.name}: need 0 <= min_tasks <= max_tasks, got {self.min_tasks}..{self.max_tasks}"
            )
        if self.rps_per_task <= 0:
            raise ValueError(f"service {self.name}: rps_per_task must be positive, got {self.rps_per_task}")
        if not 0.0 < self.target_utilization <= 1.0:
            raise ValueError(
                f"service {self.name}: target_utilization must be in (0, 1], got {self.target_utilization}"
            )
        if min(self.rps_per_viewer, self.requests_per_arrival) < 0:
            raise ValueError(f"service {self.name}: rps_per_viewer and requests_per_arrival must be >= 0")
        if min(self.table_reads_per_request, self.table_writes_per_request) < 0:
            raise ValueError(f"service {self.name}: table reads/writes per request must be >= 0")

    @property
    def vcpu(self) -> float:
        """vCPU per task."""
        return self.cpu_units / 1024.0

    @property
    def memory_gb(self) -> float:
        """Memory per task in GB as Fargate bills it (GiB)."""
        return self.memory_mib / 1024.0

    @property
    def rps_per_task_at_target(self) -> float:
        """Requests/s one task serves at the target utilisation."""
        return self.rps_per_task * self.target_utilization


@dataclass(frozen=True)
class RegionModel:
    """One active-active region and the per-task quotas its cell must fit (None: not checked).

    Fields:
        name: AWS Region code.
        fargate_vcpu_quota: Fargate On-Demand vCPU quota in the region (vCPU).
        alb_targets_quota: targets one Application Load Balancer may hold (every Fargate task behind the cell's
            ALB is one; ELB quota L-7E6692B2, default 1,000).
        target_group_targets_quota: IP targets one target group may hold in the Region (one target group per
            service; L-A0D0B863, default 1,000).
        network_interfaces_quota: network interfaces in the Region (every awsvpc task has one; VPC quota
            L-DF5E4CA3, default 5,000).
        other_network_interfaces: the cell's interfaces that are not tasks (interface endpoints, NAT gateways,
            load balancer nodes), counted against ``network_interfaces_quota``.
        zones: the AZs the tasks spread over (ECS balances a service across them).
        task_addresses_per_zone: IPv4 addresses a task subnet has free for tasks in each AZ.
    """

    name: str
    fargate_vcpu_quota: float
    alb_targets_quota: int | None = None
    target_group_targets_quota: int | None = None
    network_interfaces_quota: int | None = None
    other_network_interfaces: int = 0
    zones: int = 1
    task_addresses_per_zone: int | None = None

    def __post_init__(self) -> None:
        if self.fargate_vcpu_quota <= 0:
            raise ValueError(f"region {self.name}: fargate_vcpu_quota must be positive")
        if self.zones < 1 or self.other_network_interfaces < 0:
            raise ValueError(f"region {self.name}: zones must be positive and other_network_interfaces >= 0")


class BandCombination(Enum):
    """How the forecast band and the N-1 headroom combine (see decision 0005).

    MAX: each region holds max(upper band of its share, its N-1 share of the
        expected load). The default.
    PRODUCT: each region holds its N-1 share of the upper band.
    """

    MAX = "max"
    PRODUCT = "product"


@dataclass(frozen=True)
class PlanParams:
    """Knobs of the planner; every default is justified in decision 0005.

    Fields:
        lead_time: how long before load arrives its capacity is scheduled. Default
            15 min = task start up to 180 s + ALB health checks (5 x 30 s = 150 s
            with ALB defaults) + launching 1,000 tasks at 20 tasks/s (50 s) +
            scheduled-action latency (up to 60 s), about 7.3 min, doubled as margin.
        step: spacing of the one-time steps that follow an event's forecast. Default 10 min.
        resolution: forecast curve resolution (the curve is linear between points).
            Default 1 min. ``lead_time``, ``step`` and ``baseline_step`` must be
            multiples of it.
        ramp_down: delay after expected end + overtime before the restore step.
            Default 15 min (the end-of-game drop is over by then).
        baseline_step: cadence of the recurring (cron) baseline steps. Default 60 min.
        max_actions_per_target: Application Auto Scaling quota of scheduled
            actions per scalable target. Default 200 (not adjustable).
        n_minus_1: size event windows so that any one region can fail. Default True.
        n_minus_1_min_audience: hold N-1 only while some event's expected audience is at least this fraction
            of its forecast peak (0: the whole window, the pre-v2 behaviour). Below it the window is planned on
            the band alone, and a Region failure is left to target tracking. Default 0.
        failover_shift: how long a failed Region's viewers take to move to the others (DNS health checks and
            TTLs, client retries). Each moved viewer arrives again where it lands (login, entitlement, playback
            start: ``requests_per_arrival``), so N-1 curves carry that re-arrival surge on top of their own
            arrivals: ``s_r s_j / (1 - s_j) x viewers / failover_shift`` arrivals/s for Region r when j fails,
            at every instant N-1 is held (the failure may come at any of them). None leaves the surge out (the
            pre-v2 model). Default 90 s.
        n_minus_1_utilization: the utilisation a survivor may run at while it carries a failed Region's
            viewers and their re-arrival: N-1 curves are sized at it instead of each service's target
            utilisation. Target tracking scales the survivors back to the target within minutes; until then
            they run hotter but below 100%. None (default) sizes N-1 at the target utilisation, as the normal
            curve is; a value below a service's target holds more than N-1 at the target.
        max_flex_scenarios: bound on the kickoff combinations one event window is planned over (the product of
            its events' sampled flex kickoffs). Default 400.
        baseline_n_minus_1: also apply N-1 to the baseline steps. Default False.
        baseline_steps: plan the recurring (cron) steps that hold the baseline's daily swing outside event
            windows. The baseline audience still counts inside the windows either way. Default True (the
            planner's behaviour when it was written); config's ``scaling.baseline.recurring_steps`` sets it.
        band_combination: see ``BandCombination``. Default MAX.
        audience: the parametric audience shape shared with the simulator.
        alb: ALB reservation model.
    """

    lead_time: timedelta = timedelta(minutes=15)
    step: timedelta = timedelta(minutes=10)
    resolution: timedelta = timedelta(minutes=1)
    ramp_down: timedelta = timedelta(minutes=15)
    baseline_step: timedelta = timedelta(minutes=60)
    max_actions_per_target: int = 200
    n_minus_1: bool = True
    n_minus_1_min_audience: float = 0.0
    failover_shift: timedelta | None = timedelta(seconds=90)
    n_minus_1_utilization: float | None = None
    max_flex_scenarios: int = 400
    baseline_n_minus_1: bool = False
    baseline_steps: bool = True
    band_combination: BandCombination = BandCombination.MAX
    audience: AudienceShape = field(default_factory=AudienceShape)
    alb: AlbParams = field(default_factory=AlbParams)

    def __post_init__(self) -> None:
        res = self.resolution.total_seconds()
        if res <= 0 or res % 1:
            raise ValueError(f"resolution must be a positive whole number of seconds, got {self.resolution}")
        for name in ("lead_time", "step", "baseline_step", "ramp_down"):
            value = getattr(self, name).total_seconds()
            if value <= 0 or value % res:
                raise ValueError(f"{name} ({getattr(self, name)}) must be a positive multiple of resolution")
        if 86400 % self.baseline_step.total_seconds():
            raise ValueError(f"baseline_step ({self.baseline_step}) must divide a day")
        if self.max_actions_per_target < 2:
            raise ValueError("max_actions_per_target must be at least 2")
        if not 0.0 <= self.n_minus_1_min_audience <= 1.0:
            raise ValueError(f"n_minus_1_min_audience must be within [0, 1], got {self.n_minus_1_min_audience}")
        if self.failover_shift is not None and self.failover_shift.total_seconds() <= 0:
            raise ValueError(f"failover_shift must be positive or None, got {self.failover_shift}")
        if self.n_minus_1_utilization is not None and not 0.0 < self.n_minus_1_utilization <= 1.0:
            raise ValueError(f"n_minus_1_utilization must be within (0, 1], got {self.n_minus_1_utilization}")
        if self.max_flex_scenarios < 1:
            raise ValueError("max_flex_scenarios must be at least 1")
