"""The deploy time: what a synth compiles for it, and what a deploy at that moment writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kickoff.config import ConfigError, load_config
from kickoff.planning import build_deployment_plan, default_plan_from, resolve_plan_from
from kickoff.scaling.horizon import APPLY_MARGIN, apply_window
from tests.support import CONFIG_DIR, PLAN_FROM, CliRun, run_cli

PROD = CONFIG_DIR / "prod.yaml"
KICKOFF_W13 = datetime(2026, 12, 4, 1, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def prod_config():
    return load_config(PROD)


def test_a_plan_without_reservations_holds_none_for_any_tool_to_price() -> None:
    """dev turns ALB reservations off: its plan carries none, so `kickoff plan`, the cost report and the cell
    templates agree that there are none (its rehearsal still gets task capacity)."""
    plan = build_deployment_plan(load_config(CONFIG_DIR / "dev.yaml"), PLAN_FROM)
    assert plan.capacity is not None and plan.capacity.targets
    assert plan.capacity.alb_reservations == ()
    assert all(plan.alb_reservations(region) == [] for region in ("us-east-1", "us-west-2"))


def test_an_unpinned_synth_compiles_for_now_rounded_up_to_the_minute() -> None:
    now = datetime(2026, 12, 3, 9, 14, 27, tzinfo=UTC)
    assert default_plan_from(now) == datetime(2026, 12, 3, 9, 15, tzinfo=UTC)
    assert default_plan_from(now.replace(second=0)) == now.replace(second=0)


def test_any_pinned_time_is_a_plan_to_read(prod_config) -> None:
    """The templates hold no plan, so a past time (a post-mortem) and a future one (a review) are both allowed."""
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert resolve_plan_from(prod_config, "2026-11-26T00:00:00Z", now=now) == datetime(2026, 11, 26, tzinfo=UTC)
    assert resolve_plan_from(prod_config, "2026-12-10T00:00:00Z", now=now) == datetime(2026, 12, 10, tzinfo=UTC)
    assert resolve_plan_from(prod_config, None, now=now) == now
    with pytest.raises(ConfigError, match="-c plan_from= is empty"):
        resolve_plan_from(prod_config, "", now=now)
    with pytest.raises(ConfigError, match="no time zone"):
        resolve_plan_from(prod_config, "2026-12-10T00:00:00", now=now)


def test_the_window_is_the_agents_for_a_run_at_the_time(prod_config) -> None:
    """No deploy margin or release time enters a plan: templates hold none, and the agent applies it when it runs."""
    plan = build_deployment_plan(prod_config, PLAN_FROM)
    assert plan.window == apply_window(PLAN_FROM, timedelta(days=prod_config.scaling.horizon_days))
    assert plan.window.start == PLAN_FROM + APPLY_MARGIN
    for region in prod_config.routed_regions:
        for service in prod_config.services:
            compiled = plan.compiled_target(region, service.name)
            assert all(s.at >= plan.window.start for s in compiled.steps)
        assert all(r.at >= plan.window.start for r in plan.alb_reservations(region))


def test_a_run_during_a_game_holds_the_games_floor(prod_config) -> None:
    """An agent run 15 minutes after kickoff puts the game's floor in force, not min_tasks."""
    deploy = KICKOFF_W13 + timedelta(minutes=15)
    plan = build_deployment_plan(prod_config, deploy)
    for service in prod_config.services:
        compiled = plan.compiled_target("us-east-1", service.name)
        target = plan.target("us-east-1", service.name)
        assert compiled.min_capacity >= target.min_tasks_at(deploy) > 0
        if service.name == "playback":
            assert compiled.min_capacity > 10 * service.min_tasks


def test_a_reservation_in_force_at_the_window_start_is_raised_again(prod_config) -> None:
    """A first run inside the 3-hour ALB lead still reserves the capacity."""
    full = build_deployment_plan(prod_config, PLAN_FROM).capacity.alb_reservations
    raise_ = next(
        r for r in full if r.region == "us-east-1" and r.capacity_units > 0 and r.at > PLAN_FROM + timedelta(days=1)
    )
    plan = build_deployment_plan(prod_config, raise_.at + timedelta(minutes=5))
    (first, *_) = plan.alb_reservations("us-east-1")
    assert first.at == plan.window.start and first.capacity_units == raise_.capacity_units


