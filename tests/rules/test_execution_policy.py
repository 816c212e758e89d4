"""The scoped CloudFormation execution policy: every resource type maps to a service, IAM stays on own names."""

from __future__ import annotations

import json

import pytest

from kickoff import naming
from kickoff.rules.assembly import read_stacks
from kickoff.rules.execution_policy import UnknownResourceType, execution_policy, permissions_boundary, service_of
from tests.iam_evaluation import allowed, allowed_within
from tests.support import CliRun, run_cli

pytestmark = pytest.mark.not_a_rule(
    "tests the deploy-role policy generated from the templates (a document for the account owner)"
)

ACCOUNT = "111111111111"
BOUNDARY = "kickoff-prod-permissions-boundary"


def _types(synth, account: str) -> set[str]:
    return {
        r["Type"] for s in read_stacks(synth.outdir) if s.account == account for r in s.template()["Resources"].values()
    }


@pytest.mark.parametrize("fixture", ["prod", "dev", "with_arc"])
def test_every_resource_type_of_every_account_maps_to_a_service(fixture: str, request: pytest.FixtureRequest) -> None:
    synth = request.getfixturevalue(fixture)
    accounts = {s.account for s in read_stacks(synth.outdir)}
    for account in accounts:
        policy = execution_policy(
            _types(synth, account), account=account, name_prefix="kickoff-prod-", boundary_name=BOUNDARY
        )
        services = policy["Statement"][0]["Action"]
        for resource_type in _types(synth, account):
            service = service_of(resource_type)
            assert service is None or service == "iam" or f"{service}:*" in services, resource_type


def _policy(prod) -> dict:
    return execution_policy(
        _types(prod, prod.config.account), account=ACCOUNT, name_prefix="kickoff-prod-", boundary_name=BOUNDARY
    )


