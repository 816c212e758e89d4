"""The operator reports return data a test can read without running a command: the freeze verdict, the plan view,
the quota requests, and findings grouped when one detail repeats."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from kickoff.config import load_config
from kickoff.planning import build_deployment_plan
from kickoff.reports.freeze import OVERRIDE_MIN_CHARS, freeze_verdict, override_reason, refused_override
from kickoff.reports.gate_summary import GateSummary, StackRow, render_gate_summary
from kickoff.reports.plan import UnknownEvent, plan_view, render_plan
from kickoff.reports.quotas import quota_report
from kickoff.reports.readiness import Finding, RuleResult
from kickoff.rules.cfn_lint import LintFinding
from tests.support import CONFIG_DIR, PLAN_FROM

KICKOFF_W13 = datetime(2026, 12, 4, 1, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def prod_plan():
    config = load_config(CONFIG_DIR / "prod.yaml")
    return config, build_deployment_plan(config, PLAN_FROM)


def test_the_freeze_verdict_inside_and_outside_a_window(prod_plan) -> None:
    config, _ = prod_plan
    inside = build_deployment_plan(config, KICKOFF_W13)
    verdict = freeze_verdict(config, inside, KICKOFF_W13, "", {})
    assert verdict.code == 1 and "tnf-2026-w13" in verdict.message and "FREEZE_OVERRIDE" in verdict.message
    forced = freeze_verdict(config, inside, KICKOFF_W13, "INC-1 playback hotfix", {"CODEBUILD_INITIATOR": "ci"})
    assert forced.code == 0 and forced.message.startswith("FREEZE OVERRIDDEN") and "By: ci" in forced.message
    outside = freeze_verdict(config, prod_plan[1], PLAN_FROM, "", {})
    assert outside.code == 0 and "outside every event window" in outside.message


def test_an_override_needs_a_reason() -> None:
    assert override_reason(" none ") == "" and override_reason(None) == ""
    refused = refused_override("hotfix")
    assert refused is not None and refused.code == 2 and f"at least {OVERRIDE_MIN_CHARS}" in refused.message
    assert refused_override("none") is None and refused_override("INC-1234 playback 5xx") is None


def test_the_plan_view_shows_one_event_or_names_the_ones_there_are(prod_plan) -> None:
    config, plan = prod_plan
    view = plan_view(config, plan, "tnf-2026-w13")
    assert [w.event_ids for w in view.windows] == [("tnf-2026-w13",)]
    assert view.plotted_event == "tnf-2026-w13"
    assert all(r.at is not None for t in view.targets for r in t.rows)
    assert "cost of the plan" in render_plan(view)
    with pytest.raises(UnknownEvent, match="events in it: .*tnf-2026-w13"):
        plan_view(config, plan, "super-bowl-2027")


def test_quota_requests_only_for_what_is_declared_above_the_default(prod_plan) -> None:
    config, plan = prod_plan
    rows = quota_report(config, plan).rows
    lcu = next(r for r in rows if r.region == "us-east-1" and r.code == "L-8A66D0E6")
    assert lcu.above_default and lcu.aws_default == 0
    assert lcu.request_command.endswith(f"--quota-code L-8A66D0E6 --desired-value {lcu.declared:.0f}")
    dev = load_config(CONFIG_DIR / "dev.yaml")
    dev_rows = quota_report(dev, build_deployment_plan(dev, PLAN_FROM)).rows
    assert not any(r.above_default for r in dev_rows if r.code == "L-CF0CBE56")


def test_a_repeated_finding_is_reported_once_with_every_place() -> None:
    rule = RuleResult(
        "DR-Example",
        3,
        [Finding("a/One", "too open"), Finding("b/Two", "too open"), Finding("c/Three", "too small")],
    )
    assert rule.grouped() == [("too open", ["a/One", "b/Two"]), ("too small", ["c/Three"])]
    lint = [LintFinding("s", "W1", "warning", "same", f"s/R{i}") for i in range(3)]
    summary = GateSummary([StackRow("s", "us-east-1", 1, 1.0, 0, 0, 0, 3)], [], lint)
    out, err = render_gate_summary(summary)
    assert err.count("cfn-lint W1") == 1 and "3 places: s/R0, s/R1, s/R2" in err
    assert out.endswith("checks: FAILED")


def test_the_plan_prices_the_live_channel_beside_the_compute(prod_plan) -> None:
    config, plan = prod_plan
    text = render_plan(plan_view(config, plan, "tnf-2026-w13"))
    live = text[text.index("live channels") :]
    # tnf-2026-w13 alone: 2 Regions x (120 + 190 + 30 + 15) minutes
    assert re.search(r"\ntnf\s+1\s+tnf-2026-w13\s+11\.8\s+28\+", live), live
    assert "lower bound" in live
    (row,) = [line for line in live.splitlines() if line.startswith("tnf ")]
    assert float(row.split()[-1].replace(",", "")) > 0  # CloudFront delivery priced


def test_quota_rows_count_what_each_region_ingests(prod_plan) -> None:
    config, plan = prod_plan
    rows = {(r.region, r.quota): r for r in quota_report(config, plan).rows}
    assert rows[("us-east-1", "medialive_channels")].needed == 1
    assert rows[("us-east-2", "medialive_channels")].needed == 0
    assert rows[("us-west-2", "mediapackage_channel_groups")].code == "L-A7040149"
