"""What keeps each cell standing on its own, and what must exist where a template reads it.

- A cell names no other Region's resources: an ARN of another Region in a cell's template is a dependency on that
  Region, and the cell fails with it (static stability: a Region's cell runs on its own Region's data plane).
- A secret a template resolves (``{{resolve:secretsmanager:...}}``) is in that template's Region: the secret's own
  Region or one of its replicas. CloudFormation resolves the reference in the stack's Region; elsewhere the deploy
  fails, or (after a replica is removed) every update does.
- Every alarm of a cell acts on a topic the cell's own template creates, never on another Region's or a missing one.
- A FIS experiment of a cell stops on the cell's region-impaired alarm: the one signal the bake, autoshift and
  routing agree on. An experiment that stops on something else runs on while the cell is impaired.
- A container with a read-only root filesystem mounts a writable ``/tmp``: most runtimes write there at start, and a
  task that cannot exits before its health check.
- A cell's HTTPS health checks reach the cell itself: their name resolves to the cell's own load balancer, and its
  certificate covers the name (as it covers every HTTPS name CloudFront reaches it by). A check on another cell's
  name judges the wrong cell; a name off the certificate fails every check.
- ARC's safety rule keeps at least one cell on: an ATLEAST rule with a threshold of 1 or more over every routing
  control of the deployment, so no operator change can turn every cell off.
"""

from __future__ import annotations

import json
from typing import Any

from kickoff.rules.engine import ANY_TYPE, Finding, Resource, TemplateView, literal, props, references
from kickoff.rules.readiness.context import (
    Readiness,
    composite_named,
    dns_covers,
    holds_load_balancer,
    secret_references,
)
from kickoff.rules.readiness.rule import ReadinessRule


def _properties_text(view: TemplateView, readiness: Readiness) -> str:
    """Every resource's Properties of ``view`` as JSON text, once per synth: a cheap first look for the rules below."""
    return readiness.memo(
        f"properties:{view.file}", lambda: json.dumps({k: r.get("Properties") for k, r in view.resources.items()})
    )


def _regions(readiness: Readiness) -> frozenset[str]:
    return readiness.memo("regions", lambda: frozenset(v.region for v in readiness.views))


def _other_regions(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    if not holds_load_balancer(view):
        return None
    others = readiness.memo(  # the other Regions the cell's text names at all, looked up once per template
        f"others:{view.file}",
        lambda: [
            r for r in sorted(_regions(readiness) - {view.region}) if f":{r}:" in _properties_text(view, readiness)
        ],
    )
    if not others:
        return []
    text = json.dumps(props(resource))
    return [
        Finding(f"Region::{other}", f"names a resource of {other} (':{other}:'): the cell would depend on that Region")
        for other in others
        if f":{other}:" in text
    ]


CELL_NAMES_ONLY_ITS_REGION = ReadinessRule(
    "CellNamesOnlyItsRegion",
    "A cell's template names no resource of another Region of the deployment",
    "Derive the cell's names from its own Region (naming.*, Aws.REGION); a value another Region owns belongs in "
    "that Region's cell, or in a global stack every cell reads by name.",
    "AWS Fault Isolation Boundaries: Regional services and static stability",
    frozenset({ANY_TYPE}),
    _other_regions,
)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for child in value.values() for s in _strings(child)]
    if isinstance(value, list):
        return [s for child in value for s in _strings(child)]
    return []


def _secret_regions(readiness: Readiness) -> dict[str, set[str]]:
    """Secret name -> the Regions it is readable in (its own and its replicas'), for the deployment's secrets."""

    def compute() -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for view in readiness.views:
            for secret in view.of_type("AWS::SecretsManager::Secret").values():
                name = literal(props(secret).get("Name"), view)
                if name:
                    replicas = {r.get("Region") for r in props(secret).get("ReplicaRegions") or []}
                    out.setdefault(name, set()).update({view.region, *(r for r in replicas if isinstance(r, str))})
        return out

    return readiness.memo("secret-regions", compute)


