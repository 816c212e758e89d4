"""What one twin run shows, and what the gate makes of it.

For each scenario: when it was detected (a routing health check of the cell turned unhealthy, or an alarm that
pages through the cell's composite fired), when the cell's viewers had all moved, when they were all back,
which alarms and health checks changed state, the survivors' peak utilisation, the requests dropped for lack of
capacity, and the requests lost to the failed cell before routing moved them. The gate's findings:

- a Region that fails is detected and routed away within the RTO objective;
- no benign scenario (nothing fails, a 5xx blip, a steady low 5xx rate, a broken canary path, scale-in) and no
  Zone or replication fault takes a cell out of DNS;
- no scenario drops a request;
- a broken probe path pages; nothing pages while nothing fails;
- the replication alarm fires on the first datapoint after the lag passes the RPO (ReplicationLatency is a
  one-minute metric: no alarm can fire sooner than the end of the minute in which the lag passes it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kickoff.twin.alarms import ALARM
from kickoff.twin.scenarios import LEAD, RETURN_AFTER, Scenario
from kickoff.twin.specs import Topology
from kickoff.twin.world import NOMINAL_REPLICATION_MS, Run


@dataclass(frozen=True)
class Objectives:
    """What the gate holds a run to (config's ``resilience``)."""

    rto_seconds: int
    rpo_seconds: int
    # Outside event windows N-1 is held only with scaling.baseline_n_minus_1: without it, what a Region's loss
    # drops at the baseline's peak is a declared risk, reported but not a finding.
    baseline_n_minus_1: bool = False


@dataclass(frozen=True)
class Outcome:
    """One scenario's result; times are seconds from the fault (from the return for ``recover_s``)."""

    scenario: Scenario
    detect_s: float | None
    detected_by: str
    route_away_s: float | None
    recover_s: float | None
    withdrawn: tuple[tuple[str, float, str], ...]  # (cell, from, the check that took it out)
    alarms: tuple[tuple[str, float], ...]
    checks: tuple[tuple[str, float, float | None], ...]
    peak_utilisation: float
    dropped: float
    lost: float
    rpo_alarm_s: float | None
    problems: tuple[str, ...]
    accepted: tuple[str, ...] = ()  # what the config declares it accepts (see Objectives)

    @property
    def ok(self) -> bool:
        return not self.problems


def _first(mask: np.ndarray, after: int = 0) -> int | None:
    hits = np.flatnonzero(mask[after:])
    return int(hits[0]) + after if len(hits) else None


def _check_name(key: str) -> str:
    return key.split("/", 1)[1]


def _culprit(topo: Topology, run: Run, cell: str, at: int) -> str:
    """The leaf health check of ``cell``'s record that was unhealthy first at or before step ``at``."""
    best: tuple[int, str] | None = None
    for key, check in topo.health_checks.items():
        if check.region != cell or check.kind == "CALCULATED":
            continue
        first = _first(~run.checks[key])
        if first is not None and first <= at and (best is None or first < best[0]):
            alarm = f" (alarm {topo.alarms[f'{cell}/{check.alarm}'].name})" if check.alarm else ""
            best = (first, f"{_check_name(key)}{alarm}")
    return best[1] if best else "fail-open or a record change"


STEP_ALLOWANCE_S = 240
"""How late a healthy cell meets a rising scheduled minimum: 180 s for the last task to start plus a minute of
the Region's launch queue (1,200 tasks at 20 a second). A returning cell must hold what a healthy one would."""


def _held(run: Run, cell: str, at: int) -> tuple[float, int, int, str]:
    """The worst service's running tasks at step ``at`` as a share of the scheduled minimum a healthy cell holds
    by then (the one in force ``STEP_ALLOWANCE_S`` earlier, when the floor is rising): (share, running,
    minimum, service)."""
    worst = (float("inf"), 0, 0, "")
    minute = at * run.step_s // 60
    for s in run.services:
        floors = run.floors[(cell, s.name)]
        floor = int(min(floors[minute], floors[max(0, minute - STEP_ALLOWANCE_S // 60)]))
        running = int(run.runs[(cell, s.name)].running[at])
        share = running / floor if floor else float("inf")
        if share < worst[0]:
            worst = (share, running, floor, s.name)
    return worst


def judge(topo: Topology, run: Run, scenario: Scenario, objectives: Objectives) -> Outcome:  # noqa: C901, PLR0912
    """The outcome of ``run`` for ``scenario`` against ``objectives``."""
    step = run.step_s
    fault = int(LEAD.total_seconds() // step)
    fault_min = fault * step // 60
    cell = scenario.cell
    problems: list[str] = []
    label = scenario.label

    alarms = []
    for key, states in run.alarms.items():
        first = _first(states == ALARM, fault_min)
        if first is not None and not (states[:fault_min] == ALARM).any():
            alarms.append((topo.alarms[key].name, first * 60.0 - fault * step))
    pages = {}
    for key, states in run.composites.items():
        first = _first(states == ALARM)
        if first is not None:
            pages[topo.composites[key].region] = (topo.composites[key].name, first * 60.0 - fault * step)
    checks = []
    for key, healthy in run.checks.items():
        down = _first(~healthy)
        if down is not None:
            back = _first(healthy, down)
            checks.append((key, (down - fault) * step, None if back is None else (back - fault) * step))

    withdrawn = []
    for c in run.cells:
        if not run.answered[c][0]:
            continue  # never in DNS (evacuated): nothing to leave
        out = _first(~run.answered[c])
        if out is not None:
            withdrawn.append((c, (out - fault) * step, _culprit(topo, run, c, out)))

    detect_s, detected_by = None, ""
    if cell:
        routing = [
            ((d - fault) * step, _check_name(key))
            for key, check in topo.health_checks.items()
            if check.region == cell
            and check.kind != "CALCULATED"
            and (d := _first(~run.checks[key], fault)) is not None
        ]
        if cell in pages and pages[cell][1] >= 0:
            routing.append((pages[cell][1], pages[cell][0]))
        if routing:
            detect_s, detected_by = min(routing)

    route_away_s = recover_s = None
    if scenario.kind in ("region-fails", "region-returns"):
        gone = _first(run.presence[cell] <= 0.0, fault)
        route_away_s = None if gone is None else (gone - fault) * step
        if route_away_s is None or route_away_s > objectives.rto_seconds:
            shown = "never" if route_away_s is None else f"after {route_away_s:.0f} s"
            problems.append(
                f"{label}: viewers leave {cell} {shown}, over the RTO objective of {objectives.rto_seconds} s "
                f"(detected {'never' if detect_s is None else f'after {detect_s:.0f} s'} by {detected_by or 'nothing'})"
            )
    held = None
    if scenario.kind == "region-returns":
        back = fault + int(RETURN_AFTER.total_seconds() // step)
        home = _first(run.presence[cell] >= 1.0, back)
        recover_s = None if home is None else (home - back) * step
        if recover_s is None:
            problems.append(f"{label}: {cell} never takes its viewers back within the run")
        readmitted = _first(run.answered[cell], back)
        if readmitted is not None:
            held = _held(run, cell, readmitted)
            if held[0] < 1.0:
                problems.append(
                    f"{label}: {cell} takes viewers back {(readmitted - back) * step:.0f} s after it returns, "
                    f"holding {held[1]} of the {held[2]} {held[3]} tasks its plan holds then: no failback guard "
                    "keeps it out until its capacity is back (routing.failback_hold_seconds)"
                )

    if scenario.benign or scenario.kind in ("zone-fails", "replication-stalls"):
        for c, at, culprit in withdrawn:
            problems.append(f"{label}: false evacuation: {c} leaves DNS {at:+.0f} s after the fault, by {culprit}")
    if scenario.kind == "steady":
        for name, at in sorted(pages.values()):
            problems.append(f"{label}: {name} pages at {at:+.0f} s with nothing failed")
    if scenario.kind == "canary-breaks" and cell not in pages:
        problems.append(f"{label}: no alarm pages while probes of {cell} fail (its composite never fires)")

    rpo_alarm_s = None
    if scenario.kind == "replication-stalls":
        crossing = objectives.rpo_seconds - NOMINAL_REPLICATION_MS / 1000.0  # lag passes the RPO, from the stall
        watching = [
            key
            for key, spec in topo.alarms.items()
            if any(m.signal[:1] == ("replication_latency",) and m.signal[2] == cell for m in spec.metrics)
        ]
        fired = [(_first(run.alarms[k] == ALARM, fault_min), topo.alarms[k]) for k in watching]
        times = [(f * 60.0 - fault * step - crossing, spec) for f, spec in fired if f is not None]
        if not watching:
            problems.append(f"{label}: no alarm watches replication to {cell}")
        elif not times:
            problems.append(f"{label}: no replication alarm for {cell} fires")
        else:
            rpo_alarm_s, spec = min(times, key=lambda x: x[0])
            if rpo_alarm_s > spec.period:
                problems.append(
                    f"{label}: {spec.name} fires {rpo_alarm_s:.0f} s after the lag passes the RPO of "
                    f"{objectives.rpo_seconds} s, later than its first datapoint after that ({spec.period} s)"
                )

    drops = {c: run.dropped(c) for c in run.cells}  # requests/s per step, each cell once
    dropped = sum(float(d[fault:].sum()) for d in drops.values()) * step
    peak = 0.0
    for c in run.cells:
        if c == cell and scenario.kind in ("region-fails", "region-returns"):
            continue
        for s in run.services:
            util = run.utilisation(c, s.name)[fault:]
            finite = util[np.isfinite(util)]
            if len(finite):
                peak = max(peak, float(finite.max()))
    if scenario.kind == "region-returns":  # the returning cell counts from its return
        back = fault + int(RETURN_AFTER.total_seconds() // step)
        for s in run.services:
            util = run.utilisation(cell, s.name)[back:]
            finite = util[np.isfinite(util) & run.up[cell][back:]]
            if len(finite):
                peak = max(peak, float(finite.max()))
    accepted: list[str] = []
    if dropped > 0:
        worst = max(run.cells, key=lambda c: float(drops[c][fault:].sum()))
        first = _first(drops[worst] > 0, fault)
        declared = scenario.moment == "baseline-peak" and not objectives.baseline_n_minus_1
        (accepted if declared else problems).append(
            f"{label}: {dropped / 1e6:,.2f}M requests dropped for lack of capacity, first in {worst} "
            f"{((first or fault) - fault) * step:+.0f} s after the fault (survivors' peak {peak:.0%} of capacity)"
            + (" (outside events N-1 is not held: scaling.baseline_n_minus_1 is off)" if declared else "")
        )
    lost = float(sum(run.lost[c][fault:].sum() for c in run.cells)) * step
    return Outcome(
        scenario,
        detect_s,
        detected_by,
        route_away_s,
        recover_s,
        tuple(withdrawn),
        tuple(sorted(alarms, key=lambda a: a[1])),
        tuple(checks),
        peak,
        dropped,
        lost,
        rpo_alarm_s,
        tuple(problems),
        tuple(accepted),
    )
