"""The CloudFormation execution policy an account's bootstrap needs, computed from the templates it receives.

``cdk bootstrap --cloudformation-execution-policies`` names the managed policies CloudFormation
deploys with. AdministratorAccess (the default) lets any template do anything; this policy allows
the services of the resource types the account's templates hold, IAM only on roles and policies
whose names start with the environment's prefix (CloudFormation names the roles it creates
``<stack name>-<logical ID>-<suffix>``), service-linked roles, and the bootstrap version parameter.
A template with a resource type this module cannot map fails loudly, so the policy never lags.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

# Resource-type service names whose IAM prefix is not their lower-case form.
SERVICE_PREFIXES: dict[str, str] = {
    "ApplicationAutoScaling": "application-autoscaling",
    "ARCZonalShift": "arc-zonal-shift",
    "CertificateManager": "acm",
    "CloudFront": "cloudfront",
    "CloudWatch": "cloudwatch",
    "CodeBuild": "codebuild",
    "CodePipeline": "codepipeline",
    "DynamoDB": "dynamodb",
    "EC2": "ec2",
    "ECR": "ecr",
    "ECS": "ecs",
    "ElasticLoadBalancingV2": "elasticloadbalancing",
    "Events": "events",
    "FIS": "fis",
    "KMS": "kms",
    "Lambda": "lambda",
    "Logs": "logs",
    "Route53": "route53",
    "Route53RecoveryControl": "route53-recovery-control-config",
    "S3": "s3",
    "Scheduler": "scheduler",
    "SecretsManager": "secretsmanager",
    "SNS": "sns",
    "SSM": "ssm",
    "Synthetics": "synthetics",
    "WAFv2": "wafv2",
}
# Actions a resource type needs beyond its own service: a pipeline passes its source connection.
EXTRA_ACTIONS: dict[str, tuple[str, ...]] = {
    "AWS::CodePipeline::Pipeline": ("codeconnections:PassConnection", "codestar-connections:PassConnection"),
}
# CloudFormation's own types, which need no service permission.
CLOUDFORMATION_TYPES = ("AWS::CDK::Metadata", "AWS::CloudFormation::")
# What CloudFormation needs to manage roles and their inline policies (no user, group or account-wide action).
IAM_ROLE_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:ListRoleTags",
    "iam:PassRole",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)


class UnknownResourceType(ValueError):
    """A template holds a resource type the policy cannot map to a service."""


def service_of(resource_type: str) -> str | None:
    """The IAM service prefix a resource type needs (None: CloudFormation's own); custom resources run Lambda."""
    if resource_type.startswith(CLOUDFORMATION_TYPES):
        return None
    if resource_type.startswith("Custom::"):
        return "lambda"
    parts = resource_type.split("::")
    if len(parts) != 3 or parts[0] != "AWS":
        raise UnknownResourceType(f"{resource_type} is not an AWS resource type")
    if parts[1] == "IAM":
        return "iam"
    prefix = SERVICE_PREFIXES.get(parts[1])
    if prefix is None:
        raise UnknownResourceType(
            f"no IAM service prefix for {resource_type}: add {parts[1]!r} to SERVICE_PREFIXES in "
            "kickoff/rules/execution_policy.py"
        )
    return prefix


def execution_policy(resource_types: Iterable[str], *, account: str, name_prefix: str) -> dict:
    """The policy document for an account whose templates hold ``resource_types``.

    ``name_prefix`` (``<app>-<env>-``) starts every stack name, and so every role CloudFormation names.
    """
    types = set(resource_types)
    services = sorted({s for t in types if (s := service_of(t)) is not None} - {"iam"})
    extra = sorted({a for t in types for a in EXTRA_ACTIONS.get(t, ())})
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TemplateServices",
                "Effect": "Allow",
                "Action": [*(f"{s}:*" for s in services), *extra],
                "Resource": "*",
            },
            {
                "Sid": "OwnRoles",
                "Effect": "Allow",
                "Action": list(IAM_ROLE_ACTIONS),
                "Resource": [
                    f"arn:aws:iam::{account}:role/{name_prefix}*",
                    f"arn:aws:iam::{account}:policy/{name_prefix}*",
                ],
            },
            {
                "Sid": "ServiceLinkedRoles",
                "Effect": "Allow",
                "Action": ["iam:CreateServiceLinkedRole", "iam:GetRole"],
                "Resource": f"arn:aws:iam::{account}:role/aws-service-role/*",
            },
            {
                "Sid": "BootstrapVersion",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                "Resource": f"arn:aws:ssm:*:{account}:parameter/cdk-bootstrap/*",
            },
        ],
    }


def render(policy: dict) -> str:
    """The policy as the JSON `aws iam create-policy --policy-document` takes."""
    return json.dumps(policy, indent=2) + "\n"
