"""The twin's world: viewers, routing, capacity and the metrics the alarms read, for one scenario run.

The run is closed-loop. Record health decides where CloudFront sends each cell's viewers (``route53``); that
gives each cell's load; the simulator (``kickoff.scaling.simulate``, the same one that measures the capacity
plan) turns load, the template's scheduled actions and its target tracking into running tasks; tasks and
load give the metrics; the metrics give the alarms; alarms and endpoint answers give the health checks; and
the health checks give record health again. The loop runs until record health stops changing.

- **Viewers** are the realised audience of the plan (``kickoff.scaling.simulate.audience``), per cell and 10 s step.
- **Routing**: a cell whose record is not answered loses its viewers following the departure profile under
  test (never faster than one TTL, as CloudFront's cached answers expire); they land on the cells still
  answered in proportion to those cells' own viewers. Viewers leaving a cell that does not answer land as new
  arrivals (login, entitlement, playback start: ``requests_per_arrival``); viewers moved back to a cell that
  answers again (a failback) just move. A service behind a CloudFront origin group fails over per request:
  while its cell does not answer, its requests go to the other cells at once, and nothing starts again.
- **Load** on a service: ``rps_per_viewer`` x viewers + ``requests_per_arrival`` x arrivals per second (the
  audience's own arrivals, routed with it, plus the re-arrivals).
- **Dropped** requests: load above what the running tasks serve at 100% CPU. **Lost** requests: what viewers
  send to a cell that does not answer, until routing moves them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from kickoff.scaling.model import ServiceModel
from kickoff.scaling.simulate.engine import Disruption, SimParams, TargetRun, simulate_region
from kickoff.twin.alarms import INSUFFICIENT, MetricRef, aggregate, composite_states, datapoints, per_minute, states
from kickoff.twin.metricmath import Unsupported
from kickoff.twin.route53 import check_states, presence, record_health
from kickoff.twin.specs import ALIAS_TTL, HealthCheckSpec, Topology

NOMINAL_REPLICATION_MS = 1000.0  # a healthy global table's replication latency (ms)
CANARY_OK_MS = 700.0  # a passing canary run's Duration (ms)
MAX_LOOPS = 5


@dataclass(frozen=True)
class Fault:
    """What goes wrong in a run; times are seconds from the run's start.

    Fields:
        region_down: (cell, from, until or None): the cell's load balancer stops answering and its tasks stop;
            none launch again until it is back.
        zone_down: (cell, at, fraction): that fraction of the cell's tasks stops at once (one Availability Zone).
        replication_stall: (receiving Region, from): replication to that replica stops; its lag grows 1 s a second.
        error_burst: (cell, from, until, fraction): the load balancer answers that fraction of requests with 5xx.
        canary_broken: (cell, from): probes of the cell fail while it serves viewers.
    """

    region_down: tuple[str, float, float | None] | None = None
    zone_down: tuple[str, float, float] | None = None
    replication_stall: tuple[str, float] | None = None
    error_burst: tuple[str, float, float, float] | None = None
    canary_broken: tuple[str, float] | None = None


@dataclass
class Run:
    """One run's series: per step (``step_s``) unless named per minute."""

    start: datetime
    step_s: int
    cells: list[str]
    services: list[ServiceModel]
    up: dict[str, np.ndarray] = field(default_factory=dict)
    answered: dict[str, np.ndarray] = field(default_factory=dict)
    presence: dict[str, np.ndarray] = field(default_factory=dict)
    load: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    runs: dict[tuple[str, str], TargetRun] = field(default_factory=dict)
    lost: dict[str, np.ndarray] = field(default_factory=dict)
    alarms: dict[str, np.ndarray] = field(default_factory=dict)  # per minute
    composites: dict[str, np.ndarray] = field(default_factory=dict)  # per minute
    checks: dict[str, np.ndarray] = field(default_factory=dict)
    floors: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # scheduled minimum per minute
    unevaluated: dict[str, str] = field(default_factory=dict)  # alarm key -> why
    loops: int = 0

    @property
    def steps(self) -> int:
        return len(next(iter(self.up.values())))

    @property
    def minutes(self) -> int:
        return self.steps * self.step_s // 60

    def dropped(self, cell: str) -> np.ndarray:
        """Requests/s the cell's running tasks could not serve, per step (0 while it does not answer)."""
        total = np.zeros(self.steps)
        for s in self.services:
            total += np.where(self.up[cell], self.runs[(cell, s.name)].dropped, 0.0)
        return total

    def utilisation(self, cell: str, service: str) -> np.ndarray:
        run = self.runs[(cell, service)]
        return np.divide(run.load, run.capacity, out=np.where(run.load > 0, np.inf, 0.0), where=run.capacity > 0)


