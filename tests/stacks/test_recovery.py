"""Recovery stack (ARC): routing controls, the safety rule, and their place in each cell's health check."""

from __future__ import annotations

import pytest

from kickoff.rules.assembly import read_stacks


@pytest.mark.held_by("DR-RecoveryControlKeepsACellOn", "DR-StackStandsAlone")
def test_recovery_stack_only_when_enabled(prod, with_arc) -> None:
    assert prod.deployment.recovery is None
    recovery = with_arc.deployment.recovery
    assert recovery.region == "us-west-2"
    name = recovery.stack_name
    controls = with_arc.resources(name, "AWS::Route53RecoveryControl::RoutingControl")
    assert len(controls) == 3
    (rule,) = with_arc.resources(name, "AWS::Route53RecoveryControl::SafetyRule").values()
    assert rule["Properties"]["RuleConfig"] == {"Type": "ATLEAST", "Threshold": 1, "Inverted": False}
    assert len(rule["Properties"]["AssertionRule"]["AssertedControls"]) == 3
    outputs = with_arc.template(name)["Outputs"]
    assert {k for k in outputs if k.startswith("RoutingControlArn")} == {
        "RoutingControlArnUsEast1",
        "RoutingControlArnUsEast2",
        "RoutingControlArnUsWest2",
    }
    # Nothing depends on the recovery stack: cells take routing control ARNs from config.
    for stack in read_stacks(with_arc.outdir):
        assert name not in stack.dependencies


@pytest.mark.held_by("DR-Route53HealthCheckCoversServices", "WA-REL-Route53RoutedRecordHealthCheck")
def test_routing_control_is_combined_with_the_endpoint_check(with_arc) -> None:
    arns = with_arc.config.routing.recovery_control.routing_control_arns
    for region in with_arc.config.region_names:
        checks = {
            k: v["Properties"]["HealthCheckConfig"]
            for k, v in with_arc.resources(with_arc.cell(region), "AWS::Route53::HealthCheck").items()
        }
        by_type = {c["Type"]: (k, c) for k, c in checks.items()}
        assert by_type.keys() == {"HTTPS", "CLOUDWATCH_METRIC", "RECOVERY_CONTROL", "CALCULATED"}
        assert by_type["RECOVERY_CONTROL"][1]["RoutingControlArn"] == arns[region]
        calculated_id, calculated = by_type["CALCULATED"]
        endpoints = sorted(k for k, c in checks.items() if c["Type"] == "HTTPS")
        assert len(endpoints) == len(with_arc.config.services) + 1  # each service, and the failback hold-down
        alarms = sorted(k for k, c in checks.items() if c["Type"] == "CLOUDWATCH_METRIC")
        assert calculated["HealthThreshold"] == len(endpoints) + len(alarms) + 1
        assert sorted(c["Ref"] for c in calculated["ChildHealthChecks"]) == sorted(
            [*endpoints, *alarms, by_type["RECOVERY_CONTROL"][0]]
        )
        routed = [
            r["Properties"]
            for r in with_arc.resources(with_arc.cell(region), "AWS::Route53::RecordSet").values()
            if "SetIdentifier" in r["Properties"]
        ]
        assert routed and all(r["HealthCheckId"] == {"Ref": calculated_id} for r in routed)
