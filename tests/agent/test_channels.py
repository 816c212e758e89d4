"""The agent starts and stops live channels around their events, in-process against moto's MediaLive."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from moto import mock_aws

from e2e import moto_capacity as moto_patches
from kickoff.agent.handler import log_lines
from kickoff.agent.store import read_status
from kickoff.config.loader import load_for_context
from kickoff.scaling.live import ChannelRegistration
from tests.agent.harness import Cell, make_cell

pytestmark = pytest.mark.not_a_rule("tests the capacity agent's channel runs against moto's MediaLive")

KICKOFF_W14 = datetime(2026, 12, 11, 1, 15, tzinfo=UTC)  # tnf-2026-w14: 190 min + 30 min overtime
START = KICKOFF_W14 - timedelta(minutes=120)
STOP = KICKOFF_W14 + timedelta(minutes=190 + 30 + 15)


@pytest.fixture(scope="module")
def prod():
    return load_for_context("prod", None)


@pytest.fixture
def cell(prod) -> Iterator[Cell]:
    moto_patches.reset()
    with mock_aws():
        yield make_cell(prod, "us-east-1")


def register(cell: Cell, name: str = "tnf", events: tuple[str, ...] = ("tnf-*",)) -> str:
    """Create a MediaLive channel as the live stack does and register it with the agent; its ID."""
    channel_id = cell.clients["medialive"].create_channel(Name=f"kickoff-prod-{name}", ChannelClass="STANDARD")[
        "Channel"
    ]["Id"]
    registration = ChannelRegistration(name, channel_id, events, 120, 15)
    cell.clients["ssm"].put_parameter(
        Name=f"{cell.settings.parameter_path}/channels/{name}",
        Value=json.dumps(registration.to_parameter()),
        Type="String",
    )
    return channel_id


def state(cell: Cell, channel_id: str) -> str:
    return cell.clients["medialive"].describe_channel(ChannelId=channel_id)["State"]


def test_the_channel_starts_at_its_lead_and_stops_after_the_end_plus_overtime(prod, cell):
    channel_id = register(cell)
    cell.publish_config(prod, 1, START - timedelta(days=2))
    before = cell.run(START - timedelta(minutes=5))
    assert before.success and state(cell, channel_id) == "IDLE" and not before.channels.writes
    assert before.channel_metrics == {"tnf": {"LiveChannelExpected": 0.0, "LiveChannelRunning": 0.0}}

    started = cell.run(START + timedelta(minutes=1))
    assert started.success, started.problems
    assert [(w.kind, w.name) for w in started.channels.writes] == [("channel-start", "tnf")]
    assert state(cell, channel_id) == "RUNNING"
    assert started.channel_metrics["tnf"] == {"LiveChannelExpected": 1.0, "LiveChannelRunning": 1.0}
    status = read_status(cell.clients["dynamodb"], cell.settings.forecast_table, cell.region)
    assert status["started_channels"] == [channel_id]

    during = cell.run(KICKOFF_W14 + timedelta(hours=3, minutes=50))  # in overtime
    assert not during.channels.writes and state(cell, channel_id) == "RUNNING"

    stopped = cell.run(STOP + timedelta(minutes=1))
    assert [(w.kind, w.name) for w in stopped.channels.writes] == [("channel-stop", "tnf")]
    assert state(cell, channel_id) == "IDLE"
    status = read_status(cell.clients["dynamodb"], cell.settings.forecast_table, cell.region)
    assert status["started_channels"] == []
    lines = [json.loads(line) for line in log_lines(stopped, cell.settings)]
    assert any(line.get("change") == "channel-stop" and line.get("name") == "tnf" for line in lines)
    assert any(line.get("Channel") == "tnf" and line.get("LiveChannelExpected") == 0.0 for line in lines)


def test_a_channel_an_operator_started_is_left_running_and_reported(prod, cell):
    channel_id = register(cell)
    cell.publish_config(prod, 1, START - timedelta(days=3))
    cell.clients["medialive"].start_channel(ChannelId=channel_id)  # a rehearsal two days before
    result = cell.run(START - timedelta(days=2))
    assert not result.channels.writes and state(cell, channel_id) == "RUNNING"
    assert any("not started by the agent" in note for note in result.channels.notes)
    assert result.channel_metrics["tnf"] == {"LiveChannelExpected": 0.0, "LiveChannelRunning": 1.0}


def test_a_forecast_that_drops_the_event_mid_game_does_not_cut_the_video(prod, cell):
    channel_id = register(cell)
    cell.publish_config(prod, 1, START - timedelta(days=2))
    cell.run(START + timedelta(minutes=1))
    assert state(cell, channel_id) == "RUNNING"
    without = prod.model_copy()
    without.attach_calendar(
        prod.calendar.model_copy(update={"events": tuple(e for e in prod.calendar.events if e.id != "tnf-2026-w14")})
    )
    cell.publish_config(without, 2, KICKOFF_W14)
    kept = cell.run(KICKOFF_W14 + timedelta(minutes=30))
    assert kept.version == 2 and not kept.channels.writes and state(cell, channel_id) == "RUNNING"
    assert any("previous forecast" in note for note in kept.channels.notes)
    cell.publish_config(without, 3, KICKOFF_W14 + timedelta(minutes=40))
    stopped = cell.run(KICKOFF_W14 + timedelta(minutes=45))  # the previous good document no longer has it either
    assert [w.kind for w in stopped.channels.writes] == ["channel-stop"] and state(cell, channel_id) == "IDLE"


def test_a_channel_that_cannot_be_described_fails_the_run_but_not_the_others(prod, cell):
    good = register(cell)
    cell.clients["ssm"].put_parameter(
        Name=f"{cell.settings.parameter_path}/channels/gone",
        Value=json.dumps(ChannelRegistration("gone", "9999999", ("tnf-*",), 120, 15).to_parameter()),
        Type="String",
    )
    cell.publish_config(prod, 1, START - timedelta(days=2))
    result = cell.run(START + timedelta(minutes=1))
    assert not result.success and any("gone" in e for e in result.channels.errors)
    assert state(cell, good) == "RUNNING"


def test_a_registration_that_does_not_read_stops_the_run_with_its_name(prod, cell):
    cell.clients["ssm"].put_parameter(
        Name=f"{cell.settings.parameter_path}/channels/tnf", Value='{"format": "other"}', Type="String"
    )
    cell.publish_config(prod, 1, START - timedelta(days=2))
    result = cell.run(START + timedelta(minutes=1))
    assert not result.success and any("/channels/tnf" in p for p in result.problems)
