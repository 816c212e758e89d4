"""The scoped CloudFormation execution policy: every resource type maps to a service, IAM stays on own names."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kickoff.rules.assembly import read_stacks
from kickoff.rules.execution_policy import UnknownResourceType, execution_policy, service_of
from tests.support import REPO_ROOT


def _types(synth, account: str) -> set[str]:
    return {
        r["Type"] for s in read_stacks(synth.outdir) if s.account == account for r in s.template()["Resources"].values()
    }


@pytest.mark.parametrize("fixture", ["prod", "dev", "with_arc"])
def test_every_resource_type_of_every_account_maps_to_a_service(fixture: str, request: pytest.FixtureRequest) -> None:
    synth = request.getfixturevalue(fixture)
    accounts = {s.account for s in read_stacks(synth.outdir)}
    for account in accounts:
        policy = execution_policy(_types(synth, account), account=account, name_prefix="kickoff-prod-")
        services = policy["Statement"][0]["Action"]
        for resource_type in _types(synth, account):
            service = service_of(resource_type)
            assert service is None or service == "iam" or f"{service}:*" in services, resource_type


def test_the_policy_allows_only_the_templates_services_and_scopes_iam(prod) -> None:
    policy = execution_policy(_types(prod, prod.config.account), account="111111111111", name_prefix="kickoff-prod-")
    services, roles, linked, bootstrap = policy["Statement"]
    assert "iam:*" not in services["Action"] and "*" not in services["Action"]
    assert {"ecs:*", "elasticloadbalancing:*", "dynamodb:*", "cloudfront:*", "wafv2:*"} <= set(services["Action"])
    assert not any(a.startswith(("codepipeline", "codebuild", "route53-recovery")) for a in services["Action"])
    assert roles["Resource"] == [
        "arn:aws:iam::111111111111:role/kickoff-prod-*",
        "arn:aws:iam::111111111111:policy/kickoff-prod-*",
    ]
    assert all(a.startswith("iam:") and "User" not in a and "Group" not in a for a in roles["Action"])
    assert linked["Resource"] == "arn:aws:iam::111111111111:role/aws-service-role/*"
    assert bootstrap["Resource"] == "arn:aws:ssm:*:111111111111:parameter/cdk-bootstrap/*"
    assert len(json.dumps(policy)) < 6144  # the managed-policy size limit


def test_the_tooling_account_may_pass_the_source_connection(prod) -> None:
    tooling = prod.config.pipeline.account
    policy = execution_policy(_types(prod, tooling), account=tooling, name_prefix="kickoff-prod-")
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
        execution_policy({"AWS::Glue::Job"}, account="111111111111", name_prefix="kickoff-prod-")
    assert service_of("Custom::AWS") == "lambda" and service_of("AWS::CDK::Metadata") is None


def test_the_cli_prints_the_policy_for_an_account(prod) -> None:
    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "kickoff",
                "execution-policy",
                "-c",
                "env=prod",
                "--outdir",
                str(prod.outdir),
                *extra,
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    workload = run()
    assert workload.returncode == 0, workload.stderr
    assert "ecs:*" in json.loads(workload.stdout)["Statement"][0]["Action"]
    tooling = run("--account", prod.config.pipeline.account)
    assert "codepipeline:*" in json.loads(tooling.stdout)["Statement"][0]["Action"]
    nobody = run("--account", "999999999999")
    assert nobody.returncode == 2 and "no stack" in nobody.stderr
