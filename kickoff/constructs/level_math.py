"""Metric math that knows the plan: "the level the plan holds now", from the compiled levels and ``EPOCH``.

A level is a span of time and the value the plan holds over it (a service's minimum tasks while an event is
on, an ALB's reserved capacity units). CloudWatch has no notion of a schedule, so the expression compares
each datapoint's timestamp (``EPOCH``) with the spans compiled at synth: the alarms it feeds are as current
as the last deploy, like the scheduled actions themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

# A metric math expression in an alarm may be at most this long (CloudWatch MetricDataQuery.Expression).
MAX_EXPRESSION_LENGTH = 2048


class Level(Protocol):
    """From ``start`` to ``end`` (UTC) the plan holds ``value``."""

    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...

    @property
    def value(self) -> int: ...


def floor_expression(metric_id: str, levels: Sequence[Level], *, subtract: bool = True) -> str | None:
    """Metric math for "the plan's level now", 0 outside every level: nested IFs over ``EPOCH`` of
    ``metric_id``'s timestamps; with ``subtract``, minus that metric (the alarm's form).

    Levels that do not fit the expression limit are dropped from the end (the latest events);
    the next deploy compiles them, as it compiles their scheduled actions.
    """
    expression = None
    for count in range(len(levels), 0, -1):
        body = "0"
        for level in reversed(levels[:count]):
            start, end = int(level.start.timestamp()), int(level.end.timestamp())
            body = f"IF(EPOCH({metric_id}) >= {start} AND EPOCH({metric_id}) < {end}, {level.value}, {body})"
        candidate = f"{body} - {metric_id}" if subtract else body
        if len(candidate) <= MAX_EXPRESSION_LENGTH - 64:
            expression = candidate
            break
    return expression
