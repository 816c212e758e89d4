"""Health checks, fail-open and how fast viewers move, as the twin runs them."""

from __future__ import annotations

import numpy as np

from kickoff.twin.alarms import ALARM, INSUFFICIENT, OK
from kickoff.twin.route53 import check_states, endpoint_states, metric_states, presence, record_health
from kickoff.twin.specs import HealthCheckSpec, RecordSpec, Topology

STEP = 10


def test_an_endpoint_check_turns_unhealthy_one_interval_times_the_threshold_after_a_failure() -> None:
    answers = np.array([True] * 6 + [False] * 12 + [True] * 12)
    check = HealthCheckSpec("H", "r", "HTTPS", interval=10, failure_threshold=3)
    healthy = endpoint_states(check, answers, STEP)
    down = int(np.flatnonzero(~healthy)[0])
    back = int(np.flatnonzero(healthy[down:])[0]) + down
    assert (down - 6) * STEP == 30  # the worst checker phase: 10 s x 3
    assert (back - 18) * STEP == 30


def test_a_metric_check_follows_its_alarm_and_insufficient_data_as_configured() -> None:
    alarm = np.array([OK, ALARM, INSUFFICIENT, OK], dtype=np.int8)
    last = HealthCheckSpec("H", "r", "CLOUDWATCH_METRIC", insufficient="LastKnownStatus")
    healthy = HealthCheckSpec("H", "r", "CLOUDWATCH_METRIC", insufficient="Healthy")
    assert metric_states(last, alarm, 4, 1).tolist() == [True, False, False, True]
    assert metric_states(healthy, alarm, 4, 1).tolist() == [True, False, True, True]


def _topology(threshold: int, *, inverted: bool = False, disabled: bool = False) -> Topology:
    children = tuple(f"r/C{i}" for i in range(3))
    checks = {c: HealthCheckSpec(c.split("/")[1], "r", "HTTPS", cell="r") for c in children}
    checks["r/P"] = HealthCheckSpec(
        "P", "r", "CALCULATED", children=children, health_threshold=threshold, inverted=inverted, disabled=disabled
    )
    return Topology(health_checks=checks, origin_name="o")


def test_a_calculated_check_needs_its_threshold_of_healthy_children() -> None:
    failing = {"C0": False, "C1": True, "C2": True}

    def answers(check: HealthCheckSpec) -> np.ndarray:
        return np.full(12, failing[check.logical_id])

    assert not check_states(_topology(3), answers, {}, 12, STEP)["r/P"][-1]
    assert check_states(_topology(2), answers, {}, 12, STEP)["r/P"][-1]
    assert check_states(_topology(3, inverted=True), answers, {}, 12, STEP)["r/P"][-1]
    assert check_states(_topology(3, disabled=True), answers, {}, 12, STEP)["r/P"][-1]


def test_route53_answers_with_every_record_when_none_is_healthy() -> None:
    topo = Topology(
        records=[RecordSpec("o", c, c, f"{c}/H", 60) for c in ("a", "b")],
        origin_name="o",
    )
    checks = {"a/H": np.array([True, False, False]), "b/H": np.array([True, True, False])}
    answered = record_health(topo, checks, ["a", "b"], 3)
    assert answered["a"].tolist() == [True, False, True]
    assert answered["b"].tolist() == [True, True, True]


def test_viewers_move_over_one_ttl() -> None:
    answered = np.array([True] * 3 + [False] * 9 + [True] * 9)
    share = presence(answered, 60, STEP)
    assert share[3] == 1.0 and share[9] == 0.0 and 0.0 < share[6] < 1.0  # out one TTL (60 s) after the change
    assert share[18] == 1.0 and share[15] < 1.0
