"""How a release reaches the cells: the CDK Pipelines pipeline, its waves, the bake and the freeze."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from kickoff.config.models.base import StrictModel
from kickoff.config.regions import KNOWN_REGIONS

# arn:aws:codestar-connections:<region>:<account>:connection/<uuid>, or the newer codeconnections service prefix.
CONNECTION_ARN_PATTERN = (
    r"^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection/[0-9a-f-]{36}$"
)


class PipelineConfig(StrictModel):
    """A self-mutating CDK Pipelines pipeline in a tooling account that releases this environment in waves.

    Order: Data (and Keys), wave 1 (the canary Region's cell), the bake, wave 2 (the other cells),
    Edge (and the cross-Region dashboard), Recovery. Every deploying stage first runs
    ``python -m kickoff deploy-window`` and stops inside an event window (decision 0015).
    """

    account: str = Field(
        pattern=r"^\d{12}$",
        description=(
            "The tooling account the pipeline lives in, quoted. It may equal `account`; otherwise bootstrap "
            "`account` with --trust for it (docs/deploy.md). No default."
        ),
    )
    region: str = Field(description="The pipeline's Region; assets and synth run here. No default.")
    connection_arn: str = Field(
        pattern=CONNECTION_ARN_PATTERN,
        description="The CodeConnections (CodeStar Connections) ARN of the source repository's host. No default.",
    )
    repository: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description="The source repository, `owner/name`. No default."
    )
    branch: str = Field(default="main", min_length=1, description="The branch that releases. Default main.")
    canary_region: str = Field(
        description="The cell deployed alone in wave 1 and baked before the others; one of `regions`. No default."
    )
    bake_minutes: int = Field(
        default=30,
        ge=5,
        le=420,
        description=(
            "Minutes wave 1 bakes while the canary Region's region-impaired alarm is watched; ALARM fails the "
            "release (5 to 420: the bake runs in CodeBuild, whose timeout is 8 hours). Default 30."
        ),
    )
    second_wave: Literal["sequential", "parallel"] = Field(
        default="sequential",
        description=(
            "Wave 2: `sequential` deploys the other cells one at a time in config order, each behind its own "
            "freeze check; `parallel` deploys them together. Default sequential."
        ),
    )
    release_minutes: int = Field(
        default=240,
        ge=30,
        le=1440,
        description=(
            "The longest a release may take from its synth to its last deploy (approval wait, waves, bake); it must "
            "hold the bake. Templates hold no schedule, so a release may take longer without harm. Default 240."
        ),
    )
    manual_approval: bool = Field(
        default=False, description="A manual approval before the first deploying stage. Default false."
    )

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in KNOWN_REGIONS:
            raise ValueError(f"unknown AWS Region '{value}'. Fix: use a Region code such as us-east-1.")
        return value