def _epoch(start: datetime) -> int:
    return int(start.timestamp())


def _shares(present: Mapping[str, np.ndarray], viewers: Mapping[str, np.ndarray], j: str, cells: list[str]):
    """Where viewers leaving cell ``j`` land: the other cells, in proportion to the viewers they still hold."""
    others = [k for k in cells if k != j]
    weights = np.array([viewers[k] * present[k] for k in others])
    total = weights.sum(axis=0)
    even = np.full_like(weights, 1.0 / max(len(others), 1))
    return others, np.divide(weights, total, out=even, where=total > 0)


def _served(
    amounts: Mapping[str, np.ndarray],
    present: Mapping[str, np.ndarray],
    viewers: Mapping[str, np.ndarray],
    cells: list[str],
) -> dict[str, np.ndarray]:
    """``amounts`` (viewers, or their arrivals per second) as each cell serves them: a cell's own still routed to
    it, plus the others' moved ones, landing by ``_shares``."""
    out = {c: amounts[c] * present[c] for c in cells}
    for j in cells:
        moved = amounts[j] * (1.0 - present[j])
        others, share = _shares(present, viewers, j, cells)
        for i, k in enumerate(others):
            out[k] = out[k] + moved * share[i]
    return out


def _rearrivals(
    viewers: Mapping[str, np.ndarray],
    present: Mapping[str, np.ndarray],
    up: Mapping[str, np.ndarray],
    cells: list[str],
    step_s: int,
) -> dict[str, np.ndarray]:
    """Arrivals per second of viewers leaving a cell that does not answer: their requests failed, so each
    starts again where it lands. Viewers moved between answering cells (a failback) just move."""
    out = {c: np.zeros(len(viewers[c])) for c in cells}
    for j in cells:
        leaving = viewers[j] * np.maximum(-np.diff(present[j], prepend=present[j][0]), 0.0) / step_s
        leaving = np.where(up[j], 0.0, leaving)
        if not leaving.any():
            continue
        others, share = _shares(present, viewers, j, cells)
        for i, k in enumerate(others):
            out[k] += leaving * share[i]
    return out


def _load(served: np.ndarray, arrivals: np.ndarray, service: ServiceModel) -> np.ndarray:
    return service.rps_per_viewer * served + service.requests_per_arrival * arrivals


def _bounds(topo: Topology, cell: str, service: ServiceModel, start: datetime, minutes: int) -> tuple[np.ndarray, ...]:
    spec = topo.targets.get((cell, service.name))
    if spec is None:
        return np.zeros(minutes), np.full(minutes, 10**6)
    pairs = [spec.bounds_at(_epoch(start) + 60 * m) for m in range(minutes)]
    return np.array([p[0] for p in pairs], dtype=float), np.array([p[1] for p in pairs], dtype=float)


def _tracked(topo: Topology, cell: str, service: ServiceModel) -> ServiceModel:
    """The service as the template tracks it: the CPU target-tracking value is its target utilisation."""
    spec = topo.targets.get((cell, service.name))
    cpu = next((v for m, v in (spec.tracking_targets if spec else ()) if m == "ECSServiceAverageCPUUtilization"), None)
    return replace(service, target_utilization=cpu / 100.0) if cpu else service


