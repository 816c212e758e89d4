"""The deployment as a whole: no cross-region references, deploy order, no AWS lookups."""

from __future__ import annotations

import json

from kickoff.rules.assembly import missing_context, read_stacks

FORBIDDEN_TYPES = ("Custom::CrossRegionExportWriter", "Custom::CrossRegionExportReader", "Custom::CrossRegion")


def test_no_stack_references_another_stack(synthesized) -> None:
    for name in synthesized.stack_names:
        text = json.dumps(synthesized.template(name))
        assert "Fn::GetStackOutput" not in text
        assert "Fn::ImportValue" not in text, f"{name} imports another stack's export"
        for resource in synthesized.template(name)["Resources"].values():
            assert not resource["Type"].startswith(FORBIDDEN_TYPES), f"{name} has {resource['Type']}"
            if resource["Type"] == "AWS::SSM::Parameter":
                assert "cdk/exports" not in json.dumps(resource), f"{name} writes an SSM export"
        outputs = synthesized.template(name).get("Outputs", {})
        assert not any("Export" in o for o in outputs.values()), f"{name} exports a value"


def test_no_stack_names_another_regions_resources(prod) -> None:
    for region in prod.config.region_names:
        text = json.dumps(prod.template(prod.cell(region)))
        for other in prod.config.region_names:
            if other != region:
                assert f":{other}:" not in text, f"cell {region} references a {other} ARN"


def test_deploy_order_keys_then_data_then_cells(prod) -> None:
    by_name = {s.name: s for s in read_stacks(prod.outdir)}
    data = prod.data
    for keys in prod.deployment.keys.values():
        assert keys.stack_name in by_name[data].dependencies
    for region in prod.config.region_names:
        assert data in by_name[prod.cell(region)].dependencies
    order = [s.stack_name for s in prod.deployment.stacks]
    assert order.index(data) > max(order.index(k.stack_name) for k in prod.deployment.keys.values())
    assert order.index(data) < min(order.index(prod.cell(r)) for r in prod.config.region_names)


def test_synth_asks_aws_for_nothing(synthesized) -> None:
    assert missing_context(synthesized.outdir) == []


def test_stacks_are_pinned_to_account_and_region(synthesized) -> None:
    for stack in read_stacks(synthesized.outdir):
        assert stack.account == synthesized.config.account
        assert stack.region in synthesized.config.region_names


def test_production_stacks_have_termination_protection(prod, dev) -> None:
    assert all(s.termination_protection for s in prod.deployment.stacks)
    assert not any(s.termination_protection for s in dev.deployment.stacks)
