"""The release order the manifest holds without a pipeline, and production stacks' protection: the ReleaseOrder gate.

The compliant cases are the shipped configs' own manifests (dev and strong deploy without a pipeline, prod with
one); the non-compliant ones are those manifests with one dependency or one protection flag changed.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from kickoff.guardrails.release_order_plugin import release_order
from kickoff.rules.release_order import ManifestStack, manifest_stacks, release_order_problems
from kickoff.rules.summary import read_summary
from tests.support import Synth

pytestmark = pytest.mark.not_a_rule("the ReleaseOrder gate's own cases: each edit of the manifest must be found")


def _edited(stacks: list[ManifestStack], name: str, **change) -> list[ManifestStack]:
    return [replace(s, **change) if s.name == name else s for s in stacks]


@pytest.mark.parametrize("fixture", ["dev", "strong", "prod"])
def test_the_shipped_manifests_deploy_in_release_order(request, fixture: str) -> None:
    synth: Synth = request.getfixturevalue(fixture)
    stacks = manifest_stacks(synth.outdir)
    assert len(stacks) == len(synth.deployment.stacks)
    assert release_order_problems(stacks, release_order(synth.deployment)) == []
    summary = read_summary(synth.outdir)["ReleaseOrder"]
    assert summary["manifest"] and summary["violations"] == 0  # the plugin read the manifest at synth


def test_a_cell_that_does_not_wait_for_the_canary_is_found(dev: Synth) -> None:
    order = release_order(dev.deployment)
    other = next(c for r, c in order.cells.items() if r != order.canary)
    stacks = _edited(manifest_stacks(dev.outdir), other, dependencies=(order.data,))
    assert f"{other} deploys without waiting for the canary Region's cell" in " ".join(
        release_order_problems(stacks, order)
    )


def test_a_canary_that_waits_for_another_cell_is_found(dev: Synth) -> None:
    order = release_order(dev.deployment)
    canary = order.cells[order.canary]
    other = next(c for r, c in order.cells.items() if r != order.canary)
    stacks = _edited(manifest_stacks(dev.outdir), other, dependencies=(order.data,))
    stacks = _edited(stacks, canary, dependencies=(order.data, other))
    assert f"the canary Region's cell {canary} waits for {other}" in " ".join(release_order_problems(stacks, order))


def test_keys_data_and_edge_out_of_order_are_found(strong: Synth) -> None:
    # No shipped config deploys customer managed keys without a pipeline: add a keys stack the data stack ignores.
    order = replace(release_order(strong.deployment), keys=("kickoff-strong-keys-us-east-1",))
    stacks = [ManifestStack(order.keys[0], (), True), *manifest_stacks(strong.outdir)]
    stacks = _edited(stacks, order.data, dependencies=())
    stacks = _edited(stacks, order.last[0], dependencies=())
    problems = " ".join(release_order_problems(stacks, order))
    assert f"{order.data} deploys without waiting for {order.keys[0]}" in problems
    assert f"{order.last[0]} deploys without waiting for" in problems


def test_an_unprotected_production_stack_is_found(prod: Synth) -> None:
    order = release_order(prod.deployment)
    name = prod.cell("us-east-1")
    stacks = _edited(manifest_stacks(prod.outdir), name, termination_protection=False)
    assert [f"{name} is not termination-protected"] == [p.split(":")[0] for p in release_order_problems(stacks, order)]
    assert not release_order_problems(stacks, replace(order, production=False))


def test_the_manifest_is_read_with_nested_stage_assemblies(prod: Synth) -> None:
    names = {s.name for s in manifest_stacks(prod.outdir)}
    assert {s.stack_name for s in prod.deployment.stacks} == names
    top = json.loads((prod.outdir / "manifest.json").read_text())
    assert any(a.get("type") == "cdk:cloud-assembly" for a in top["artifacts"].values())