def test_event_window_at_names_the_window_holding_an_instant(prod_config) -> None:
    plan = build_deployment_plan(prod_config, PLAN_FROM)
    window = plan.event_window_at(KICKOFF_W13)
    assert window is not None and window.event_ids == ("tnf-2026-w13",)
    assert window.start <= KICKOFF_W13 < window.restore
    assert plan.event_window_at(KICKOFF_W13 - timedelta(days=2)) is None


def test_deploy_window_exits_1_inside_an_event_window(capsys) -> None:
    def _kickoff(*args: str) -> CliRun:
        return run_cli(capsys, *args)

    inside = _kickoff("deploy-window", "-c", "env=prod", "--at", "2026-12-04T02:00:00Z")
    assert inside.returncode == 1
    assert "inside the event window of tnf-2026-w13" in inside.stderr
    assert "deploys wait until 2026-12-04 05:10 UTC" in inside.stderr
    assert "FREEZE_OVERRIDE" in inside.stderr  # how to get through in an emergency
    manual = _kickoff("deploy-window", "-c", "env=dev", "--at", "2026-12-02T18:30:00Z")  # dev has no pipeline
    assert manual.returncode == 1
    assert "--override" in manual.stderr and "FREEZE_OVERRIDE" not in manual.stderr
    outside = _kickoff("deploy-window", "-c", "env=prod", "--at", "2026-12-02T12:00:00Z")
    assert outside.returncode == 0, outside.stderr
    assert "outside every event window" in outside.stdout and "tnf-2026-w13" in outside.stdout


def test_deploy_window_override_is_explicit_and_logged(capsys) -> None:
    def _kickoff(*args: str) -> CliRun:
        return run_cli(capsys, *args)

    at = ("deploy-window", "-c", "env=prod", "--at", "2026-12-04T02:00:00Z")
    # The pipeline variable's default, and an empty value, are no override.
    for value in ("none", "", "  "):
        assert _kickoff(*at, "--override", value).returncode == 1
    # A reason too short to say anything is refused, inside or outside a window.
    short = _kickoff(*at, "--override", "hotfix")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    reason = "INC-4711 playback 5xx hotfix"
    forced = _kickoff(*at, "--override", reason)
    assert forced.returncode == 0, forced.stderr
    line = forced.stdout.strip()
    assert line.startswith("FREEZE OVERRIDDEN kickoff-prod:") and "tnf-2026-w13" in line and reason in line
    assert "By: " in line
    unused = _kickoff("deploy-window", "-c", "env=prod", "--at", "2026-12-02T12:00:00Z", "--override", reason)
    assert unused.returncode == 0 and "was not needed" in unused.stdout


def test_every_quota_a_season_overruns_is_named_in_one_error(tmp_path) -> None:
    """prod at AWS's default target and interface quotas and a 200% deploy surge: one run lists every Region's
    overrun quota, each with the config field (file and line) a fix goes into."""
    import yaml

    data = yaml.safe_load(PROD.read_text())
    for region in data["regions"]:
        region["quotas"] = {
            k: v
            for k, v in region["quotas"].items()
            if k not in ("alb_targets", "targets_per_target_group", "network_interfaces")
        }
    for service in data["services"]:
        service.pop("deploy_max_percent", None)
    path = tmp_path / "prod.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ConfigError) as caught:
        build_deployment_plan(load_config(path), PLAN_FROM)
    message = str(caught.value)
    assert "Traceback" not in message and "Fix:" in message
    for index, region in enumerate(("us-east-1", "us-east-2", "us-west-2")):
        assert f"regions[{index}].quotas.alb_targets: plan: region {region} needs" in message
        assert f"regions[{index}].quotas.targets_per_target_group: event" in message
    assert "(L-7E6692B2) is 1,000" in message and "(L-A0D0B863) is 1,000" in message
    assert "(L-DF5E4CA3) is 5,000" in message and "playback 962 x 2" in message
    assert f"{path}:" in message
