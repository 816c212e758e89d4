"""scaling.agent, and the fields the capacity agent replaced: each refused with the field and the fix."""

from __future__ import annotations

import pytest

from kickoff.config import ConfigError, load_config


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"scaling": {"deploy_margin_minutes": 30}}, "scaling.deploy_margin_minutes", "no longer used"),
        (
            {"monitoring": {"plan_expiry_warning_days": 3}},
            "monitoring.plan_expiry_warning_days",
            "scaling.agent.coverage_margin_hours",
        ),
        ({"scaling": {"agent": {"rate_minutes": 20, "failing_minutes": 30}}}, "scaling.agent.failing_minutes", "40"),
        ({"scaling": {"agent": {"coverage_margin_hours": 336}}}, "scaling.agent.coverage_margin_hours", "below 336"),
    ],
)
def test_agent_settings_and_replaced_fields_name_the_fix(write_config, overrides, field, fragment) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config("dev", overrides))
    message = str(caught.value)
    assert field in message and fragment in message and "Fix" in message, message


def test_the_agents_defaults() -> None:
    from kickoff.config.loader import load_for_context

    agent = load_for_context("prod", None).scaling.agent
    assert (agent.rate_minutes, agent.failing_minutes, agent.coverage_margin_hours) == (5, 30, 24)
