"""The game-day plan for the default config: experiments in order and capacity figures, checked by hand."""

from __future__ import annotations

import re

import pytest

from kickoff.rules.assembly import template_views
from kickoff.rules.gameday import (
    capacity_after_evacuation,
    capacity_after_loss,
    event_window,
    read_experiments,
    replication_exposure_seconds,
)
from tests.support import PLAN_FROM, REPO_ROOT, CliRun, Synth, run_cli

pytestmark = pytest.mark.not_a_rule("tests the game-day plan built from the templates (a report)")

EVENT = "tnf-2026-w13"  # Thursday 2026-12-03, kickoff 20:15 ET (01:15 UTC), in prod's planning window


def _views(synth: Synth):
    return template_views(synth.outdir, lambda s: s.account == synth.config.account)


def _row(rows, region: str, service: str):
    (row,) = [r for r in rows if r.region == region and r.service == service]
    return row


def test_experiments_are_read_from_the_templates_in_game_day_order(prod: Synth) -> None:
    rows = read_experiments(_views(prod))
    assert len(rows) == 3 * (3 * 3 + 1)  # three cells: three AZ experiments per AZ, one replication pause
    east = [r for r in rows if r.region == "us-east-1"]
    assert [r.action.split(":")[-1] for r in east] == [
        *["stop-task"] * 3,
        *["start-zonal-autoshift"] * 3,
        *["disrupt-connectivity"] * 3,
        "global-table-pause-replication",
    ]
    first = east[0]
    assert (first.availability_zone, first.selection, first.duration_minutes) == ("us-east-1a", "PERCENT(50)", None)
    assert {r.stop_alarm for r in rows} == {f"kickoff-prod-{r}-region-impaired" for r in prod.config.region_names}
    assert east[-1].duration_minutes == 10 and east[-1].availability_zone is None


def test_losing_an_az_at_the_peak_matches_hand_computed_figures(prod: Synth) -> None:
    plan = prod.deployment.plan
    window = event_window(plan, EVENT)
    assert window.event_ids == (EVENT,)
    whole = capacity_after_loss(prod.config, plan, window, "us-east-1", 1.0)
    api = _row(whole, "us-east-1", "api")
    # The plan holds 721 api tasks at us-east-1's api peak (01:14 UTC, arrivals at kickoff) for 49,565 requests/s:
    # N-1 with another Region's viewers arriving again after 30 s of detection and over the 60 s alias TTL (prod's
    # departure profile, decision 0021), sized at prod's 65% n_minus_1_utilization.
    assert (api.planned, round(api.peak_rps)) == (721, 49_565)
    assert f"{api.peak_at:%H:%M}" == "01:14"
    # Three AZs: one holds ceil(721 / 3) = 241 tasks; 480 remain. A task serves 500 requests/s at 100% CPU, so the
    # Region's own peak needs ceil(49,565 / 500) = 100 tasks: the two other AZs absorb 241 tasks' traffic.
    assert (api.lost, api.remaining, api.need, api.shortfall) == (241, 480, 100, 0)
    playback = _row(whole, "us-east-1", "playback")
    # 962 planned; ceil(962 / 3) = 321 lost, 641 remain; ceil(318,631 / 800) = 399 needed.
    assert (playback.planned, playback.lost, playback.remaining, playback.need) == (962, 321, 641, 399)
    half = _row(capacity_after_loss(prod.config, plan, window, "us-east-1", 0.5), "us-east-1", "api")
    # 50% of one AZ's 241 tasks: 121 stopped, 600 remain.
    assert (half.lost, half.remaining) == (121, 600)


def test_evacuating_a_region_leaves_each_survivor_its_need(prod: Synth) -> None:
    plan = prod.deployment.plan
    window = event_window(plan, EVENT)
    rows = capacity_after_evacuation(prod.config, plan, window, "us-west-2")
    assert {r.region for r in rows} == {"us-east-1", "us-east-2"}
    api = _row(rows, "us-east-1", "api")
    # us-west-2's viewers move to the others in proportion to their shares and arrive there again over 60 s:
    # us-east-1's api peak becomes 254,561 requests/s, ceil(254,561 / 500) = 510 tasks, against the 853 the N-1
    # plan holds then (254,561 / (853 x 500) = 60% of capacity, below prod's 65% n_minus_1_utilization).
    assert (round(api.peak_rps), api.need, api.planned, api.shortfall) == (254_561, 510, 853, 0)
    assert all(r.shortfall == 0 for r in rows)


