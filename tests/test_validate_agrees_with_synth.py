"""`kickoff validate` and the synth agree: a config that validate accepts synthesizes, with every check.

The knobs below are the ones both sides judge: the front end from the settings (RTO, RPO, N-1,
the plan), the plugins from the templates (the resilience budget, the Well-Architected RTO rule,
the deploy-readiness pack). Values are drawn around the boundaries, where the two could
disagree. For each generated config, validate's own steps run first (load, then the capacity
plan); when they accept it, the synth with every plugin attached must pass. A rejection is
fine: the app prints the same ConfigError and exits 2 before CDK. A sixth to a half of the cases are
accepted and synthesized (`--hypothesis-show-statistics` shows the split).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kickoff.application import synthesize
from kickoff.config import ConfigError, load_config
from kickoff.failover import failover_times
from kickoff.planning import build_deployment_plan
from tests.support import PLAN_FROM, config_data

KNOBS: dict[tuple[str | int, ...], st.SearchStrategy[Any]] = {
    ("routing", "health_check", "request_interval_seconds"): st.sampled_from([10, 30]),
    ("routing", "health_check", "failure_threshold"): st.integers(min_value=1, max_value=4),
    ("routing", "secondary_ttl_seconds"): st.sampled_from([5, 30, 60, 120, 300]),
    ("edge", "origin_connection_timeout_seconds"): st.integers(min_value=1, max_value=10),
    ("edge", "origin_connection_attempts"): st.integers(min_value=1, max_value=3),
    ("edge", "origin_read_timeout_seconds"): st.sampled_from([1, 5, 10, 30, 60]),
    ("services", 0, "max_tasks"): st.sampled_from([20, 60, 200, 8, 4]),
    # A cell's AZ count (None: the Region's default a, b and c); services[0].min_tasks is drawn around it below.
    ("regions", 1, "availability_zones"): st.sampled_from([None, ["us-west-2a", "us-west-2b"]]),
    ("resilience", "rpo_seconds"): st.sampled_from([15, 1, 5, 60, 0]),
}


@st.composite
def configs(draw: st.DrawFn) -> dict[tuple[str | int, ...], Any]:
    """Knob values, with the RTO and the replication alarm drawn at and around what the rest allows."""
    knobs = {path: draw(strategy) for path, strategy in KNOBS.items()}
    times = failover_times(
        interval=knobs[("routing", "health_check", "request_interval_seconds")],
        threshold=knobs[("routing", "health_check", "failure_threshold")],
        secondary_ttl=knobs[("routing", "secondary_ttl_seconds")],
        connect=knobs[("edge", "origin_connection_timeout_seconds")],
        read=knobs[("edge", "origin_read_timeout_seconds")],
        attempts=knobs[("edge", "origin_connection_attempts")],
    )
    knobs[("resilience", "rto_seconds")] = max(1, times.worst + draw(st.sampled_from([0, 1, 60, -1])))
    # A service's minimum at and around the AZ count: WA-REL-EcsServiceMultiAz at synth and the min_tasks check at
    # validate must agree.
    zones = 3 if knobs[("regions", 1, "availability_zones")] is None else 2
    knobs[("services", 0, "min_tasks")] = min(
        draw(st.sampled_from([zones, zones, zones + 1, zones - 1])), knobs[("services", 0, "max_tasks")]
    )
    for other in (1, 2):  # the other services keep a task in every AZ
        knobs[("services", other, "min_tasks")] = zones
    rpo = knobs[("resilience", "rpo_seconds")]
    knobs[("resilience", "replication_alarm_seconds")] = draw(st.sampled_from([rpo, None, max(rpo - 1, 1), rpo + 1]))
    return knobs


def _set(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(choices=configs())
def test_a_config_that_validates_synthesizes(tmp_path_factory, choices) -> None:
    data = config_data("dev")
    for path, value in choices.items():
        _set(data, path, value)
    root = tmp_path_factory.mktemp("agree")
    path = root / "dev.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    try:  # what `kickoff validate` runs
        config = load_config(path)
        build_deployment_plan(config, PLAN_FROM)
    except ConfigError as error:
        field = re.search(r":\d+: ([\w\[\].]+):", str(error))
        event(f"refused on {field.group(1) if field else 'the config'}")
        return
    event("accepted, synthesized")
    # validate accepted it: the synth with every plugin must too (a finding raises out of synth).
    synthesize(config, str(root / "cdk.out"), checks=True, plan_from=PLAN_FROM)
