"""A reviewed finding, and how it is recorded on the construct that has it (decision 0004)."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import Stack
from constructs import IConstruct

# A reason shorter than this says too little to review ("not needed", "accepted"): it names neither the resource's
# role nor why the rule's risk does not apply to it.
MIN_REASON_CHARACTERS = 80


@dataclass(frozen=True)
class Acknowledgement:
    """A reviewed finding: the pack, the rule ID (with finding suffix) and why it is accepted."""

    pack: str
    rule: str
    reason: str

    def __post_init__(self) -> None:
        if len(self.reason.strip()) < MIN_REASON_CHARACTERS:
            raise ValueError(
                f"acknowledgement of {self.pack}::{self.rule}: the reason has {len(self.reason.strip())} characters; "
                f"say in at least {MIN_REASON_CHARACTERS} what the resource does and why the rule's risk does not "
                "apply to it"
            )

    @property
    def id(self) -> str:
        """The ID Validations.acknowledge expects, e.g. ``AwsSolutions::AwsSolutions-S1``."""
        return f"{self.pack}::{self.rule}"


def acknowledge(scope: IConstruct, *acknowledgements: Acknowledgement) -> None:
    """Record ``acknowledgements`` on ``scope`` (a construct, never a stack or the app)."""
    if isinstance(scope, (Stack, cdk.App)):
        raise ValueError("acknowledge findings on the construct that has them, not on a stack or the app")
    cdk.Validations.of(scope).acknowledge(*(cdk.Acknowledgment(id=a.id, reason=a.reason) for a in acknowledgements))