def test_replication_exposure_adds_the_documented_lag() -> None:
    assert replication_exposure_seconds(10) == (10 + 5) * 60


def test_an_event_outside_the_window_is_a_clear_error(prod: Synth) -> None:
    with pytest.raises(ValueError, match="not in the planning window"):
        event_window(prod.deployment.plan, "super-bowl-2027")


def test_the_cli_prints_the_plan_and_flags_nothing_for_the_default_config(prod: Synth, capsys) -> None:
    def run(*extra: str) -> CliRun:
        return run_cli(
            capsys,
            *["gameday", "-c", "env=prod", "--outdir", str(prod.outdir)],
            *["-c", f"plan_from={PLAN_FROM:%Y-%m-%dT%H:%M:%SZ}", *extra],
        )

    result = run("--event", EVENT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"kickoff-prod game day for {EVENT}")
    assert " 1  us-west-2  kickoff-prod-us-west-2-stop-tasks-us-west-2a " in out  # the canary Region first
    assert re.search(r"us-east-1\s+api\s+12-04 01:14\s+49,565\s+721\s+241\s+480\s+100\s+ok", out)
    assert "at risk for up to 900 s" in out and "rpo_seconds 15 s" in out
    assert out.rstrip().endswith("0 shortfall(s).")
    missing = run("--event", "super-bowl-2027")
    assert missing.returncode == 2 and "not in the planning window" in missing.stderr


def test_the_cli_names_the_config_an_assembly_came_from_and_the_synth_for_this_one(
    prod: Synth, tmp_path, capsys
) -> None:
    """gameday with dev's config over prod's assembly says the assembly is another config's (not "turn fault
    injection on"), and a config kept outside config/ is told `make synth CONFIG=<its path>`."""

    def run(*args: str) -> CliRun:
        return run_cli(capsys, "gameday", *args)

    other = run("-c", "env=dev", "--outdir", str(prod.outdir), "-c", f"plan_from={PLAN_FROM:%Y-%m-%dT%H:%M:%SZ}")
    assert other.returncode == 2
    assert "synthesized from another config (kickoff-prod), not kickoff-dev" in other.stderr
    assert "make synth ENV=dev" in other.stderr and "fault_injection" not in other.stderr
    elsewhere = tmp_path / "mine.yaml"
    elsewhere.write_text((REPO_ROOT / "config" / "dev.yaml").read_text())
    none = run("-c", f"config={elsewhere}", "--outdir", str(tmp_path / "nothing"))
    assert none.returncode == 2, none.stderr
    assert f"make synth CONFIG={elsewhere}" in none.stderr and "Traceback" not in none.stderr


def test_the_live_steps_pause_a_pipeline_then_stop_a_regions_channel(prod: Synth, capsys) -> None:
    result = run_cli(
        capsys,
        *["gameday", "-c", "env=prod", "--outdir", str(prod.outdir)],
        *["-c", f"plan_from={PLAN_FROM:%Y-%m-%dT%H:%M:%SZ}", "--event", EVENT],
    )
    out = result.stdout
    live = out[out.index("Live channels:") :]
    assert "AWS FIS has no MediaLive or MediaPackage action" in live
    steps = [line for line in live.splitlines() if re.match(r"\d+\s+us-", line)]
    # canary Region first; pause pipeline 0, then stop the channel, in each ingest Region
    assert [line.split()[1] for line in steps] == ["us-west-2", "us-west-2", "us-east-1", "us-east-1"]
    assert (
        "pause pipeline 0" in steps[0]
        and '"PipelineId":"PIPELINE_0"' in steps[0]
        and "PipelineDown after 120 s" in steps[0]
    )
    assert "stop the Region's channel" in steps[1] and "keep playing from us-east-1" in steps[1]
    assert "aws medialive start-channel --region us-west-2" in steps[1]
