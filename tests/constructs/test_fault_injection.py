"""The cells' FIS experiment templates: actions, targets, stop conditions, roles, logs; zonal shift and autoshift."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kickoff.config.models.fault_injection import DISRUPT_NETWORK, PAUSE_REPLICATION, STOP_TASK, ZONAL_SHIFT
from kickoff.planning import blocked_windows
from tests.support import Synth

FIS = "AWS::FIS::ExperimentTemplate"


def _experiments(synth: Synth, region: str) -> dict[str, dict[str, Any]]:
    """Name tag suffix (``stop-tasks-us-east-1a``) -> template properties."""
    prefix = f"kickoff-{synth.config.environment}-{region}-"
    found = {}
    for resource in synth.resources(synth.cell(region), FIS).values():
        props = resource["Properties"]
        found[props["Tags"]["Name"].removeprefix(prefix)] = props
    return found


def _only(synth: Synth, region: str, type_: str) -> str:
    (logical_id,) = synth.resources(synth.cell(region), type_)
    return logical_id


def _policy_of(synth: Synth, region: str, role_arn: dict[str, Any]) -> list[dict[str, Any]]:
    role = role_arn["Fn::GetAtt"][0]
    policies = synth.resources(synth.cell(region), "AWS::IAM::Policy").values()
    (policy,) = [p for p in policies if {"Ref": role} in p["Properties"]["Roles"]]
    return policy["Properties"]["PolicyDocument"]["Statement"]


def _statement(statements: list[dict[str, Any]], action: str) -> dict[str, Any]:
    (found,) = [s for s in statements if action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
    return found


@pytest.mark.parametrize("fixture", ["prod", "dev"])
def test_every_cell_has_each_experiment_per_az_with_its_stop_condition_role_and_logs(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(fixture)
    for region in synth.config.region_names:
        zones = synth.config.region(region).availability_zones
        experiments = _experiments(synth, region)
        expected = {f"{kind}-{az}" for kind in ("stop-tasks", "network", "zonal-shift") for az in zones}
        assert set(experiments) == expected | {"pause-replication"}
        composite = _only(synth, region, "AWS::CloudWatch::CompositeAlarm")
        log_group = next(
            k
            for k, v in synth.resources(synth.cell(region), "AWS::Logs::LogGroup").items()
            if k.startswith("FaultInjectionLogs")
        )
        roles = set()
        for name, props in experiments.items():
            assert props["StopConditions"] == [
                {"Source": "aws:cloudwatch:alarm", "Value": {"Fn::GetAtt": [composite, "Arn"]}}
            ], name
            assert props["LogConfiguration"] == {
                "CloudWatchLogsConfiguration": {"LogGroupArn": {"Fn::GetAtt": [log_group, "Arn"]}},
                "LogSchemaVersion": 2,
            }
            assert props["ExperimentOptions"] == {
                "AccountTargeting": "single-account",
                "EmptyTargetResolutionMode": "fail",
            }
            roles.add(props["RoleArn"]["Fn::GetAtt"][0])
        assert len(roles) == len(experiments)  # one role per experiment


@pytest.mark.held_by("WA-REL-FaultInjectionExperiments", "DR-FisExperimentStopsOnRegionImpaired")
def test_the_az_experiments_target_that_az_only(prod: Synth) -> None:
    faults = prod.config.fault_injection
    region = "us-east-2"
    template = prod.template(prod.cell(region))
    alb = _only(prod, region, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    for az in prod.config.region(region).availability_zones:
        experiments = _experiments(prod, region)
        stop = experiments[f"stop-tasks-{az}"]
        (action,) = stop["Actions"].values()
        assert action == {"ActionId": STOP_TASK, "Targets": {"Tasks": "targets"}}
        target = stop["Targets"]["targets"]
        assert target["ResourceType"] == "aws:ecs:task"
        assert target["ResourceTags"] == {"app": "kickoff", "env": "prod", "cell": region}
        assert target["Filters"] == [
            {"Path": "AvailabilityZone", "Values": [az]},
            {"Path": "LastStatus", "Values": ["RUNNING"]},
        ]
        assert target["SelectionMode"] == f"PERCENT({faults.task_share_percent})"

        network = experiments[f"network-{az}"]
        (action,) = network["Actions"].values()
        assert action["ActionId"] == DISRUPT_NETWORK
        assert action["Parameters"] == {"duration": "PT10M", "scope": "availability-zone"}
        subnets = {
            k
            for k, v in template["Resources"].items()
            if v["Type"] == "AWS::EC2::Subnet" and v["Properties"]["AvailabilityZone"] == az
        }
        targeted = {json.dumps(arn) for arn in network["Targets"]["targets"]["ResourceArns"]}
        assert len(targeted) == len(subnets) == 2  # the AZ's public and private subnet
        assert all(any(f'"Ref": "{s}"' in arn for arn in targeted) for s in subnets)
        statements = _policy_of(prod, region, network["RoleArn"])
        swap = _statement(statements, "ec2:ReplaceNetworkAclAssociation")
        assert {json.dumps(r) for r in swap["Resource"][1:]} == targeted

        shift = experiments[f"zonal-shift-{az}"]
        (action,) = shift["Actions"].values()
        assert action["ActionId"] == ZONAL_SHIFT
        assert action["Parameters"] == {
            "availabilityZoneIdentifier": az,
            "duration": "PT10M",
            "managedResourceTypes": "ALB",
            "zonalAutoshiftStatus": "ANY",
        }
        assert shift["Targets"]["targets"]["ResourceArns"] == [{"Ref": alb}]
        start = _statement(_policy_of(prod, region, shift["RoleArn"]), "arc-zonal-shift:StartZonalShift")
        assert start["Resource"] == {"Ref": alb}


@pytest.mark.held_by("WA-SEC-IamServiceRoleSourceCondition", "DR-IamRoleHasPermissionsBoundary")
def test_roles_reach_only_their_experiment_targets(prod: Synth) -> None:
    region = "us-west-2"
    experiments = _experiments(prod, region)
    stop = _policy_of(prod, region, experiments["stop-tasks-us-west-2a"]["RoleArn"])
    assert _statement(stop, "ecs:StopTask")["Resource"] == {
        "Fn::Join": [
            "",
            ["arn:aws:ecs:us-west-2:111111111111:task/", {"Ref": _only(prod, region, "AWS::ECS::Cluster")}, "/*"],
        ]
    }
    pause = experiments["pause-replication"]
    (action,) = pause["Actions"].values()
    table = "arn:aws:dynamodb:us-west-2:111111111111:table/kickoff-prod-sessions"
    assert action == {
        "ActionId": PAUSE_REPLICATION,
        "Parameters": {"duration": "PT10M"},
        "Targets": {"Tables": "targets"},
    }
    assert pause["Targets"]["targets"]["ResourceArns"] == [table]
    put = _statement(_policy_of(prod, region, pause["RoleArn"]), "dynamodb:PutResourcePolicy")
    assert put["Resource"] == [table, f"{table}/stream/*"]
    statements = _policy_of(prod, region, pause["RoleArn"])
    assert not any("InjectError" in json.dumps(s) for s in statements)  # eventual consistency: not needed
    assert not any('"kms:' in json.dumps(s) for s in statements)  # the action edits resource policies only
    # Every role is assumable by FIS in this account only.
    for props in experiments.values():
        role = prod.resources(prod.cell(region), "AWS::IAM::Role")[props["RoleArn"]["Fn::GetAtt"][0]]
        (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "fis.amazonaws.com"}
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "111111111111"}}


@pytest.mark.not_a_rule("config echo: the extra FIS action exists only when the config asks for strong consistency")
def test_strong_consistency_adds_inject_error_on_the_replica(strong: Synth) -> None:
    pause = _experiments(strong, "us-east-1")["pause-replication"]
    inject = _statement(_policy_of(strong, "us-east-1", pause["RoleArn"]), "dynamodb:InjectError")
    assert inject["Resource"] == "arn:aws:dynamodb:us-east-1:111111111111:table/kickoff-strong-sessions"


@pytest.mark.held_by("DR-ElbZonalShiftFollowsConfig")
def test_every_alb_allows_zonal_shift_and_autoshift_follows_config(prod: Synth, parallel_waves: Synth) -> None:
    for synth in (prod, parallel_waves):
        for region in synth.config.region_names:
            (alb,) = synth.resources(synth.cell(region), "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
            attributes = {a["Key"]: a["Value"] for a in alb["Properties"]["LoadBalancerAttributes"]}
            assert attributes["zonal_shift.config.enabled"] == "true"
    assert not prod.resources(prod.cell("us-east-1"), "AWS::ARCZonalShift::ZonalAutoshiftConfiguration")
    for region in parallel_waves.config.region_names:
        (config,) = parallel_waves.resources(
            parallel_waves.cell(region), "AWS::ARCZonalShift::ZonalAutoshiftConfiguration"
        ).values()
        props = config["Properties"]
        assert props["ResourceIdentifier"] == {
            "Ref": _only(parallel_waves, region, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        }
        assert props["ZonalAutoshiftStatus"] == "ENABLED"
        composite = _only(parallel_waves, region, "AWS::CloudWatch::CompositeAlarm")
        run = props["PracticeRunConfiguration"]
        assert run["OutcomeAlarms"] == [{"AlarmIdentifier": {"Fn::GetAtt": [composite, "Arn"]}, "Type": "CLOUDWATCH"}]
        # No practice run in a weekly slot the calendar's events occupy (UTC): the same whenever synthesized.
        assert run["BlockedWindows"] == blocked_windows(parallel_waves.config)
        assert "Thu:22:00-Fri:06:00" in run["BlockedWindows"] and "BlockedDates" not in run
