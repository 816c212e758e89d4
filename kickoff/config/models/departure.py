"""How a failed Region's viewers leave it: the departure profiles N-1 capacity is sized for."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from kickoff.config.errors import FieldProblem
from kickoff.config.models.base import Slug, StrictModel

SHAPES = ("detection_then_even", "triangular", "jittered_clients")


class DepartureProfile(StrictModel):
    """One way viewers can leave a failed Region.

    Each lands on a survivor as a new arrival (login, entitlement, playback start), so the departure's peak rate
    is the re-arrival surge N-1 capacity carries."""

    name: Slug = Field(description="Short name, shown in the twin's and the plan's reports.")
    shape: Literal["detection_then_even", "triangular", "jittered_clients"] = Field(
        description=(
            "detection_then_even: nobody moves for detection_seconds (health checks), then evenly over "
            "spread_seconds (the DNS TTL: CloudFront's cached answers expire at random moments). triangular: "
            "departures rise to a peak halfway through spread_seconds and fall again (twice the even peak rate). "
            "jittered_clients: a client contract: players retry on a uniformly random delay over spread_seconds "
            "after their requests fail (jittered backoff), so departures are even over it."
        )
    )
    spread_seconds: int = Field(ge=10, le=3600, description="How long the departure lasts once it starts, s.")
    detection_seconds: int = Field(
        default=0,
        ge=0,
        le=900,
        description=(
            "detection_then_even only: seconds before anyone moves. The twin measures the real detection time "
            "from the health checks and refuses a profile that claims less. Default 0."
        ),
    )

    @model_validator(mode="after")
    def _detection(self) -> DepartureProfile:
        if self.detection_seconds and self.shape != "detection_then_even":
            raise FieldProblem(
                ("detection_seconds",),
                f"a {self.shape} profile has no detection phase",
                "remove detection_seconds, or use shape detection_then_even",
            )
        return self

    @property
    def peak_rate(self) -> float:
        """The largest fraction of the failed Region's viewers that leaves per second."""
        return (2.0 if self.shape == "triangular" else 1.0) / self.spread_seconds

    @property
    def equivalent_spread_seconds(self) -> float:
        """An even departure with the same peak rate: what the planner sizes the surge with."""
        return 1.0 / self.peak_rate


def default_profiles() -> tuple[DepartureProfile, ...]:
    """Route 53 endpoint checks at 10 s x 3 (30 s), then one 60 s alias TTL."""
    return (DepartureProfile(name="dns", shape="detection_then_even", detection_seconds=30, spread_seconds=60),)


Shape = Literal["detection_then_even", "triangular", "jittered_clients"]
