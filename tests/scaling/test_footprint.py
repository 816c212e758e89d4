"""Per-task quotas beyond vCPU: load balancer targets, target groups, network interfaces, subnet addresses.

Every Fargate task is one target, one interface and one address, and a rolling deploy runs up to
``deploy_surge`` times the plan at once; the planner and the season check report every quota a plan
overruns in one pass.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from kickoff.scaling import PlanProblems, RegionModel, build_plan, check_season
from kickoff.scaling.footprint import cell_ceiling, footprint_peaks, footprint_problems

TIMES = np.array([0.0, 600.0, 1200.0])


def _region(**quotas: object) -> RegionModel:
    return RegionModel("us-east-1", 10_000, zones=3, **quotas)  # type: ignore[arg-type]


def test_the_deploy_surge_multiplies_every_per_task_quota(services) -> None:
    api, playback = (replace(s, deploy_surge=2.0) for s in services)
    tasks = {"api": np.array([100.0, 400.0, 300.0]), "playback": np.array([200.0, 500.0, 600.0])}
    region = _region(
        alb_targets_quota=1_000,
        target_group_targets_quota=1_000,
        network_interfaces_quota=2_000,
        other_network_interfaces=300,
        task_addresses_per_zone=500,
    )
    peaks = {p.quota: p for p in footprint_peaks(region, [api, playback], tasks, TIMES)}
    assert peaks["alb_targets_quota"].need == 1_800 and peaks["alb_targets_quota"].at_s == 600.0
    assert peaks["target_group_targets_quota:playback"].need == 1_200
    assert peaks["network_interfaces_quota"].need == 1_800 + 300
    assert peaks["task_addresses_per_zone"].need == 267 + 334  # ceil(800 / 3) + ceil(1000 / 3), at 600 s
    assert peaks["fargate_vcpu_quota"].need == 300 * 2 * 1 + 600 * 2 * 2 and peaks["fargate_vcpu_quota"].at_s == 1200.0
    problems = footprint_problems(region, [api, playback], tasks, TIMES, "plan: ", str)
    assert [p.split(" needs ")[1].split(" at ")[0] for p in problems] == [
        "1,800 targets on its load balancer",
        "1,200 targets in the playback target group",
        "2,100 network interfaces",
        "601 addresses in one AZ's task subnet",
    ]
    assert "(L-7E6692B2) is 1,000" in problems[0] and "playback 500 x 2" in problems[0]
    assert "(L-A0D0B863)" in problems[1] and "(L-DF5E4CA3)" in problems[2]


def test_nothing_is_reported_within_the_quotas_or_without_them(services) -> None:
    tasks = {"api": np.array([10.0, 20.0, 30.0]), "playback": np.array([10.0, 20.0, 30.0])}
    assert footprint_problems(_region(), services, tasks, TIMES, "", str) == []  # nothing declared, nothing checked
    roomy = _region(alb_targets_quota=60, target_group_targets_quota=30, network_interfaces_quota=60)
    assert footprint_problems(roomy, services, tasks, TIMES, "", str) == []


def test_the_plan_reports_every_overrun_quota_of_every_region_at_once(make_event, services, regions) -> None:
    tight = [replace(r, alb_targets_quota=500, target_group_targets_quota=400) for r in regions]
    with pytest.raises(PlanProblems) as caught:
        build_plan([make_event()], services, tight)
    problems = caught.value.problems
    for region in ("us-east-1", "us-east-2", "us-west-2"):
        assert any(f"region {region} needs" in p and "(L-7E6692B2) is 500" in p for p in problems)
        assert any(f"region {region} needs" in p and "playback target group" in p for p in problems)


def test_the_planner_reports_max_tasks_of_every_target(make_event, services, regions) -> None:
    small = [replace(s, max_tasks=50) for s in services]
    with pytest.raises(PlanProblems) as caught:
        build_plan([make_event()], small, regions)
    failing = {
        (p.split("region ")[1].split(",")[0], p.split("service ")[1].split(" ")[0]) for p in caught.value.problems
    }
    assert failing == {(r.name, s.name) for r in regions for s in services}


def test_the_season_names_its_worst_event_and_counts_the_others(make_event, services, regions) -> None:
    events = [
        make_event(
            event_id=f"game-{i}",
            kickoff=datetime(2024, 9, 13, 0, 15, tzinfo=UTC) + timedelta(days=7 * i),
            peak_viewers=10_000_000 + 1_000_000 * i,
        )
        for i in range(4)
    ]
    tight = [replace(r, alb_targets_quota=500) for r in regions]
    with pytest.raises(PlanProblems) as caught:
        check_season(events, services, tight)
    first = next(p for p in caught.value.problems if "us-east-1" in p)
    assert first.startswith("event game-3 (and 3 more events: game-0, game-1, game-2): region us-east-1 needs")
    assert len(caught.value.problems) == 3  # one per Region: the worst event, the others counted


def test_a_cells_ceiling_is_its_first_binding_limit(services) -> None:
    api, playback = services
    region = _region(alb_targets_quota=5_000, target_group_targets_quota=1_000, network_interfaces_quota=50_000)
    limits = cell_ceiling(region, [api, playback])
    assert [c.viewers for c in limits] == sorted(c.viewers for c in limits)
    by_name = {c.limit: c.viewers for c in limits}
    # playback: 1,000 targets x 480 requests/s each at 60% / (1/30 requests/s per viewer) = 14.4M viewers
    assert by_name["playback targets per target group (L-A0D0B863)"] == pytest.approx(14_400_000)
    assert limits[0].limit == "playback targets per target group (L-A0D0B863)"
    surged = cell_ceiling(region, [api, replace(playback, deploy_surge=2.0)])
    assert {c.limit: c.viewers for c in surged}["playback targets per target group (L-A0D0B863)"] == pytest.approx(
        7_200_000
    )
