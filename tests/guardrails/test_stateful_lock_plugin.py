"""The stateful lock at synth: the StatefulLock validation plugin compares every synth with stateful.lock.json."""

from __future__ import annotations

import json
import shutil
from types import SimpleNamespace

import pytest

from kickoff.guardrails.stateful_lock_plugin import StatefulLockPlugin
from kickoff.lockfile import ACCEPT_COMMAND, read_lock
from kickoff.rules.summary import read_summary


def _run_plugin(synth, lock: dict, tmp_path):
    lock_file = tmp_path / "stateful.lock.json"
    lock_file.write_text(json.dumps(lock))
    sources = {synth.template_path(name): name for name in synth.stack_names}
    stacks = {path.name: name for path, name in sources.items()}
    outdir = tmp_path / "cdk.out"  # a copy: the plugin writes its summary next to the templates
    outdir.mkdir()
    for path in sources:
        shutil.copy(path, outdir / path.name)
    plugin = StatefulLockPlugin(synth.config, template_stacks=stacks, lock_file=lock_file)
    return plugin.validate(SimpleNamespace(template_paths=[str(outdir / f) for f in stacks]))


@pytest.mark.held_by("StatefulLock")
def test_every_synth_compares_with_the_lock(prod) -> None:
    """The compliant case: the prod synth (checks on) ran the plugin, and it found the lock complete."""
    summary = read_summary(prod.outdir)["StatefulLock"]
    assert summary == {
        "rules": 1,
        "environment": "kickoff-prod",
        # per cell: log bucket, log key, alarm-topic key; keys, data and the forecast; 3 artifact stores (bucket, key)
        "locked": 23,
        "current": 23,
        "unlocked": [],
        "violations": 0,
    }


@pytest.mark.not_a_rule("the gate's pair: a seeded defect the plugin must fail")
def test_the_plugin_fails_a_synth_that_would_replace_a_table(prod, tmp_path) -> None:
    lock = read_lock()
    lock["kickoff-prod"]["kickoff-prod-data"]["GlobalTable11708626"]["identity"]["TableName"] = "kickoff-prod-old-name"
    report = _run_plugin(prod, lock, tmp_path)
    assert not report.success
    (violation,) = report.violations
    assert violation.rule_name == "StatefulResourceKept"
    assert 'changing TableName from "kickoff-prod-old-name" to "kickoff-prod-sessions"' in violation.description
    assert ACCEPT_COMMAND in violation.fix
    (where,) = violation.violating_resources
    assert where.resource_logical_id == "GlobalTable11708626"
    assert where.template_path.endswith(prod.template_path(prod.data).name)


@pytest.mark.not_a_rule("the gate's pair: a seeded defect the plugin must fail")
def test_the_plugin_fails_a_synth_that_drops_a_locked_stack(prod, tmp_path) -> None:
    lock = read_lock()
    lock["kickoff-prod"]["kickoff-prod-cell-eu-west-9"] = {
        "LogBucket7273C8DB": {"identity": {}, "type": "AWS::S3::Bucket"}
    }
    report = _run_plugin(prod, lock, tmp_path)
    assert [v.violating_resources[0].resource_logical_id for v in report.violations] == ["LogBucket7273C8DB"]
    assert (
        "kickoff-prod-cell-eu-west-9/LogBucket7273C8DB (AWS::S3::Bucket) would be removed"
        in report.violations[0].description
    )


@pytest.mark.not_a_rule("the gate's behaviour for an unlisted environment, not a template property")
def test_the_plugin_skips_an_environment_the_lock_does_not_list(prod, tmp_path) -> None:
    report = _run_plugin(prod, {"kickoff-dev": read_lock()["kickoff-dev"]}, tmp_path)
    assert report.success
    summary = read_summary(tmp_path / "cdk.out")["StatefulLock"]
    assert summary["locked"] is None and summary["current"] == 23


@pytest.mark.not_a_rule("the gate's pair: a seeded defect the plugin must fail")
def test_the_plugin_fails_a_synth_with_a_stateful_resource_the_lock_does_not_hold(prod, tmp_path) -> None:
    lock = read_lock()
    del lock["kickoff-prod"]["kickoff-prod-data"]["GlobalTable11708626"]
    report = _run_plugin(prod, lock, tmp_path)
    (violation,) = report.violations
    assert violation.rule_name == "StatefulResourceLocked"
    assert "kickoff-prod-data/GlobalTable11708626 is a stateful resource" in violation.description
    assert ACCEPT_COMMAND in violation.fix
    assert violation.violating_resources[0].resource_logical_id == "GlobalTable11708626"
