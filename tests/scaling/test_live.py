"""Channel runs against the calendar, proved as the pre-scaling windows are: every event a channel serves, flex
windows included, is covered from its lead to its end plus overtime plus the stop delay; nothing else is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kickoff.scaling.live import (
    MEDIALIVE_MINIMUM,
    ChannelRegistration,
    ChannelSchedule,
    billed_hours,
    channel_runs,
    running_at,
)
from kickoff.scaling.model import EventForecast

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EPOCH = datetime(2026, 9, 1, tzinfo=UTC)


@st.composite
def events(draw: st.DrawFn) -> list[EventForecast]:
    out = []
    for i in range(draw(st.integers(min_value=0, max_value=8))):
        kickoff = EPOCH + timedelta(minutes=draw(st.integers(min_value=0, max_value=14 * 24 * 60)))
        early = timedelta(minutes=draw(st.sampled_from([0, 0, 30, 180])))
        late = timedelta(minutes=draw(st.sampled_from([0, 0, 45, 180])))
        out.append(
            EventForecast(
                event_id=f"{draw(st.sampled_from(['tnf', 'sat', 'other']))}-{i}",
                kickoff=kickoff,
                duration=timedelta(minutes=draw(st.integers(min_value=1, max_value=400))),
                overtime=timedelta(minutes=draw(st.integers(min_value=0, max_value=120))),
                peak_viewers=1,
                uncertainty=0.0,
                region_share={"us-east-1": 1.0},
                earliest_kickoff=kickoff - early if early else None,
                latest_kickoff=kickoff + late if late else None,
            )
        )
    return out


schedules = st.builds(
    ChannelSchedule,
    events=st.sampled_from([("tnf-*",), ("tnf-*", "sat-*"), ("*",), ("none-*",), ("tnf-1",)]),
    start_lead=st.integers(min_value=15, max_value=240).map(lambda m: timedelta(minutes=m)),
    stop_delay=st.integers(min_value=0, max_value=60).map(lambda m: timedelta(minutes=m)),
)


def _span(schedule: ChannelSchedule, event: EventForecast) -> tuple[datetime, datetime]:
    return event.first_kickoff - schedule.start_lead, event.latest_end + schedule.stop_delay


@SETTINGS
@given(calendar=events(), schedule=schedules, probe=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_every_served_event_is_covered_from_its_lead_to_its_end_plus_overtime(calendar, schedule, probe) -> None:
    runs = channel_runs(schedule, calendar)
    for event in calendar:
        start, stop = _span(schedule, event)
        at = start + timedelta(seconds=int((stop - start).total_seconds() * probe))
        if schedule.serves(event.event_id):
            run = running_at(runs, at)
            assert run is not None and run.start <= start and run.stop >= stop and event.event_id in run.events
            # every kickoff of the flex window is inside the run
            assert running_at(runs, event.first_kickoff) is not None
            assert running_at(runs, event.last_kickoff) is not None


@SETTINGS
@given(calendar=events(), schedule=schedules, probe=st.floats(min_value=0, max_value=1))
def test_the_channel_runs_only_around_events_it_serves(calendar, schedule, probe) -> None:
    runs = channel_runs(schedule, calendar)
    served = [_span(schedule, e) for e in calendar if schedule.serves(e.event_id)]
    assert bool(runs) == bool(served)
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert earlier.stop < later.start, "runs that overlap or touch are one run"
    for run in runs:
        at = run.start + timedelta(seconds=int((run.stop - run.start).total_seconds() * probe))
        if at < run.stop:
            assert any(start <= at < stop for start, stop in served), "a run holds a time no served event needs"
        assert run.billed >= MEDIALIVE_MINIMUM and run.billed >= run.stop - run.start
    assert billed_hours(runs) >= sum((r.stop - r.start).total_seconds() for r in runs) / 3600


def test_a_doubleheader_is_one_run_and_a_week_apart_is_two() -> None:
    def event(event_id: str, kickoff: datetime) -> EventForecast:
        return EventForecast(event_id, kickoff, timedelta(hours=3), timedelta(minutes=30), 1, 0.0, {"us-east-1": 1})

    early = event("sat-early", datetime(2026, 12, 26, 18, 0, tzinfo=UTC))
    late = event("sat-late", datetime(2026, 12, 26, 21, 30, tzinfo=UTC))
    week = event("sat-next", datetime(2027, 1, 2, 18, 0, tzinfo=UTC))
    schedule = ChannelSchedule(("sat-*",), timedelta(hours=2), timedelta(minutes=15))
    runs = channel_runs(schedule, [late, week, early])
    assert [r.events for r in runs] == [("sat-early", "sat-late"), ("sat-next",)]
    assert runs[0].start == datetime(2026, 12, 26, 16, 0, tzinfo=UTC)
    assert runs[0].stop == datetime(2026, 12, 27, 1, 15, tzinfo=UTC)  # 21:30 + 3 h + 30 min + 15 min
    assert billed_hours(runs) == 9.25 + 5.75


def test_a_registration_reads_back_and_refuses_another_format() -> None:
    registration = ChannelRegistration("tnf", "1234567", ("tnf-*",), 120, 15)
    assert ChannelRegistration.from_parameter(registration.to_parameter()) == registration
    assert registration.schedule.serves("tnf-2026-w14") and not registration.schedule.serves("sat-2026-w17-early")
    bad = {**registration.to_parameter(), "format": "kickoff-live-channel/0"}
    try:
        ChannelRegistration.from_parameter(bad)
    except ValueError as error:
        assert "kickoff-live-channel/1" in str(error)
    else:
        raise AssertionError("another format was read")
