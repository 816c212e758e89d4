"""Metric math as CloudWatch documents it (the examples are from the metric-math page)."""

from __future__ import annotations

import numpy as np
import pytest

from kickoff.twin.metricmath import Unsupported, evaluate, identifiers, parse

NAN = np.nan


def _ev(text: str, **series: list[float]) -> list[float]:
    arrays = {k: np.array(v, dtype=float) for k, v in series.items()}
    n = len(next(iter(arrays.values())))
    out = evaluate(parse(text), arrays, np.arange(n) * 60.0)
    return [None if np.isnan(x) else float(x) for x in out]


def test_if_takes_zero_for_a_missing_true_branch_and_drops_a_missing_false_branch() -> None:
    got = _ev(
        "IF(m1, m2, m3)",
        m1=[1, 1, 0, 0, NAN],
        m2=[30, NAN, 0, 0, 30],
        m3=[0, 0, 20, NAN, 20],
    )
    assert got == [30, 0, 20, None, None]


def test_comparisons_count_a_missing_side_as_zero_where_the_other_has_a_datapoint() -> None:
    m1, m2 = [30, 20, 0, 0], [20, NAN, 20, NAN]
    assert _ev("m1 < m2", m1=m1, m2=m2) == [0, 0, 1, 0]
    assert _ev("m1 > 15 AND m2 > 15", m1=m1, m2=m2) == [1, 0, 0, 0]


def test_a_scalar_keeps_a_series_gaps_and_division_by_zero_drops_the_datapoint() -> None:
    assert _ev("running - 1", running=[3, NAN]) == [2, None]
    assert _ev("a / b", a=[1, 1], b=[0, 2]) == [None, 0.5]


def test_fill_epoch_and_the_rate_expression_kickoff_alarms_use() -> None:
    assert _ev("FILL(m, 7)", m=[NAN, 1]) == [7, 1]
    assert _ev("EPOCH(m)", m=[5, NAN, 5]) == [0, None, 120]
    rate = "IF(requests >= 60, 100 * FILL(elb, 0) / requests, 0)"
    assert _ev(rate, requests=[NAN, 1000, 30], elb=[NAN, 200, NAN]) == [None, 20, 0]


def test_identifiers_and_an_unmodelled_function_is_refused_not_guessed() -> None:
    assert identifiers(parse("IF(FILL(a, 0) > 1 OR b < 2, c, 0)")) == {"a", "b", "c"}
    with pytest.raises(Unsupported, match="ANOMALY_DETECTION_BAND"):
        evaluate(parse("ANOMALY_DETECTION_BAND(m, 2)"), {"m": np.ones(2)}, np.arange(2.0))
