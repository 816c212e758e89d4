"""Forecast-driven pre-scaling: the baseline audience, and the event calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator

from kickoff.config.errors import FieldProblem
from kickoff.config.models.base import Slug, StrictModel


class BaselineConfig(StrictModel):
    """The predictable non-event audience, planned as recurring (cron) steps."""

    hourly_viewers: tuple[float, ...] = Field(
        description="Expected global concurrent viewers per UTC hour: 24 values (hour of day) or 168 (hour of week, "
        "Monday first)."
    )
    uncertainty: float = Field(
        default=0.1, ge=0, lt=1, description="Half-width of the baseline forecast band. Default 0.1."
    )
    region_share: dict[str, float] = Field(description="Cell Region -> share of baseline viewers; sums to 1.")

    @field_validator("hourly_viewers")
    @classmethod
    def _hours(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if len(value) not in (24, 168):
            raise ValueError(f"{len(value)} values given. Fix: give 24 (hour of day) or 168 (hour of week) values.")
        negative = next((i for i, v in enumerate(value) if v < 0), None)
        if negative is not None:
            raise FieldProblem((negative,), f"{value[negative]:g} viewers is negative", "give a count of 0 or more")
        return value


class ScalingConfig(StrictModel):
    """Forecast-driven pre-scaling: which calendar, which window of it, and the planner's knobs."""

    calendar: str | None = Field(
        default=None,
        description="Event calendar file, relative to config/ (e.g. events/nfl-2026.yaml). Default none: no "
        "pre-scaling.",
    )
    horizon_days: int = Field(
        default=14,
        ge=1,
        le=90,
        description=(
            "Days after the deploy time (-c plan_from, default now) whose events are compiled into scheduled "
            "actions (redeploy at least this often). "
            "Bounded by the 200 scheduled actions per scalable target. Default 14."
        ),
    )
    deploy_margin_minutes: int = Field(
        default=30,
        ge=5,
        le=720,
        description=(
            "Steps earlier than the deploy time + this margin are not compiled (the capacity they would set is "
            "written at deploy time instead): a deployment takes minutes, and AWS rejects schedules that start in "
            "the past. Default 30."
        ),
    )
    lead_time_minutes: int = Field(
        default=15, ge=1, le=240, description="Capacity is in place this long before the load it serves. Default 15."
    )
    step_minutes: int = Field(
        default=10, ge=1, le=120, description="Spacing of the steps following the forecast. Default 10."
    )
    ramp_down_minutes: int = Field(
        default=15,
        ge=1,
        le=240,
        description="Delay after expected end + overtime before capacity steps down. Default 15.",
    )
    band_combination: Literal["max", "product"] = Field(
        default="max",
        description=(
            "How the forecast band and N-1 headroom combine: max (default) holds max(upper band, N-1 of expected); "
            "product holds N-1 of the upper band."
        ),
    )
    alb_reservations: bool = Field(
        default=True, description="Reserve ALB capacity units before each event (EventBridge Scheduler). Default true."
    )
    warm_throughput: bool = Field(
        default=True, description="Pre-warm the global table for the season's forecast peak. Default true."
    )
    baseline: BaselineConfig | None = Field(default=None, description="Recurring baseline steps. Default none.")


class EventConfig(StrictModel):
    """One live event of the calendar and its audience forecast."""

    id: Slug = Field(description="Unique event ID, e.g. tnf-2026-w13.")
    kickoff: datetime = Field(
        description="Scheduled kickoff, ISO 8601 with a time zone, e.g. 2026-12-03T20:15:00-05:00."
    )
    duration_minutes: int = Field(ge=1, le=1440, description="Expected minutes from kickoff to the end.")
    overtime_minutes: int = Field(default=30, ge=0, le=600, description="Allowance past the expected end. Default 30.")
    peak_viewers: int = Field(gt=0, description="Forecast peak concurrent viewers, all Regions together.")
    uncertainty: float = Field(
        default=0.2, ge=0, lt=1, description="Half-width of the forecast band (0.2 = ±20%). Default 0.2."
    )
    region_share: dict[str, float] = Field(description="Cell Region -> share of viewers; shares sum to 1.")

    @field_validator("kickoff")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError(f"{value} has no time zone. Fix: add one, e.g. 2026-12-03T20:15:00-05:00 or ...Z.")
        return value

    @model_validator(mode="after")
    def _shares(self) -> EventConfig:
        check_region_shares(self.region_share, ("region_share",))
        return self


def check_region_shares(shares: dict[str, float], loc: tuple[str, ...]) -> None:
    """Region shares between 0 and 1 that add up to 1 (a baseline's or an event's), or a FieldProblem at ``loc``."""
    for region, share in shares.items():
        if not 0 <= share <= 1:
            raise FieldProblem(
                loc + (region,), f"share {share} is outside 0..1", "give each share as a fraction, e.g. 0.4"
            )
    total = sum(shares.values())
    if abs(total - 1) > 1e-6:
        raise FieldProblem(loc, f"shares sum to {total:g}, not 1", "adjust the shares so they sum to 1")


class CalendarConfig(StrictModel):
    """An event calendar file (config/events/<season>.yaml)."""

    season: Slug = Field(description="Season name, e.g. nfl-2026.")
    events: tuple[EventConfig, ...] = Field(min_length=1, description="The events; doubleheaders may overlap.")

    @model_validator(mode="after")
    def _unique(self) -> CalendarConfig:
        seen: dict[str, int] = {}
        for i, event in enumerate(self.events):
            if event.id in seen:
                raise FieldProblem(
                    ("events", i, "id"),
                    f"event ID '{event.id}' is used twice (events[{seen[event.id]}])",
                    "give each event a unique id",
                )
            seen[event.id] = i
        return self
