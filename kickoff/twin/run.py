"""Run the twin over one deployment: read its templates, run each scenario, judge each run."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from kickoff import naming
from kickoff.agent.desired import desired_region
from kickoff.config.errors import ConfigError
from kickoff.config.models import KickoffConfig
from kickoff.planning import DeploymentPlan, build_deployment_plan, calendar_events, capacity_spec, forecast_of
from kickoff.rules.engine import TemplateView
from kickoff.rules.params import readiness_params
from kickoff.rules.readiness.context import Readiness
from kickoff.twin.live import LiveOutcome, live_outcomes, read_live
from kickoff.twin.outcome import Objectives, Outcome, judge
from kickoff.twin.scenarios import Scenario, Setting, catalogue, fault_of, moments_of, sweep, sweep_moments
from kickoff.twin.specs import Topology
from kickoff.twin.topology import read_topology
from kickoff.twin.world import simulate


@dataclass
class TwinReport:
    """Every scenario's outcome, and what the twin could not do."""

    environment: str
    outcomes: list[Outcome] = field(default_factory=list)
    moments: dict[str, datetime] = field(default_factory=dict)
    skipped: str = ""  # why nothing ran (no event in the plan)
    judged: str = ""  # the season's event judged in place of the window's, and why
    unreadable: list[str] = field(default_factory=list)
    unevaluated: dict[str, str] = field(default_factory=dict)
    declared: list[str] = field(default_factory=list)  # problems of the templates themselves
    live: list[LiveOutcome] = field(default_factory=list)  # the live channels through each loss

    @property
    def problems(self) -> list[str]:
        return (
            [p for o in self.outcomes for p in o.problems]
            + [o.problem for o in self.live if o.problem]
            + [f"the twin cannot read {u}" for u in self.unreadable]
        )


def topology_of(config: KickoffConfig, plan: DeploymentPlan, views: list[TemplateView]) -> Topology:
    """The twin's topology of ``views`` (one deployment's templates) for ``config``, with the capacity the agent
    would put in force for ``plan`` on every registered scalable target."""
    readiness = Readiness(readiness_params(config, plan), views)
    topo = read_topology(
        views,
        readiness,
        origin_name=naming.origin_domain(config.identity),
        viewer_host=config.domain.name,
        probe_prefix={r: naming.probe_path_prefix(r) for r in config.region_names},
        service_paths={s.name: tuple(s.path_patterns) for s in config.services},
    )
    apply_agent_plan(topo, config, plan, registered(views, naming.capacity_parameter_path(config.identity)))
    return topo


def registered(views: list[TemplateView], registry_path: str) -> set[tuple[str, str]]:
    """(Region, service) of every service a template registers with its Region's capacity agent."""
    prefix = f"{registry_path}/services/"
    out = set()
    for view in views:
        for parameter in view.of_type("AWS::SSM::Parameter").values():
            name = parameter.get("Properties", {}).get("Name")
            if isinstance(name, str) and name.startswith(prefix):
                out.add((view.region, name[len(prefix) :]))
    return out


def apply_agent_plan(
    topo: Topology, config: KickoffConfig, plan: DeploymentPlan, services: set[tuple[str, str]]
) -> None:
    """Put in ``topo`` what the agent writes for ``plan`` (``kickoff.agent.desired``, the agent's own code): each
    registered target's range now and its one-time actions, each cell's reservation now and its changes."""
    spec = capacity_spec(config)
    for region in config.routed_regions:
        mine = {service: "" for cell, service in services if cell == region}
        if not mine or plan.capacity is None:
            continue
        desired = desired_region(plan, region, mine, spec)
        for target in desired.targets:
            found = topo.targets.get((region, target.service))
            if found is None:
                continue
            actions = tuple(
                (int(a.at.timestamp()), a.min_tasks, a.max_tasks) for a in target.actions if a.at is not None
            )
            topo.targets[(region, target.service)] = replace(found, min_capacity=target.min_now, actions=actions)
        if config.scaling.alb_reservations:
            now = int(plan.window.deploy_time.timestamp())
            changes = tuple((int(t.timestamp()), units) for t, units in desired.reservation.changes)
            topo.reservations[region] = ((now, desired.reservation.units_now), *changes)


def setting_of(config: KickoffConfig, plan: DeploymentPlan) -> Setting | None:
    """Where the scenarios run: the plan's largest event, the routed cells (largest share first) and their
    Zones; None when the plan holds no event."""
    capacity = plan.capacity
    if capacity is None or not capacity.events:
        return None
    cells = tuple(
        sorted(config.routed_regions, key=lambda r: -max(e.region_share.get(r, 0.0) for e in capacity.events))
    )
    profiles = {p.name: (p.shape, p.spread_seconds) for p in config.scaling.departure_profiles}
    zones = {r: len(config.region(r).zones) for r in cells}
    replicated = config.replication_alarm_seconds is not None
    unrouted = tuple(r for r in config.region_names if r not in cells)
    return Setting(capacity, moments_of(capacity), cells, zones, profiles, replicated, unrouted)


# The twin judges the season's largest event as a deploy this long before it would plan it.
SEASON_LEAD = timedelta(days=1)


