"""Forecast-driven pre-scaling: the baseline audience, and the event calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from kickoff.config.errors import FieldProblem
from kickoff.config.models.base import Slug, StrictModel
from kickoff.config.models.departure import DepartureProfile, default_profiles

MAX_FLEX_WINDOW = timedelta(hours=6)
"""Widest earliest..latest kickoff window an event may carry: the plan holds capacity across all of it."""


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
    recurring_steps: bool = Field(
        default=False,
        description=(
            "Also plan recurring (cron) steps that hold the baseline's daily swing outside event windows. The "
            "baseline audience counts inside event windows either way. Default false: target tracking follows "
            "the daily swing, which rises over hours; the twin finds no failure the steps protect against (a "
            "Region lost at the baseline's peak drops requests with or without them, since they hold no N-1) "
            "and the pre-scaling benchmark shows what they cost."
        ),
    )

    @field_validator("hourly_viewers")
    @classmethod
    def _hours(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if len(value) not in (24, 168):
            raise ValueError(f"{len(value)} values given. Fix: give 24 (hour of day) or 168 (hour of week) values.")
        negative = next((i for i, v in enumerate(value) if v < 0), None)
        if negative is not None:
            raise FieldProblem((negative,), f"{value[negative]:g} viewers is negative", "give a count of 0 or more")
        return value


class WarmThroughputPrice(StrictModel):
    """What pre-warming the global table costs, for the plan's cost table (``kickoff plan``)."""

    read_unit_usd: float = Field(
        ge=0,
        description=(
            "One-time USD per read unit/s raised above a new on-demand table's 12,000, charged on every replica "
            "(the conservative reading: AWS does not say whether replicas are charged once or each)."
        ),
    )
    write_unit_usd: float = Field(
        ge=0, description="One-time USD per write unit/s raised above 4,000, on every replica, as read_unit_usd."
    )


