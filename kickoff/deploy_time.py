"""The time a plan is made for (``-c plan_from``, default now), and the window it opens.

The templates hold no plan: each cell's capacity agent plans when it runs. A synth still makes the plan of its time,
for the checks that read one (the twin, the season check) and for ``kickoff plan``; the window is the agent's
(``kickoff.scaling.horizon.apply_window``).
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
    """The time a plan is made for: ``-c plan_from`` if given, else now.

    The templates hold no plan, so the time only chooses which plan the checks (the twin, the season check) and
    ``kickoff plan`` read: any time is allowed, a past one for a post-mortem, a future one for a review.
    """
    del config  # every config accepts every time
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if value is None:
        return default_plan_from(now)
    if not value.strip():
        raise ConfigError(
            "-c plan_from= is empty.\n  Fix: leave it out (the time is then now) or give an ISO 8601 "
            "time, e.g. -c plan_from=2026-12-10T18:00:00Z."
        )
    return parse_plan_from(value)


def planning_window(config: KickoffConfig, plan_from: datetime) -> PlanningWindow:
    """The window a plan put in force at ``plan_from`` covers: the capacity agent's, for a run at that time (the
    templates hold no plan, so no deploy time enters it)."""
    return apply_window(plan_from, timedelta(days=config.scaling.horizon_days))
