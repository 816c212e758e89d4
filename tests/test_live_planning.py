"""The live channels against prod's calendar: runs, events and cost, as kickoff plan and the README show them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kickoff.config.loader import load_for_context
from kickoff.live_planning import channel_plans, hour_costs


@pytest.fixture(scope="module")
def prod_config():
    return load_for_context("prod", None)


def test_every_prod_event_the_channel_serves_has_its_run(prod_config) -> None:
    (plan,) = channel_plans(prod_config)
    served = {e.id for e in prod_config.calendar.events}  # tnf-*, black-friday-*, sat-*: all of them
    assert {e.event_id for e in plan.events} == served
    assert sum(len(r.events) for r in plan.runs) == len(served)
    doubleheader = next(r for r in plan.runs if len(r.events) == 2)
    assert set(doubleheader.events) == {"sat-2026-w17-early", "sat-2026-w17-late"}


def test_a_span_keeps_the_runs_that_meet_it(prod_config) -> None:
    start = datetime(2026, 12, 10, tzinfo=UTC)
    (plan,) = channel_plans(prod_config, start, start + timedelta(days=2))
    assert [r.events for r in plan.runs] == [("tnf-2026-w14",)]
    run = plan.runs[0]
    kickoff = datetime(2026, 12, 11, 1, 15, tzinfo=UTC)
    assert run.start == kickoff - timedelta(hours=2)
    assert run.stop == kickoff + timedelta(minutes=190 + 30 + 15)
    assert plan.cost.channel_hours == pytest.approx(2 * 355 / 60)


def test_the_hour_cost_of_prods_channel(prod_config) -> None:
    (cost,) = hour_costs(prod_config)
    assert cost.regions == 2 and cost.lower_bound
    assert cost.medialive_usd == pytest.approx(2 * (0.294 + 2 * 0.702 + 2 * 0.354))
    assert cost.gb_per_viewer_hour == pytest.approx(
        (0.45 * 7800 + 0.3 * 4500 + 0.15 * 2500 + 0.1 * 1000 + 128) * 450_000 / 2**30
    )


def test_no_live_section_no_plans() -> None:
    dev = load_for_context("dev", None)
    assert [p.channel for p in channel_plans(dev)] == ["rehearsal"]
    without = dev.model_copy(update={"live": None})
    assert channel_plans(without) == [] and hour_costs(without) == []
