"""cfn-lint over whole templates, cached by content: defects found at the template's lines, and the cache never
answering for bytes it has not seen.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kickoff.rules import cfn_lint
from kickoff.rules.assembly import StackArtifact, read_stacks
from kickoff.rules.cfn_lint import LINT_CACHE_ENV, lint_stacks

pytestmark = pytest.mark.not_a_rule("the CfnLint gate's own cases: seeded defects and its cache")

MAX_RESOURCES = 500  # CloudFormation's limit per template; cfn-lint's E3010


def cdk_layout(template: dict) -> str:
    """A template as the CDK writes it (``JSON.stringify(template, undefined, 1)``)."""
    return json.dumps(template, indent=1, ensure_ascii=False)


def _cell(synth) -> StackArtifact:
    return next(s for s in read_stacks(synth.outdir) if "-cell-" in s.name)


def _write(tmp_path: Path, name: str, template: dict, region: str) -> StackArtifact:
    path = tmp_path / f"{name}.template.json"
    path.write_text(cdk_layout(template))
    return StackArtifact(name=name, region=region, account="", template_path=str(path), dependencies=())


def _seed(template: dict) -> dict:
    """Three bad properties: a log group's retention, an alarm's operator, a scalable target's minimum."""
    seeded = json.loads(json.dumps(template))
    resources = seeded["Resources"]
    target = next(k for k, r in resources.items() if r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget")
    resources[target]["Properties"]["MinCapacity"] = "many"
    group = next(k for k, r in resources.items() if r["Type"] == "AWS::Logs::LogGroup")
    resources[group]["Properties"]["RetentionInDays"] = 8
    alarm = next(k for k, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm")
    resources[alarm]["Properties"]["ComparisonOperator"] = "BiggerThan"
    return seeded


def test_lint_finds_seeded_defects_at_their_template_lines(dev, tmp_path) -> None:
    cell = _cell(dev)
    stack = _write(tmp_path, "seeded", _seed(cell.template()), cell.region)
    findings = lint_stacks([stack], cache=False)
    assert len(findings) >= 3
    lines = Path(stack.template_path).read_text().splitlines()
    located = [lines[int(f.location.rsplit(":", 1)[1]) - 1] for f in findings]
    for value in ('"many"', "8", '"BiggerThan"'):
        assert any(line.rstrip(",").endswith(value) for line in located), (value, located)


def test_the_cache_answers_only_for_bytes_it_has_seen(dev, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(LINT_CACHE_ENV, str(tmp_path / "cache"))
    linted: list[int] = []
    real = cfn_lint._lint_all
    monkeypatch.setattr(cfn_lint, "_lint_all", lambda jobs, workers: linted.append(len(jobs)) or real(jobs, 1))
    cell = _cell(dev)
    template = cell.template()
    stack = _write(tmp_path, "cell", template, cell.region)
    assert lint_stacks([stack]) == []
    assert lint_stacks([stack]) == []  # the same bytes: cached
    seeded = _write(tmp_path, "cell", _seed(template), cell.region)
    assert lint_stacks([seeded]) != []  # other bytes: linted, not answered from the cache
    assert linted == [1, 0, 1]


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


def test_limits_hold_for_the_whole_template(tmp_path) -> None:
    """E1002 (size) and E3010 (resource count) are about the template CloudFormation receives."""
    from cfnlint.helpers import LIMITS

    assert LIMITS["template"]["body"] == cfn_lint.TEMPLATE_BODY_LIMIT
    topic = {"Type": "AWS::SNS::Topic"}
    big = {"Metadata": {"Blob": "x" * cfn_lint.TEMPLATE_BODY_LIMIT}, "Resources": {"T": topic}}
    findings = lint_stacks([_write(tmp_path, "big", big, "us-east-1")], cache=False)
    assert [f.rule for f in findings] == ["E1002"]
    crowded = {f"T{i}": topic for i in range(MAX_RESOURCES)}
    crowded["Topic"] = topic
    rules = {f.rule for f in lint_stacks([_write(tmp_path, "crowded", {"Resources": crowded}, "us-east-1")])}
    assert "E3010" in rules