class AgentConfig(StrictModel):
    """The regional capacity agent that applies the published forecast."""

    rate_minutes: int = Field(
        default=5,
        ge=1,
        le=60,
        description=(
            "How often the agent runs in every cell Region (it also runs after each publish). A forecast change "
            "reaches a Region's scheduled actions within this plus one run (about a minute). Default 5."
        ),
    )
    failing_minutes: int = Field(
        default=30,
        ge=2,
        le=1440,
        description=(
            "Minutes without a successful run before the AgentFailing alarm fires; at least two runs. Default 30."
        ),
    )
    coverage_margin_hours: int = Field(
        default=24,
        ge=1,
        le=720,
        description=(
            "The PlanCoverageShort alarm fires when the plan in force covers less than horizon_days x 24 minus "
            "this many hours ahead (the agent has failed for that long). Default 24."
        ),
    )

    @model_validator(mode="after")
    def _runs(self) -> AgentConfig:
        if self.failing_minutes < 2 * self.rate_minutes:
            raise FieldProblem(
                ("failing_minutes",),
                f"{self.failing_minutes} minutes is less than two runs at rate_minutes {self.rate_minutes}",
                f"set it to at least {2 * self.rate_minutes}",
            )
        return self


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
            "Days ahead each cell's capacity agent writes the plan (scheduled actions, reservation schedules) when "
            "it runs; what it wrote stays in force this long if it stops. "
            "Bounded by the 200 scheduled actions per scalable target. Default 14."
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
    n_minus_1_min_audience: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description=(
            "Hold N-1 static stability (any one Region can fail at no notice) only while some event's expected "
            "audience is at least this fraction of its forecast peak; below it, target tracking absorbs a Region's "
            "loss. 0 (default) holds N-1 through the whole event window. The pre-scaling benchmark shows the "
            "effect of each value."
        ),
    )
    baseline_n_minus_1: bool = Field(
        default=False,
        description=(
            "Also hold N-1 (with the re-arrival surge) on the recurring baseline steps, so a Region can fail "
            "outside events without dropping requests. Default false: outside event windows a Region's loss is "
            "left to target tracking; the pre-scaling benchmark measures what that drops and what N-1 costs."
        ),
    )
    departure_profiles: tuple[DepartureProfile, ...] = Field(
        default_factory=default_profiles,
        description=(
            "How a failed Region's viewers can leave it (see the departure profile fields). N-1 capacity carries "
            "the re-arrival surge of the worst one (the highest peak rate), and the twin runs every Region failure "
            "under each. An empty list leaves the surge out. Default: one detection_then_even profile, 30 s of "
            "detection (Route 53 endpoint checks at 10 s x 3) then evenly over 60 s (the alias TTL)."
        ),
    )
    n_minus_1_utilization: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description=(
            "Utilisation the survivors may run at while they carry a failed Region's viewers and their "
            "re-arrival surge; N-1 capacity is sized at it instead of each service's target utilisation, and "
            "target tracking brings the survivors back to the target within minutes. null (default) sizes N-1 "
            "at the target. With band_combination max, N-1 is sized on the expected audience, so keep it at most "
            "0.85 / (1 + the largest forecast error to absorb), 0.65 for 30%: the pre-scaling benchmark shows "
            "what each value saves and when the survivors run above 85%."
        ),
    )
    alb_reservation_grace_minutes: int = Field(
        default=120,
        ge=10,
        le=170,
        description=(
            "Minutes after a reservation is requested before it must be in force; past them the "
            "ReservationNotInForce alarm fires. AWS fulfils most requests within minutes and some within hours; a "
            "reservation is requested 180 minutes before its event window, so the default leaves an hour to react. "
            "Default 120."
        ),
    )
    alb_minimum_lcu: int = Field(
        default=100,
        ge=100,
        le=100000,
        description=(
            "Floor of every ALB LCU reservation. Default 100, the documented minimum (ELB user guide, "
            "'Capacity reservations for your Application Load Balancer': 'The total reservation request must be "
            "at least 100 LCU')."
        ),
    )
    alb_reservations: bool = Field(
        default=True, description="Reserve ALB capacity units before each event (EventBridge Scheduler). Default true."
    )
    warm_throughput: bool = Field(
        default=True, description="Pre-warm the global table for the season's forecast peak. Default true."
    )
    warm_throughput_price: WarmThroughputPrice | None = Field(
        default=None,
        description=(
            "Unit prices of pre-warming, copied from the DynamoDB pricing page or your bill for the table's "
            "Regions. AWS documents that pre-warming is charged but no published unit price was found "
            "(docs/decisions/0019-prescaling-v2.md), so Kickoff ships none. null (default): the plan prints the "
            "units without a price."
        ),
    )
    baseline: BaselineConfig | None = Field(default=None, description="Recurring baseline steps. Default none.")
    agent: AgentConfig = Field(
        default_factory=AgentConfig, description="The capacity agent in every cell Region. Default: its defaults."
    )

    @model_validator(mode="before")
    @classmethod
    def _replaced(cls, data: object) -> object:
        if isinstance(data, dict) and "deploy_margin_minutes" in data:
            raise FieldProblem(
                ("deploy_margin_minutes",),
                "deploy_margin_minutes is no longer used: the templates hold no schedule, and each cell's capacity "
                "agent applies the plan when it runs",
                "remove it",
            )
        if isinstance(data, dict) and "failover_shift_seconds" in data:
            raise FieldProblem(
                ("failover_shift_seconds",),
                "failover_shift_seconds is replaced by departure_profiles",
                "remove it and declare how viewers leave a failed Region, e.g. departure_profiles: [{name: dns, "
                "shape: detection_then_even, detection_seconds: 30, spread_seconds: 60}]",
            )
        return data

    @model_validator(mode="after")
    def _profiles(self) -> ScalingConfig:
        if self.agent.coverage_margin_hours >= self.horizon_days * 24:
            raise FieldProblem(
                ("agent", "coverage_margin_hours"),
                f"{self.agent.coverage_margin_hours} hours is not less than the horizon ({self.horizon_days} days)",
                f"set it below {self.horizon_days * 24}",
            )
        if self.baseline_n_minus_1 and (self.baseline is None or not self.baseline.recurring_steps):
            raise FieldProblem(
                ("baseline_n_minus_1",),
                "N-1 on the baseline needs the recurring baseline steps, which are off",
                "set scaling.baseline.recurring_steps: true as well, or remove baseline_n_minus_1",
            )
        names = [p.name for p in self.departure_profiles]
        for index, name in enumerate(names):
            if names.index(name) != index:
                raise FieldProblem(
                    ("departure_profiles", index, "name"), f"{name} is declared twice", "give each profile its own name"
                )
        return self


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
    earliest_kickoff: datetime | None = Field(
        default=None,
        description="Earliest kickoff of a flex window (a broadcaster's flex, a weather delay). Default: the kickoff.",
    )
    latest_kickoff: datetime | None = Field(
        default=None,
        description="Latest kickoff of a flex window; capacity is held through its end plus overtime. Default: the "
        "kickoff.",
    )

    @field_validator("kickoff", "earliest_kickoff", "latest_kickoff")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(f"{value} has no time zone. Fix: add one, e.g. 2026-12-03T20:15:00-05:00 or ...Z.")
        return value

    @model_validator(mode="after")
    def _shares(self) -> EventConfig:
        check_region_shares(self.region_share, ("region_share",))
        if self.earliest_kickoff is not None and self.earliest_kickoff > self.kickoff:
            raise FieldProblem(
                ("earliest_kickoff",),
                f"{self.earliest_kickoff.isoformat()} is after the kickoff {self.kickoff.isoformat()}",
                "give a time at or before the kickoff",
            )
        if self.latest_kickoff is not None and self.latest_kickoff < self.kickoff:
            raise FieldProblem(
                ("latest_kickoff",),
                f"{self.latest_kickoff.isoformat()} is before the kickoff {self.kickoff.isoformat()}",
                "give a time at or after the kickoff",
            )
        width = (self.latest_kickoff or self.kickoff) - (self.earliest_kickoff or self.kickoff)
        if width > MAX_FLEX_WINDOW:
            raise FieldProblem(
                ("latest_kickoff" if self.latest_kickoff is not None else "earliest_kickoff",),
                f"the flex window is {width}, longer than {MAX_FLEX_WINDOW}",
                "narrow it, or enter the moved game as its own event once its time is known",
            )
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
