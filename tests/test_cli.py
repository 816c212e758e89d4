"""The CLI commands added for deploy readiness: readiness over an assembly, and the quota checks."""

from __future__ import annotations

import subprocess
import sys

from tests.support import REPO_ROOT


def _kickoff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kickoff", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=300)


def test_readiness_passes_an_assembly_at_its_deploy_time_and_flags_it_later(prod) -> None:
    ok = _kickoff("readiness", "--outdir", str(prod.outdir), "-c", "env=prod", "-c", "plan_from=2026-11-26T00:00:00Z")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "DR-ScheduleAfterDeployTime" in ok.stdout
    # The same templates deployed a week later: their first actions are already due.
    late = _kickoff("readiness", "--outdir", str(prod.outdir), "-c", "env=prod", "-c", "plan_from=2026-12-03T00:00:00Z")
    assert late.returncode == 1
    assert "DR-ScheduleAfterDeployTime kickoff-prod-cell-us-east-1/" in late.stdout
    assert "before 2026-12-03T00:30Z (deploy time 2026-12-03T00:00Z + margin)" in late.stdout


def test_quotas_lists_every_declared_quota_with_its_check_command() -> None:
    result = _kickoff("quotas", "-c", "env=prod", "-c", "plan_from=2099-01-01T00:00:00Z")
    assert result.returncode == 0, result.stderr
    for code in ("L-3032A538", "L-CF0CBE56", "L-AB614373", "L-8A66D0E6", "L-0BB7B635"):
        assert code in result.stdout
    assert "aws service-quotas get-service-quota --region us-west-2 --service-code dynamodb --quota-code L-CF0CBE56" in result.stdout
    assert "287,650" in result.stdout  # the season's read warm throughput, whatever the window
