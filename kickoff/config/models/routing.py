"""How viewers reach a healthy cell: Route 53 health checks, DNS TTLs, the ARC incident switch."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from kickoff.config.errors import FieldProblem
from kickoff.config.models.base import StrictModel


class HealthCheckConfig(StrictModel):
    """Route 53 health checks of each cell, through its ALB: one per service, on its health path.

    A cell is healthy only while every service's check passes (a calculated check over all of
    them), so a cell whose playback is down leaves routing even if its API answers.
    """

    request_interval_seconds: Literal[10, 30] = Field(
        default=10, description="Seconds between checks from each Route 53 checker: 10 (fast, default) or 30."
    )
    failure_threshold: int = Field(
        default=3, ge=1, le=10, description="Consecutive failures before a cell is unhealthy (1 to 10). Default 3."
    )


class RecoveryControlConfig(StrictModel):
    """Route 53 Application Recovery Controller: drain a Region with one data-plane call, no deploy."""

    enabled: bool = Field(
        default=False,
        description=(
            "Create the recovery stack (us-west-2): ARC cluster, control panel, one routing control per cell, "
            "and a safety rule keeping at least one cell on. About 2.50 USD per cluster-hour. Default false."
        ),
    )
    routing_control_arns: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Cell Region -> routing control ARN, copied from the recovery stack's outputs after its first deploy. "
            "A cell with an ARN here combines the routing control with its endpoint health check. Default none."
        ),
    )

    @model_validator(mode="after")
    def _arns(self) -> RecoveryControlConfig:
        for region, arn in self.routing_control_arns.items():
            if not re.fullmatch(
                r"arn:aws[a-z-]*:route53-recovery-control::\d{12}:controlpanel/[0-9a-f]+/routingcontrol/[0-9a-f]+", arn
            ):
                raise FieldProblem(
                    ("routing_control_arns", region),
                    f"'{arn}' is not a routing control ARN",
                    "copy the RoutingControlArn output of the recovery stack for this Region",
                )
        if self.routing_control_arns and not self.enabled:
            raise FieldProblem(
                ("routing_control_arns",),
                "routing controls are listed but enabled is false",
                "set enabled: true, or remove the ARNs",
            )
        return self


class RoutingConfig(StrictModel):
    """How viewers reach a healthy cell: health checks, DNS TTLs, the incident switch."""

    health_check: HealthCheckConfig = Field(default_factory=HealthCheckConfig, description="Cell health checks.")
    secondary_ttl_seconds: int = Field(
        default=30,
        ge=5,
        le=300,
        description="TTL of the CNAME records behind the secondary origin, in seconds. Default 30.",
    )
    failback_hold_seconds: int | None = Field(
        default=300,
        ge=30,
        le=300,
        multiple_of=30,
        description=(
            "The failback guard: a slow health check of each cell (every 30 s, this many seconds of failures) "
            "beside the fast ones. It does not change when a cell leaves; after an outage longer than this it "
            "keeps the returning cell out of routing until the cell has answered for this long, so its tasks are "
            "back (the scalable target's scheduled minimum relaunches them) before its viewers are. The twin "
            "proves the hold covers the relaunch. null removes the guard. Default 300, about 0.75 USD a month per "
            "cell."
        ),
    )
    evacuation_switch: bool = Field(
        default=True,
        description=(
            "A per-cell switch an operator flips with one CloudWatch call in the cell's Region (put-metric-data "
            "EvacuateCell 1 or 0), which Route 53 reads through the cell's health check: evacuation in minutes, with "
            "no deploy, for about 1 USD a month per cell (docs/runbooks/evacuate-region.md). Default true."
        ),
    )
    recovery_control: RecoveryControlConfig = Field(
        default_factory=RecoveryControlConfig, description="Optional ARC routing controls."
    )
