"""Readiness rules whose cases are the shipped templates: the operations layer, the cells' isolation, the live signal.

The compliant case is a shipped config's synthesized deployment as it is; each non-compliant case is the same
templates with one edit a reviewer could make (a freeze check dropped, a second cell in the canary wave, the bake
reading another Region's alarm, a routing alarm left out of the composite, a canary removed, autoshift turned on
behind the config's back, a secret replica removed, an experiment that stops on nothing). The rules read the
pipeline's template beside the cells', as they do at synth. These rules need a whole deployment to have anything to
evaluate, so their cases are edits of one rather than minimal constructs (tests/rules/test_readiness.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from kickoff import naming
from tests.rules.live_edits import LIVE_CASES
from tests.rules.shipped import Edit, Templates, rule_findings
from tests.support import Synth

pytestmark = pytest.mark.not_a_rule("the readiness rules' own cases: each edit must be found")

# --- edits ------------------------------------------------------------------------------------------------------


def _pipeline(templates: Templates, synth: Synth) -> dict[str, Any]:
    (pipeline,) = [
        r
        for r in templates[synth.deployment.pipeline.stack_name]["Resources"].values()
        if r["Type"] == "AWS::CodePipeline::Pipeline"
    ]
    return pipeline["Properties"]


def _stage(templates: Templates, synth: Synth, name: str) -> dict[str, Any]:
    return next(s for s in _pipeline(templates, synth)["Stages"] if s["Name"] == name)


def _drop_freeze(templates: Templates, synth: Synth) -> None:
    stage = _stage(templates, synth, "Cell-us-east-1")
    stage["Actions"] = [a for a in stage["Actions"] if not a["Name"].startswith("Freeze-")]


def _freeze_beside_deploy(templates: Templates, synth: Synth) -> None:
    stage = _stage(templates, synth, "Edge")
    next(a for a in stage["Actions"] if a["Name"].startswith("Freeze-"))["RunOrder"] = 2


def _second_cell_in_canary_wave(templates: Templates, synth: Synth) -> None:
    canary = _stage(templates, synth, f"Cell-{synth.config.pipeline.canary_region}")
    other = _stage(templates, synth, "Cell-us-east-1")
    canary["Actions"] += [a for a in other["Actions"] if a["Name"].startswith("kickoff-prod-cell-us-east-1")]
    other["Actions"] = [a for a in other["Actions"] if not a["Name"].startswith("kickoff-prod-cell-us-east-1")]


def _other_cell_first(templates: Templates, synth: Synth) -> None:
    stages = _pipeline(templates, synth)["Stages"]
    i = next(i for i, s in enumerate(stages) if s["Name"] == f"Cell-{synth.config.pipeline.canary_region}")
    stages[i], stages[i + 1] = stages[i + 1], stages[i]


def _bake_project(templates: Templates, synth: Synth) -> dict[str, Any]:
    stage = _stage(templates, synth, f"Cell-{synth.config.pipeline.canary_region}")
    bake = next(a for a in stage["Actions"] if a["Name"].startswith("Bake-"))
    resources = templates[synth.deployment.pipeline.stack_name]["Resources"]
    return resources[bake["Configuration"]["ProjectName"]["Ref"]]["Properties"]


def _bake_reads_another_region(templates: Templates, synth: Synth) -> None:
    project = _bake_project(templates, synth)
    canary = synth.config.pipeline.canary_region
    other = naming.region_impaired_alarm_name(synth.config.identity, "us-east-1")
    project["Source"]["BuildSpec"] = project["Source"]["BuildSpec"].replace(
        naming.region_impaired_alarm_name(synth.config.identity, canary), other
    )


def _bake_beside_deploy(templates: Templates, synth: Synth) -> None:
    stage = _stage(templates, synth, f"Cell-{synth.config.pipeline.canary_region}")
    next(a for a in stage["Actions"] if a["Name"].startswith("Bake-"))["RunOrder"] = 3


def _bake_times_out(templates: Templates, synth: Synth) -> None:
    _bake_project(templates, synth)["TimeoutInMinutes"] = synth.config.pipeline.bake_minutes


def _composite(templates: Templates, synth: Synth, region: str) -> tuple[dict[str, Any], dict[str, Any]]:
    resources = templates[synth.cell(region)]["Resources"]
    (composite,) = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::CompositeAlarm"]
    return composite["Properties"], resources


def _alarm_id(resources: dict[str, Any], suffix: str) -> str:
    return next(
        i
        for i, r in resources.items()
        if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"].get("AlarmName", "").endswith(suffix)
    )


def _composite_misses_a_routing_alarm(templates: Templates, synth: Synth) -> None:
    props, resources = _composite(templates, synth, "us-east-1")
    dropped = _alarm_id(resources, "-api-no-healthy-target")
    parts = props["AlarmRule"]["Fn::Join"][1]
    props["AlarmRule"]["Fn::Join"][1] = [p for p in parts if p != {"Fn::GetAtt": [dropped, "Arn"]}]


def _composite_holds_the_switch(templates: Templates, synth: Synth) -> None:
    props, resources = _composite(templates, synth, "us-east-1")
    switch = _alarm_id(resources, "-evacuation-switch")
    props["AlarmRule"]["Fn::Join"][1] += [' OR ALARM("', {"Fn::GetAtt": [switch, "Arn"]}, '")']


def _composite_misses_divergence(templates: Templates, synth: Synth) -> None:
    props, resources = _composite(templates, synth, "us-west-2")
    dropped = _alarm_id(resources, "-Probes-Diverges-us-west-2-Divergence")
    parts = props["AlarmRule"]["Fn::Join"][1]
    props["AlarmRule"]["Fn::Join"][1] = [p for p in parts if p != {"Fn::GetAtt": [dropped, "Arn"]}]


def _drop_canary(templates: Templates, synth: Synth) -> None:
    resources = templates[synth.cell("us-east-2")]["Resources"]
    name = naming.canary_name(synth.config.identity, "us-west-2")
    (dropped,) = [
        i for i, r in resources.items() if r["Type"] == "AWS::Synthetics::Canary" and r["Properties"]["Name"] == name
    ]
    del resources[dropped]


def _alarm_reads_another_regions_canary(templates: Templates, synth: Synth) -> None:
    resources = templates[synth.cell("us-east-2")]["Resources"]
    alarm = resources[_alarm_id(resources, "-Probes-Diverges-viewer-Divergence")]["Properties"]
    metric = next(q for q in alarm["Metrics"] if "MetricStat" in q)["MetricStat"]["Metric"]
    metric["Dimensions"][0]["Value"] = naming.canary_name(synth.config.identity, naming.VIEWER_PROBE)


def _autoshift_behind_the_config(templates: Templates, synth: Synth) -> None:
    resources = templates[synth.cell("us-east-1")]["Resources"]
    (alb,) = [i for i, r in resources.items() if r["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer"]
    resources["Autoshift"] = {
        "Type": "AWS::ARCZonalShift::ZonalAutoshiftConfiguration",
        "Properties": {"ResourceIdentifier": {"Ref": alb}, "ZonalAutoshiftStatus": "ENABLED"},
    }


def _zonal_shift_off(templates: Templates, synth: Synth) -> None:
    resources = templates[synth.cell("us-east-1")]["Resources"]
    (alb,) = [r for r in resources.values() if r["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer"]
    for attribute in alb["Properties"]["LoadBalancerAttributes"]:
        if attribute["Key"] == "zonal_shift.config.enabled":
            attribute["Value"] = "false"


def _practice_runs_in_game_time(templates: Templates, synth: Synth) -> None:
    resources = templates[synth.cell("us-east-1")]["Resources"]
    (config,) = [r for r in resources.values() if r["Type"] == "AWS::ARCZonalShift::ZonalAutoshiftConfiguration"]
    config["Properties"]["PracticeRunConfiguration"]["BlockedWindows"] = []


def _deployed_in_another_region(templates: Templates, synth: Synth) -> None:
    stage = _stage(templates, synth, "Cell-us-east-2")
    next(a for a in stage["Actions"] if a["Name"].endswith("-cell-us-east-2.Deploy"))["Region"] = "us-west-2"


def _deployed_twice(templates: Templates, synth: Synth) -> None:
    cell = _stage(templates, synth, "Cell-us-east-1")
    _stage(templates, synth, "Edge")["Actions"] += [a for a in cell["Actions"] if a["Name"].endswith(".Deploy")]


def _cell_reads_another_regions_table(templates: Templates, synth: Synth) -> None:
    resources = templates[synth.cell("us-east-1")]["Resources"]
    policy = next(r for r in resources.values() if r["Type"] == "AWS::IAM::Policy")
    policy["Properties"]["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:us-west-2:111111111111:table/t"}
    )


def _secret_replica_removed(templates: Templates, synth: Synth) -> None:
    for resource in templates[synth.data]["Resources"].values():
        if resource["Type"] == "AWS::SecretsManager::Secret":
            replicas = resource["Properties"]["ReplicaRegions"]
            resource["Properties"]["ReplicaRegions"] = [r for r in replicas if r["Region"] != "us-east-2"]


def _alarm_acts_on_another_regions_topic(templates: Templates, synth: Synth) -> None:
    resources = templates[synth.cell("us-east-1")]["Resources"]
    alarm = resources[_alarm_id(resources, "-load-balancer-5xx-rate")]["Properties"]
    alarm["AlarmActions"] = ["arn:aws:sns:us-west-2:111111111111:kickoff-prod-alarms"]


def _experiment_stops_on_nothing(templates: Templates, synth: Synth) -> None:
    resources = templates[synth.cell("us-east-1")]["Resources"]
    experiment = next(r for r in resources.values() if r["Type"] == "AWS::FIS::ExperimentTemplate")
    experiment["Properties"]["StopConditions"] = [{"Source": "none"}]


def _no_writable_tmp(templates: Templates, synth: Synth) -> None:
    resources = templates[synth.cell("us-east-1")]["Resources"]
    task = next(r for r in resources.values() if r["Type"] == "AWS::ECS::TaskDefinition")
    task["Properties"]["ContainerDefinitions"][0]["MountPoints"] = []


def _safety_rule(templates: Templates, synth: Synth) -> dict[str, Any]:
    resources = templates[synth.deployment.recovery.stack_name]["Resources"]
    return next(r for r in resources.values() if r["Type"] == "AWS::Route53RecoveryControl::SafetyRule")


def _every_cell_may_go_off(templates: Templates, synth: Synth) -> None:
    _safety_rule(templates, synth)["Properties"]["RuleConfig"]["Threshold"] = 0


def _a_control_left_out(templates: Templates, synth: Synth) -> None:
    _safety_rule(templates, synth)["Properties"]["AssertionRule"]["AssertedControls"].pop()


def _check_on_another_cell(templates: Templates, synth: Synth) -> None:
    resources = templates[synth.cell("us-east-1")]["Resources"]
    for resource in resources.values():
        config = (
            resource["Properties"].get("HealthCheckConfig", {})
            if resource["Type"] == "AWS::Route53::HealthCheck"
            else {}
        )
        if config.get("Type") == "HTTPS":
            config["FullyQualifiedDomainName"] = config["FullyQualifiedDomainName"].replace("us-east-1", "us-west-2")


def _origin_names_off_the_certificate(templates: Templates, synth: Synth) -> None:
    resources = templates[synth.cell("us-east-1")]["Resources"]
    certificate = next(r for r in resources.values() if r["Type"] == "AWS::CertificateManager::Certificate")
    certificate["Properties"].pop("SubjectAlternativeNames")


# rule suffix -> (the fixture whose config it checks, {case: (edit, what the finding says)})
CASES: dict[str, tuple[str, dict[str, tuple[Edit, str]]]] = {
    "PipelineFreezeBeforeEveryDeploy": (
        "prod",
        {
            "stage-without-freeze": (_drop_freeze, "without a freeze check"),
            "freeze-beside-deploy": (_freeze_beside_deploy, "not before the first deploy action"),
        },
    ),
    "PipelineCanaryDeploysAlone": (
        "prod",
        {
            "second-cell-in-canary-wave": (_second_cell_in_canary_wave, "the first wave must hold the canary alone"),
            "other-cell-first": (_other_cell_first, "before the canary Region's cell"),
        },
    ),
    "PipelineBakeWatchesTheCanary": (
        "prod",
        {
            "bake-reads-another-region": (_bake_reads_another_region, "not the canary Region's region-impaired alarm"),
            "bake-beside-deploy": (_bake_beside_deploy, "not after the canary's deploy"),
            "bake-times-out": (_bake_times_out, "within its 30-minute bake"),
        },
    ),
    "CloudWatchRegionImpairedHoldsItsSignals": (
        "prod",
        {
            "routing-alarm-left-out": (_composite_misses_a_routing_alarm, "does not hold it"),
            "switch-held": (_composite_holds_the_switch, "holds the evacuation switch"),
            "divergence-left-out": (_composite_misses_divergence, "Diverges-us-west-2-Divergence"),
        },
    ),
    "SyntheticsCanaryPerProbedName": (
        "prod",
        {
            "canary-removed": (_drop_canary, "probes us-west-2 from us-east-2"),
            "reads-by-name": (_alarm_reads_another_regions_canary, "not this cell's own canaries"),
        },
    ),
    "ElbZonalShiftFollowsConfig": (
        "prod",
        {
            "autoshift-behind-the-config": (_autoshift_behind_the_config, "the config turns it off"),
            "zonal-shift-off": (_zonal_shift_off, "zonal_shift.config.enabled is not true"),
        },
    ),
    "PipelineDeploysEachStackOnceInItsRegion": (
        "prod",
        {
            "deployed-in-another-region": (_deployed_in_another_region, "is deployed in us-west-2"),
            "deployed-twice": (_deployed_twice, "deployed 2 times in one release"),
        },
    ),
    "CellNamesOnlyItsRegion": (
        "prod",
        {"reads-another-regions-table": (_cell_reads_another_regions_table, "names a resource of us-west-2")},
    ),
    "SecretReplicatedWhereResolved": (
        "prod",
        {"replica-removed": (_secret_replica_removed, "in us-east-2, where it has no replica")},
    ),
    "CloudWatchAlarmActsOnOwnTopic": (
        "prod",
        {"another-regions-topic": (_alarm_acts_on_another_regions_topic, "not on a topic of this cell's template")},
    ),
    "FisExperimentStopsOnRegionImpaired": (
        "prod",
        {"stops-on-nothing": (_experiment_stops_on_nothing, "runs on while the cell is impaired")},
    ),
    "EcsReadOnlyContainerHasWritableTmp": (
        "prod",
        {"no-writable-tmp": (_no_writable_tmp, "read-only root filesystem and no writable /tmp")},
    ),
    "Route53CheckedNameServedByItsCell": (
        "prod",
        {
            "check-on-another-cell": (_check_on_another_cell, "another cell's load balancer"),
            "origin-names-off-the-certificate": (_origin_names_off_the_certificate, "does not cover origin.live"),
        },
    ),
    "RecoveryControlKeepsACellOn": (
        "with_arc",
        {
            "every-cell-may-go-off": (_every_cell_may_go_off, "not ATLEAST with a threshold of 1 or more"),
            "a-control-left-out": (_a_control_left_out, "leaves out routing controls"),
        },
    ),
}
# Zonal autoshift on (parallel_waves turns it on): practice runs must stay off the calendar's windows.
AUTOSHIFT_CASE = ("ElbZonalShiftFollowsConfig", _practice_runs_in_game_time, "calendar's event windows")
# The live signal's rules, on the same harness (tests/rules/live_edits.py).
CASES.update(LIVE_CASES)

PAIRS = sorted(CASES)


@pytest.mark.parametrize("suffix", PAIRS)
def test_the_shipped_templates_comply(request, suffix) -> None:
    synth = request.getfixturevalue(CASES[suffix][0])
    evaluated, findings = rule_findings(synth, None, suffix)
    assert evaluated, "the rule found nothing to evaluate in the shipped templates"
    assert findings == []


@pytest.mark.parametrize(("suffix", "case"), [(suffix, case) for suffix in PAIRS for case in CASES[suffix][1]])
def test_each_edit_is_found(request, suffix, case) -> None:
    synth = request.getfixturevalue(CASES[suffix][0])
    edit, says = CASES[suffix][1][case]
    _, findings = rule_findings(synth, edit, suffix)
    assert any(says in f for f in findings), findings


def test_autoshift_on_complies_and_keeps_practice_runs_off_the_calendar(parallel_waves: Synth) -> None:
    suffix, edit, says = AUTOSHIFT_CASE
    assert parallel_waves.config.fault_injection.zonal_autoshift
    evaluated, findings = rule_findings(parallel_waves, None, suffix)
    assert evaluated and findings == []
    _, findings = rule_findings(parallel_waves, edit, suffix)
    assert any(says in f for f in findings), findings
