"""The live readiness rules beyond their shared shipped-template cases (``tests/rules/live_edits.py``, run by
``test_rules_on_shipped_templates``): dev's templates comply too, and a finding a config value causes names it."""

from __future__ import annotations

import pytest

from kickoff.rules.readiness import live, live_resources
from tests.rules.live_edits import LIVE_CASES, registration_rewritten
from tests.rules.shipped import rule_findings

pytestmark = pytest.mark.not_a_rule("the live readiness rules' own cases: each edit must be found")

SUFFIXES = sorted(r.suffix for r in (*live.RULES, *live_resources.RULES))


def test_every_live_rule_has_cases() -> None:
    assert sorted(LIVE_CASES) == SUFFIXES


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_the_dev_templates_comply(dev, suffix) -> None:
    evaluated, found = rule_findings(dev, None, suffix)
    assert evaluated, "the rule found nothing to evaluate in dev's templates"
    assert found == []


def test_a_finding_a_config_value_causes_names_it(prod) -> None:
    _, found = rule_findings(
        prod,
        registration_rewritten('"start_lead_minutes":120', '"start_lead_minutes":12'),
        "MediaLiveChannelScheduleCoversEvents",
    )
    assert found and all("prod.yaml" in f and "live.channels[0].start_lead_minutes" in f for f in found)
