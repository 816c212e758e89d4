"""Alarm states: M of N, missing data as CloudWatch treats it, composite rules."""

from __future__ import annotations

import numpy as np

from kickoff.twin.alarms import ALARM, INSUFFICIENT, OK, AlarmSpec, CompositeSpec, composite_states, per_minute, states

NAN = np.nan


def _alarm(m: int, n: int, treat: str = "missing", comparison: str = "GreaterThanThreshold") -> AlarmSpec:
    return AlarmSpec("A", "a", "r", (), None, 1.0, comparison, 60, n, m, treat)


def test_m_of_n_needs_m_breaching_datapoints_in_the_last_n() -> None:
    points = np.array([0, 2, 0, 2, 2, 0, 0, 0])
    assert states(_alarm(2, 3), points).tolist() == [OK, OK, OK, ALARM, ALARM, ALARM, OK, OK]


def test_missing_data_follows_treat_missing_data() -> None:
    points = np.array([2, NAN, NAN, NAN, 0])
    assert states(_alarm(1, 1, "missing"), points).tolist() == [ALARM, INSUFFICIENT, INSUFFICIENT, INSUFFICIENT, OK]
    assert states(_alarm(1, 1, "breaching"), points).tolist() == [ALARM, ALARM, ALARM, ALARM, OK]
    assert states(_alarm(1, 1, "notBreaching"), points).tolist() == [ALARM, OK, OK, OK, OK]
    assert states(_alarm(1, 1, "ignore"), points).tolist() == [ALARM, ALARM, ALARM, ALARM, OK]


def test_a_five_minute_alarm_changes_state_when_its_period_ends() -> None:
    minutes = per_minute(np.array([OK, ALARM], dtype=np.int8), 300, 12)
    assert minutes.tolist() == [OK] * 10 + [ALARM] * 2


def test_composite_rules_read_alarm_ok_and_not() -> None:
    spec = CompositeSpec("C", "c", "r", '(ALARM("a") OR ALARM("b")) AND NOT OK("c")', ("a", "b", "c"))
    children = {
        "a": np.array([OK, ALARM, ALARM, OK]),
        "b": np.array([OK, OK, OK, ALARM]),
        "c": np.array([ALARM, OK, INSUFFICIENT, ALARM]),
    }
    assert composite_states(spec, children, 4).tolist() == [OK, OK, ALARM, ALARM]
