"""Rehearsed recovery: the AWS FIS experiments each cell carries, and zonal shift of its load balancer."""

from __future__ import annotations

from pydantic import Field

from kickoff.config.models.base import StrictModel

# FIS action durations run from one minute to 12 hours (FIS actions reference: PT1M to PT12H).
FIS_MAX_MINUTES = 720

# The FIS actions of a cell's experiments, one recovery path each (WA-REL-FaultInjectionExperiments checks them).
STOP_TASK = "aws:ecs:stop-task"
DISRUPT_NETWORK = "aws:network:disrupt-connectivity"
PAUSE_REPLICATION = "aws:dynamodb:global-table-pause-replication"
ZONAL_SHIFT = "aws:arc:start-zonal-autoshift"
CELL_FAULT_ACTIONS = (STOP_TASK, DISRUPT_NETWORK, ZONAL_SHIFT, PAUSE_REPLICATION)
# The tag that names the AZ an experiment targets (the game-day plan reads it back from the templates).
AZ_TAG = "availability-zone"


class FaultInjectionConfig(StrictModel):
    """AWS FIS experiment templates per cell Region (decision 0016; runbooks in docs/runbooks/).

    Every experiment stops when the cell's region-impaired composite alarm goes into ALARM. The
    AZ experiments exist once per configured AZ of the cell. Templates cost nothing until run.
    """

    enabled: bool = Field(
        default=True,
        description=(
            "Create the experiment templates in every cell: lose an AZ's tasks, lose an AZ's network, pause "
            "replication to the Region's replica, shift traffic away from an AZ. Default true."
        ),
    )
    task_share_percent: int = Field(
        default=50,
        ge=1,
        le=100,
        description="Share of one AZ's running tasks (every service) the task-loss experiment stops. Default 50.",
    )
    network_minutes: int = Field(
        default=10, ge=1, le=FIS_MAX_MINUTES, description="How long one AZ's subnets lose their network. Default 10."
    )
    replication_pause_minutes: int = Field(
        default=10,
        ge=1,
        le=60,
        description=(
            "How long replication to and from the Region's replica is paused (1 to 60; DynamoDB turns a replica "
            "that stays unauthorized for 20 hours into a single-Region table). Replication may go on for up to "
            "5 more minutes after the start. Default 10."
        ),
    )
    zonal_shift_minutes: int = Field(
        default=10,
        ge=1,
        le=FIS_MAX_MINUTES,
        description="How long the ALB's traffic is shifted away from one AZ. Default 10.",
    )
    zonal_autoshift: bool = Field(
        default=False,
        description=(
            "Turn on ARC zonal autoshift for each cell ALB: AWS shifts traffic away from an AZ it sees impaired, and "
            "runs a weekly practice shift judged by the cell's region-impaired alarm, never on an event day. "
            "Zonal shift itself is always on. Default false."
        ),
    )
