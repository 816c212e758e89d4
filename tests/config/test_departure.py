"""Departure profiles: how a failed Region's viewers leave it, and the surge N-1 capacity is sized for."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kickoff.config import ConfigError, load_config
from kickoff.config.models.departure import DepartureProfile
from kickoff.plan_limits import failover_shift, plan_params


def test_prod_declares_its_own_detection_then_the_alias_ttl() -> None:
    config = load_config("config/prod.yaml")
    (profile,) = config.scaling.departure_profiles
    assert (profile.shape, profile.detection_seconds, profile.spread_seconds) == ("detection_then_even", 30, 60)
    assert plan_params(config).failover_shift == timedelta(seconds=60)


def test_the_planner_sizes_the_surge_for_the_highest_peak_rate() -> None:
    even = DepartureProfile(name="dns", shape="detection_then_even", detection_seconds=30, spread_seconds=60)
    triangle = DepartureProfile(name="peaky", shape="triangular", spread_seconds=90)
    jitter = DepartureProfile(name="clients", shape="jittered_clients", spread_seconds=300)
    assert triangle.peak_rate == pytest.approx(2 / 90)
    assert failover_shift([even, jitter]) == timedelta(seconds=60)
    assert failover_shift([jitter]) == timedelta(seconds=300)
    assert failover_shift([even, triangle]) == timedelta(seconds=45)
    assert failover_shift([]) is None  # no profile: no surge


def test_the_old_single_shift_is_refused_with_the_replacement(write_config) -> None:
    path = write_config(overrides={"scaling": {"failover_shift_seconds": 90}})
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "scaling.failover_shift_seconds" in str(error.value)
    assert "departure_profiles" in str(error.value)


@pytest.mark.parametrize(
    ("profiles", "field", "says"),
    [
        (
            [{"name": "alpha", "shape": "triangular", "spread_seconds": 60, "detection_seconds": 30}],
            "departure_profiles[0].detection_seconds",
            "no detection phase",
        ),
        (
            [
                {"name": "alpha", "shape": "jittered_clients", "spread_seconds": 300},
                {"name": "alpha", "shape": "triangular", "spread_seconds": 60},
            ],
            "departure_profiles[1].name",
            "declared twice",
        ),
    ],
)
def test_a_wrong_profile_names_its_field(write_config, profiles, field, says) -> None:
    path = write_config(overrides={"scaling": {"departure_profiles": profiles}})
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert field in str(error.value) and says in str(error.value)
