"""Security: who reaches the cells, what tasks and services may do, and how keys and logs are protected."""

from __future__ import annotations

from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, references, security_group_ingress
from kickoff.rules.engine import props as _props
from kickoff.rules.well_architected.rule import Params, WaRule
from kickoff.rules.well_architected.statements import as_list as _as_list
from kickoff.rules.well_architected.statements import condition_keys as _condition_keys
from kickoff.rules.well_architected.statements import statements as _statements
from kickoff.rules.well_architected.statements import task_role_ids

ROOT_USERS = {"0", "root", "0:0", "root:root"}


def _alb_ingress(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    alb_groups = {
        group
        for lb in view.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer").values()
        if _props(lb).get("Type", "application") == "application"
        for group in references(_props(lb).get("SecurityGroups"))
    }
    if logical_id not in alb_groups:
        return None
    rules = security_group_ingress(view, {logical_id})
    return [
        Finding(
            f"Port::{r.get('FromPort')}", f"port {r.get('FromPort')} is open to {r.get('CidrIp') or r.get('CidrIpv6')}"
        )
        for r in rules
        if r.get("CidrIp") == "0.0.0.0/0" or r.get("CidrIpv6") == "::/0"
    ]


ALB_INGRESS_NOT_OPEN = WaRule(
    "SEC-AlbIngressNotOpen",
    "SEC05-BP02",
    "Control traffic flow within your network layers",
    "No ALB security group admits 0.0.0.0/0 or ::/0",
    "Cell ALBs must only be reachable from CloudFront and Route 53 health checkers; use the managed prefix lists.",
    frozenset({"AWS::EC2::SecurityGroup"}),
    _alb_ingress,
)


def _public_subnets(view: TemplateView) -> set[str]:
    """Subnets of the template whose route table sends 0.0.0.0/0 to an internet gateway, or that map public IPs."""
    gateways = set(view.of_type("AWS::EC2::InternetGateway"))
    public_tables = {
        table
        for route in view.of_type("AWS::EC2::Route").values()
        if _props(route).get("DestinationCidrBlock") == "0.0.0.0/0"
        and references(_props(route).get("GatewayId")) & gateways
        for table in references(_props(route).get("RouteTableId"))
    }
    public = {
        subnet
        for subnet, resource in view.of_type("AWS::EC2::Subnet").items()
        if _props(resource).get("MapPublicIpOnLaunch") is True
    }
    for association in view.of_type("AWS::EC2::SubnetRouteTableAssociation").values():
        if references(_props(association).get("RouteTableId")) & public_tables:
            public |= references(_props(association).get("SubnetId"))
    return public


def _service_private(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    network = (_props(resource).get("NetworkConfiguration") or {}).get("AwsvpcConfiguration")
    if network is None:
        return None
    findings = []
    if network.get("AssignPublicIp", "DISABLED") != "DISABLED":
        findings.append(
            Finding(
                "AssignPublicIp",
                "tasks get public IP addresses: each is reachable from the internet, "
                "one security-group rule away from bypassing the ALB and the WAF",
            )
        )
    public = sorted(references(network.get("Subnets")) & _public_subnets(view))
    if public:
        findings.append(
            Finding(
                "Subnets",
                f"tasks run in public subnets ({', '.join(public)}); place them in private subnets behind the ALB",
            )
        )
    return findings


ECS_SERVICE_PRIVATE = WaRule(
    "SEC-EcsServicePrivate",
    "SEC05-BP02",
    "Control traffic flow within your network layers",
    "ECS tasks get no public IP address and run in private subnets",
    "A task with a public address is reachable around the ALB and the WAF, one security-group change away. Keep "
    "AssignPublicIp DISABLED and the service in the VPC's private subnets (see also SEC05-BP01 network layers).",
    frozenset({"AWS::ECS::Service"}),
    _service_private,
)


def _task_role_region(
    logical_id: str, resource: Resource, view: TemplateView, statement: dict[str, Any]
) -> list[Finding]:
    """A task's table actions name tables in its own Region: its cell serves from the local replica."""
    foreign = set()
    for arn in _as_list(statement.get("Resource", [])):
        if isinstance(arn, str) and arn.startswith("arn:") and ":dynamodb:" in arn:
            region = arn.split(":")[3]
            if region != view.region:
                foreign.add(region or "any Region")
        elif arn == "*":
            foreign.add("any Region")
    return [
        Finding(
            f"Region::{r}",
            f"a task role reaches tables in {r}: a cell must read and write its own Region's "
            "replica, so a Region's failure cannot reach into the others",
        )
        for r in sorted(foreign)
    ]


def _container_hardening(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    findings = []
    for container in _props(resource).get("ContainerDefinitions", []):
        name = container.get("Name", "?")
        if container.get("ReadonlyRootFilesystem") is not True:
            findings.append(
                Finding(f"Container::{name}::ReadonlyRootFilesystem", f"container {name} can write its root filesystem")
            )
        if str(container.get("User", "0")) in ROOT_USERS:
            findings.append(Finding(f"Container::{name}::User", f"container {name} runs as root"))
    return findings


ECS_CONTAINER_HARDENING = WaRule(
    "SEC-EcsContainerHardening",
    "SEC06-BP02",
    "Provision compute from hardened images",
    "Containers run as a non-root user with a read-only root filesystem",
    "A compromised process should not be able to write binaries or act as root. Set readonly_root_filesystem and a "
    "non-root user "
    "(supports SEC03-BP02 least privilege).",
    frozenset({"AWS::ECS::TaskDefinition"}),
    _container_hardening,
)


# A request handler reads and writes items; these read a whole table or its change stream.
BULK_DATA_ACTIONS = frozenset(
    {
        "dynamodb:scan",
        "dynamodb:getrecords",
        "dynamodb:getshariterator",
        "dynamodb:describestream",
        "dynamodb:liststreams",
        "dynamodb:exporttabletopointintime",
        "dynamodb:partiqlselect",
    }
)


def _task_role_item_access(
    logical_id: str, resource: Resource, view: TemplateView, params: Params
) -> list[Finding] | None:
    props = _props(resource)
    roles = references(props.get("Roles"))
    if not roles & task_role_ids(view):
        return None
    findings = []
    for statement in _statements(props.get("PolicyDocument")):
        if statement.get("Effect") != "Allow":
            continue
        actions = {str(a).lower() for a in _as_list(statement.get("Action", []))}
        wide = sorted(
            a
            for a in actions
            if a in ("*", "dynamodb:*") or a in BULK_DATA_ACTIONS or (a.startswith("dynamodb:") and "*" in a)
        )
        if wide:
            findings.append(
                Finding(
                    f"Action::{wide[0]}",
                    f"a task role may call {', '.join(wide)}: whole-table reads "
                    "or stream reads that a request handler does not need",
                )
            )
        if any(a == "*" or a.startswith("dynamodb:") for a in actions):
            findings += _task_role_region(logical_id, resource, view, statement)
    return findings


IAM_TASK_ROLE_ITEM_ACCESS_ONLY = WaRule(
    "SEC-IamTaskRoleItemAccessOnly",
    "SEC03-BP02",
    "Grant least privilege access",
    "Task roles read and write table items only, in their own Region: no Scan, no stream reads, no wildcards",
    "A compromised task with Scan or stream access can read the whole table, and a cell that reaches another "
    "Region's replica shares that Region's failures. Grant the item actions a handler needs on the local replica "
    "(ReplicaAccess.grant_read_write).",
    frozenset({"AWS::IAM::Policy"}),
    _task_role_item_access,
)


# KMS actions that use a key (cryptographic operations and grants); the rest administer it.
KEY_USE_ACTIONS = frozenset(
    {
        "kms:*",
        "kms:decrypt",
        "kms:encrypt",
        "kms:generatedatakey*",
        "kms:reencrypt*",
        "kms:creategrant",
        "kms:generatedatakey",
        "kms:generatedatakeywithoutplaintext",
        "kms:reencryptfrom",
        "kms:reencryptto",
        "*",
    }
)
KEY_USE_SCOPE_KEYS = {"kms:viaservice", "kms:encryptioncontext:aws:logs:arn", "kms:grantisforawsresource"}


def _key_duties(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    findings = []
    for statement in _statements(_props(resource).get("KeyPolicy")):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        aws = _as_list(principal.get("AWS", [])) if isinstance(principal, dict) else [principal]
        if not aws or principal is None:
            continue
        actions = {str(a).lower() for a in _as_list(statement.get("Action", []))}
        use = sorted(actions & KEY_USE_ACTIONS)
        scoped = {
            k for k in _condition_keys(statement) if k in KEY_USE_SCOPE_KEYS or k.startswith("kms:encryptioncontext")
        }
        if use and not scoped:
            findings.append(
                Finding(
                    f"Statement::{statement.get('Sid', use[0])}",
                    f"{statement.get('Sid') or 'a statement'} lets IAM principals use the key ({', '.join(use)}) "
                    "for any purpose: key administration and key use are not separated",
                )
            )
    return findings


KMS_KEY_POLICY_SEPARATES_DUTIES = WaRule(
    "SEC-KmsKeyPolicySeparatesDuties",
    "SEC08-BP01",
    "Implement secure key management",
    "Key policies separate administration from use: the account may use a key only through a named service",
    "A key policy that gives kms:* (or Decrypt) to the account root lets any principal IAM allows decrypt "
    "everything. Give administrators management actions, and key use only with kms:ViaService or an encryption "
    "context (see kickoff/constructs/encryption_keys.py).",
    frozenset({"AWS::KMS::Key"}),
    _key_duties,
)


def _log_group_encrypted(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    return (
        []
        if _props(resource).get("KmsKeyId")
        else [Finding("", "log events are encrypted with a key the workload does not control (no KmsKeyId)")]
    )


LOGS_LOG_GROUP_ENCRYPTED = WaRule(
    "SEC-LogsLogGroupEncrypted",
    "SEC08-BP02",
    "Enforce encryption at rest",
    "Every log group is encrypted with a customer managed key",
    "Logs hold request details and identifiers. Encrypt each log group with the stack's log key (LogEncryptionKey).",
    frozenset({"AWS::Logs::LogGroup"}),
    _log_group_encrypted,
)


RULES: tuple[WaRule, ...] = (
    ALB_INGRESS_NOT_OPEN,
    ECS_SERVICE_PRIVATE,
    ECS_CONTAINER_HARDENING,
    IAM_TASK_ROLE_ITEM_ACCESS_ONLY,
    KMS_KEY_POLICY_SEPARATES_DUTIES,
    LOGS_LOG_GROUP_ENCRYPTED,
)
