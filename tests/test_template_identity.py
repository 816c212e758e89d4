"""Two synths of the same commit and config at different deploy times write byte-identical templates and assets.

The app reads the clock once, for the plan the checks read (``deploy_time.default_plan_from``): the templates hold no
plan, so nothing the clock says may reach them. The session's dev synth (deployed at ``PLAN_FROM``, 2026-11-26) is
compared with one whose clock says 2026-12-10, three hours before a kickoff: both run with every check attached, as
``make synth`` does.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kickoff import deploy_time
from kickoff.application import synthesize
from kickoff.config.loader import load_for_context

pytestmark = pytest.mark.not_a_rule("compares two syntheses two weeks apart; a synth sees one")

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
def test_two_weeks_later_the_same_commit_synthesizes_the_same_bytes(tmp_path, monkeypatch, dev) -> None:
    config = load_for_context("dev", None)
    monkeypatch.setattr(deploy_time, "datetime", _frozen(T0))
    outdir = tmp_path / "later"
    deployment = synthesize(config, str(outdir), checks=True, plan_from=deploy_time.default_plan_from())
    assert deployment.plan.window.deploy_time == T0.replace(second=0) + timedelta(minutes=1)
    assert deployment.plan.window.deploy_time - dev.deployment.plan.window.deploy_time > timedelta(days=14)
    later, first = _digests(outdir), _digests(dev.outdir)
    assert any(name.endswith(".template.json") for name in first)
    assert any("asset." in name for name in first), "the agent's code is staged as an asset"
    assert later == first
