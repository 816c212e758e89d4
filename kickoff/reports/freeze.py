"""The event freeze: whether a deploy at a given time may proceed, and the override policy.

Inside an event window a deploy waits (exit 1) unless an override gives a reason of at least
``OVERRIDE_MIN_CHARS`` characters; the verdict then records the reason, who ran it and the pipeline
execution, which the pipeline's build log keeps. ``none`` or an empty reason is no override (the
pipeline variable's default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kickoff import naming
from kickoff.config import KickoffConfig
from kickoff.planning import DeploymentPlan

NO_OVERRIDE = ("", "none")
OVERRIDE_MIN_CHARS = 10


@dataclass(frozen=True)
class FreezeVerdict:
    """What the freeze check says: its exit code, and the message for stdout (0) or stderr (1, 2)."""

    code: int
    message: str


def override_reason(raw: str | None) -> str:
    """The override's reason, empty for no override."""
    reason = (raw or "").strip()
    return "" if reason.lower() in NO_OVERRIDE else reason


def refused_override(raw: str | None) -> FreezeVerdict | None:
    """A usage error (exit 2) for an override whose reason is too short; None for a valid one or none."""
    reason = override_reason(raw)
    if not reason or len(reason) >= OVERRIDE_MIN_CHARS:
        return None
    return FreezeVerdict(
        2,
        f"kickoff: --override needs a reason of at least {OVERRIDE_MIN_CHARS} characters (got '{reason}'). "
        "Fix: say why this deploy cannot wait, e.g. --override 'INC-1234 hotfix for playback 5xx'",
    )


def freeze_verdict(
    config: KickoffConfig, plan: DeploymentPlan, at: datetime, reason: str, environ: Mapping[str, str]
) -> FreezeVerdict:
    """May a deploy of ``config`` proceed at ``at``, with the override ``reason`` (empty: none; see
    ``refused_override``)? ``environ`` names who asked (CodeBuild's initiator, else USER)."""
    env = naming.environment_key(config.identity)
    window = plan.event_window_at(at)
    if window is None:
        upcoming = [w for w in plan.season_windows if w.start > at]
        nxt = (
            f"; the next window opens {upcoming[0].start:%Y-%m-%d %H:%M} UTC ({', '.join(upcoming[0].event_ids)})"
            if upcoming
            else ""
        )
        message = f"{env}: {at:%Y-%m-%d %H:%M} UTC is outside every event window: deploys may proceed{nxt}"
        if reason:
            message += f"\n{env}: the freeze override ('{reason}') was not needed"
        return FreezeVerdict(0, message)
    inside = (
        f"{at:%Y-%m-%d %H:%M} UTC is inside the event window of {', '.join(window.event_ids)} "
        f"({window.start:%Y-%m-%d %H:%M} to {window.restore:%Y-%m-%d %H:%M} UTC)"
    )
    if reason:
        who = environ.get("CODEBUILD_INITIATOR") or environ.get("USER") or "unknown"
        execution = environ.get("PIPELINE_EXECUTION_ID", "")
        return FreezeVerdict(
            0,
            f"FREEZE OVERRIDDEN {env}: {inside}; deploying anyway. Reason: {reason}. By: {who}"
            + (f". Pipeline execution: {execution}" if execution else ""),
        )
    emergency = (
        "release again with the pipeline variable FREEZE_OVERRIDE set to the reason (docs/deploy.md)"
        if config.pipeline is not None
        else "run this check again with --override 'REASON' and deploy (docs/deploy.md)"
    )
    return FreezeVerdict(
        1, f"{env}: {inside}; deploys wait until {window.restore:%Y-%m-%d %H:%M} UTC. In an emergency, {emergency}"
    )