def _secret_here(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    if not readiness.memo(
        f"resolves:{view.file}", lambda: "{{resolve:secretsmanager:" in _properties_text(view, readiness)
    ):
        return None
    refs = [r for s in _strings(props(resource)) for r in secret_references(s)]
    if not refs:
        return None
    regions = _secret_regions(readiness)
    return [
        Finding(
            f"Secret::{ref.secret}",
            f"resolves secret {ref.secret} in {view.region}, where it has no replica (readable in "
            f"{', '.join(sorted(regions[ref.secret]))})",
        )
        for ref in {r.secret: r for r in refs}.values()
        if ref.secret in regions and view.region not in regions[ref.secret]
    ]


SECRET_REPLICATED_WHERE_RESOLVED = ReadinessRule(
    "SecretReplicatedWhereResolved",
    "A secret a template resolves by dynamic reference is readable in that template's Region (its own or a replica)",
    "Add the resolving stack's Region to the secret's replica Regions (OriginSecret replicates to every cell Region "
    "and us-east-1); keep a replica while any template resolves it there.",
    "CloudFormation dynamic references: resolved in the stack's Region; Secrets Manager replica secrets",
    frozenset({ANY_TYPE}),
    _secret_here,
)


def _own_topic(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    if not holds_load_balancer(view):
        return None
    actions = props(resource).get("AlarmActions") or []
    topics = view.of_type("AWS::SNS::Topic")
    foreign = [a for a in actions if not (references(a) & set(topics))]
    return [
        Finding(
            "ForeignAction",
            f"acts on {json.dumps(a)[:120]}, not on a topic of this cell's template: the page depends on what "
            "another stack or Region keeps",
        )
        for a in foreign
    ]


ALARM_ACTS_ON_OWN_TOPIC = ReadinessRule(
    "CloudWatchAlarmActsOnOwnTopic",
    "Every alarm of a cell notifies a topic the cell's own template creates",
    "Point the alarm at the cell's AlarmTopic (CellMonitoring passes it to every alarm); a topic elsewhere fails "
    "with its Region, and an ARN to a missing topic pages nobody without an error.",
    "CloudWatch alarm actions: SNS topics in the alarm's Region",
    frozenset({"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"}),
    _own_topic,
)


def _stops_on_impaired(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    name = readiness.params.operations.region_impaired.get(view.region)
    if name is None or not holds_load_balancer(view):
        return None
    composite = composite_named(view, name)
    stops = props(resource).get("StopConditions") or []
    if composite and any(
        s.get("Source") == "aws:cloudwatch:alarm" and composite[0] in references(s.get("Value")) for s in stops
    ):
        return []
    return [Finding("StopCondition", f"the experiment does not stop on {name}: it runs on while the cell is impaired")]


FIS_STOPS_ON_REGION_IMPAIRED = ReadinessRule(
    "FisExperimentStopsOnRegionImpaired",
    "Every FIS experiment of a cell stops on the cell's region-impaired composite alarm",
    "Give the experiment template a stop condition on the cell's region-impaired alarm (FaultInjection does).",
    "AWS FIS stop conditions: CloudWatch alarms stop a running experiment",
    frozenset({"AWS::FIS::ExperimentTemplate"}),
    _stops_on_impaired,
)


def _tmp_writable(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    volumes = {v.get("Name") for v in props(resource).get("Volumes") or []}
    findings = []
    for container in props(resource).get("ContainerDefinitions") or []:
        if container.get("ReadonlyRootFilesystem") is not True:
            continue
        mounts = container.get("MountPoints") or []
        if not any(
            m.get("ContainerPath") == "/tmp" and not m.get("ReadOnly") and m.get("SourceVolume") in volumes
            for m in mounts
        ):
            findings.append(
                Finding(
                    f"Tmp::{container.get('Name')}",
                    f"container {container.get('Name')} has a read-only root filesystem and no writable /tmp",
                )
            )
    return findings


CONTAINER_TMP_WRITABLE = ReadinessRule(
    "EcsReadOnlyContainerHasWritableTmp",
    "A container with a read-only root filesystem mounts a writable /tmp",
    "Mount a task volume at /tmp (read-write) beside readonly_root_filesystem (KickoffService does).",
    "Amazon ECS task definitions: readonlyRootFilesystem, bind mounts on Fargate",
    frozenset({"AWS::ECS::TaskDefinition"}),
    _tmp_writable,
)


def _keeps_one_on(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    p = props(resource)
    config = p.get("RuleConfig") or {}
    asserted = (p.get("AssertionRule") or {}).get("AssertedControls")
    if asserted is None:
        return []  # a gating rule: it guards changes, it does not count cells
    findings = []
    threshold = config.get("Threshold")
    if config.get("Type") != "ATLEAST" or not isinstance(threshold, int) or threshold < 1 or config.get("Inverted"):
        findings.append(Finding("Threshold", f"the assertion is {config}, not ATLEAST with a threshold of 1 or more"))
    controls = set(view.of_type("AWS::Route53RecoveryControl::RoutingControl"))
    missing = sorted(controls - references(asserted))
    if missing:
        findings.append(Finding("Controls", f"the assertion leaves out routing controls {missing}"))
    return findings


SAFETY_RULE_KEEPS_A_CELL_ON = ReadinessRule(
    "RecoveryControlKeepsACellOn",
    "ARC's assertion rule keeps at least one cell on: ATLEAST 1 over every routing control",
    "Assert ATLEAST with a threshold of 1 over every routing control of the cluster (RecoveryControl does).",
    "Route 53 ARC safety rules: assertion rules (ATLEAST, threshold, asserted controls)",
    frozenset({"AWS::Route53RecoveryControl::SafetyRule"}),
    _keeps_one_on,
)


def _served_by_own_cell(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    if resource["Type"] == "AWS::CloudFront::Distribution":
        origins = (props(resource).get("DistributionConfig") or {}).get("Origins") or []
        names = [
            (str(o.get("DomainName")), None)
            for o in origins
            if (o.get("CustomOriginConfig") or {}).get("OriginProtocolPolicy") == "https-only"
        ]
    else:
        config = props(resource).get("HealthCheckConfig") or {}
        if config.get("Type") not in ("HTTPS", "HTTPS_STR_MATCH") or not holds_load_balancer(view):
            return None
        names = [(str(config.get("FullyQualifiedDomainName")), view)]
    findings = []
    for name, own in names:
        albs = readiness.resolve_load_balancers(name)
        if albs is None and own is None:
            continue  # an origin outside the deployment
        if not albs:
            findings.append(Finding(f"Unresolved::{name}", f"{name} resolves to no load balancer of the deployment"))
            continue
        for alb in albs:
            if own is not None and alb.view.file != own.file:
                findings.append(
                    Finding(
                        f"OtherCell::{name}",
                        f"{name} resolves to {alb.where}, another cell's load balancer: this cell's check judges that "
                        "cell",
                    )
                )
            for listener in readiness.listeners(alb, 443):
                covered = readiness.listener_certificate_names(listener)
                if covered is not None and not any(dns_covers(c, name) for c in covered):
                    findings.append(
                        Finding(
                            f"Certificate::{name}",
                            f"the certificate of {alb.where} does not cover {name}: TLS to it fails on the name",
                        )
                    )
    return findings


NAME_SERVED_BY_ITS_CELL = ReadinessRule(
    "Route53CheckedNameServedByItsCell",
    "A cell's HTTPS health checks target a name that resolves to that cell's own load balancer, and every "
    "HTTPS name a check or CloudFront reaches is covered by that load balancer's certificate",
    "Point the cell's checks at its own origin name (naming.cell_origin_name) and list every origin name on the "
    "cell's certificate (LoadBalancer takes them from CellRouting).",
    "Route 53 HTTPS health checks with SNI; CloudFront custom origins over HTTPS: the certificate must match the "
    "origin's domain name",
    frozenset({"AWS::Route53::HealthCheck", "AWS::CloudFront::Distribution"}),
    _served_by_own_cell,
)

RULES: tuple[ReadinessRule, ...] = (
    NAME_SERVED_BY_ITS_CELL,
    CELL_NAMES_ONLY_ITS_REGION,
    SECRET_REPLICATED_WHERE_RESOLVED,
    ALARM_ACTS_ON_OWN_TOPIC,
    FIS_STOPS_ON_REGION_IMPAIRED,
    CONTAINER_TMP_WRITABLE,
    SAFETY_RULE_KEEPS_A_CELL_ON,
)
