"""The parametric live-event audience and the weekday baseline.

One shape serves both the planner (scaled to the forecast peak) and the
simulator (scaled to the realised audience), so plan and simulation agree on the
shape of a game but not on its realised size. Times are minutes from kickoff;
levels are fractions of the event's peak concurrent viewers.

The default parameters reproduce the anchors of the 2024 TNF season opener
(sources in bench/README.md): peak 65 min after kickoff, average over the game
about 0.83 of the peak (14.96M / 18.09M), pregame about 0.1 of the peak (1.88M),
and a fastest arrival rate of about 1M viewers/minute at an 18.09M peak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

NORMALISATION_STEP_MIN = 0.25
"""Grid (minutes) on which the shape's peak is located for normalisation."""


def _logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@dataclass(frozen=True)
class AudienceShape:
    """Parameters of one event's audience curve (minutes from kickoff, fractions of peak).

    Fields:
        pregame_start: minutes before kickoff the event audience starts. Default 90.
        pregame_level: pregame-show audience. Default 0.10 (1.88M / 18.09M).
        pregame_center: minutes from kickoff at the middle of the pregame ramp. Default -45.
        pregame_width: logistic scale of the pregame ramp (minutes). Default 10.
        surge_center: minutes from kickoff at the middle of the kickoff surge. Default -2.
        surge_width: logistic scale of the kickoff surge (minutes). Default 2.5, so
            the fastest arrival rate is (kickoff_level - pregame_level) / (4 x 2.5)
            = 5.5% of the peak per minute, about 1M/min at an 18.09M peak.
        kickoff_level: audience right after the surge. Default 0.65.
        peak_after: minutes after kickoff of the in-game peak. Default 65 (the
            opener peaked 9:15-9:30 pm ET after an 8:15 pm kickoff).
        build_exponent: how quickly the in-game build rises and fades (gamma-like
            bump exponent). Default 2.0, which with kickoff_level 0.65 gives a game
            average of 0.84 of the peak.
        halftime_center: minutes after kickoff of the halftime dip. Default 100.
        halftime_depth: fractional depth of the halftime dip. Default 0.08.
        halftime_width: standard deviation of the dip (minutes). Default 7.
        end_width: logistic scale of the end-of-game drop (minutes). Default 4.
        postgame_level: post-game show audience right after the end. Default 0.05.
        postgame_decay: e-folding time of the post-game audience (minutes). Default 20.
        post_window: minutes after the end after which the event adds no viewers. Default 90.
    """

    pregame_start: float = 90.0
    pregame_level: float = 0.10
    pregame_center: float = -45.0
    pregame_width: float = 10.0
    surge_center: float = -2.0
    surge_width: float = 2.5
    kickoff_level: float = 0.65
    peak_after: float = 65.0
    build_exponent: float = 2.0
    halftime_center: float = 100.0
    halftime_depth: float = 0.08
    halftime_width: float = 7.0
    end_width: float = 4.0
    postgame_level: float = 0.05
    postgame_decay: float = 20.0
    post_window: float = 90.0

    def __post_init__(self) -> None:
        positive = (
            "pregame_start",
            "pregame_width",
            "surge_width",
            "peak_after",
            "build_exponent",
            "halftime_width",
            "end_width",
            "postgame_decay",
            "post_window",
        )
        bad = [n for n in positive if getattr(self, n) <= 0]
        if bad:
            raise ValueError(f"audience shape: {', '.join(bad)} must be positive")
        fractions = ("pregame_level", "kickoff_level", "halftime_depth", "postgame_level")
        bad = [n for n in fractions if not 0.0 <= getattr(self, n) <= 1.0]
        if bad:
            raise ValueError(f"audience shape: {', '.join(bad)} must be within [0, 1]")

    def support(self, duration_min: float) -> tuple[float, float]:
        """Minutes from kickoff outside which the event adds no viewers."""
        return -self.pregame_start, duration_min + self.post_window


def _pregame(shape: AudienceShape, tau: float) -> float:
    # Re-based so the ramp is exactly 0 at pregame_start: no artificial arrival step.
    s0 = _logistic((-shape.pregame_start - shape.pregame_center) / shape.pregame_width)
    s = _logistic((tau - shape.pregame_center) / shape.pregame_width)
    return shape.pregame_level * max(0.0, (s - s0) / (1.0 - s0))


def _in_game(shape: AudienceShape, tau: float) -> float:
    bump = 0.0
    if tau > 0:
        x = tau / shape.peak_after
        bump = (x * math.exp(1.0 - x)) ** shape.build_exponent
    level = shape.kickoff_level + (1.0 - shape.kickoff_level) * bump
    dip = shape.halftime_depth * math.exp(-0.5 * ((tau - shape.halftime_center) / shape.halftime_width) ** 2)
    return level * (1.0 - dip)


def _live(shape: AudienceShape, tau: float) -> float:
    surge = _logistic((tau - shape.surge_center) / shape.surge_width)
    return _pregame(shape, tau) * (1.0 - surge) + surge * _in_game(shape, tau)


@lru_cache(maxsize=64)
def _normaliser(shape: AudienceShape) -> float:
    # The end of the game does not move the peak, so normalise without it: the
    # planner (which assumes the latest end) and the simulator then scale alike.
    horizon = shape.peak_after * 3.0
    n = int((horizon + shape.pregame_start) / NORMALISATION_STEP_MIN) + 1
    peak = max(_live(shape, -shape.pregame_start + i * NORMALISATION_STEP_MIN) for i in range(n))
    return peak if peak > 0 else 1.0


def event_fraction(shape: AudienceShape, minutes_from_kickoff: float, duration_min: float) -> float:
    """Event audience at ``minutes_from_kickoff`` as a fraction of its peak.

    ``duration_min`` places the end-of-game drop. Zero outside ``shape.support``.
    """
    tau = minutes_from_kickoff
    start, stop = shape.support(duration_min)
    if tau < start or tau > stop:
        return 0.0
    end = _logistic(-(tau - duration_min) / shape.end_width)
    after = max(tau - duration_min, 0.0)
    post = shape.postgame_level * (1.0 - end) * math.exp(-after / shape.postgame_decay)
    return (_live(shape, tau) * end + post) / _normaliser(shape)


def diurnal_profile(mean_viewers: float, amplitude: float, peak_hour_utc: float) -> tuple[float, ...]:
    """24 hourly baseline levels (UTC hour of day): a cosine day around ``mean_viewers``.

    ``amplitude`` is the relative swing (0.6 = peak 1.6x and trough 0.4x the mean);
    ``peak_hour_utc`` is the hour of the daily maximum.
    """
    if not 0.0 <= amplitude <= 1.0:
        raise ValueError(f"amplitude must be within [0, 1], got {amplitude}")
    return tuple(
        mean_viewers * (1.0 + amplitude * math.cos(2.0 * math.pi * (h + 0.5 - peak_hour_utc) / 24.0)) for h in range(24)
    )


def baseline_level(hourly_viewers: tuple[float, ...], hours_since_monday: float) -> float:
    """Baseline viewers at ``hours_since_monday`` (UTC, Monday 00:00 = 0), any real value.

    Linear between hour midpoints, periodic over a day (24 values) or a week (168).
    """
    period = len(hourly_viewers)
    x = (hours_since_monday - 0.5) % period
    i = int(x)
    frac = x - i
    return hourly_viewers[i] * (1.0 - frac) + hourly_viewers[(i + 1) % period] * frac
