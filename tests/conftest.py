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

from tests.support import VARIANTS, Synth, _deep_merge, config_data, synthesize_named


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config variant: ``write_config(base="prod", overrides={...})`` or ``text=...``."""

    def write(
        base: str = "prod",
        overrides: dict[str, Any] | None = None,
        *,
        text: str | None = None,
        name: str = "variant.yaml",
    ) -> Path:
        path = tmp_path / name
        if text is None:
            text = yaml.safe_dump(_deep_merge(config_data(base), overrides or {}), sort_keys=False)
        path.write_text(text)
        return path

    return write


def _fixture(name: str) -> Callable[[pytest.TempPathFactory], Synth]:
    def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
        return synthesize_named(tmp_path_factory, name)

    synth.__doc__ = f"{VARIANTS[name].description}, synthesized once per session (tests/variants.py)."
    synth.__name__ = name
    return pytest.fixture(scope="session", name=name)(synth)


prod = _fixture("prod")
dev = _fixture("dev")
strong = _fixture("strong")
evacuated = _fixture("evacuated")
with_arc = _fixture("with_arc")
during_game = _fixture("during_game")
parallel_waves = _fixture("parallel_waves")


@pytest.fixture(scope="session", params=["prod", "dev"])
def synthesized(request: pytest.FixtureRequest) -> Synth:
    """Each shipped config, for assertions that must hold for all of them."""
    return request.getfixturevalue(request.param)
