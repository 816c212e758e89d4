"""The deploy time a synth compiles for, and the planning window it opens: which scheduled actions a template holds.

A synth assumes it is deployed at ``plan_from`` (default now). The window starts after the time a deploy takes (the
deploy margin; with a pipeline, its release minutes too; without one, a margin per stack deployed in turn), so no
scheduled action is due before its stack exists, and runs ``scaling.horizon_days`` from there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kickoff.config.errors import ConfigError
from kickoff.config.models import KickoffConfig
from kickoff.scaling.horizon import PlanningWindow, apply_window


def default_plan_from(now: datetime | None = None) -> datetime:
    """The deploy time of an unpinned synth: now, rounded up to the whole minute (UTC)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rounded = now.replace(second=0, microsecond=0)
    return rounded if rounded == now else rounded + timedelta(minutes=1)


def parse_plan_from(value: str) -> datetime:
    """``-c plan_from=...``: ISO 8601 with a zone (``Z`` allowed), a real date and time."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"-c plan_from={value}: not a valid ISO 8601 date and time.\n"
            "  Fix: use a real date and time, e.g. 2026-11-26T00:00:00Z."
        ) from None
    if parsed.tzinfo is None:
        raise ConfigError(f"-c plan_from={value}: no time zone.\n  Fix: add one, e.g. {value}Z.")
    return parsed.astimezone(UTC)


def resolve_plan_from(config: KickoffConfig, value: str | None, *, now: datetime | None = None) -> datetime:
    """The deploy time a synth compiles for: ``-c plan_from`` if given, else now.

    A pinned value that lies more than half the deploy margin in the past is refused: its
    first scheduled actions would be due before the deploy could finish, and AWS rejects
    schedules in the past. A value in the future is allowed (a review synth pinned ahead, or
    a deploy planned for then); the template then assumes it is deployed at that time.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if value is None:
        return default_plan_from(now)
    if not value.strip():
        raise ConfigError(
            "-c plan_from= is empty.\n  Fix: leave it out (the deploy time is then now) or give an ISO 8601 "
            "time, e.g. -c plan_from=2026-12-10T18:00:00Z."
        )
    pinned = parse_plan_from(value)
    staleness = timedelta(minutes=config.scaling.deploy_margin_minutes / 2)
    if pinned < now - staleness:
        late = now - pinned
        raise ConfigError(
            f"-c plan_from={value}: lies {_duration(late)} before now ({now:%Y-%m-%dT%H:%MZ}). A template compiled "
            f"for that deploy time schedules capacity that is already due, which AWS rejects, and leaves later "
            "events uncovered.\n  Fix: omit plan_from (it defaults to the current time), or pass the time of the "
            "deploy, "
            f"e.g. -c plan_from=$(date -u +%FT%TZ)."
        )
    return pinned


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


def manual_deploy_minutes(config: KickoffConfig) -> int:
    """How long ``cdk deploy --all`` may take without a pipeline: one deploy margin per stack with scheduled
    actions, in deploy order (the data stack, then each cell in turn)."""
    return config.scaling.deploy_margin_minutes * (1 + len(config.regions))


def planning_window(config: KickoffConfig, plan_from: datetime) -> PlanningWindow:
    """The window a plan put in force at ``plan_from`` covers: the capacity agent's, for a run at that time (the
    templates hold no plan, so no deploy time enters it)."""
    return apply_window(plan_from, timedelta(days=config.scaling.horizon_days))
