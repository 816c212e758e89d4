"""checkov as a synth-time plugin: a failure the skip file does not list fails the synth; a listed one does not."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from kickoff.guardrails.checkov_plugin import PLUGIN_NAME, CheckovPlugin
from kickoff.guardrails.rule_pack import StackFacts
from kickoff.rules.summary import read_summary

ENV = cdk.Environment(account="111111111111", region="us-east-1")


def _app(tmp_path: Path, *, defects: bool) -> cdk.App:
    app = cdk.App(outdir=str(tmp_path), builtin_cloud_formation_validation=False)
    stack = cdk.Stack(app, "Scanned", env=ENV)
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    topic = sns.Topic(stack, "Topic", master_key=key)
    if defects:
        # An unencrypted topic (CKV_AWS_26) and a distribution that serves plain HTTP (CKV_AWS_34).
        topic.node.default_child.add_property_deletion_override("KmsMasterKeyId")
        cloudfront.CfnDistribution(
            stack,
            "Plain",
            distribution_config=cloudfront.CfnDistribution.DistributionConfigProperty(
                enabled=True,
                default_cache_behavior=cloudfront.CfnDistribution.DefaultCacheBehaviorProperty(
                    target_origin_id="origin", viewer_protocol_policy="allow-all", cache_policy_id="id"
                ),
                origins=[
                    cloudfront.CfnDistribution.OriginProperty(
                        id="origin",
                        domain_name="origin.example.com",
                        custom_origin_config=cloudfront.CfnDistribution.CustomOriginConfigProperty(
                            origin_protocol_policy="https-only"
                        ),
                    )
                ],
            ),
        )
    facts = {stack.template_file: StackFacts(stack=stack.stack_name, region=stack.region, cell="c")}
    cdk.Validations.of(app).add_plugins(CheckovPlugin(stacks=facts))
    return app


def test_a_failure_outside_the_skip_file_fails_the_synth(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        _app(tmp_path, defects=True).synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == PLUGIN_NAME]
    found = {
        (v["ruleName"], c["cloudFormationResource"]["logicalId"])
        for v in plugin["violations"]
        for c in v["violatingConstructs"]
    }
    assert {("CKV_AWS_26", "TopicBFC7AF6E"), ("CKV_AWS_34", "Plain")} <= found
    assert all("checkov_skips.yaml" in v["suggestedFix"] for v in plugin["violations"])


def test_a_clean_template_passes_and_is_summarized(tmp_path: Path) -> None:
    _app(tmp_path, defects=False).synth()
    summary = read_summary(tmp_path)[PLUGIN_NAME]
    assert summary["templates"] == 1 and summary["failed"] == 0 and summary["passed"] > 0


def test_without_checkov_the_synth_says_how_to_get_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("kickoff.rules.checkov_scan.CHECKOV", tmp_path / "missing" / "checkov")
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        _app(tmp_path / "out", defects=False).synth()
    report = json.loads((tmp_path / "out" / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == PLUGIN_NAME]
    (violation,) = plugin["violations"]
    assert violation["ruleName"] == "CheckovDidNotRun" and "make setup" in violation["suggestedFix"]
