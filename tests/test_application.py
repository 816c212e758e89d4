"""app.py under the real CDK CLI, the way users and pipelines run it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kickoff.rules.assembly import missing_context, read_stacks

REPO_ROOT = Path(__file__).resolve().parents[1]
CDK = REPO_ROOT / "node_modules" / ".bin" / "cdk"


@pytest.mark.slow
@pytest.mark.skipif(not CDK.exists(), reason="CDK CLI not installed; `make test` runs `npm ci` first")
def test_cdk_synth_with_env_context_selects_the_dev_config(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PATH": f"{REPO_ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    }
    result = subprocess.run(
        [str(CDK), "synth", "--quiet", "--no-notices", "-c", "env=dev", "-o", str(tmp_path)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    names = {s.name for s in read_stacks(tmp_path)}
    assert names == {
        "kickoff-dev-data",
        "kickoff-dev-cell-us-east-1",
        "kickoff-dev-cell-us-west-2",
        "kickoff-dev-edge",
        "kickoff-dev-observability",
    }
    assert missing_context(tmp_path) == []
