"""Shared constants and helpers of the deploy-readiness rule cases (tests/rules/test_readiness.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2

from kickoff.rules.readiness import EventWindowFacts, ReadinessParams, RegionQuotas

ACCOUNT = "123456789012"
EAST, WEST = "us-east-1", "us-west-2"
DEPLOY = datetime(2026, 11, 26, tzinfo=UTC)
WINDOW = EventWindowFacts(
    ("game",), datetime(2026, 11, 27, 18, 0, tzinfo=UTC), datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
)
ALL = ("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE")
PARAMS = ReadinessParams(
    deploy_time=DEPLOY,
    earliest_action=DEPLOY + timedelta(minutes=30),
    horizon_end=DEPLOY + timedelta(days=14),
    quotas={
        r: RegionQuotas(
            fargate_vcpu=100,
            dynamodb_table_read_units=40_000,
            dynamodb_table_write_units=40_000,
            alb_targets=30,
            targets_per_target_group=25,
            network_interfaces=60,
            other_network_interfaces=20,
        )
        for r in (EAST, WEST)
    },
    service_methods={"api": ALL, "web": ("GET", "HEAD", "OPTIONS")},
    event_windows=(WINDOW,),
    planned_regions=frozenset({EAST}),
    registry_path="/test/capacity",
    shared_ip_viewers=1000,
    requests_per_viewer={300: 20.0},
    permissions_boundary="test-boundary",
)
SECRET = "app/test/origin-verify"
VERSION = "rotation-20261126T000000Z-0123456789abcdef"


def _vpc(scope: cdk.Stack) -> ec2.Vpc:
    return ec2.Vpc(
        scope,
        "Vpc",
        availability_zones=["us-east-1a", "us-east-1b"],
        nat_gateways=0,
        restrict_default_security_group=False,
    )


def _stack(app: cdk.App, name: str, region: str = EAST) -> cdk.Stack:
    return cdk.Stack(app, name, env=cdk.Environment(account=ACCOUNT, region=region))


def _ref(case: str, version: str | None = None, stage: str | None = None) -> str:
    secret = f"{case}/{SECRET}"
    value = (
        cdk.SecretValue.secrets_manager(secret, version_id=version)
        if version
        else cdk.SecretValue.secrets_manager(secret, version_stage=stage or "AWSCURRENT")
    )
    return value.unsafe_unwrap()


# --- builders: each takes (app, case) and creates the case's stacks ---------------------------
