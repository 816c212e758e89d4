"""The CloudFormation execution policy an account's bootstrap needs, computed from the templates it receives, and
the permissions boundary every role of the deployment carries.

``cdk bootstrap --cloudformation-execution-policies`` names the managed policies CloudFormation
deploys with. AdministratorAccess (the default) lets any template do anything; this policy allows
the services of the resource types the account's templates hold, IAM only on roles and policies
whose names start with the environment's prefix (CloudFormation names the roles it creates
``<stack name>-<logical ID>-<suffix>``), service-linked roles, and the bootstrap version parameter.
A template with a resource type this module cannot map fails loudly, so the policy never lags.

A role may be created, or given a policy, only with the environment's permissions boundary
(``iam:PermissionsBoundary``), which no statement may remove or rewrite. Without that condition,
whoever can deploy (or push to the release branch) could mint a role with AdministratorAccess and pass
it to a service. The boundary (``permissions_boundary``) allows what the roles' own policies allow and
denies exactly that escalation: creating a role or user without it, editing it, removing it.
``cdk bootstrap --custom-permissions-boundary`` applies it to the execution role too.
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
    "MediaLive": "medialive",
    "MediaPackageV2": "mediapackagev2",
    "Route53": "route53",
    "Route53RecoveryControl": "route53-recovery-control-config",
    "S3": "s3",
    "Scheduler": "scheduler",
    "SecretsManager": "secretsmanager",
    "SNS": "sns",
    "SQS": "sqs",
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
# These create a role or change what it may do: each is allowed only with the environment's boundary (the IAM
# condition key iam:PermissionsBoundary applies to exactly these).
IAM_BOUNDED_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
)
IAM_ROLE_ACTIONS = (
    "iam:DeleteRole",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:ListRoleTags",
    "iam:PassRole",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)
# What would undo the boundary: never allowed, whatever else allows it.
BOUNDARY_ESCAPES = ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary")
BOUNDARY_EDITS = (
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
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


def boundary_arn(account: str, boundary_name: str) -> str:
    """The permissions boundary's ARN in ``account``."""
    return f"arn:aws:iam::{account}:policy/{boundary_name}"


def execution_policy(resource_types: Iterable[str], *, account: str, name_prefix: str, boundary_name: str) -> dict:
    """The policy document for an account whose templates hold ``resource_types``.

    ``name_prefix`` (``<app>-<env>-``) starts every stack name, and so every role CloudFormation names;
    ``boundary_name`` is the permissions boundary every role must carry.
    """
    types = set(resource_types)
    services = sorted({s for t in types if (s := service_of(t)) is not None} - {"iam"})
    extra = sorted({a for t in types for a in EXTRA_ACTIONS.get(t, ())})
    boundary = boundary_arn(account, boundary_name)
    own = [f"arn:aws:iam::{account}:role/{name_prefix}*", f"arn:aws:iam::{account}:policy/{name_prefix}*"]
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
                "Sid": "OwnRolesWithBoundary",
                "Effect": "Allow",
                "Action": list(IAM_BOUNDED_ACTIONS),
                "Resource": own[0],
                "Condition": {"StringEquals": {"iam:PermissionsBoundary": boundary}},
            },
            {"Sid": "OwnRoles", "Effect": "Allow", "Action": list(IAM_ROLE_ACTIONS), "Resource": own},
            {"Sid": "NoBoundaryRemoved", "Effect": "Deny", "Action": list(BOUNDARY_ESCAPES), "Resource": "*"},
            {"Sid": "NoBoundaryEdited", "Effect": "Deny", "Action": list(BOUNDARY_EDITS), "Resource": boundary},
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


def permissions_boundary(*, account: str, boundary_name: str) -> dict:
    """The boundary of every role the deployment (and its CloudFormation execution role) creates.

    It allows everything the role's own policies allow, and denies escalation: creating a role or a user
    without this boundary, removing a boundary, or changing this policy (the pattern of CDK's example
    boundary and the IAM user guide's "delegating responsibility" example).
    """
    boundary = boundary_arn(account, boundary_name)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "WhatTheRolesOwnPoliciesAllow", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Sid": "NoRoleOrUserWithoutThisBoundary",
                "Effect": "Deny",
                "Action": [
                    "iam:CreateRole",
                    "iam:CreateUser",
                    "iam:PutRolePermissionsBoundary",
                    "iam:PutUserPermissionsBoundary",
                ],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": boundary}},
            },
            {"Sid": "NoBoundaryRemoved", "Effect": "Deny", "Action": list(BOUNDARY_ESCAPES), "Resource": "*"},
            {"Sid": "NoBoundaryEdited", "Effect": "Deny", "Action": list(BOUNDARY_EDITS), "Resource": boundary},
        ],
    }


def render(policy: dict) -> str:
    """The policy as the JSON `aws iam create-policy --policy-document` takes."""
    return json.dumps(policy, indent=2) + "\n"
