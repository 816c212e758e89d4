"""CloudWatch alarms and composite alarms, evaluated minute by minute over the twin's metric series.

An alarm's datapoints are its metric (or metric-math expression) aggregated over each period, at the period's
end. At each period end the alarm looks at its last ``evaluation_periods`` datapoints and goes to ALARM when
at least ``datapoints_to_alarm`` of them breach, to OK otherwise. Missing datapoints follow
``TreatMissingData``: ``breaching`` and ``notBreaching`` count them as such; ``ignore`` keeps the current
state when the whole window is missing; ``missing`` (the default) goes to INSUFFICIENT_DATA when the whole
window is missing, and otherwise judges the datapoints present. The twin evaluates at period ends only, not
every minute of a longer period: a five-minute alarm changes state at most every five minutes.

A composite alarm's rule (``ALARM(x)``, ``OK(x)``, ``INSUFFICIENT_DATA(x)``, ``AND``, ``OR``, ``NOT``,
``TRUE``, ``FALSE``) is evaluated every minute over its children's states.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from kickoff.twin.metricmath import Node, Unsupported, evaluate, parse

OK, ALARM, INSUFFICIENT = 0, 1, 2
_COMPARE: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "GreaterThanThreshold": lambda x, t: x > t,
    "GreaterThanOrEqualToThreshold": lambda x, t: x >= t,
    "LessThanThreshold": lambda x, t: x < t,
    "LessThanOrEqualToThreshold": lambda x, t: x <= t,
}


@dataclass(frozen=True)
class MetricRef:
    """One metric an alarm reads: what the twin binds it to (``signal``), its statistic and period (s)."""

    id: str
    signal: tuple[str, ...]  # ("healthy_hosts", region, service), ...; ("unmodelled", namespace, name) if not bound
    stat: str
    period: int
    label: str = ""


@dataclass(frozen=True)
class AlarmSpec:
    """A metric or metric-math alarm as the template declares it."""

    logical_id: str
    name: str
    region: str
    metrics: tuple[MetricRef, ...]
    expression: str | None  # the returned expression; None for a single-metric alarm
    threshold: float
    comparison: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing: str = "missing"
    description: str = ""


@dataclass(frozen=True)
class CompositeSpec:
    """A composite alarm: its rule with children named by logical ID."""

    logical_id: str
    name: str
    region: str
    rule: str
    children: tuple[str, ...] = field(default=())


SeriesSource = Callable[[MetricRef], np.ndarray]
"""Datapoints of one metric at its period, by period end, NaN where missing."""


def datapoints(alarm: AlarmSpec, source: SeriesSource, epoch: np.ndarray) -> np.ndarray:
    """The alarm's datapoint per period (NaN where missing); ``epoch`` holds each period end's timestamp."""
    if alarm.expression is None:
        return source(alarm.metrics[0])
    node: Node = parse(alarm.expression)
    series = {m.id: source(m) for m in alarm.metrics}
    return evaluate(node, series, epoch)


def states(alarm: AlarmSpec, points: np.ndarray) -> np.ndarray:
    """The alarm's state after each datapoint (OK, ALARM or INSUFFICIENT)."""
    if alarm.comparison not in _COMPARE:
        raise Unsupported(f"comparison {alarm.comparison} is not modelled")
    with np.errstate(invalid="ignore"):
        breach = _COMPARE[alarm.comparison](points, alarm.threshold)
    missing = np.isnan(points)
    counted = (breach & ~missing) | (missing if alarm.treat_missing == "breaching" else False)
    n = alarm.evaluation_periods
    kernel = np.ones(n)
    breaching = np.convolve(counted.astype(float), kernel)[: len(points)]
    present = np.convolve((~missing).astype(float), kernel)[: len(points)]
    out = np.where(breaching >= alarm.datapoints_to_alarm - 1e-9, ALARM, OK).astype(np.int8)
    blind = present < 0.5
    if alarm.treat_missing == "missing":
        out[blind] = INSUFFICIENT
    elif alarm.treat_missing == "ignore" and blind.any():
        # keep the state before a window with no datapoint at all (OK before the first)
        index = np.where(~blind, np.arange(len(points)), -1)
        index = np.maximum.accumulate(index)
        out = np.where(index >= 0, out[np.maximum(index, 0)], OK).astype(np.int8)
    return out


