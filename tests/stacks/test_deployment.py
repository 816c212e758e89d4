"""The deployment as a whole: no cross-region references, deploy order, no AWS lookups."""

from __future__ import annotations

import json

import pytest

from kickoff.rules.assembly import missing_context, read_stacks

FORBIDDEN_TYPES = ("Custom::CrossRegionExportWriter", "Custom::CrossRegionExportReader", "Custom::CrossRegion")


@pytest.mark.held_by("DR-StackStandsAlone")
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


@pytest.mark.held_by("DR-CellNamesOnlyItsRegion")
def test_no_stack_names_another_regions_resources(prod) -> None:
    for region in prod.config.region_names:
        text = json.dumps(prod.template(prod.cell(region)))
        for other in prod.config.region_names:
            if other != region:
                assert f":{other}:" not in text, f"cell {region} references a {other} ARN"


@pytest.mark.held_by("ReleaseOrder", "DR-PipelineCanaryDeploysAlone")
def test_deploy_order_keys_then_data_then_cells(strong, prod) -> None:
    """Keys before Data before every cell: stack dependencies without a pipeline, one stage with one."""
    assert strong.config.pipeline is None and strong.deployment.keys == {}
    by_name = {s.name: s for s in read_stacks(strong.outdir)}
    assert strong.data in by_name[strong.cell(strong.config.canary_region)].dependencies  # the others follow it
    order = [s.stack_name for s in prod.deployment.stacks]
    data = order.index(prod.data)
    assert data > max(order.index(k.stack_name) for k in prod.deployment.keys.values())
    assert data < min(order.index(prod.cell(r)) for r in prod.config.region_names)
    by_name = {s.name: s for s in read_stacks(prod.outdir)}
    for keys in prod.deployment.keys.values():  # Keys and Data share the Data stage, ordered inside it
        assert keys.artifact_id in by_name[prod.data].dependencies


@pytest.mark.held_by("ReleaseOrder")
def test_without_a_pipeline_cdk_deploy_all_follows_the_release_order(dev) -> None:
    """Data, the canary cell (the first Region) and its live stack, the other cells one at a time, then Edge and the
    dashboard."""
    assert dev.config.pipeline is None
    canary, *others = dev.config.region_names
    assert dev.config.canary_region == canary
    assert dev.config.live.ingest_regions == (canary,)
    live = "kickoff-dev-live-us-east-1"
    deps = {s.name: set(s.dependencies) for s in read_stacks(dev.outdir)}
    assert deps[dev.cell(canary)] == {dev.data}
    assert deps[live] == {dev.cell(canary)}
    previous = {dev.cell(canary), live}
    for region in others:
        assert deps[dev.cell(region)] == previous
        previous = {dev.cell(region)}
    cells = {dev.cell(r) for r in dev.config.region_names}
    assert deps[dev.edge] == {dev.data, *cells, live}
    assert deps[dev.deployment.observability.stack_name] == {*cells, live}
    order = [s.stack_name for s in dev.deployment.stacks]
    assert order == [
        dev.data,
        dev.cell(canary),
        live,
        *(dev.cell(r) for r in others),
        dev.edge,
        "kickoff-dev-observability",
    ]


@pytest.mark.held_by("MissingContext")
def test_synth_asks_aws_for_nothing(synthesized) -> None:
    assert missing_context(synthesized.outdir) == []


@pytest.mark.not_a_rule("config echo: each stack's environment is the configured account and Region")
def test_stacks_are_pinned_to_account_and_region(synthesized) -> None:
    """Application stacks in the config's account and its Regions; the pipeline's in the tooling account."""
    config = synthesized.config
    tooling = {s.stack_name for s in synthesized.deployment.stacks} - {
        s.stack_name for s in synthesized.deployment.application_stacks
    }
    for stack in read_stacks(synthesized.outdir):
        if stack.name in tooling:
            assert stack.account == config.pipeline.account
        else:
            assert stack.account == config.account
            assert stack.region in config.region_names


@pytest.mark.held_by("ReleaseOrder")
def test_production_stacks_have_termination_protection(prod, dev) -> None:
    assert all(s.termination_protection for s in prod.deployment.stacks)
    assert not any(s.termination_protection for s in dev.deployment.stacks)