def test_the_policy_allows_only_the_templates_services_and_scopes_iam(prod) -> None:
    policy = _policy(prod)
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    services = by_sid["TemplateServices"]
    assert "iam:*" not in services["Action"] and "*" not in services["Action"]
    assert {"ecs:*", "elasticloadbalancing:*", "dynamodb:*", "cloudfront:*", "wafv2:*"} <= set(services["Action"])
    assert not any(a.startswith(("codepipeline", "codebuild", "route53-recovery")) for a in services["Action"])
    assert by_sid["OwnRoles"]["Resource"] == [
        f"arn:aws:iam::{ACCOUNT}:role/kickoff-prod-*",
        f"arn:aws:iam::{ACCOUNT}:policy/kickoff-prod-*",
    ]
    for sid in ("OwnRoles", "OwnRolesWithBoundary"):
        assert all(a.startswith("iam:") and "User" not in a and "Group" not in a for a in by_sid[sid]["Action"])
    assert by_sid["ServiceLinkedRoles"]["Resource"] == f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/*"
    assert by_sid["BootstrapVersion"]["Resource"] == f"arn:aws:ssm:*:{ACCOUNT}:parameter/cdk-bootstrap/*"
    assert len(json.dumps(policy)) < 6144  # the managed-policy size limit


OWN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/kickoff-prod-cell-us-east-1-TaskRole-ABC"
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{BOUNDARY}"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def test_the_policy_refuses_an_unbounded_role(prod) -> None:
    """Whoever deploys could otherwise create a role, attach AdministratorAccess to it and pass it on."""
    policy = _policy(prod)
    bounded = {"iam:PermissionsBoundary": BOUNDARY_ARN}
    assert allowed(policy, "iam:CreateRole", OWN_ROLE, bounded)
    assert not allowed(policy, "iam:CreateRole", OWN_ROLE)
    assert not allowed(policy, "iam:CreateRole", OWN_ROLE, {"iam:PermissionsBoundary": f"{BOUNDARY_ARN}-other"})
    # A policy goes onto a role only while the role carries the boundary (the key is the role's boundary).
    for action in ("iam:AttachRolePolicy", "iam:PutRolePolicy"):
        assert allowed(policy, action, OWN_ROLE, {**bounded, "iam:PolicyARN": ADMIN})
        assert not allowed(policy, action, OWN_ROLE, {"iam:PolicyARN": ADMIN})
    # The boundary can be neither removed nor rewritten, and roles outside the environment's names are untouched.
    assert not allowed(policy, "iam:DeleteRolePermissionsBoundary", OWN_ROLE, bounded)
    assert not allowed(policy, "iam:CreatePolicyVersion", BOUNDARY_ARN)
    assert not allowed(policy, "iam:SetDefaultPolicyVersion", BOUNDARY_ARN)
    assert not allowed(policy, "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/admin", bounded)
    assert not allowed(policy, "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/kickoff-prod-x", bounded)


def test_the_boundary_keeps_a_bounded_role_from_escalating() -> None:
    """Even with AdministratorAccess attached, a role inside the boundary cannot create an unbounded role, remove
    its own boundary or edit the boundary; what its own policies allow otherwise stays allowed."""
    boundary = permissions_boundary(account=ACCOUNT, boundary_name=BOUNDARY)
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    bounded = {"iam:PermissionsBoundary": BOUNDARY_ARN}
    assert allowed_within(admin, [boundary], "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/t")
    assert allowed_within(admin, [boundary], "iam:CreateRole", OWN_ROLE, bounded)
    assert not allowed_within(admin, [boundary], "iam:CreateRole", OWN_ROLE)
    assert not allowed_within(admin, [boundary], "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/u")
    assert not allowed_within(admin, [boundary], "iam:DeleteRolePermissionsBoundary", OWN_ROLE, bounded)
    assert not allowed_within(admin, [boundary], "iam:CreatePolicyVersion", BOUNDARY_ARN)


def test_every_role_of_every_stack_carries_the_boundary(synthesized) -> None:
    """DR-IamRoleHasPermissionsBoundary holds it at synth; this shows the roles CDK creates itself are covered."""
    expected = f":policy/{naming.permissions_boundary_name(synthesized.config.identity)}"
    kinds = set()
    for name in synthesized.stack_names:
        for logical_id, role in synthesized.resources(name, "AWS::IAM::Role").items():
            boundary = json.dumps(role["Properties"]["PermissionsBoundary"])
            assert expected in boundary, f"{name}/{logical_id}"
            kinds.add(logical_id[:20])
    assert any(k.startswith("AWS679f53fac") for k in kinds)  # the AwsCustomResource singleton


def test_the_tooling_account_may_pass_the_source_connection(prod) -> None:
    tooling = prod.config.pipeline.account
    policy = execution_policy(
        _types(prod, tooling), account=tooling, name_prefix="kickoff-prod-", boundary_name=BOUNDARY
    )
    assert policy["Statement"][0]["Action"] == [
        "codebuild:*",
        "codepipeline:*",
        "kms:*",
        "s3:*",
        "codeconnections:PassConnection",
        "codestar-connections:PassConnection",
    ]


def test_an_unmapped_resource_type_fails_loudly() -> None:
    with pytest.raises(UnknownResourceType, match="add 'Glue' to SERVICE_PREFIXES"):
        execution_policy({"AWS::Glue::Job"}, account=ACCOUNT, name_prefix="kickoff-prod-", boundary_name=BOUNDARY)
    assert service_of("Custom::AWS") == "lambda" and service_of("AWS::CDK::Metadata") is None


def test_the_cli_prints_the_policy_for_an_account(prod, capsys) -> None:
    def run(*extra: str) -> CliRun:
        return run_cli(capsys, "execution-policy", "-c", "env=prod", "--outdir", str(prod.outdir), *extra)

    workload = run()
    assert workload.returncode == 0, workload.stderr
    assert "ecs:*" in json.loads(workload.stdout)["Statement"][0]["Action"]
    tooling = run("--account", prod.config.pipeline.account)
    assert "codepipeline:*" in json.loads(tooling.stdout)["Statement"][0]["Action"]
    boundary = run("--boundary")
    assert boundary.returncode == 0 and "NoRoleOrUserWithoutThisBoundary" in boundary.stdout
    nobody = run("--account", "999999999999")
    assert nobody.returncode == 2 and "no stack" in nobody.stderr
