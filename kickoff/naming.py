"""Naming conventions shared by stacks and by pure code that reads their templates.

Construct IDs of stateful resources are a public API (renaming one replaces the
resource), so they are derived here, in one place, without importing CDK.
"""

from __future__ import annotations

from kickoff.config.models import KickoffConfig


def stack_name(config: KickoffConfig, unit: str, region: str | None = None) -> str:
    """``<app>-<env>-<unit>[-<region>]``: the only place Region and environment enter names."""
    parts = [config.app, config.environment, unit] + ([region] if region else [])
    return "-".join(parts)


def pascal(name: str) -> str:
    """``us-east-1`` -> ``UsEast1``, ``live-stats`` -> ``LiveStats``: names inside construct IDs."""
    return "".join(part.capitalize() for part in name.split("-"))


def service_construct_id(service_name: str) -> str:
    """Stable PascalCase construct ID for a service: ``live-stats`` -> ``LiveStatsService``."""
    return pascal(service_name) + "Service"
