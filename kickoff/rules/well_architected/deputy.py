"""Security: AWS services act for this account only (the confused deputy), in trust and in resource policies."""

from __future__ import annotations

from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView
from kickoff.rules.engine import props as _props
from kickoff.rules.well_architected.rule import Params, WaRule
from kickoff.rules.well_architected.statements import as_list, condition_keys, services, statements, task_role_ids

# Service principals whose trust policies AWS documents aws:SourceAccount / aws:SourceArn for
# (confused-deputy prevention); docs/reference/confused-deputy.md cites each page.
SOURCE_CONDITION_SERVICES = frozenset({"scheduler.amazonaws.com", "fis.amazonaws.com", "vpc-flow-logs.amazonaws.com"})
# ECS documents the keys for task roles only; the execution role is assumed for the agent, and AWS shows no
# conditions there, so task roles (TaskRoleArn of a task definition) are held to it and execution roles are not.
TASK_ROLE_SERVICE = "ecs-tasks.amazonaws.com"
SOURCE_CONDITION_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"})


def _service_role_source(
    logical_id: str, resource: Resource, view: TemplateView, params: Params
) -> list[Finding] | None:
    findings, applies = [], False
    held = SOURCE_CONDITION_SERVICES | ({TASK_ROLE_SERVICE} if logical_id in task_role_ids(view) else set())
    for statement in statements(_props(resource).get("AssumeRolePolicyDocument")):
        if statement.get("Effect") != "Allow":
            continue
        guarded = sorted(services(statement) & held)
        if not guarded:
            continue
        applies = True
        if not condition_keys(statement) & SOURCE_CONDITION_KEYS:
            findings.append(
                Finding(
                    f"Service::{guarded[0]}",
                    f"{', '.join(guarded)} may assume the role on behalf of any "
                    "account: the trust policy has no aws:SourceAccount or aws:SourceArn",
                )
            )
    return findings if applies else None


IAM_SERVICE_ROLE_SOURCE_CONDITION = WaRule(
    "SEC-IamServiceRoleSourceCondition",
    "SEC03-BP02",
    "Grant least privilege access",
    "Roles that AWS services assume on the account's behalf require aws:SourceAccount or aws:SourceArn",
    "Without a source condition, the service may assume the role for a request from another account (the confused "
    "deputy problem). Add the conditions the service documents to the trust policy.",
    frozenset({"AWS::IAM::Role"}),
    _service_role_source,
)


# Where each resource type keeps its policy document.
POLICY_PROPERTY = {
    "AWS::S3::BucketPolicy": "PolicyDocument",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::Logs::ResourcePolicy": "PolicyDocument",
    "AWS::KMS::Key": "KeyPolicy",
}
# A context key that ties a request to this account's resources as firmly as a source key: CloudWatch Logs
# encrypts with the log group's ARN as encryption context (CloudWatch Logs user guide, "Encrypt log data").
SCOPING_CONTEXT_KEYS = frozenset({"kms:encryptioncontext:aws:logs:arn"})
# Reading a key's metadata discloses nothing and grants nothing (DynamoDB documents this statement for its
# service principal without conditions); every other action must be scoped.
METADATA_ACTIONS = ("kms:describe", "kms:get", "kms:list")


def _metadata_only(statement: dict[str, Any]) -> bool:
    actions = [str(a).lower() for a in as_list(statement.get("Action", []))]
    return bool(actions) and all(a.startswith(METADATA_ACTIONS) and a != "kms:getpublickey" for a in actions)


def _unscoped(statement: dict[str, Any]) -> list[str]:
    if statement.get("Effect") != "Allow" or _metadata_only(statement):
        return []
    named = sorted(services(statement))
    if not named or condition_keys(statement) & (SOURCE_CONDITION_KEYS | SCOPING_CONTEXT_KEYS):
        return []
    return named


def _resource_policy_source(
    logical_id: str, resource: Resource, view: TemplateView, params: Params
) -> list[Finding] | None:
    props = _props(resource)
    if resource.get("Type") == "AWS::Lambda::Permission":
        principal = props.get("Principal")
        if not (isinstance(principal, str) and principal.endswith(".amazonaws.com")):
            return None
        if props.get("SourceAccount") or props.get("SourceArn"):
            return []
        return [Finding(f"Service::{principal}", f"{principal} may invoke the function on behalf of any account")]
    document = props.get(POLICY_PROPERTY[resource.get("Type", "")])
    granted = [(s, _unscoped(s)) for s in statements(document) if services(s) and s.get("Effect") == "Allow"]
    if not granted:
        return None
    return [
        Finding(
            f"Statement::{statement.get('Sid') or named[0]}",
            f"{', '.join(named)} may use {', '.join(map(str, as_list(statement.get('Action', []))))} for any "
            "account's resources: the statement has "
            "no aws:SourceAccount, aws:SourceArn or aws:SourceOrgID",
        )
        for statement, named in granted
        if named
    ]


RESOURCE_POLICY_SOURCE_CONDITION = WaRule(
    "SEC-ResourcePolicyServiceSourceCondition",
    "SEC03-BP02",
    "Grant least privilege access",
    "What a resource policy lets an AWS service do is limited to this account's requests by a source condition",
    "A bucket, key, topic, queue or function that admits a service principal without aws:SourceAccount or "
    "aws:SourceArn lets that service act on it for any customer's resource: another account's load balancer can "
    "write into the log bucket. Add the source conditions (a Lambda permission: SourceAccount or SourceArn).",
    frozenset({*POLICY_PROPERTY, "AWS::Lambda::Permission"}),
    _resource_policy_source,
)


RULES: tuple[WaRule, ...] = (IAM_SERVICE_ROLE_SOURCE_CONDITION, RESOURCE_POLICY_SOURCE_CONDITION)
