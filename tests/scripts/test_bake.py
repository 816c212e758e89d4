"""scripts/bake.sh against a fake `aws` CLI: the alarm states it reads decide the release."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support import REPO_ROOT

BAKE = REPO_ROOT / "scripts" / "bake.sh"
ROLE = "arn:aws:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-us-west-2"
ALARM = "kickoff-prod-us-west-2-region-impaired"


def _bake(tmp_path: Path, states: list[str], minutes: int) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the bake with a fake aws that answers ``states`` in turn and logs every call."""
    (tmp_path / "states").write_text("\n".join(states) + "\n")
    calls = tmp_path / "calls"
    fake = tmp_path / "bin" / "aws"
    fake.parent.mkdir()
    fake.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$*" >> {calls}\n'
        'if [ "$1" = sts ]; then echo "AKIAFAKE SECRET TOKEN"; exit 0; fi\n'
        f'[ -n "$AWS_SESSION_TOKEN" ] || {{ echo "no assumed credentials" >&2; exit 255; }}\n'
        f'state=$(head -n1 {tmp_path}/states); sed -i 1d {tmp_path}/states; echo "$state"\n'
    )
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}", "BAKE_SLEEP": "true"}
    env.pop("AWS_SESSION_TOKEN", None)
    result = subprocess.run(
        ["bash", str(BAKE), ROLE, "us-west-2", ALARM, str(minutes)], capture_output=True, text=True, env=env
    )
    return result, calls.read_text().splitlines() if calls.exists() else []


def test_bake_passes_when_the_alarm_stays_ok_for_every_minute(tmp_path: Path) -> None:
    result, calls = _bake(tmp_path, ["OK"] * 4, minutes=3)
    assert result.returncode == 0, result.stderr
    assert "stayed out of ALARM for 3 minutes" in result.stdout
    reads = [c for c in calls if c.startswith("cloudwatch")]
    assert len(reads) == 4  # minutes 0..3
    assert all(f"--region us-west-2 --alarm-names {ALARM} --alarm-types CompositeAlarm" in c for c in reads)
    assumes = [c for c in calls if c.startswith("sts assume-role")]
    assert len(assumes) == 4 and all(f"--role-arn {ROLE}" in c for c in assumes)


def test_bake_fails_the_release_as_soon_as_the_alarm_fires(tmp_path: Path) -> None:
    result, calls = _bake(tmp_path, ["OK", "OK", "ALARM", "OK"], minutes=3)
    assert result.returncode == 1
    assert "FAILED at minute 2" in result.stderr and ALARM in result.stderr
    assert len([c for c in calls if c.startswith("cloudwatch")]) == 3


@pytest.mark.parametrize("answer", ["None", ""])
def test_bake_fails_when_there_is_no_alarm_to_watch(tmp_path: Path, answer: str) -> None:
    result, _ = _bake(tmp_path, [answer], minutes=3)
    assert result.returncode == 1
    assert "not found" in result.stderr


def test_bake_refuses_wrong_arguments() -> None:
    result = subprocess.run(["bash", str(BAKE), ROLE], capture_output=True, text=True)
    assert result.returncode == 2 and "usage" in result.stderr
