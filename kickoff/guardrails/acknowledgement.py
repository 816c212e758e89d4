"""A reviewed finding, and how it is recorded on the construct that has it (decision 0004)."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import Stack
from constructs import IConstruct


@dataclass(frozen=True)
class Acknowledgement:
    """A reviewed finding: the pack, the rule ID (with finding suffix) and why it is accepted."""

    pack: str
    rule: str
    reason: str

    @property
    def id(self) -> str:
        """The ID Validations.acknowledge expects, e.g. ``AwsSolutions::AwsSolutions-S1``."""
        return f"{self.pack}::{self.rule}"


def acknowledge(scope: IConstruct, *acknowledgements: Acknowledgement) -> None:
    """Record ``acknowledgements`` on ``scope`` (a construct, never a stack or the app)."""
    if isinstance(scope, (Stack, cdk.App)):
        raise ValueError("acknowledge findings on the construct that has them, not on a stack or the app")
    cdk.Validations.of(scope).acknowledge(*(cdk.Acknowledgment(id=a.id, reason=a.reason) for a in acknowledgements))
