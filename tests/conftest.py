"""Shared fixtures: configs, and one synthesis per config per test session.

Synthesis runs in-process with the cdk-nag packs attached (any unacknowledged finding
fails the fixture) and aws-cdk-lib's built-in CloudFormation validation off: it costs
about 3 s per synth and `make synth` already runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import CONFIG_DIR, Synth, _deep_merge, config_data, synthesize, synthesize_variant

@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config variant: ``write_config(base="prod", overrides={...})`` or ``text=...``."""

    def write(base: str = "prod", overrides: dict[str, Any] | None = None, *, text: str | None = None,
              name: str = "variant.yaml") -> Path:
        path = tmp_path / name
        if text is None:
            text = yaml.safe_dump(_deep_merge(config_data(base), overrides or {}), sort_keys=False)
        path.write_text(text)
        return path

    return write


@pytest.fixture(scope="session")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """config/prod.yaml, synthesized once per session."""
    return synthesize(CONFIG_DIR / "prod.yaml", tmp_path_factory.mktemp("cdk.out.prod"))


@pytest.fixture(scope="session")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """config/dev.yaml, synthesized once per session."""
    return synthesize(CONFIG_DIR / "dev.yaml", tmp_path_factory.mktemp("cdk.out.dev"))


@pytest.fixture(scope="session")
def strong(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """prod's Regions with multi-Region strong consistency and AWS managed keys, synthesized once.

    A separate environment: a table's consistency cannot be changed in place (MRSC needs a new
    table), and as a change to prod the stateful lock refuses it, rightly (the table keys go).
    """
    root = tmp_path_factory.mktemp("strong")
    data = _deep_merge(config_data("prod"), {"environment": "strong",
                                             "table": {"consistency": "strong", "encryption": "aws_managed"}})
    path = root / "strong.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return synthesize(path, root / "cdk.out")


@pytest.fixture(scope="session")
def evacuated(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """prod with us-east-2 evacuated (planned evacuation)."""

    def evacuate(data: dict[str, Any]) -> None:
        next(r for r in data["regions"] if r["name"] == "us-east-2")["evacuate"] = True

    return synthesize_variant(tmp_path_factory, "evacuated", "prod", {}, evacuate)


ROUTING_CONTROL_ARNS = {
    region: f"arn:aws:route53-recovery-control::111111111111:controlpanel/{'a' * 32}/routingcontrol/{str(i) * 16}"
    for i, region in enumerate(["us-east-1", "us-east-2", "us-west-2"], start=1)
}


@pytest.fixture(scope="session")
def with_arc(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """prod with ARC routing controls enabled and their ARNs in config."""
    overrides = {"routing": {"recovery_control": {"enabled": True, "routing_control_arns": ROUTING_CONTROL_ARNS}}}
    return synthesize_variant(tmp_path_factory, "with_arc", "prod", overrides)


@pytest.fixture(scope="session", params=["prod", "dev"])
def synthesized(request: pytest.FixtureRequest) -> Synth:
    """Each shipped config, for assertions that must hold for all of them."""
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="session")
def during_game(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """prod deployed at 2026-12-04T01:30Z, 15 minutes after the tnf-2026-w13 kickoff."""
    from datetime import UTC, datetime

    return synthesize(CONFIG_DIR / "prod.yaml", tmp_path_factory.mktemp("cdk.out.during-game"),
                      plan_from=datetime(2026, 12, 4, 1, 30, tzinfo=UTC))
