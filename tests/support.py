"""Helpers shared by the tests: config variants and in-process synthesis."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

# One definition of the paths, the pinned deploy time and the fixture configs (tests/variants.py).
from tests.variants import CONFIG_DIR, PLAN_FROM, REPO_ROOT, VARIANTS, config_data  # noqa: E402
from tests.variants import deep_merge as _deep_merge  # noqa: E402

__all__ = [
    "CONFIG_DIR",
    "PLAN_FROM",
    "REPO_ROOT",
    "VARIANTS",
    "CliRun",
    "Synth",
    "run_cli",
    "config_data",
    "config_problem",
    "synthesize",
    "synthesize_named",
    "synthesize_variant",
]


@dataclass
class Synth:
    """A synthesized deployment: the config, the stacks and the cloud assembly directory."""

    config: Any
    deployment: Any
    outdir: Path

    def template_path(self, stack_name: str) -> Path:
        from kickoff.stacks.deployment import template_path

        stack = next(s for s in self.deployment.stacks if s.stack_name == stack_name)
        return template_path(stack)

    def template(self, stack_name: str) -> dict[str, Any]:
        return json.loads(self.template_path(stack_name).read_text())

    def assertions(self, stack_name: str) -> Any:
        from aws_cdk.assertions import Template

        return Template.from_json(self.template(stack_name))

    @property
    def stack_names(self) -> list[str]:
        return [s.stack_name for s in self.deployment.stacks]

    def cell(self, region: str) -> str:
        return self.deployment.cells[region].stack_name

    @property
    def data(self) -> str:
        return self.deployment.data.stack_name

    @property
    def edge(self) -> str:
        return self.deployment.edge.stack_name

    def resources(self, stack_name: str, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template(stack_name)["Resources"].items() if v["Type"] == type_}


@dataclass
class CliRun:
    """What ``python -m kickoff`` returned and printed, run in-process (``kickoff.cli.main``)."""

    returncode: int
    stdout: str
    stderr: str


def config_problem(tmp_path: Path, data: dict[str, Any]) -> str | None:
    """The error a config ``data`` (written to ``tmp_path``) gets, or None when it loads; an error must name its
    fix and show no traceback."""
    from kickoff.config import ConfigError, load_config

    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    try:
        load_config(path)
    except ConfigError as error:
        message = str(error)
        assert "Traceback" not in message and "Fix:" in message
        return message
    return None


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> CliRun:
    """Run one command in this process (no interpreter start-up) and capture what it printed."""
    from kickoff.cli import main

    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return CliRun(code, captured.out, captured.err)


def synthesize(config_path: Path, outdir: Path, plan_from: datetime = PLAN_FROM) -> Synth:
    """Build and synthesize the app for one config file, deployed at ``plan_from``, checks attached."""
    from kickoff.application import synthesize as synthesize_config
    from kickoff.config import load_config

    config = load_config(config_path)
    deployment = synthesize_config(config, str(outdir), checks=True, plan_from=plan_from)
    return Synth(config=config, deployment=deployment, outdir=outdir)


def synthesize_named(tmp_path_factory: pytest.TempPathFactory, name: str) -> Synth:
    """Synthesize one of the fixture configs of tests/variants.py."""
    variant = VARIANTS[name]
    root = tmp_path_factory.mktemp(f"cdk.out.{name}")
    return synthesize(variant.write(root / f"{name}.yaml"), root / "cdk.out", plan_from=variant.plan_from)


def synthesize_variant(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    base: str,
    overrides: dict[str, Any],
    mutate: Callable[[dict[str, Any]], None] | None = None,
) -> Synth:
    """Synthesize a shipped config with overrides (deep-merged) and an optional in-place mutation."""
    root = tmp_path_factory.mktemp(name)
    data = _deep_merge(config_data(base), overrides)
    if mutate is not None:
        mutate(data)
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return synthesize(path, root / "cdk.out")