def _capacity(topo: Topology, run: Run, fault: Fault, params: SimParams, seed: int) -> None:
    for index, cell in enumerate(run.cells):
        services = [_tracked(topo, cell, s) for s in run.services]
        spec = next((topo.targets.get((cell, s.name)) for s in services if (cell, s.name) in topo.targets), None)
        sim = (
            replace(params, scale_out_cooldown_s=spec.cooldowns[0], scale_in_cooldown_s=spec.cooldowns[1])
            if spec
            else params
        )
        loads = [np.where(run.up[cell], run.load[(cell, s.name)], 0.0) for s in services]
        bounds = [_bounds(topo, cell, s, run.start, run.minutes) for s in services]
        for s, (low, _) in zip(services, bounds):
            run.floors[(cell, s.name)] = low
        stop: dict[int, float] = {}
        hold: tuple[tuple[int, int], ...] = ()
        if fault.region_down and fault.region_down[0] == cell:
            a = int(fault.region_down[1] // 60)
            b = int(fault.region_down[2] // 60) if fault.region_down[2] is not None else run.minutes
            stop[a], hold = 1.0, ((a, b),)
        if fault.zone_down and fault.zone_down[0] == cell:
            stop[int(fault.zone_down[1] // 60)] = fault.zone_down[2]
        rng = np.random.default_rng(seed + index)
        results = simulate_region(
            loads,
            services,
            [b[0] for b in bounds],
            [b[1] for b in bounds],
            True,
            sim,
            rng,
            disruption=Disruption(stop, hold) if stop else None,
        )
        for s, result in zip(services, results):
            run.runs[(cell, s.name)] = result


def _signal_steps(key: tuple[str, ...], run: Run, topo: Topology, fault: Fault) -> np.ndarray:  # noqa: C901, PLR0911
    """Per-step values of one signal (NaN: no datapoint), counts already multiplied by the step."""
    n, step = run.steps, run.step_s
    kind = key[0]
    t = np.arange(n) * step
    if kind == "agent_success":  # the capacity agent runs in every Region that is up, in routing or not
        return np.where(run.up[key[1]], 1.0, np.nan) if key[1] in run.up else np.ones(n)
    if kind not in ("replication_latency", "canary_success", "canary_duration") and key[1] not in run.up:
        return np.full(n, np.nan)  # a cell out of routing (evacuated) serves nothing and reports nothing
    if kind in ("healthy_hosts", "unhealthy_hosts", "cpu", "running", "desired"):
        cell, service = key[1], key[2]
        if (cell, service) not in run.runs:
            return np.full(n, np.nan)
        r = run.runs[(cell, service)]
        if kind == "running":
            return r.running.astype(float)
        if kind == "desired":
            return r.provisioned.astype(float)
        if kind == "cpu":
            util = np.divide(r.load, r.capacity, out=np.zeros(n), where=r.capacity > 0)
            return np.where(r.running > 0, 100.0 * np.minimum(util, 1.0), np.nan)
        healthy = np.where(run.up[cell], r.running.astype(float), np.nan)
        return healthy if kind == "healthy_hosts" else np.where(run.up[cell], 0.0, np.nan)
    if kind in ("requests", "elb_5xx", "target_5xx"):
        cell, service = key[1], key[2]
        names = [s.name for s in run.services] if service == "*" else [service]
        if kind == "target_5xx":
            return np.full(n, np.nan)
        load = sum(run.load.get((cell, s), np.zeros(n)) for s in names)
        if kind == "requests":
            count = load * step
        else:
            count = sum(np.where(run.up[cell], run.runs[(cell, s)].dropped, 0.0) for s in names) * step
            if fault.error_burst and fault.error_burst[0] == cell:
                _, a, b, fraction = fault.error_burst
                count = count + np.where((t >= a) & (t < b), load * fraction * step, 0.0)
        return np.where(run.up[cell] & (count > 0), count, np.nan)
    if kind == "reserved_lcu":
        reserved = np.zeros(n)
        for when, lcu in topo.reservations.get(key[1], ()):
            reserved[t + _epoch(run.start) >= when] = lcu
        return reserved / 60.0 * step / 60.0  # a minute's Sum x 60 reads the LCUs in force
    if kind == "replication_latency":
        receiving = key[2]
        lag = np.full(n, NOMINAL_REPLICATION_MS)
        if fault.replication_stall and fault.replication_stall[0] == receiving:
            lag = lag + np.maximum(t - fault.replication_stall[1], 0.0) * 1000.0
        return lag  # the Maximum over a minute reads the slowest item replicated in it
    if kind in ("canary_success", "canary_duration"):
        spec = topo.canaries.get(f"{key[1]}/{key[2]}")
        if spec is None:
            return np.full(n, np.nan)
        ok = _canary_passes(spec.target_cell, spec.region, spec.reachable, run, fault, t)
        runs_at = t % spec.every_s == 0
        if kind == "canary_success":
            return np.where(runs_at, np.where(ok, 100.0, 0.0), np.nan)
        return np.where(runs_at, np.where(ok, CANARY_OK_MS, spec.timeout_s * 1000.0), np.nan)
    return np.full(n, np.nan)


def _canary_passes(
    target: str | None, region: str, reachable: bool, run: Run, fault: Fault, t: np.ndarray
) -> np.ndarray:
    if not reachable:
        return np.zeros(len(t), dtype=bool)
    if target is None:  # the viewer name: the cell DNS gives the canary's Region, or another answered one
        home = region if region in run.cells else run.cells[0]
        others = [c for c in run.cells if c != home]
        fallback = np.any([run.up[c] for c in others], axis=0) if others else np.zeros(len(t), dtype=bool)
        return np.where(run.presence[home] >= 0.5, run.up[home], fallback)
    ok = run.up.get(target, np.zeros(len(t), dtype=bool)).copy()
    if fault.canary_broken and fault.canary_broken[0] == target:
        ok &= t < fault.canary_broken[1]
    return ok


def _alarms(topo: Topology, run: Run, fault: Fault, only: set[str] | None = None) -> None:
    """Every alarm's state per minute (``only``: just these alarm keys), and the composites'."""
    cache: dict[tuple[tuple[str, ...], str, int], np.ndarray] = {}
    base = _epoch(run.start)

    def source(metric: MetricRef) -> np.ndarray:
        k = (metric.signal, metric.stat, metric.period)
        if k not in cache:
            per = max(1, metric.period // run.step_s)
            cache[k] = aggregate(_signal_steps(metric.signal, run, topo, fault), metric.stat, per)
        return cache[k]

    run.alarms, run.unevaluated = {}, {}
    for key, alarm in topo.alarms.items():
        if only is not None and key not in only:
            continue
        periods = run.steps * run.step_s // alarm.period
        epoch = base + alarm.period * np.arange(periods)
        try:
            run.alarms[key] = per_minute(states(alarm, datapoints(alarm, source, epoch)), alarm.period, run.minutes)
        except Unsupported as error:
            run.unevaluated[key] = str(error)
            run.alarms[key] = np.full(run.minutes, INSUFFICIENT, dtype=np.int8)
    if only is not None:
        return
    run.composites = {
        key: composite_states(
            spec,
            {c: run.alarms[f"{spec.region}/{c}"] for c in spec.children if f"{spec.region}/{c}" in run.alarms},
            run.minutes,
        )
        for key, spec in topo.composites.items()
    }


def _answers(run: Run) -> Callable[[HealthCheckSpec], np.ndarray]:
    def answers(check: HealthCheckSpec) -> np.ndarray:
        if not check.reachable or check.cell not in run.up:
            return np.zeros(run.steps, dtype=bool)
        r = run.runs.get((check.cell, check.service))
        has_task = r.running > 0 if r is not None else np.ones(run.steps, dtype=bool)
        return run.up[check.cell] & has_task

    return answers


def simulate(
    topo: Topology,
    viewers: Mapping[str, np.ndarray],
    services: list[ServiceModel],
    start: datetime,
    fault: Fault,
    *,
    step_s: int = 10,
    seed: int = 20240912,
    departure: tuple[str, int] = ("detection_then_even", 0),
) -> Run:
    """Run the twin over ``viewers`` (cell -> home viewers per step from ``start``) with ``fault``; viewers
    leave a cell that leaves routing following ``departure`` (shape, spread in s; never faster than the TTL)."""
    cells = list(viewers)
    n = len(next(iter(viewers.values())))
    run = Run(start, step_s, cells, services)
    t = np.arange(n) * step_s
    for cell in cells:
        down = np.zeros(n, dtype=bool)
        if fault.region_down and fault.region_down[0] == cell:
            _, a, b = fault.region_down
            down = (t >= a) & (t < (b if b is not None else np.inf))
        run.up[cell] = ~down
    run.answered = {c: np.ones(n, dtype=bool) for c in cells}
    routes = {r.service: r for r in topo.routes}
    ttl = max((r.ttl for r in topo.records if r.name == topo.origin_name), default=ALIAS_TTL)
    params = SimParams(step_s=step_s)
    arrivals = {c: np.maximum(np.diff(viewers[c], prepend=viewers[c][0]) / step_s, 0.0) for c in cells}
    shape, spread = departure
    routing = {f"{h.region}/{h.alarm}" for h in topo.health_checks.values() if h.alarm}
    for loop in range(MAX_LOOPS):
        run.loops = loop + 1
        run.presence = {c: presence(run.answered[c], ttl, step_s, shape=shape, spread=max(spread, ttl)) for c in cells}
        run.load, run.lost = {}, {c: np.zeros(n) for c in cells}
        rearriving = _rearrivals(viewers, run.presence, run.up, cells, step_s)
        for s in services:
            # Per-request failover (an origin group) moves requests, not viewers: nothing starts again.
            per_request = routes.get(s.name) is not None and routes[s.name].per_request_failover
            present = {c: run.presence[c] * (run.up[c] if per_request else 1.0) for c in cells}
            served = _served(viewers, present, viewers, cells)
            arriving = _served(arrivals, present, viewers, cells)
            for c in cells:
                extra = 0.0 if per_request else rearriving[c]
                load = _load(served[c], arriving[c] + extra, s)
                run.load[(c, s.name)] = load
                run.lost[c] += np.where(run.up[c], 0.0, load)
        _capacity(topo, run, fault, params, seed)
        _alarms(topo, run, fault, routing)
        run.checks = check_states(topo, _answers(run), run.alarms, n, step_s)
        answered = record_health(topo, run.checks, cells, n)
        if all(np.array_equal(answered[c], run.answered[c]) for c in cells):
            break
        run.answered = answered
    _alarms(topo, run, fault)
    return run
