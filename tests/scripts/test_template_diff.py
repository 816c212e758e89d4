"""scripts/template_diff.py names every added, removed and changed resource, and the properties that changed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from tests.support import REPO_ROOT

spec = importlib.util.spec_from_file_location("template_diff", REPO_ROOT / "scripts" / "template_diff.py")
template_diff = importlib.util.module_from_spec(spec)
spec.loader.exec_module(template_diff)


def _assembly(root: Path, resources: dict) -> Path:
    root.mkdir()
    (root / "manifest.json").write_text("{}")
    (root / "cell.template.json").write_text(json.dumps({"Resources": resources}))
    return root


def test_the_summary_names_each_resource_and_property_that_changed(tmp_path) -> None:
    listener = {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"Port": 80}}
    alb = {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Scheme": "internet-facing", "A": 1}}
    base = _assembly(tmp_path / "base", {"Http": listener, "Alb": alb, "Same": {"Type": "AWS::SNS::Topic"}})
    new_alb = {**alb, "Properties": {"Scheme": "internet-facing", "A": 2}, "DependsOn": ["Policy"]}
    new = _assembly(
        tmp_path / "new", {"Alb": new_alb, "Same": {"Type": "AWS::SNS::Topic"}, "Logs": {"Type": "AWS::Logs::LogGroup"}}
    )
    text = template_diff.summary(base, new)
    assert "- Http (AWS::ElasticLoadBalancingV2::Listener)" in text
    assert "+ Logs (AWS::Logs::LogGroup)" in text
    assert "~ Alb (AWS::ElasticLoadBalancingV2::LoadBalancer): A, DependsOn" in text
    assert "Same" not in text
    assert "Totals: 1 added, 1 removed, 1 changed" in text
    assert template_diff.main([str(base), str(tmp_path / "none")]) == 2
