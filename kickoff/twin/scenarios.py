"""The twin's scenarios: what fails, when in the event, and at which forecast error.

Each scenario runs a window of the planned week around one *moment* of the largest event in the plan
(pre-game, kickoff, peak, end) or the baseline's evening peak, with the audience the plan was sized for times
(1 + forecast error). Faults start at the moment; a Region that comes back does so ``RETURN_AFTER`` later.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from kickoff.scaling.plan import CapacityPlan
from kickoff.scaling.simulate.audience import realise
from kickoff.scaling.simulate.engine import SimParams
from kickoff.twin.world import Fault

LEAD = timedelta(minutes=30)  # window start before the moment: the cells settle at the plan's floors
TAIL = timedelta(minutes=80)  # window end after the moment
RETURN_AFTER = timedelta(minutes=20)  # a failed Region comes back this long after it failed
BLIP = (60.0, 0.20)  # a benign burst: one minute of 20% 5xx answers
STEADY_ERRORS = (1200.0, 0.005)  # a benign steady error rate: 20 minutes of 0.5% 5xx at the peak's volume
ZONE_FRACTION_DEFAULT = 1 / 3

FAILURES = ("region-fails", "region-returns")
BENIGN = ("steady", "error-blip", "steady-errors", "canary-breaks", "scale-in")
OTHER = ("zone-fails", "replication-stalls")
KINDS = FAILURES + BENIGN + OTHER
MOMENTS = ("pre-game", "kickoff", "peak", "end", "baseline-peak")
ERRORS = (-0.3, 0.0, 0.3)


@dataclass(frozen=True)
class Scenario:
    """One run: a kind of fault in one cell, at one moment, at one forecast error, under one departure profile."""

    kind: str
    moment: str
    error: float
    cell: str = ""
    profile: str = ""

    @property
    def label(self) -> str:
        where = f" {self.cell}" if self.cell else ""
        how = f", {self.profile}" if self.profile else ""
        return f"{self.kind}{where} at {self.moment} ({self.error:+.0%}{how})"

    @property
    def benign(self) -> bool:
        return self.kind in BENIGN


@dataclass(frozen=True)
class Setting:
    """Where the scenarios run: the plan, its largest event's moments, the cells and their Zones."""

    plan: CapacityPlan
    moments: dict[str, datetime]
    cells: tuple[str, ...]
    zones: dict[str, int]
    profiles: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (shape, spread s)
    replicated: bool = True  # replicas lag (eventual consistency): replication can stall behind the RPO
    unrouted: tuple[str, ...] = ()  # cells that run but take no viewers (evacuated): simulated, never failed

    def departure(self, scenario: Scenario) -> tuple[str, int]:
        """How viewers leave a cell in ``scenario``: its profile, else an even departure over the TTL."""
        return self.profiles.get(scenario.profile, ("detection_then_even", 0))

    def window(self, moment: str) -> datetime:
        return (self.moments[moment] - LEAD).replace(second=0, microsecond=0)

    def viewers(self, scenario: Scenario) -> dict[str, np.ndarray]:
        start = self.window(scenario.moment)
        hours = (LEAD + TAIL).total_seconds() / 3600
        whole = int(np.ceil(hours))
        audience = realise(self.plan, start, whole, scenario.error, SimParams())
        keep = int((LEAD + TAIL).total_seconds() // audience.step_s)
        out = {c: audience.by_region[c][:keep] for c in self.cells}
        return out | {c: np.zeros(keep) for c in self.unrouted}


def moments_of(plan: CapacityPlan) -> dict[str, datetime]:
    """The moments of the plan's largest event, and the baseline's peak hour on the day before it."""
    event = max(plan.events, key=lambda e: e.peak_viewers)
    start = event.kickoff - timedelta(hours=1)
    audience = realise(plan, start.replace(minute=0, second=0, microsecond=0), 6, 0.0, SimParams())
    total = sum(audience.by_region.values())
    peak = audience.start + timedelta(seconds=int(np.argmax(total)) * audience.step_s)
    out = {
        "pre-game": event.kickoff - timedelta(minutes=30),
        "kickoff": event.kickoff,
        "peak": peak,
        "end": event.kickoff + event.duration,
    }
    if plan.baseline is not None:
        hourly = plan.baseline.hourly_viewers
        hour = int(np.argmax(hourly[:24] if len(hourly) >= 24 else hourly))
        day_before = (event.kickoff - timedelta(days=1)).replace(hour=hour % 24, minute=0, second=0, microsecond=0)
        out["baseline-peak"] = day_before
    return out


def fault_of(scenario: Scenario, setting: Setting) -> Fault:
    """The fault a scenario injects, in seconds from its window's start."""
    at = LEAD.total_seconds()
    cell = scenario.cell
    if scenario.kind == "region-fails":
        return Fault(region_down=(cell, at, None))
    if scenario.kind == "region-returns":
        return Fault(region_down=(cell, at, at + RETURN_AFTER.total_seconds()))
    if scenario.kind == "zone-fails":
        return Fault(zone_down=(cell, at, 1.0 / max(setting.zones.get(cell, 3), 1)))
    if scenario.kind == "replication-stalls":
        return Fault(replication_stall=(cell, at))
    if scenario.kind == "error-blip":
        return Fault(error_burst=(cell, at, at + BLIP[0], BLIP[1]))
    if scenario.kind == "steady-errors":
        return Fault(error_burst=(cell, at, at + STEADY_ERRORS[0], STEADY_ERRORS[1]))
    if scenario.kind == "canary-breaks":
        return Fault(canary_broken=(cell, at))
    return Fault()  # steady, scale-in: nothing fails


def catalogue(
    cells: tuple[str, ...],
    moments: tuple[str, ...],
    profiles: tuple[str, ...] = ("",),
    *,
    full: bool = True,
    replicated: bool = True,
) -> Iterator[Scenario]:
    """Every scenario of the twin (``full``), or the gate's set: each cell failing at kickoff and at the peak and
    returning at the peak, at +30%, under each departure profile; each benign scenario once, in the cell with the
    largest share."""
    first = cells[0]
    profiles = profiles or ("",)
    if full:
        for moment in moments:
            for error in ERRORS:
                for cell in cells:
                    for kind in FAILURES:
                        for profile in profiles:
                            yield Scenario(kind, moment, error, cell, profile)
            yield Scenario("zone-fails", moment, 0.3, first)
        yield Scenario("steady", "peak", 0.3)
    else:
        for profile in profiles:
            for cell in cells:
                yield Scenario("region-fails", "kickoff", 0.3, cell, profile)
                yield Scenario("region-fails", "peak", 0.3, cell, profile)
                yield Scenario("region-returns", "peak", 0.3, cell, profile)
        yield Scenario("zone-fails", "peak", 0.3, first)
        yield Scenario("steady", "peak", 0.0)
    yield Scenario("error-blip", "kickoff", 0.3, first)
    yield Scenario("steady-errors", "peak", 0.3, first)
    yield Scenario("canary-breaks", "peak", 0.0, first)
    yield Scenario("scale-in", "end", -0.3)
    if replicated:  # with strong consistency a write commits in two Regions: nothing lags behind an RPO
        yield Scenario("replication-stalls", "peak", 0.0, cells[-1])


SWEEP_MINUTES = tuple(range(-90, 221, 5))
"""Kickoff-relative minutes the sweep fails and returns a Region at: from the pre-game arrivals to overtime."""


def sweep_moments(moments: dict[str, datetime]) -> dict[str, datetime]:
    """``moments`` plus one per ``SWEEP_MINUTES`` offset from the kickoff, named ``kickoff-90`` ... ``kickoff+220``."""
    kickoff = moments["kickoff"]
    return {**moments, **{f"kickoff{m:+d}": kickoff + timedelta(minutes=m) for m in SWEEP_MINUTES}}


def sweep(cells: tuple[str, ...], profiles: tuple[str, ...] = ("",)) -> Iterator[Scenario]:
    """Every cell failing, and failing then returning, at every ``SWEEP_MINUTES`` moment and every error, under
    each departure profile."""
    for minutes in SWEEP_MINUTES:
        for error in ERRORS:
            for cell in cells:
                for kind in FAILURES:
                    for profile in profiles or ("",):
                        yield Scenario(kind, f"kickoff{minutes:+d}", error, cell, profile)
