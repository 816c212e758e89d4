"""cfn-lint split and cached: a cell template is read as a skeleton and its schedules, with the same verdict.

The seeded defects are linted both ways (the template whole, and its parts) and must give the same
rules at the same template lines; the cache must never answer for bytes it has not seen.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kickoff.rules import cfn_lint
from kickoff.rules.assembly import StackArtifact, read_stacks
from kickoff.rules.cfn_lint import LINT_CACHE_ENV, lint_stacks
from kickoff.rules.lint_parts import (
    SCALABLE_TARGET,
    SCHEDULE,
    SCHEDULER_SCHEDULE,
    LintPart,
    cdk_layout,
    split_template,
)


def _cell(synth) -> StackArtifact:
    return next(s for s in read_stacks(synth.outdir) if "-cell-" in s.name)


def _write(tmp_path: Path, name: str, template: dict, region: str) -> StackArtifact:
    path = tmp_path / f"{name}.template.json"
    path.write_text(cdk_layout(template))
    return StackArtifact(name=name, region=region, account="", template_path=str(path), dependencies=())


def _targets(template: dict) -> list[str]:
    return [k for k, r in template["Resources"].items() if r["Type"] == SCALABLE_TARGET]


def _verdict(findings) -> list[tuple[str, str]]:
    return sorted((f.rule, f.location) for f in findings)


def test_a_cell_template_splits_into_a_skeleton_and_one_schedule_per_target(dev) -> None:
    text = Path(_cell(dev).template_path).read_text()
    template = json.loads(text)
    parts = split_template(text)
    skeleton = json.loads(parts[0].text)
    # The skeleton, one schedule per target, and the alarms that hold the plan's windows with what they name.
    assert len(parts) == 1 + len(_targets(template)) + 1
    assert all(SCHEDULE not in skeleton["Resources"][t]["Properties"] for t in _targets(template))
    timed = _timed_alarms(template)
    assert timed and timed <= set(json.loads(parts[-1].text)["Resources"])
    # The skeleton is the template minus the schedules and those alarms; the schedules are exactly the template's.
    for logical_id, resource in template["Resources"].items():
        if logical_id not in _targets(template) and logical_id not in timed:
            assert skeleton["Resources"][logical_id] == resource
    assert not timed & set(skeleton["Resources"])
    schedules = {k: v for part in parts[1:-1] for k, v in json.loads(part.text)["Resources"].items()}
    assert {k: v["Properties"][SCHEDULE] for k, v in schedules.items()} == {
        t: template["Resources"][t]["Properties"][SCHEDULE] for t in _targets(template)
    }


def test_a_template_that_is_not_in_the_cdk_layout_is_linted_whole() -> None:
    text = json.dumps({"Resources": {"T": {"Type": SCALABLE_TARGET, "Properties": {SCHEDULE: [{}]}}}})
    assert [p.text for p in split_template(text)] == [text]


def _timed_alarms(template: dict) -> set[str]:
    """Alarms whose metric math holds the plan's windows."""
    return {
        k
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::CloudWatch::Alarm" and "EPOCH(" in json.dumps(r["Properties"].get("Metrics", []))
    }


def _with_schedulers(template: dict) -> dict:
    """The template plus two ALB-reservation schedules as the prod cells have them (dev reserves no LCUs)."""
    out = json.loads(json.dumps(template))
    resources = out["Resources"]
    alb = next(k for k, r in resources.items() if r["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer")
    role = next(k for k, r in resources.items() if r["Type"] == "AWS::IAM::Role")
    for at in ("2026-12-10T23:15:00", "2026-12-11T04:45:00"):
        resources[f"AlbCapacityAt{at[:16].replace('-', '').replace(':', '')}"] = {
            "Type": SCHEDULER_SCHEDULE,
            "Properties": {
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "ScheduleExpression": f"at({at})",
                "ScheduleExpressionTimezone": "Etc/UTC",
                "Target": {
                    "Arn": "arn:aws:scheduler:::aws-sdk:elasticloadbalancingv2:modifyCapacityReservation",
                    "Input": {"Fn::Join": ["", ['{"LoadBalancerArn":"', {"Ref": alb}, '"}']]},
                    "RoleArn": {"Fn::GetAtt": [role, "Arn"]},
                },
            },
        }
    return out


def test_scheduler_schedules_lint_apart_with_the_resources_they_name(dev) -> None:
    text = cdk_layout(_with_schedulers(_cell(dev).template()))
    parts = split_template(text)
    skeleton, *_, schedules = (json.loads(p.text) for p in parts)
    resources = json.loads(text)["Resources"]
    counted = _timed_alarms(json.loads(text)) | {k for k, r in resources.items() if r["Type"] == SCHEDULER_SCHEDULE}
    named = [k for k in schedules["Resources"] if k not in counted]
    assert not any(r["Type"] == SCHEDULER_SCHEDULE for r in skeleton["Resources"].values())
    assert counted <= set(schedules["Resources"]) and not counted & set(skeleton["Resources"])
    # What the schedules and the timed alarms name is linted in the skeleton, and only lent to their document.
    assert all(k in skeleton["Resources"] for k in named)
    assert {"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::IAM::Role"} <= {
        skeleton["Resources"][k]["Type"] for k in named
    }


def test_a_template_where_something_names_a_schedule_is_linted_whole(dev) -> None:
    template = _with_schedulers(_cell(dev).template())
    schedule = next(k for k, r in template["Resources"].items() if r["Type"] == SCHEDULER_SCHEDULE)
    next(iter(template["Resources"].values()))["DependsOn"] = [schedule]
    text = cdk_layout(template)
    assert [p.text for p in split_template(text)] == [text]


def _seed(template: dict) -> dict:
    """A bad schedule item, a bad property before and one after a scalable target, and a bad Scheduler schedule."""
    seeded = json.loads(json.dumps(template))
    resources = seeded["Resources"]
    target = _targets(seeded)[-1]
    resources[target]["Properties"][SCHEDULE][1]["ScalableTargetAction"]["MinCapacity"] = "many"
    ids = list(resources)
    before = next(k for k in ids[: ids.index(target)] if resources[k]["Type"] == "AWS::Logs::LogGroup")
    resources[before]["Properties"]["RetentionInDays"] = 8
    after = next(k for k in ids[ids.index(target) + 1 :] if resources[k]["Type"] == "AWS::CloudWatch::Alarm")
    resources[after]["Properties"]["ComparisonOperator"] = "BiggerThan"
    if schedule := next((k for k, r in resources.items() if r["Type"] == SCHEDULER_SCHEDULE), None):
        resources[schedule]["Properties"]["FlexibleTimeWindow"]["Mode"] = "SOMETIMES"
    return seeded


def test_split_lint_finds_what_whole_lint_finds_at_the_same_template_lines(dev, tmp_path, monkeypatch) -> None:
    cell = _cell(dev)
    stack = _write(tmp_path, "seeded", _seed(_with_schedulers(cell.template())), cell.region)
    split = lint_stacks([stack], cache=False)
    monkeypatch.setattr(cfn_lint, "split_template", lambda text: [LintPart(text)])
    whole = lint_stacks([stack], cache=False)
    assert len(whole) >= 4
    assert _verdict(split) == _verdict(whole)
    lines = Path(stack.template_path).read_text().splitlines()
    located = [lines[int(f.location.rsplit(":", 1)[1]) - 1] for f in split]
    for value in ('"many"', "8", '"BiggerThan"', '"SOMETIMES"'):
        assert any(line.rstrip(",").endswith(value) for line in located), (value, located)


def test_the_cache_answers_only_for_bytes_it_has_seen(dev, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(LINT_CACHE_ENV, str(tmp_path / "cache"))
    linted: list[int] = []
    real = cfn_lint._lint_all
    monkeypatch.setattr(cfn_lint, "_lint_all", lambda jobs, workers: linted.append(len(jobs)) or real(jobs, 1))
    cell = _cell(dev)
    template = cell.template()
    stack = _write(tmp_path, "cell", template, cell.region)
    parts = len(split_template(Path(stack.template_path).read_text()))

    assert lint_stacks([stack]) == []
    assert lint_stacks([stack]) == []  # everything cached
    # A deploy a minute later: one schedule changes, the skeleton and the other schedules are cached.
    action = template["Resources"][_targets(template)[0]]["Properties"][SCHEDULE][0]
    action["ScheduledActionName"] += "x"
    stack = _write(tmp_path, "cell", template, cell.region)
    assert lint_stacks([stack]) == []
    # A defect in the skeleton is linted, not answered from the cache.
    seeded = _write(tmp_path, "cell", _seed(template), cell.region)
    assert lint_stacks([seeded]) != []
    assert linted == [parts, 0, 1, 2]


def test_another_region_or_no_cache_lints_again(dev, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(LINT_CACHE_ENV, str(tmp_path / "cache"))
    keys = {cfn_lint.cache_key(b"{}", region) for region in ("us-east-1", "us-west-2")}
    assert len(keys) == 2
    monkeypatch.setenv(LINT_CACHE_ENV, "off")
    assert cfn_lint.lint_cache_dir() is None


def test_the_cache_keeps_the_most_recently_used_entries(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cfn_lint, "LINT_CACHE_ENTRIES", 3)
    for i in range(5):
        cfn_lint._store(tmp_path, {f"{i:064x}": []})
    assert len(list(tmp_path.glob("*.json"))) == 3
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("corrupt", ["not json", '{"a": 1}'])
def test_a_corrupt_cache_entry_is_linted_again(tmp_path, corrupt) -> None:
    (tmp_path / "k.json").write_text(corrupt)
    assert cfn_lint._cached(tmp_path, "k") is None


def test_limits_hold_for_the_whole_template_not_its_parts(tmp_path) -> None:
    """E1002 (size) and E3010 (resource count) are about the template CloudFormation receives, never a part."""
    from cfnlint.helpers import LIMITS

    from kickoff.rules.lint_parts import MAX_RESOURCES

    assert LIMITS["template"]["body"] == cfn_lint.TEMPLATE_BODY_LIMIT
    topic = {"Type": "AWS::SNS::Topic"}
    big = {"Metadata": {"Blob": "x" * cfn_lint.TEMPLATE_BODY_LIMIT}, "Resources": {"T": topic}}
    findings = lint_stacks([_write(tmp_path, "big", big, "us-east-1")], cache=False)
    assert [f.rule for f in findings] == ["E1002"]
    crowded = {f"T{i}": topic for i in range(MAX_RESOURCES)}
    crowded["Schedule"] = {"Type": SCHEDULER_SCHEDULE, "Properties": {}}
    text = cdk_layout({"Resources": crowded})
    assert [p.text for p in split_template(text)] == [text]
    rules = {f.rule for f in lint_stacks([_write(tmp_path, "crowded", {"Resources": crowded}, "us-east-1")])}
    assert "E3010" in rules
