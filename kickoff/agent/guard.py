"""Capacity in force during an event window is never lowered by a new forecast.

A forecast revised down while an event is on (or ramping down) takes effect when the window closes: until then each
minimum is the higher of what is in force and what the new plan holds. Raises take effect at once. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kickoff.scaling.schedule import EventWindow

Change = tuple[datetime, int]


def guard_until(now: datetime, windows: Sequence[EventWindow]) -> datetime | None:
    """The latest restore of the event windows open at ``now`` (start inclusive, restore exclusive), or None."""
    open_ = [w.restore for w in windows if w.start <= now < w.restore]
    return max(open_) if open_ else None


def _value_at(now_value: int, changes: Sequence[Change], t: datetime) -> int:
    value = now_value
    for at, v in changes:
        if at > t:
            break
        value = v
    return value


def lift(
    now: datetime,
    until: datetime | None,
    in_force: tuple[int, Sequence[Change]],
    desired: tuple[int, Sequence[Change]],
) -> tuple[int, list[Change]]:
    """What to write so that nothing in force before ``until`` is lowered: (value now, changes after now).

    ``in_force`` and ``desired`` are each a value at ``now`` and the later changes in time order. Before ``until``
    the result is the higher of the two at every instant; from ``until`` on it is ``desired``; changes that repeat
    the value before them are then left out. Without ``until`` it is ``desired``, action for action.
    """
    desired_now, desired_changes = desired[0], sorted(desired[1])
    if until is None:
        return desired_now, [c for c in desired_changes if c[0] > now]
    current_now, current_changes = in_force[0], sorted(in_force[1])
    start = max(current_now, desired_now)
    points = sorted({t for t, _ in (*current_changes, *desired_changes) if now < t < until})
    merged = [
        (t, max(_value_at(current_now, current_changes, t), _value_at(desired_now, desired_changes, t))) for t in points
    ]
    merged.append((until, _value_at(desired_now, desired_changes, until)))
    merged += [c for c in desired_changes if c[0] > until]
    return start, _compact(start, merged)


def _compact(start: int, changes: Sequence[Change]) -> list[Change]:
    out: list[Change] = []
    value = start
    for t, v in changes:
        if v != value:
            out.append((t, v))
            value = v
    return out
