"""examples/prescaled-service: another team's app embeds PrescaledService alone and synthesizes clean with the packs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kickoff.paths import REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "prescaled-service" / "app.py"


def test_the_example_app_synthesizes_clean_and_registers_its_service(tmp_path: Path) -> None:
    env = {**os.environ, "CDK_OUTDIR": str(tmp_path), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    done = subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    template = json.loads((tmp_path / "search-prod.template.json").read_text())
    resources = template["Resources"].values()
    parameters = [r for r in resources if r["Type"] == "AWS::SSM::Parameter"]
    assert [p["Properties"]["Name"] for p in parameters] == ["/kickoff-prod/capacity/services/search"]
    targets = [r for r in resources if r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"]
    assert len(targets) == 1 and "ScheduledActions" not in targets[0]["Properties"]
    assert (targets[0]["Properties"]["MinCapacity"], targets[0]["Properties"]["MaxCapacity"]) == (3, 400)
    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert all(p["conclusion"] == "success" and not p["violations"] for p in report["pluginReports"])
    readiness = json.loads((tmp_path / "kickoff-guardrails.json").read_text())["DeployReadiness"]
    assert readiness["evaluations"] > 0 and readiness["non_compliant"] == 0
