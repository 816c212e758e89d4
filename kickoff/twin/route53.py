"""Route 53 in the twin: health checks, record health with fail-open, and where CloudFront sends viewers.

- An endpoint check (HTTP/HTTPS) calls its endpoint every ``RequestInterval`` seconds. It turns unhealthy
  after ``FailureThreshold`` failed calls in a row and healthy after as many successes. (Route 53 runs the
  same check from many checkers and calls the endpoint healthy when more than 18% of them do; the checkers see
  the same endpoint here, so they agree.) A call succeeds when the check can reach the load balancer at all
  (the deploy-readiness prober path), the cell answers, and the service behind the path has a healthy task.
- A CLOUDWATCH_METRIC check is unhealthy while its alarm is in ALARM; with INSUFFICIENT_DATA it follows
  ``InsufficientDataHealthStatus`` (Healthy, Unhealthy, or LastKnownStatus).
- A CALCULATED check is healthy while at least ``HealthThreshold`` children are. ``Inverted`` turns any check
  around; a ``Disabled`` check is healthy.
- A record set answers with its healthy records; when none is healthy it answers with all of them.
- CloudFront caches what the origin name resolves to for the record's TTL, so when a cell's record changes
  state its share of viewers moves over one TTL, evenly (the edge caches expire at random moments).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from kickoff.twin.alarms import ALARM, INSUFFICIENT
from kickoff.twin.specs import HealthCheckSpec, Topology


def endpoint_states(check: HealthCheckSpec, answers: np.ndarray, step_s: int) -> np.ndarray:
    """Healthy (True) per step of an endpoint check, from whether the endpoint answers at each step.

    Checkers call at a phase the twin cannot know; it takes the worst one, where each call sees the endpoint
    as it was one interval earlier, so a change is seen a whole interval late.
    """
    out = np.ones(len(answers), dtype=bool)
    every = max(1, check.interval // step_s)
    healthy, fails, successes = True, 0, 0
    for i in range(len(answers)):
        if i % every == 0:
            if answers[max(0, i - every)]:
                successes, fails = successes + 1, 0
            else:
                fails, successes = fails + 1, 0
            if healthy and fails >= check.failure_threshold:
                healthy = False
            elif not healthy and successes >= check.failure_threshold:
                healthy = True
        out[i] = healthy
    return out


def metric_states(check: HealthCheckSpec, alarm_minutes: np.ndarray, steps: int, per_minute: int) -> np.ndarray:
    """Healthy (True) per step of a CLOUDWATCH_METRIC check, from its alarm's state each minute."""
    out = np.ones(steps, dtype=bool)
    last = True
    for i in range(steps):
        state = int(alarm_minutes[min(i // per_minute, len(alarm_minutes) - 1)])
        if state == ALARM:
            last = False
        elif state == INSUFFICIENT:
            if check.insufficient == "Unhealthy":
                last = False
            elif check.insufficient == "Healthy":
                last = True
        else:
            last = True
        out[i] = last
    return out


def check_states(
    topo: Topology,
    answers: Callable[[HealthCheckSpec], np.ndarray],
    alarm_minutes: Mapping[str, np.ndarray],
    steps: int,
    step_s: int,
) -> dict[str, np.ndarray]:
    """Healthy per step of every health check (key ``Region/logical ID``)."""
    per_minute = 60 // step_s
    out: dict[str, np.ndarray] = {}

    def state(key: str, depth: int = 0) -> np.ndarray:
        if key in out:
            return out[key]
        check = topo.health_checks[key]
        if check.kind == "CALCULATED" and depth < 4:
            kids = [state(c, depth + 1) for c in check.children if c in topo.health_checks]
            healthy = np.sum(kids, axis=0) >= check.health_threshold if kids else np.ones(steps, dtype=bool)
        elif check.kind == "CLOUDWATCH_METRIC":
            alarm = alarm_minutes.get(f"{check.region}/{check.alarm}")
            healthy = (
                metric_states(check, alarm, steps, per_minute) if alarm is not None else np.ones(steps, dtype=bool)
            )
        elif check.kind.startswith(("HTTP", "TCP")):
            healthy = endpoint_states(check, answers(check), step_s)
        else:
            healthy = np.ones(steps, dtype=bool)
        if check.inverted:
            healthy = ~healthy
        if check.disabled:
            healthy = np.ones(steps, dtype=bool)
        out[key] = healthy
        return healthy

    for key in topo.health_checks:
        state(key)
    return out


def record_health(
    topo: Topology, checks: Mapping[str, np.ndarray], cells: list[str], steps: int
) -> dict[str, np.ndarray]:
    """Whether each cell's origin record is answered, per step, with Route 53's fail-open when none is healthy."""
    raw = {}
    for cell in cells:
        records = [r for r in topo.records if r.name == topo.origin_name and r.cell == cell]
        if not records:
            raw[cell] = np.zeros(steps, dtype=bool)
            continue
        healthy = np.ones(steps, dtype=bool)
        for record in records:
            if record.health_check is not None and record.health_check in checks:
                healthy &= checks[record.health_check]
        raw[cell] = healthy
    anyone = np.any([raw[c] for c in cells], axis=0) if cells else np.zeros(steps, dtype=bool)
    return {c: np.where(anyone, raw[c], True) for c in cells}


def departed(shape: str, fraction_of_spread: float) -> float:
    """Share of the viewers gone a given fraction of the way through a departure of ``shape``."""
    x = min(1.0, max(0.0, fraction_of_spread))
    if shape == "triangular":
        return 2.0 * x * x if x <= 0.5 else 1.0 - 2.0 * (1.0 - x) ** 2
    return x  # detection_then_even (the twin measures the detection) and jittered_clients: even


def presence(
    answered: np.ndarray, ttl: int, step_s: int, *, shape: str = "detection_then_even", spread: int | None = None
) -> np.ndarray:
    """The share of a cell's viewers CloudFront still sends to it, per step.

    When the record stops being answered the viewers leave following the departure profile (``shape`` over
    ``spread`` seconds, default the TTL); when it is answered again they come back evenly over one TTL, as
    CloudFront's cached answers expire. A change is felt from the next step.
    """
    out = np.empty(len(answered))
    spread_s = float(spread if spread is not None else ttl)
    level, anchor, since, state = 1.0, 1.0, 0, True
    for i, on in enumerate(answered):
        out[i] = level
        if bool(on) != state:
            state, anchor, since = bool(on), level, 0
        since += 1
        elapsed = since * step_s
        if state:
            level = min(1.0, anchor + (1.0 - anchor) * min(1.0, elapsed / max(ttl, step_s)))
        else:
            level = anchor * (1.0 - departed(shape, elapsed / spread_s))
    return out
