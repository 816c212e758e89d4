"""What every Kickoff validation plugin tells CDK about itself: its name, rule IDs and version."""

from __future__ import annotations

from typing import Any, ClassVar

import aws_cdk as cdk


class PluginIdentity:
    """The ``name``, ``rule_ids`` and ``version`` members of ``cdk.IPolicyValidationPlugin``, from class attributes:
    ``PLUGIN_NAME`` names the plugin in validation-report.json and the synth summary, ``RULE_IDS`` (None: any) the
    rules it reports."""

    PLUGIN_NAME: ClassVar[str]
    RULE_IDS: ClassVar[tuple[str, ...] | None] = None

    @property
    def name(self) -> str:
        return self.PLUGIN_NAME

    @property
    def rule_ids(self) -> list[str] | None:
        return list(self.RULE_IDS) if self.RULE_IDS is not None else None

    @property
    def version(self) -> str | None:
        return "1.0.0"


def violation(rule: str, description: str, fix: str, *, template: str, logical_id: str, location: str) -> Any:
    """One error-level ``cdk.PolicyViolation`` on one resource (or, for a finding about the whole deployment, a
    pseudo-resource such as ``Twin`` at ``(twin)``) of one template."""
    return cdk.PolicyViolation(
        rule_name=rule,
        description=description,
        fix=fix,
        severity="error",
        violating_resources=[
            cdk.PolicyViolatingResource(locations=[location], template_path=template, resource_logical_id=logical_id)
        ],
    )
