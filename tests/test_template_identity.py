"""Two synths of the same commit and config an hour apart (the clock faked) write byte-identical templates and assets.

The app reads the clock once, for the plan the checks read (``deploy_time.default_plan_from``): the templates hold no
plan, so nothing the clock says may reach them. The synth runs with every check attached, as ``make synth`` does.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kickoff import deploy_time
from kickoff.application import synthesize
from kickoff.config.loader import load_for_context

T0 = datetime(2026, 12, 10, 18, 7, 30, tzinfo=UTC)  # three hours before a prod kickoff, inside no window yet


def _digests(outdir: Path) -> dict[str, str]:
    """Every template and every staged asset file, by path."""
    files = [p for p in outdir.rglob("*") if p.is_file() and (p.name.endswith(".template.json") or "asset." in str(p))]
    return {str(p.relative_to(outdir)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _frozen(at: datetime) -> type[datetime]:
    """``datetime`` whose ``now()`` is ``at``."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206 - datetime's signature
            return at if tz is None else at.astimezone(tz)

    return Clock


@pytest.mark.slow
def test_an_hour_later_the_same_commit_synthesizes_the_same_bytes(tmp_path, monkeypatch) -> None:
    config = load_for_context("dev", None)
    outputs = []
    for hours in (0, 1):
        clock = T0 + timedelta(hours=hours)

        monkeypatch.setattr(deploy_time, "datetime", _frozen(clock))
        outdir = tmp_path / f"out{hours}"
        deployment = synthesize(config, str(outdir), checks=True, plan_from=deploy_time.default_plan_from())
        assert deployment.plan.window.deploy_time == clock.replace(second=0) + timedelta(minutes=1)
        outputs.append(_digests(outdir))
    first, second = outputs
    assert any(name.endswith(".template.json") for name in first)
    assert any("asset." in name for name in first), "the agent's code is staged as an asset"
    assert first == second
