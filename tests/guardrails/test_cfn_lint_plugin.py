"""cfn-lint as a synth-time plugin: a template defect fails the synth, as the built-in validation did."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from kickoff.guardrails.cfn_lint_plugin import PLUGIN_NAME, CfnLintPlugin
from kickoff.guardrails.rule_pack import StackFacts
from kickoff.rules.summary import read_summary


def _app(tmp_path: Path, *, defect: bool) -> cdk.App:
    app = cdk.App(outdir=str(tmp_path), builtin_cloud_formation_validation=False)
    stack = cdk.Stack(app, "Linted", env=cdk.Environment(account="111111111111", region="us-east-1"))
    s3.Bucket(stack, "Bucket")
    group = logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_WEEK)
    if defect:
        group.node.default_child.add_property_override("RetentionInDays", 8)  # not a period CloudWatch Logs accepts
    cdk.Validations.of(app).add_plugins(
        CfnLintPlugin(stacks={stack.template_file: StackFacts(stack=stack.stack_name, region=stack.region, cell="c")})
    )
    return app


def test_a_template_defect_fails_the_synth(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        _app(tmp_path, defect=True).synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == PLUGIN_NAME]
    assert [v["ruleName"] for v in plugin["violations"]] == ["E3030"]
    assert read_summary(tmp_path)[PLUGIN_NAME]["stacks"] == {"Linted": {"errors": 1, "warnings": 0}}


def test_a_clean_template_passes_and_is_summarized(tmp_path: Path) -> None:
    _app(tmp_path, defect=False).synth()
    summary = read_summary(tmp_path)[PLUGIN_NAME]
    assert summary["templates"] == 1 and summary["stacks"] == {"Linted": {"errors": 0, "warnings": 0}}
    assert summary["ignored"] == ["W3005", "W3010"]
