"""Benchmark: four scaling policies over one week with a TNF-like game, across forecast errors.

Run from the repository root:  .venv/bin/python bench/prescaling.py
Writes bench/results/prescaling.md, prescaling.png and prescaling_event.png.
Every parameter and its source is in bench/README.md.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

# Run as a script from the repo root without installing the package.
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from kickoff.config import load_config  # noqa: E402
from kickoff.planning import plan_params, service_models  # noqa: E402
from kickoff.scaling.audience import diurnal_profile  # noqa: E402
from kickoff.scaling.model import BaselineForecast, EventForecast, RegionModel  # noqa: E402
from kickoff.scaling.plan import CapacityPlan, build_plan  # noqa: E402
from kickoff.scaling.plot import plot_event  # noqa: E402
from kickoff.scaling.prices import FARGATE_ARM64_US_EAST_1, FARGATE_X86_64_US_EAST_1  # noqa: E402
from kickoff.scaling.simulate.audience import RegionFailure, Stress, realise, service_load  # noqa: E402
from kickoff.scaling.simulate.comparison import cost_rows, cost_targets  # noqa: E402
from kickoff.scaling.simulate.engine import POLICY_STREAMS, SimParams, simulate_region  # noqa: E402
from kickoff.scaling.simulate.policies import Policy, PolicyMetrics, policy_ranges, run_policy  # noqa: E402
from kickoff.scaling.table import warm_throughput  # noqa: E402

RESULTS = REPO / "bench" / "results"
WEEK_START = datetime(2024, 9, 9, tzinfo=UTC)  # Monday of the 2024 season opener week
WEEK_HOURS = 168
ERRORS = tuple(round(-0.30 + 0.05 * i, 2) for i in range(13))
SHARES = {"us-east-1": 0.4, "us-east-2": 0.3, "us-west-2": 0.3}
PRICES = (FARGATE_ARM64_US_EAST_1, FARGATE_X86_64_US_EAST_1)
SIM = SimParams()

EVENT = EventForecast(
    event_id="tnf-2024-w1",
    kickoff=datetime(2024, 9, 12, 20, 15, tzinfo=timezone(timedelta(hours=-4))),  # 8:15 pm EDT
    duration=timedelta(minutes=190),
    overtime=timedelta(minutes=30),
    peak_viewers=18_090_000,
    uncertainty=0.2,
    region_share=SHARES,
)
BASELINE = BaselineForecast(
    hourly_viewers=diurnal_profile(mean_viewers=2.0e6, amplitude=0.6, peak_hour_utc=1.0),
    region_share=SHARES,
    valid_from=WEEK_START,
    valid_until=WEEK_START + timedelta(hours=WEEK_HOURS),
    uncertainty=0.1,
)
# Services, quotas and planner knobs come from the shipped production config, so the benchmark
# measures the plan `make synth` compiles; only the audience (the 2024 opener week) is the bench's own.
PROD = load_config(REPO / "config" / "prod.yaml")
# The benchmark measures plans, not quotas: no deploy surge on the vCPU it checks (a stress case above the forecast
# would otherwise be refused for a release that cannot happen inside it).
SERVICES = tuple(replace(s, deploy_surge=1.0) for s in service_models(PROD))
REGIONS = tuple(RegionModel(r.name, fargate_vcpu_quota=r.quotas.fargate_vcpu) for r in PROD.regions)
PARAMS = plan_params(PROD)
PROFILE = max(PROD.scaling.departure_profiles, key=lambda p: p.peak_rate)
"""How a failed Region's viewers leave it in the simulation: prod's worst declared departure profile."""
DETECTION = timedelta(seconds=PROFILE.detection_seconds)
SPREAD = timedelta(seconds=PROFILE.equivalent_spread_seconds)


def make_plan() -> CapacityPlan:
    """The Kickoff plan for the benchmark week (built from the unperturbed forecast; once per process, shared with
    the baseline sensitivity's runs at the shipped band)."""
    return band_plan(BASELINE.uncertainty)


PEAK_AFTER_KICKOFF = timedelta(minutes=PARAMS.audience.peak_after)
"""When the audience peaks after kickoff (the shape's ``peak_after``): the stress cases fail a Region then."""
FLEX = timedelta(minutes=45)
STRESS_HOURS = 30
"""Each stress case is simulated from 12 h before its first kickoff, for this many hours."""
HEADLINE = (Policy.REACTIVE, Policy.CAREFUL, Policy.KICKOFF)
"""The policies the benchmark's targets compare: (d) against (c) and the careful human (b)."""

BASELINE_PEAK = WEEK_START + timedelta(days=1, hours=1)
"""Tuesday 01:00 UTC: the baseline's daily peak, two days before the game (outside any event window)."""
FLEXED_EVENT = replace(EVENT, earliest_kickoff=EVENT.kickoff - FLEX, latest_kickoff=EVENT.kickoff + FLEX)
SATURDAY = timezone(timedelta(hours=-4))
DOUBLEHEADER = (
    replace(EVENT, event_id="dh-early", kickoff=datetime(2024, 9, 14, 13, 0, tzinfo=SATURDAY), peak_viewers=12_000_000),
    replace(EVENT, event_id="dh-late", kickoff=datetime(2024, 9, 14, 16, 25, tzinfo=SATURDAY)),
)
"""A Saturday doubleheader: 1:00 pm and 4:25 pm EDT, the late game the size of the opener."""


@dataclass(frozen=True)
class StressCase:
    """One stress case: the calendar it plans, how the realised day departs from it, and the errors swept.

    ``target`` False marks a contrast case, shown beside the target cases but not one of them.
    """

    name: str
    events: tuple[EventForecast, ...]
    stress: Stress
    errors: tuple[float, ...] = ERRORS
    target: bool = True
    begins: datetime | None = None

    @property
    def start(self) -> datetime:
        """First simulated instant: ``begins``, or 12 h before the first kickoff, on the hour (UTC)."""
        if self.begins is not None:
            return self.begins
        first = min(e.kickoff for e in self.events).astimezone(UTC) - timedelta(hours=12)
        return first.replace(minute=0, second=0, microsecond=0)


def _failure(region: str, at: datetime, spread: timedelta = SPREAD) -> RegionFailure:
    """``region`` fails at ``at``; its viewers leave after prod's detection time, evenly over ``spread``."""
    return RegionFailure(region, at, spread, DETECTION)


def stress_cases() -> list[StressCase]:
    """The target stress cases, then two contrast cases."""
    at_peak = EVENT.kickoff + PEAK_AFTER_KICKOFF
    return [
        StressCase("doubleheader, both games 30 min into overtime", DOUBLEHEADER, Stress(overrun=EVENT.overtime)),
        StressCase("kickoff 45 min early (flex window +/-45 min)", (FLEXED_EVENT,), Stress(kickoff_shift=-FLEX)),
        StressCase("kickoff 45 min late (flex window +/-45 min)", (FLEXED_EVENT,), Stress(kickoff_shift=FLEX)),
        StressCase("peak 40% above forecast", (EVENT,), Stress(), errors=(0.4,)),
        *(
            StressCase(f"{r.name} fails at the peak", (EVENT,), Stress(failure=_failure(r.name, at_peak)))
            for r in REGIONS
        ),
        StressCase(
            "contrast: kickoff 45 min early, no flex window", (EVENT,), Stress(kickoff_shift=-FLEX), target=False
        ),
        StressCase(
            f"contrast: {REGIONS[0].name} fails in the pre-game (kickoff - 30 min)",
            (EVENT,),
            Stress(failure=_failure(REGIONS[0].name, EVENT.kickoff - timedelta(minutes=30))),
            target=False,
        ),
        StressCase(
            f"contrast: {REGIONS[0].name} fails at the baseline's daily peak, no event (Tue 01:00 UTC)",
            (EVENT,),
            Stress(failure=_failure(REGIONS[0].name, BASELINE_PEAK)),
            errors=(0.0,),
            target=False,
            begins=BASELINE_PEAK - timedelta(hours=12),
        ),
    ]


@cache
def stress_plan(index: int) -> CapacityPlan:
    """The plan of stress case ``index``, built once per process for all the errors it is run at."""
    return build_plan(list(stress_cases()[index].events), SERVICES, REGIONS, PARAMS, baseline=BASELINE)


def run_stress(job: tuple[int, float]) -> tuple[int, list[PolicyMetrics]]:
    """The headline policies on stress case ``job[0]`` at forecast error ``job[1]``."""
    index, error = job
    case = stress_cases()[index]
    plan = stress_plan(index)
    audience = realise(plan, case.start, STRESS_HOURS, error, SIM, stress=case.stress)
    return index, [run_policy(p, plan, audience, SIM, PRICES, error, case.stress) for p in HEADLINE]


NOISE_SIGMA = 0.03
"""Sensitivity run: realised audience with 3% AR(1) noise (30 min correlation) at zero error."""


def run_error(error: float) -> tuple[list[PolicyMetrics], dict[str, np.ndarray]]:
    """Every policy at one forecast error; at zero error also the vCPU series for the chart."""
    plan = make_plan()
    audience = realise(plan, WEEK_START, WEEK_HOURS, error, SIM)
    metrics = [run_policy(p, plan, audience, SIM, PRICES, error) for p in Policy]
    series: dict[str, np.ndarray] = {}
    if error == 0.0:
        series = vcpu_series(plan, audience)
    return metrics, series


def run_request_metric() -> list[PolicyMetrics]:
    """(c) and (d) at zero error when target tracking follows a non-saturating request-count metric."""
    plan = make_plan()
    uncapped = replace(SIM, metric_saturates=False)
    audience = realise(plan, WEEK_START, WEEK_HOURS, 0.0, uncapped)
    return [run_policy(p, plan, audience, uncapped, PRICES, 0.0) for p in (Policy.REACTIVE, Policy.KICKOFF)]


NO_SURGE = {"failover_shift": None}
_MOVE = f"{DETECTION.total_seconds():.0f} s detection, then over {SPREAD.total_seconds():.0f} s"
CLIENT_CONTRACT = "clients spread their return over 300 s (a jittered-retry client contract), planned for it"
CLIENT_CONTRACT_70 = "the same client contract, N-1 sized at 70% utilisation"
_SHIPPED_N1 = (
    f"{PARAMS.n_minus_1_utilization:.0%} utilisation" if PARAMS.n_minus_1_utilization else "the target utilisation"
)
OVERHEAD_VARIANTS = (
    (
        f"as shipped: N-1 at {_SHIPPED_N1} through the whole window, surge over "
        f"{PARAMS.failover_shift.total_seconds():.0f} s, no baseline steps, baseline without N-1",
        {},
        0.1,
    ),
    (
        "N-1 on recurring baseline steps (baseline_n_minus_1 with recurring_steps)",
        {"baseline_n_minus_1": True, "baseline_steps": True},
        0.1,
    ),
    ("N-1 while the audience >= 25% of its peak", {"n_minus_1_min_audience": 0.25}, 0.1),
    ("N-1 while the audience >= 50% of its peak", {"n_minus_1_min_audience": 0.5}, 0.1),
    ("N-1 while the audience >= 75% of its peak", {"n_minus_1_min_audience": 0.75}, 0.1),
    ("recurring baseline steps on (scaling.baseline.recurring_steps)", {"baseline_steps": True}, 0.1),
    (
        f"planned for a surge over 90 s, viewers still move as shipped ({_MOVE})",
        {"failover_shift": timedelta(seconds=90)},
        0.1,
    ),
    (
        f"planned for a surge over 300 s, viewers still move as shipped ({_MOVE})",
        {"failover_shift": timedelta(seconds=300)},
        0.1,
    ),
    (
        CLIENT_CONTRACT,
        {"failover_shift": timedelta(seconds=300)},
        0.1,
        timedelta(seconds=300),
    ),
    (
        CLIENT_CONTRACT_70,
        {"failover_shift": timedelta(seconds=300), "n_minus_1_utilization": 0.7},
        0.1,
        timedelta(seconds=300),
    ),
    ("no re-arrival surge (the pre-v2 N-1 model)", NO_SURGE, 0.1),
    ("no surge, baseline band 0", NO_SURGE, 0.0),
    (
        "no surge, baseline band 0, 15-min baseline steps (the earlier +15.0% plan)",
        {**NO_SURGE, "baseline_step": timedelta(minutes=15)},
        0.0,
    ),
    ("N-1 sized at the 60% target utilisation (n_minus_1_utilization: null)", {"n_minus_1_utilization": None}, 0.1),
    ("N-1 sized at 70% utilisation", {"n_minus_1_utilization": 0.7}, 0.1),
    ("N-1 sized at 80% utilisation", {"n_minus_1_utilization": 0.8}, 0.1),
    ("without N-1", {"n_minus_1": False}, 0.1),
    ("without N-1, baseline band 0", {"n_minus_1": False}, 0.0),
)
"""Plan variants that show what (d)'s extra task-hours over (c) are made of (the shipped settings are not
changed). The threshold is ``n_minus_1_min_audience``; the surge is ``failover_shift``; the utilisation N-1 is
sized at is ``n_minus_1_utilization``. A fourth element sets how fast the failed Region's viewers move in the
simulation (default prod's departure profile: ``_MOVE``)."""


FAILURES = tuple(
    (f"{m:+.0f} min", EVENT.kickoff + timedelta(minutes=m))
    for m in (-60, -30, -10, 0, 10, 30, PARAMS.audience.peak_after, 150, 190, 220)
) + (("Tue 01:00 (baseline peak)", BASELINE_PEAK),)
"""When the variants table fails us-east-1 (its largest share): from kickoff, the pre-game, the kickoff surge,
the build, the peak, late game, overtime; then the baseline's daily peak two days before the game."""


HOT_ERROR = 0.3
"""The variants table also fails us-east-1 at the peak with the audience this much above forecast: the edge of
the targets' error range, where a plan that sizes N-1 hotter than the target runs out of headroom first."""


def run_overhead_variant(variant: tuple) -> tuple[str, float, float, tuple[float, ...], tuple[float, float]]:
    """(d) task-hours over (c) and under (b) at zero error, (d)'s dropped requests when us-east-1 fails at each of
    ``FAILURES``, and (d)'s seconds above 85% and dropped requests when it fails at the peak at ``HOT_ERROR``, for
    one of ``OVERHEAD_VARIANTS`` (name, planner overrides, baseline band, and how fast the failed Region's viewers
    move in the simulation, prod's departure profile unless given)."""
    name, overrides, band, *moves = variant
    shift = moves[0] if moves else SPREAD
    plan = build_plan(
        [EVENT], SERVICES, REGIONS, replace(PARAMS, **overrides), baseline=replace(BASELINE, uncertainty=band)
    )
    audience = realise(plan, WEEK_START, WEEK_HOURS, 0.0, SIM)
    c, d, e = (
        run_policy(p, plan, audience, SIM, PRICES, 0.0) for p in (Policy.REACTIVE, Policy.KICKOFF, Policy.CAREFUL)
    )
    lost = []
    for _, at in FAILURES:
        stress = Stress(failure=_failure(REGIONS[0].name, at, shift))
        failed = realise(plan, WEEK_START, WEEK_HOURS, 0.0, SIM, stress=stress)
        lost.append(run_policy(Policy.KICKOFF, plan, failed, SIM, PRICES, 0.0, stress).dropped_requests)
    stress = Stress(failure=_failure(REGIONS[0].name, EVENT.kickoff + PEAK_AFTER_KICKOFF, shift))
    failed = realise(plan, WEEK_START, WEEK_HOURS, HOT_ERROR, SIM, stress=stress)
    hot = run_policy(Policy.KICKOFF, plan, failed, SIM, PRICES, HOT_ERROR, stress)
    return (
        name,
        d.task_hours / c.task_hours - 1,
        1 - d.task_hours / e.task_hours,
        tuple(lost),
        (hot.above_85_seconds, hot.dropped_requests),
        d.cost_arm64 / c.cost_arm64 - 1,
    )


BASELINE_ERRORS = (-0.2, -0.1, 0.0, 0.1, 0.2, 0.3)
"""Baseline sensitivity: the realised baseline is its forecast x (1 + each), at zero event error."""


@cache
def band_plan(band: float) -> CapacityPlan:
    """The week's plan with the baseline band ``band`` (the shipped settings otherwise), once per process."""
    return build_plan([EVENT], SERVICES, REGIONS, PARAMS, baseline=replace(BASELINE, uncertainty=band))


def run_baseline_error(job: tuple[float, float]) -> tuple[float, float, list[PolicyMetrics]]:
    """(c) and (d) on the standard week when the baseline misses its forecast by ``job[1]``, planned with the
    baseline band ``job[0]``."""
    band, error = job
    plan = band_plan(band)
    stress = Stress(baseline_error=error)
    audience = realise(plan, WEEK_START, WEEK_HOURS, 0.0, SIM, stress=stress)
    return (
        band,
        error,
        [run_policy(p, plan, audience, SIM, PRICES, 0.0, stress) for p in (Policy.REACTIVE, Policy.KICKOFF)],
    )


def run_noise() -> list[PolicyMetrics]:
    """Every policy at zero error with a noisy realised audience (sensitivity, not a target)."""
    plan = make_plan()
    noisy = replace(SIM, noise_sigma=NOISE_SIGMA)
    audience = realise(plan, WEEK_START, WEEK_HOURS, 0.0, noisy)
    return [run_policy(p, plan, audience, noisy, PRICES, 0.0) for p in Policy]


def vcpu_series(plan: CapacityPlan, audience) -> dict[str, np.ndarray]:
    """Billed vCPU per minute for each policy, and the vCPU the realised load needs at the target."""
    per = SIM.steps_per_period
    n = len(next(iter(audience.by_region.values()))) // per * per
    out: dict[str, np.ndarray] = {"required": np.zeros(n // per)}
    for policy in Policy:
        total = np.zeros(n)
        for ri, region in enumerate(plan.regions):
            loads, mins, maxs = [], [], []
            for svc in plan.services:
                load = service_load(audience.by_region[region.name][:n], svc, SIM.step_s)
                loads.append(load)
                lo, hi, tt = policy_ranges(
                    policy, plan, region.name, svc, audience.start, n // per, SIM.metric_period_s
                )
                mins.append(lo)
                maxs.append(hi)
                if policy is Policy.STATIC:
                    need = np.ceil(load / (svc.rps_per_task * svc.target_utilization)) * svc.vcpu
                    out["required"] += need.reshape(-1, per).max(axis=1)
            rng = np.random.default_rng([SIM.seed, ri, POLICY_STREAMS.index(policy.value)])
            initial = [int(m[0]) for m in mins] if policy is Policy.STATIC else None
            runs = simulate_region(loads, plan.services, mins, maxs, tt, SIM, rng, initial)
            for svc, run in zip(plan.services, runs):
                total += run.provisioned * svc.vcpu
        out[policy.value] = total.reshape(-1, per).mean(axis=1)
    return out


def _pct(a: float, b: float) -> str:
    return f"{(a / b - 1) * 100:+.1f}%" if b else "n/a"


def write_markdown(
    plan: CapacityPlan,
    results: list[PolicyMetrics],
    noisy: list[PolicyMetrics],
    uncapped: list[PolicyMetrics],
    overhead: list[tuple[str, float, float, tuple[float, ...], tuple[float, float], float]],
    stress: dict[int, list[list[PolicyMetrics]]],
    baseline_runs: list[tuple[float, float, list[PolicyMetrics]]],
) -> Path:
    """bench/results/prescaling.md: parameters, per-error table and the targets."""
    by = {(m.policy, m.error): m for m in results}
    lines = [
        "# Pre-scaling benchmark",
        "",
        "Generated by `.venv/bin/python bench/prescaling.py` (do not edit by hand). "
        "Parameters and their sources: `bench/README.md`.",
        "",
        "## Parameters",
        "",
        f"- Week: {WEEK_START:%Y-%m-%d %H:%M} UTC + {WEEK_HOURS} h; step {SIM.step_s} s; seed {SIM.seed}.",
        f"- Event `{EVENT.event_id}`: kickoff {EVENT.kickoff:%Y-%m-%d %H:%M} UTC, forecast peak "
        f"{EVENT.peak_viewers:,} viewers, duration {EVENT.duration}, overtime allowance {EVENT.overtime}, "
        f"band +/-{EVENT.uncertainty:.0%}.",
        f"- Baseline: mean 2.0M viewers, +/-60% daily swing peaking 01:00 UTC, band +/-{BASELINE.uncertainty:.0%}. "
        "The forecast error scales the event audience only; the realised baseline equals its forecast.",
        f"- Region shares: {', '.join(f'{r} {s:.0%}' for r, s in SHARES.items())}.",
        f"- Target tracking: {SIM.scale_out_datapoints}/{SIM.scale_out_datapoints} high datapoints to scale out, "
        f"{SIM.scale_in_datapoints}/{SIM.scale_in_datapoints} low (< {SIM.scale_in_threshold:.0%} of target) to "
        f"scale in, cooldowns {SIM.scale_out_cooldown_s}/{SIM.scale_in_cooldown_s} s, task start "
        f"{SIM.task_start_min_s:.0f}-{SIM.task_start_max_s:.0f} s, {SIM.launch_rate_per_s:.0f} launches/s.",
        f"- Prices (us-east-1 Linux): ARM64 ${PRICES[0].per_vcpu_hour}/vCPU-h + ${PRICES[0].per_gb_hour}/GB-h; "
        f"x86 ${PRICES[1].per_vcpu_hour}/vCPU-h + ${PRICES[1].per_gb_hour}/GB-h.",
        "",
        "| service | vCPU | GiB | rps/task | target | a (rps/viewer) | b (req/arrival) |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in SERVICES:
        lines.append(
            f"| {s.name} | {s.vcpu:g} | {s.memory_gb:g} | {s.rps_per_task:g} | {s.target_utilization:.0%} "
            f"| {s.rps_per_viewer:.4f} | {s.requests_per_arrival:g} |"
        )
    lines += [
        "",
        "## Plan (zero error is the forecast itself)",
        "",
        "| region | service | one-time steps | recurring steps | actions | peak tasks | peak vCPU |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in plan.targets:
        lines.append(
            f"| {t.region} | {t.service} | {len(t.steps)} | {len(t.recurring)} | {t.action_count} "
            f"| {t.peak_tasks} | {t.peak_vcpu:,.0f} |"
        )
    wt = warm_throughput(
        plan.windows, plan.events, plan.baseline, plan.services, [r.name for r in plan.regions], plan.params
    )
    lines += [
        "",
        f"DynamoDB warm throughput: {wt.read_units_per_second:,} reads/s, "
        f"{wt.write_units_per_second:,} writes/s per replica. ALB reservations: "
        + "; ".join(f"{r.region} {r.at:%m-%d %H:%M} {r.capacity_units:,} LCU" for r in plan.alb_reservations)
        + ".",
    ]
    lines += [
        "",
        "## Results per forecast error",
        "",
        "Under-provisioned: load > running tasks x rps_per_task x target utilisation, for any target "
        "(seconds of wall clock). Shortfall: missing request capacity at target utilisation, all targets.",
        "",
        "| error | policy | task-hours | ARM64 USD | x86 USD | under-prov. s | target-s | peak shortfall rps "
        "| missing M req | h >= 90% peak |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for error in ERRORS:
        for p in Policy:
            m = by[(p, error)]
            lines.append(
                f"| {error:+.0%} | {p.label} | {m.task_hours:,.0f} | {m.cost_arm64:,.0f} | {m.cost_x86:,.0f} "
                f"| {m.under_seconds:,.0f} | {m.under_target_seconds:,.0f} | {m.peak_shortfall_rps:,.0f} "
                f"| {m.missing_requests / 1e6:,.1f} | {m.hours_near_peak:.1f} |"
            )
    lines += [
        "",
        "## Under-provisioning, three measures side by side",
        "",
        "Below target: load above the running capacity at the target utilisation (the measure above; target "
        "tracking sits at its target by design). Above 85%: load above 85% of the running capacity. Dropped: load "
        "above 100% of the running capacity; the requests over it fail. Seconds of wall clock in which any target "
        "was so; each as total / inside events (while an event has an audience: pre-game arrivals to its last "
        "viewers).",
        "",
        "| error | policy | below target s | above 85% s | above 100% s | dropped requests |",
        "|---|---|---|---|---|---|",
    ]
    for error in ERRORS:
        for p in Policy:
            m = by[(p, error)]
            lines.append(
                f"| {error:+.0%} | {p.label} | {m.under_seconds:,.0f} / {m.under_seconds_in_events:,.0f} "
                f"| {m.above_85_seconds:,.0f} / {m.above_85_seconds_in_events:,.0f} "
                f"| {m.above_100_seconds:,.0f} / {m.above_100_seconds_in_events:,.0f} "
                f"| {m.dropped_requests:,.0f} / {m.dropped_requests_in_events:,.0f} |"
            )
    lines += [
        "",
        "## Stress cases",
        "",
        f"Each case is planned from its own calendar with the same settings and simulated for {STRESS_HOURS} h "
        f"from 12 h before its first kickoff. A failed Region's viewers leave it after {_MOVE} (prod's departure "
        "profile), linearly, and arrive in "
        "the others in proportion to their viewers; each arrives anew there (login, entitlement, playback start). "
        "Worst figure over the errors listed; above 85% as total (inside events).",
        "",
    ]
    lines += stress_lines(stress)
    contract = min((row[5] for row in overhead if row[0] in (CLIENT_CONTRACT, CLIENT_CONTRACT_70)), default=None)
    zero = {p: by[(p, 0.0)] for p in Policy if (p, 0.0) in by}
    lines += [
        "",
        "## Cost at zero error: task-hours, vCPU-hours and USD",
        "",
        "Task-hours weigh a 0.5 vCPU task the same as a 2 vCPU one, so the comparison is in USD (Fargate ARM64), with "
        "the other two beside it. (b-N1) holds what the plan holds at its peak (N-1, the re-arrival surge and the "
        "band) from 4 h before the kickoff to 2 h after the end: the same resilience as (d), held flat by hand.",
        "",
        "| policy | task-hours | vCPU-hours | ARM64 USD | vs (c) | vs (b-N1) | dropped in events |",
        "|---|---|---|---|---|---|---|",
        *("| " + " | ".join(row) + " |" for row in cost_rows(zero)),
        "",
        *(t.line() for t in cost_targets(zero, contract)),
    ]
    lines += ["", "## The benchmark's targets (zero-noise sweep and stress cases above)", ""] + stress_target_lines(
        by, stress
    )
    lines += ["", "## The first targets (zero-noise sweep above)", ""] + target_lines(by)
    lines += [
        "",
        f"## Sensitivity: zero error, realised audience with {NOISE_SIGMA:.0%} AR(1) noise "
        f"(tau {SIM.noise_tau_min:.0f} min), same seed",
        "",
        "| policy | task-hours | under-prov. s | target-s | peak shortfall rps | missing M req |",
        "|---|---|---|---|---|---|",
    ]
    for m in noisy:
        lines.append(
            f"| {m.policy.label} | {m.task_hours:,.0f} | {m.under_seconds:,.0f} | "
            f"{m.under_target_seconds:,.0f} | {m.peak_shortfall_rps:,.0f} | "
            f"{m.missing_requests / 1e6:,.1f} |"
        )
    lines += [
        "",
        "## Sensitivity: the baseline misses its forecast (zero event error)",
        "",
        "The realised baseline is its forecast x (1 + error) all week; the plan holds the baseline's band "
        f"(shipped: +/-{BASELINE.uncertainty:.0%}) or none. Totals over the week; the baseline is planned without "
        "N-1, as shipped. What the band buys is the old measure only (seconds with load above the target "
        "utilisation, outside events): with no band, tracking follows the slow baseline up from the floor, "
        "above the target but never above 85%.",
        "",
        "| baseline band | baseline error | policy | task-hours | below target s | above 85% s | above 100% s "
        "| dropped requests |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for band, error, metrics in baseline_runs:
        for m in metrics:
            lines.append(
                f"| +/-{band:.0%} | {error:+.0%} | {m.policy.label} | {m.task_hours:,.0f} | {m.under_seconds:,.0f} | "
                f"{m.above_85_seconds:,.0f} | {m.above_100_seconds:,.0f} | {m.dropped_requests:,.0f} |"
            )
    lines += [
        "",
        "## What (d)'s extra task-hours over (c) are made of (zero error)",
        "",
        f"The last columns fail {REGIONS[0].name} (its viewers move after {_MOVE} unless the variant says so) at "
        "that time of the standard week, from kickoff or at the baseline's peak, and count the requests (d) drops, "
        f"in millions. The last column fails it at the peak with the audience {HOT_ERROR:+.0%} above forecast, the "
        "edge of the targets' range: (d)'s seconds above 85% of capacity / requests dropped.",
        "",
        "| plan variant | (d) task-hours vs (c) | (d) USD vs (c) | (d) fewer than the careful human (b) | "
        + " | ".join(label for label, _ in FAILURES)
        + f" | peak, {HOT_ERROR:+.0%}: above 85% s / dropped |",
        "|---|---|---|---|" + "---|" * (len(FAILURES) + 1),
    ]
    lines += [
        f"| {name} | {vs_c:+.1%} | {usd:+.1%} | {vs_e:.1%} | "
        + " | ".join(f"{x / 1e6:,.2f}" for x in lost)
        + f" | {hot[0]:,.0f} / {hot[1]:,.0f} |"
        for name, vs_c, vs_e, lost, hot, usd in overhead
    ]
    lines += [
        "",
        "## Sensitivity: zero error, target tracking on a non-saturating request-count metric",
        "",
        "| policy | task-hours | under-prov. s | target-s | peak shortfall rps | missing M req |",
        "|---|---|---|---|---|---|",
    ]
    for m in uncapped:
        lines.append(
            f"| {m.policy.label} | {m.task_hours:,.0f} | {m.under_seconds:,.0f} | "
            f"{m.under_target_seconds:,.0f} | {m.peak_shortfall_rps:,.0f} | "
            f"{m.missing_requests / 1e6:,.1f} |"
        )
    out = RESULTS / "prescaling.md"
    out.write_text("\n".join(lines) + "\n")
    return out


def _worst(metrics: list[PolicyMetrics], field: str, within: float = 0.3) -> float:
    return max((getattr(m, field) for m in metrics if abs(m.error) <= within + 1e-9), default=0.0)


def stress_lines(stress: dict[int, list[list[PolicyMetrics]]]) -> list[str]:
    """The stress-case table: per case and headline policy, the worst figure over the case's errors."""
    lines = [
        "| case | errors | policy | above 85% s (events) | above 100% s | dropped requests | below target s in "
        "events (+/-20%) | task-hours at the first error |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for index, case in enumerate(stress_cases()):
        runs = stress[index]
        span = f"{case.errors[0]:+.0%}" if len(case.errors) == 1 else f"{case.errors[0]:+.0%}..{case.errors[-1]:+.0%}"
        for i, policy in enumerate(HEADLINE):
            mine = [r[i] for r in runs]
            within = 0.2 if len(case.errors) > 1 else 1.0
            lines.append(
                f"| {case.name} | {span} | {policy.label} | {_worst(mine, 'above_85_seconds', 1):,.0f} "
                f"({_worst(mine, 'above_85_seconds_in_events', 1):,.0f}) | {_worst(mine, 'above_100_seconds', 1):,.0f} "
                f"| {_worst(mine, 'dropped_requests', 1):,.0f} "
                f"| {_worst(mine, 'under_seconds_in_events', within):,.0f} | {mine[0].task_hours:,.0f} |"
            )
    return lines


def stress_target_lines(by: dict, stress: dict[int, list[list[PolicyMetrics]]]) -> list[str]:
    """The benchmark's targets, measured on the standard week and the stress cases, with pass/miss."""
    d = [by[(Policy.KICKOFF, e)] for e in ERRORS]
    failing = []
    for index, case in enumerate(stress_cases()):
        if not case.target:
            continue
        mine = [r[HEADLINE.index(Policy.KICKOFF)] for r in stress[index]]
        hot, lost = _worst(mine, "above_85_seconds", 1), _worst(mine, "dropped_requests", 1)
        if hot or lost:
            failing.append(f"{case.name}: {hot:,.0f} s above 85%, {lost:,.0f} dropped")
    hot = _worst(d, "above_85_seconds")
    dropped = _worst(d, "dropped_requests")
    below = _worst(d, "under_seconds_in_events", 0.2)
    c0, e0, d0 = (by[(p, 0.0)] for p in (Policy.REACTIVE, Policy.CAREFUL, Policy.KICKOFF))
    extra = d0.task_hours / c0.task_hours - 1
    vs_e = 1 - d0.task_hours / e0.task_hours
    return [
        f"- (d) above 85% of capacity on the standard week, any error within +/-30%: max {hot:,.0f} s (target 0): "
        f"{'met' if hot == 0 else 'MISSED'}.",
        f"- (d) requests dropped on the standard week, any error within +/-30%: max {dropped:,.0f} (target 0): "
        f"{'met' if dropped == 0 else 'MISSED'}.",
        "- (d) above 85% or dropping requests on a stress case (errors as listed): "
        + ("none (target: none): met." if not failing else "; ".join(failing) + " (target: none): MISSED."),
        f"- (d) below target during events, any error within +/-20%: max {below:,.0f} s (target 0): "
        f"{'met' if below == 0 else 'MISSED'}.",
        f"- (d) vs (c) task-hours at zero error: {_pct(d0.task_hours, c0.task_hours)} (target <= +15%): "
        f"{'met' if extra <= 0.15 else 'MISSED'}.",
        f"- (d) vs the careful human (b) task-hours at zero error: {vs_e:.1%} fewer (target >= 50%): "
        f"{'met' if vs_e >= 0.5 else 'MISSED'}.",
    ]


def target_lines(by: dict) -> list[str]:
    """Measured figure for every first target, with pass/miss."""
    a, b, c, d = (by[(p, 0.0)] for p in (Policy.STATIC, Policy.HUMAN, Policy.REACTIVE, Policy.KICKOFF))
    lines = []
    vs_b = 1 - d.task_hours / b.task_hours
    vs_a = 1 - d.task_hours / a.task_hours
    lines.append(f"- (d) vs (b0) task-hours: {vs_b:.1%} fewer (target >= 50%): {'met' if vs_b >= 0.5 else 'MISSED'}.")
    lines.append(f"- (d) vs (a) task-hours: {vs_a:.1%} fewer (target >= 85%): {'met' if vs_a >= 0.85 else 'MISSED'}.")
    within = [by[(Policy.KICKOFF, e)].under_seconds for e in ERRORS if abs(e) <= 0.2 + 1e-9]
    lines.append(
        f"- (d) under-provisioned seconds within +/-20%: max {max(within):,.0f} s (target 0): "
        f"{'met' if max(within) == 0 else 'MISSED'}."
    )
    worst = None
    for e in ERRORS:
        cu, du = by[(Policy.REACTIVE, e)].under_seconds, by[(Policy.KICKOFF, e)].under_seconds
        red = 1 - du / cu if cu else 1.0
        worst = red if worst is None else min(worst, red)
    lines.append(
        f"- (d) vs (c) under-provisioned seconds, worst error in the sweep: {worst:.1%} fewer "
        f"(target >= 90% at every error): {'met' if worst >= 0.9 else 'MISSED'}."
    )
    extra = d.task_hours / c.task_hours - 1
    lines.append(
        f"- (d) vs (c) task-hours at zero error: {_pct(d.task_hours, c.task_hours)} "
        f"(target <= +15%): {'met' if extra <= 0.15 else 'MISSED'}."
    )
    lines.append(
        f"- Graviton saving of (d) at zero error: {1 - d.cost_arm64 / d.cost_x86:.1%} "
        f"(${d.cost_arm64:,.0f} ARM64 vs ${d.cost_x86:,.0f} x86)."
    )
    return lines


def write_chart(results: list[PolicyMetrics], series: dict[str, np.ndarray]) -> Path:
    """bench/results/prescaling.png: the week at zero error, and the sweep."""
    fig, axes = plt.subplots(3, 1, figsize=(11, 11))
    hours = np.arange(len(series["required"])) / 60.0
    ax = axes[0]
    ax.plot(hours, series["required"], color="black", linewidth=0.8, label="needed at target (realised load)")
    for p in Policy:
        ax.plot(hours, series[p.value], linewidth=1.0, label=p.label)
    ax.set_xlabel("hours from Monday 00:00 UTC")
    ax.set_ylabel("billed vCPU")
    ax.set_title("Week at zero forecast error")
    ax.legend(fontsize=8, loc="upper left")
    by = {(m.policy, m.error): m for m in results}
    xs = [e * 100 for e in ERRORS]
    for p in Policy:
        axes[1].plot(xs, [by[(p, e)].task_hours for e in ERRORS], marker="o", label=p.label)
        axes[2].plot(xs, [by[(p, e)].under_seconds for e in ERRORS], marker="o", label=p.label)
    axes[1].set_ylabel("task-hours / week")
    axes[1].set_yscale("log")
    axes[2].set_ylabel("under-provisioned seconds")
    axes[2].set_yscale("symlog", linthresh=10)
    for ax in axes[1:]:
        ax.set_xlabel("forecast error (%)")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    out = RESULTS / "prescaling.png"
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def main() -> int:
    """Run the sweep on two processes and write the results."""
    started = time.monotonic()
    RESULTS.mkdir(parents=True, exist_ok=True)
    plan = make_plan()
    results: list[PolicyMetrics] = []
    series: dict[str, np.ndarray] = {}
    cases = stress_cases()
    jobs = [(i, e) for i, case in enumerate(cases) for e in case.errors]
    stress: dict[int, list[list[PolicyMetrics]]] = {i: [] for i in range(len(cases))}

    def progress(what: str, done: int, total: int) -> None:
        print(f"bench/prescaling.py: [{time.monotonic() - started:5.0f} s] {what} {done}/{total}", flush=True)

    with ProcessPoolExecutor(max_workers=2) as pool:
        noisy_future = pool.submit(run_noise)
        uncapped_future = pool.submit(run_request_metric)
        overhead = []
        for variant in pool.map(run_overhead_variant, OVERHEAD_VARIANTS):
            overhead.append(variant)
            progress("overhead variants", len(overhead), len(OVERHEAD_VARIANTS))
        bands = [(band, e) for band in (BASELINE.uncertainty, 0.0) for e in BASELINE_ERRORS]
        baseline_runs = []
        for run in pool.map(run_baseline_error, bands):
            baseline_runs.append(run)
            progress("baseline errors", len(baseline_runs), len(bands))
        for done, (metrics, s) in enumerate(pool.map(run_error, ERRORS), start=1):
            results.extend(metrics)
            series = series or s
            progress("forecast errors", done, len(ERRORS))
        for done, (index, metrics) in enumerate(pool.map(run_stress, jobs), start=1):
            stress[index].append(metrics)
            progress("stress cases", done, len(jobs))
        noisy = noisy_future.result()
        uncapped = uncapped_future.result()
    md = write_markdown(plan, results, noisy, uncapped, overhead, stress, baseline_runs)
    png = write_chart(results, series)
    event_png = plot_event(plan, EVENT.event_id, RESULTS / "prescaling_event.png")
    by = {(m.policy, m.error): m for m in results}
    print("\n".join(stress_target_lines(by, stress)))
    print(
        f"wrote {md.relative_to(REPO)}, {png.relative_to(REPO)}, {event_png.relative_to(REPO)} "
        f"in {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