def judged_plan(config: KickoffConfig, plan: DeploymentPlan) -> tuple[DeploymentPlan, str]:
    """The plan the scenarios run on, and why when it is not ``plan``: the season's largest event still to come.

    The window holds what is in force now; judging only it lets a config pass whenever the deploy happens to fall
    between small events, and fail the same templates a week later. When the window's largest event is smaller than
    the season's largest one still to come (or the window holds none), the scenarios run on the plan a deploy a day
    before that event gets: the same config, the same templates, the agent's capacity then.
    """
    if plan.capacity is None:
        return plan, ""
    spec = capacity_spec(config)
    start = plan.window.start
    upcoming = [
        e
        for e in (forecast_of(spec, c) for c in calendar_events(config))
        if e.kickoff + e.duration + e.overtime > start
    ]
    if not upcoming:
        return plan, ""
    largest = max(upcoming, key=lambda e: e.peak_viewers)
    held = max((e.peak_viewers for e in plan.capacity.events), default=0)
    if held >= largest.peak_viewers:
        return plan, ""
    try:
        season = build_deployment_plan(config, max(plan.window.deploy_time, largest.kickoff - SEASON_LEAD))
    except ConfigError as error:
        # Only routing can make it fail (the config check plans the season on the cells as designed): an evacuation
        # in force now. The synth must still go through (an evacuation is when a fix is released); the horizon's
        # check stops it once that event is within scaling.horizon_days.
        first = str(error).split("\n")[1].strip() if "\n" in str(error) else str(error)
        return plan, (
            f"the planning window's largest event: {largest.event_id}, the season's largest still to come, cannot be "
            f"planned on the cells routed now ({first})"
        )
    why = (
        f"{largest.event_id} ({largest.kickoff:%Y-%m-%d %H:%M} UTC, {largest.peak_viewers:,} viewers), the season's "
        f"largest event still to come; the planning window's largest holds {held:,}"
    )
    return season, why


def live_channel_outcomes(config: KickoffConfig, views: list[TemplateView]) -> list[LiveOutcome]:
    """Every live channel of ``config`` through the loss of each ingest Region, pipeline and contribution."""
    if config.live is None:
        return []
    channels = {c.name: naming.live_resource_name(config.identity, c.name) for c in config.live.channels}
    return live_outcomes(read_live(views, channels, config.live.prefix))


def objectives_of(config: KickoffConfig) -> Objectives:
    """The gate's objectives: config's ``resilience``."""
    return Objectives(config.resilience.rto_seconds, config.resilience.rpo_seconds, config.scaling.baseline_n_minus_1)


def run_twin(
    config: KickoffConfig,
    plan: DeploymentPlan,
    views: list[TemplateView],
    *,
    full: bool = False,
    sweep_every_moment: bool = False,
) -> TwinReport:
    """Run the gate's scenarios (``full``: every moment, error, cell and kind; ``sweep_every_moment``: every cell
    failing and returning every 5 minutes from kickoff - 90 to + 220 at each error) against ``views``, at the
    season's largest event still to come (``judged_plan``)."""
    report = TwinReport(naming.environment_key(config.identity))
    plan, report.judged = judged_plan(config, plan)
    topo = topology_of(config, plan, views)
    report.unreadable = list(topo.unreadable)
    report.declared = list(topo.problems)
    report.live = live_channel_outcomes(config, views)
    setting = setting_of(config, plan)
    if setting is None:
        report.skipped = "the calendar holds no event still to come, so there is no event to fail during"
        return report
    report.moments = setting.moments
    objectives = objectives_of(config)
    scenarios = catalogue(
        setting.cells, tuple(setting.moments), tuple(setting.profiles), full=full, replicated=setting.replicated
    )
    if sweep_every_moment:
        setting = replace(setting, moments=sweep_moments(setting.moments))
        scenarios = sweep(setting.cells, tuple(setting.profiles))
    for scenario in scenarios:
        report.outcomes.append(run_one(topo, setting, scenario, objectives, report))
    report.declared += profile_problems(config, topo, report.outcomes)
    return report


def profile_problems(config: KickoffConfig, topo: Topology, outcomes: list[Outcome]) -> list[str]:
    """Departure profiles that claim viewers leave slower, or are detected sooner, than the templates make them."""
    problems = []
    profiles = config.scaling.departure_profiles
    ttl = max((r.ttl for r in topo.records if r.name == topo.origin_name), default=0)
    if profiles and ttl and max(p.peak_rate for p in profiles) < 1.0 / ttl - 1e-12:
        fastest = min(p.equivalent_spread_seconds for p in profiles)
        problems.append(
            f"scaling.departure_profiles: the fastest declared departure is as fast as an even one over "
            f"{fastest:.0f} s, but DNS moves a failed cell's viewers over its {ttl} s TTL: N-1 capacity is sized "
            f"for a smaller surge than routing makes. Fix: declare a detection_then_even profile with "
            f"spread_seconds: {ttl}"
        )
    detected = [o.detect_s for o in outcomes if o.scenario.kind == "region-fails" and o.detect_s is not None]
    if detected:
        measured = max(detected)
        for index, p in enumerate(profiles):
            if p.shape == "detection_then_even" and p.detection_seconds < measured:
                problems.append(
                    f"scaling.departure_profiles[{index}] ({p.name}): detection_seconds {p.detection_seconds} "
                    f"is shorter than the {measured:.0f} s the health checks take. Fix: detection_seconds: "
                    f"{measured:.0f}"
                )
    return problems


def run_one(
    topo: Topology, setting: Setting, scenario: Scenario, objectives: Objectives, report: TwinReport | None = None
) -> Outcome:
    """One scenario's outcome."""
    run = simulate(
        topo,
        setting.viewers(scenario),
        list(setting.plan.services),
        setting.window(scenario.moment),
        fault_of(scenario, setting),
        departure=setting.departure(scenario),
    )
    if report is not None:
        report.unevaluated.update(run.unevaluated)
    return judge(topo, run, scenario, objectives)
