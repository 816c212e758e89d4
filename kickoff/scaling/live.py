"""When live channels run: from the calendar, the same events the capacity plan reads (pure).

A channel serves the events whose IDs match one of its patterns (``fnmatch``: ``tnf-*``). It runs from
``start_lead`` before the earliest kickoff of each (a flex window's start) to ``stop_delay`` after its latest end
plus overtime (a flex window's last kickoff + duration + overtime). Overlapping or touching runs merge, so a
doubleheader is one run. MediaLive bills a running channel per input and output hour, rounded up to the minute
with a ten-minute minimum per run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from kickoff.scaling.model import EventForecast

REGISTRATION_FORMAT = "kickoff-live-channel/1"
MEDIALIVE_MINIMUM = timedelta(minutes=10)
"""MediaLive's billing minimum per run of a channel."""
MEDIALIVE_START = timedelta(minutes=10)
"""How long MediaLive may take to start a channel: "most channels start in 3 minutes or less, but a startup time up
to 10 minutes is still normal" (MediaLive user guide, starting a channel)."""


@dataclass(frozen=True)
class ChannelRegistration:
    """What a live stack registers with its Region's agent: the MediaLive channel and when it must run."""

    name: str
    channel_id: str
    events: tuple[str, ...]
    start_lead_minutes: int
    stop_delay_minutes: int

    def to_parameter(self) -> dict[str, Any]:
        """The SSM parameter's value as a JSON object (the channel ID is a deploy-time token at synth)."""
        return {
            "format": REGISTRATION_FORMAT,
            "name": self.name,
            "channel_id": self.channel_id,
            "events": list(self.events),
            "start_lead_minutes": self.start_lead_minutes,
            "stop_delay_minutes": self.stop_delay_minutes,
        }

    @classmethod
    def from_parameter(cls, value: dict[str, Any]) -> ChannelRegistration:
        """Read a registration back; raises ValueError naming what does not read."""
        if value.get("format") != REGISTRATION_FORMAT:
            raise ValueError(f"format {value.get('format')!r} is not {REGISTRATION_FORMAT}")
        try:
            return cls(
                name=str(value["name"]),
                channel_id=str(value["channel_id"]),
                events=tuple(str(e) for e in value["events"]),
                start_lead_minutes=int(value["start_lead_minutes"]),
                stop_delay_minutes=int(value["stop_delay_minutes"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"registration does not read: {error}") from None

    @property
    def schedule(self) -> ChannelSchedule:
        return ChannelSchedule(
            self.events, timedelta(minutes=self.start_lead_minutes), timedelta(minutes=self.stop_delay_minutes)
        )


@dataclass(frozen=True)
class ChannelSchedule:
    """Which events a channel serves (ID patterns), how early it starts and how late it stops."""

    events: tuple[str, ...]
    start_lead: timedelta
    stop_delay: timedelta

    def serves(self, event_id: str) -> bool:
        return any(fnmatchcase(event_id, pattern) for pattern in self.events)


@dataclass(frozen=True)
class ChannelRun:
    """One run of a channel: started at ``start``, stopped at ``stop``, for ``events``."""

    start: datetime
    stop: datetime
    events: tuple[str, ...]

    @property
    def billed(self) -> timedelta:
        """What MediaLive bills for the run: whole minutes, at least ten."""
        minutes = math.ceil((self.stop - self.start).total_seconds() / 60)
        return max(timedelta(minutes=minutes), MEDIALIVE_MINIMUM)


def served(schedule: ChannelSchedule, events: Iterable[EventForecast]) -> list[EventForecast]:
    """The events ``schedule`` serves."""
    return [e for e in events if schedule.serves(e.event_id)]


def channel_runs(schedule: ChannelSchedule, events: Sequence[EventForecast]) -> list[ChannelRun]:
    """The channel's runs in time order: one per served event, merged where they overlap or touch."""
    raw = sorted(
        (e.first_kickoff - schedule.start_lead, e.latest_end + schedule.stop_delay, e.event_id)
        for e in served(schedule, events)
    )
    merged: list[list[Any]] = []
    for start, stop, event_id in raw:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
            merged[-1][2].append(event_id)
        else:
            merged.append([start, stop, [event_id]])
    return [ChannelRun(start, stop, tuple(ids)) for start, stop, ids in merged]


def running_at(runs: Sequence[ChannelRun], at: datetime) -> ChannelRun | None:
    """The run in force at ``at`` (start inclusive, stop exclusive), or None: the channel must be stopped."""
    return next((r for r in runs if r.start <= at < r.stop), None)


def billed_hours(runs: Iterable[ChannelRun]) -> float:
    """Hours MediaLive bills for ``runs`` of one channel in one Region (its input and each output are billed for
    each of them)."""
    return sum(r.billed.total_seconds() for r in runs) / 3600
