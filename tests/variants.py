"""Every config the session fixtures synthesize, defined once.

``tests/conftest.py`` builds its session fixtures from this table, and
``scripts/template_identity.py`` synthesizes the same table to prove that a refactoring
changed no template. Pure data and YAML: no CDK, no kickoff imports.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO_ROOT / "config"
# The deploy time every test synth assumes: templates stay reproducible whatever today is.
PLAN_FROM = datetime(2026, 11, 26, tzinfo=UTC)

ROUTING_CONTROL_ARNS = {
    region: f"arn:aws:route53-recovery-control::111111111111:controlpanel/{'a' * 32}/routingcontrol/{str(i) * 16}"
    for i, region in enumerate(["us-east-1", "us-east-2", "us-west-2"], start=1)
}


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in, mappings recursively; neither is modified."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def config_data(env: str = "prod", config_dir: Path = CONFIG_DIR) -> dict[str, Any]:
    """A shipped config as a dict, to derive variants from."""
    return yaml.safe_load((config_dir / f"{env}.yaml").read_text())


@dataclass(frozen=True)
class Variant:
    """A shipped config, optionally with overrides and an in-place mutation, deployed at ``plan_from``."""

    base: str
    overrides: dict[str, Any] = field(default_factory=dict)
    mutate: Callable[[dict[str, Any]], None] | None = None
    plan_from: datetime = PLAN_FROM
    description: str = ""

    @property
    def shipped(self) -> bool:
        """True when the variant is a shipped config as it is (synthesized from its own file)."""
        return not self.overrides and self.mutate is None

    def data(self, config_dir: Path = CONFIG_DIR) -> dict[str, Any]:
        data = deep_merge(config_data(self.base, config_dir), self.overrides)
        if self.mutate is not None:
            self.mutate(data)
        return data

    def write(self, path: Path, config_dir: Path = CONFIG_DIR) -> Path:
        """The config file to load: the shipped file itself, or the variant written to ``path``."""
        if self.shipped:
            return config_dir / f"{self.base}.yaml"
        path.write_text(yaml.safe_dump(self.data(config_dir), sort_keys=False))
        return path


def _evacuate_us_east_2(data: dict[str, Any]) -> None:
    next(r for r in data["regions"] if r["name"] == "us-east-2")["evacuate"] = True


VARIANTS: dict[str, Variant] = {
    "prod": Variant("prod", description="config/prod.yaml"),
    "dev": Variant("dev", description="config/dev.yaml"),
    # A separate environment: a table's consistency cannot be changed in place (MRSC needs a new
    # table), and as a change to prod the stateful lock refuses it, rightly (the table keys go).
    "strong": Variant(
        "prod",
        {"environment": "strong", "table": {"consistency": "strong", "encryption": "aws_managed"}, "pipeline": None},
        description="prod's Regions with strong consistency and AWS managed keys, deployed without a pipeline",
    ),
    "evacuated": Variant("prod", mutate=_evacuate_us_east_2, description="prod with us-east-2 evacuated (planned)"),
    "with_arc": Variant(
        "prod",
        {"routing": {"recovery_control": {"enabled": True, "routing_control_arns": ROUTING_CONTROL_ARNS}}},
        description="prod with ARC routing controls enabled and their ARNs in config",
    ),
    "parallel_waves": Variant(
        "prod",
        {
            "pipeline": {"second_wave": "parallel", "manual_approval": False},
            "fault_injection": {"zonal_autoshift": True},
        },
        description="prod released with its second wave in parallel and no manual approval, zonal autoshift on",
    ),
}
