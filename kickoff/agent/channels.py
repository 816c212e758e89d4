"""Live channels: started before the events they serve and stopped after, by the Region's agent.

Each live stack registers its channels under ``<path>/channels/<name>`` (``ChannelRegistration``: the MediaLive
channel ID, the event patterns, the lead and the stop delay). Every run the agent computes each channel's runs from
the events of the newest good forecast document (``kickoff.scaling.live``, the same calendar the capacity plan reads)
and makes MediaLive agree:

- a channel inside a run that is ``IDLE`` is started (MediaLive takes up to 10 minutes, inside the lead);
- a channel outside every run that is ``RUNNING`` is stopped, only if this agent started it (its status item lists
  the channels it started), so a channel an operator starts for a rehearsal is left running and reported;
- a channel inside a run of the previous good document is never stopped: a forecast changed during an event
  does not cut its video;
- any other state (``STARTING``, ``STOPPING``, ``UPDATING``, ``RECOVERING``...) is left to MediaLive.

MediaLive bills a running channel per input and output hour, so a stop missed costs money and a start missed costs
the event: both are reported, and the channel's ``LiveChannelExpected``/``LiveChannelRunning`` metrics feed an alarm.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kickoff.agent.apply import Write
from kickoff.agent.registration import RegistrationError
from kickoff.scaling.live import ChannelRegistration, channel_runs, running_at
from kickoff.scaling.model import EventForecast

RUNNING_STATES = frozenset({"RUNNING", "STARTING"})
"""States in which a channel is (about to be) encoding."""


@dataclass(frozen=True)
class DesiredChannel:
    """One channel's registration, and whether it must run now by the current document."""

    registration: ChannelRegistration
    run: bool
    protected: bool
    """Inside a run of the previous good document: not stopped even when the current one says so."""


@dataclass
class ChannelReport:
    writes: list[Write] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: set[str] = field(default_factory=set)
    states: dict[str, str] = field(default_factory=dict)


def read_channels(parameters: Mapping[str, str], path: str) -> list[ChannelRegistration]:
    """The channels registered under ``path`` (name -> value). Raises RegistrationError naming the parameter."""
    out = []
    for name in sorted(n for n in parameters if n.startswith(f"{path}/channels/")):
        try:
            out.append(ChannelRegistration.from_parameter(json.loads(parameters[name])))
        except (json.JSONDecodeError, ValueError, AttributeError) as error:
            raise RegistrationError(f"{name}: {error}") from None
    return out


def desired_channels(
    registrations: Sequence[ChannelRegistration],
    events: Sequence[EventForecast],
    previous: Sequence[EventForecast],
    now: datetime,
) -> list[DesiredChannel]:
    """What each channel must be at ``now`` by the current document's events, guarded by the previous one's."""
    out = []
    for registration in registrations:
        runs = channel_runs(registration.schedule, events)
        before = channel_runs(registration.schedule, previous)
        out.append(
            DesiredChannel(
                registration,
                running_at(runs, now) is not None,
                running_at(before, now) is not None,
            )
        )
    return out


def apply_channels(
    medialive: Any, desired: Sequence[DesiredChannel], started_before: set[str], *, dry_run: bool = False
) -> ChannelReport:
    """Start and stop the channels as ``desired`` says (see the module docstring); ``started_before`` are the
    channel IDs this agent started and has not stopped."""
    report = ChannelReport(started=set(started_before))
    for want in desired:
        channel_id, name = want.registration.channel_id, want.registration.name
        try:
            state = medialive.describe_channel(ChannelId=channel_id)["State"]
        except Exception as error:  # noqa: BLE001 - one channel's failure must not stop the others
            report.errors.append(f"live channel {name} ({channel_id}): {type(error).__name__}: {error}")
            continue
        report.states[name] = state
        if want.run and state == "IDLE":
            if _change(medialive.start_channel, report, want, "start", state, "STARTING", dry_run):
                report.started.add(channel_id)
        elif not want.run and state == "RUNNING":
            if want.protected:
                report.notes.append(f"live channel {name}: kept running through the previous forecast's event")
            elif channel_id not in started_before:
                report.notes.append(
                    f"live channel {name}: running outside its events but not started by the agent; left running "
                    "(stop it when it is no longer needed: it is billed while it runs)"
                )
            elif _change(medialive.stop_channel, report, want, "stop", state, "STOPPING", dry_run):
                report.started.discard(channel_id)
        elif state == "IDLE":
            report.started.discard(channel_id)
    return report


def _change(
    call: Any, report: ChannelReport, want: DesiredChannel, verb: str, state: str, after: str, dry_run: bool
) -> bool:
    """Start or stop one channel (``call``), logged as a write; False (and an error) when MediaLive refuses."""
    channel_id, name = want.registration.channel_id, want.registration.name
    report.writes.append(Write(f"channel-{verb}", channel_id, name, state, "RUNNING" if verb == "start" else "IDLE"))
    if not dry_run:
        try:
            call(ChannelId=channel_id)
        except Exception as error:  # noqa: BLE001 - one channel's failure must not stop the others
            report.errors.append(f"live channel {name}: {verb}: {type(error).__name__}: {error}")
            return False
    report.states[name] = after
    return True


def channel_metrics(desired: Sequence[DesiredChannel], report: ChannelReport) -> dict[str, dict[str, float]]:
    """Per channel: ``LiveChannelExpected`` (1 inside a run) and ``LiveChannelRunning`` (1 running or starting)."""
    return {
        d.registration.name: {
            "LiveChannelExpected": 1.0 if d.run else 0.0,
            "LiveChannelRunning": 1.0 if report.states.get(d.registration.name) in RUNNING_STATES else 0.0,
        }
        for d in desired
        if d.registration.name in report.states
    }