_RULE_TOKEN = re.compile(r"\s*(ALARM|OK|INSUFFICIENT_DATA|AND|OR|NOT|TRUE|FALSE|\(|\)|\"[^\"]*\"|[^\s()\"]+)")


def parse_rule(rule: str) -> Callable[[Mapping[str, int]], bool]:
    """A composite rule as a predicate over child states (child logical ID -> state)."""
    tokens = [t for t in _RULE_TOKEN.findall(rule) if t.strip()]
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take(expected: str | None = None) -> str:
        nonlocal pos
        token = peek()
        if token is None or (expected and token != expected):
            raise Unsupported(f"cannot read composite rule {rule!r} at {token!r}")
        pos += 1
        return token

    def expr() -> Callable[[Mapping[str, int]], bool]:
        left = term()
        while peek() == "OR":
            take()
            a, b = left, term()
            left = lambda s, a=a, b=b: a(s) or b(s)  # noqa: E731
        return left

    def term() -> Callable[[Mapping[str, int]], bool]:
        left = factor()
        while peek() == "AND":
            take()
            a, b = left, factor()
            left = lambda s, a=a, b=b: a(s) and b(s)  # noqa: E731
        return left

    def factor() -> Callable[[Mapping[str, int]], bool]:
        token = take()
        if token == "NOT":
            inner = factor()
            return lambda s: not inner(s)
        if token == "(":
            inner = expr()
            take(")")
            return inner
        if token in ("TRUE", "FALSE"):
            return lambda s, v=(token == "TRUE"): v
        if token in ("ALARM", "OK", "INSUFFICIENT_DATA"):
            take("(")
            child = take().strip('"')
            take(")")
            wanted = {"ALARM": ALARM, "OK": OK, "INSUFFICIENT_DATA": INSUFFICIENT}[token]
            return lambda s, c=child, w=wanted: s.get(c, INSUFFICIENT) == w
        raise Unsupported(f"cannot read composite rule {rule!r} at {token!r}")

    predicate = expr()
    if peek() is not None:
        raise Unsupported(f"cannot read composite rule {rule!r} at {peek()!r}")
    return predicate


def composite_states(spec: CompositeSpec, children: Mapping[str, np.ndarray], minutes: int) -> np.ndarray:
    """The composite's state each minute (ALARM or OK) from its children's per-minute states."""
    predicate = parse_rule(spec.rule)
    out = np.zeros(minutes, dtype=np.int8)
    for t in range(minutes):
        out[t] = ALARM if predicate({c: int(children[c][t]) for c in spec.children if c in children}) else OK
    return out


def per_minute(states_by_period: np.ndarray, period: int, minutes: int, initial: int = OK) -> np.ndarray:
    """The state in force during each minute: period k's datapoint is judged when the period ends, at the start
    of minute (k + 1) x period / 60, and holds until the next period ends."""
    step = max(1, period // 60)
    out = np.full(minutes, initial, dtype=np.int8)
    for k, state in enumerate(states_by_period):
        start = (k + 1) * step
        if start >= minutes:
            break
        out[start:] = state
    return out


def children_of(rule_text: str) -> tuple[str, ...]:
    """Child names in a rule, in order."""
    return tuple(dict.fromkeys(re.findall(r"\(\s*\"([^\"]+)\"\s*\)", rule_text)))


def aggregate(values: np.ndarray, stat: str, per: int) -> np.ndarray:
    """Step values (NaN missing) aggregated into periods of ``per`` steps with a CloudWatch statistic."""
    periods = len(values) // per
    shaped = values[: periods * per].reshape(periods, per)
    present = ~np.isnan(shaped)
    out = np.full(periods, np.nan)
    any_present = present.any(axis=1)
    if not any_present.any():
        return out
    rows = shaped[any_present]
    with np.errstate(invalid="ignore"):
        if stat == "Sum":
            value = np.nansum(rows, axis=1)
        elif stat == "Average":
            value = np.nanmean(rows, axis=1)
        elif stat == "Minimum":
            value = np.nanmin(rows, axis=1)
        elif stat == "Maximum":
            value = np.nanmax(rows, axis=1)
        elif stat == "SampleCount":
            value = (~np.isnan(rows)).sum(axis=1).astype(float)
        else:
            raise Unsupported(f"statistic {stat} is not modelled")
    out[any_present] = value
    return out
