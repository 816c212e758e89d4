"""The frozen taggability table agrees with cfn-lint's schemas for every type Kickoff synthesizes."""

from __future__ import annotations

import pytest

from kickoff.rules.taggable import schema_tag_property, tag_properties

pytestmark = pytest.mark.not_a_rule("tests the taggable-type list against the templates (a maintenance tool)")


def test_taggable_table_matches_cfn_lint_for_synthesized_types(prod, dev) -> None:
    types = {
        r["Type"]
        for synth in (prod, dev)
        for name in synth.stack_names
        for r in synth.template(name)["Resources"].values()
    }
    table = tag_properties()
    stale = {t: (table.get(t), schema_tag_property(t)) for t in sorted(types) if table.get(t) != schema_tag_property(t)}
    assert not stale, f"taggable_types.json is stale for {stale}; run `.venv/bin/python -m kickoff taggable`"


def test_table_knows_the_tag_property_of_health_checks() -> None:
    assert tag_properties()["AWS::Route53::HealthCheck"] == "HealthCheckTags"
    assert tag_properties()["AWS::ECS::Service"] == "Tags"
    assert "AWS::Route53::RecordSet" not in tag_properties()
