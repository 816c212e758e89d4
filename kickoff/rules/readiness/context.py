"""What the deploy-readiness rules know: the config's expectations, and every template of the deployment.

Rules in this pack often look across stacks: a CloudFront origin is a DNS name that a cell's
Route 53 records resolve to that cell's ALB; a name is unique only if no other stack claims
it. ``Readiness`` holds all the views and answers those questions once per synth.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from kickoff.rules.engine import Resource, TemplateView, literal, props, references, tags
from kickoff.scaling.model import EventForecast


@dataclass(frozen=True)
class RegionQuotas:
    """Declared Service Quotas of one Region (config ``regions[].quotas``)."""

    fargate_vcpu: float
    dynamodb_table_read_units: int
    dynamodb_table_write_units: int
    alb_targets: int | None = None
    targets_per_target_group: int | None = None
    network_interfaces: int | None = None
    other_network_interfaces: int = 0  # the cell's interfaces that are not tasks (endpoints, NAT, ALB nodes)


@dataclass(frozen=True)
class EventWindowFacts:
    """An event window of the calendar: its events, first step and restore step (UTC)."""

    event_ids: tuple[str, ...]
    start: datetime
    restore: datetime


@dataclass(frozen=True)
class OperationsFacts:
    """What the config says the operations layer holds: the release's canary and bake, the cells' region-impaired
    alarms and canaries, and zonal autoshift. Empty (the default) leaves the operations rules nothing to check.

    Fields:
        canary_region: the Region the pipeline deploys alone in its first cell wave and bakes (None: no pipeline).
        bake_minutes: how long the bake watches the canary Region's region-impaired alarm.
        freeze_command: what a deploying stage's freeze check runs.
        region_impaired: routed cell Region -> its composite alarm's name (the bake, FIS and autoshift read it).
        canaries: probed name (a cell Region, or ``viewer``) -> the canary probing it, in every cell Region.
        divergence_alarms: cell Region -> the name of its own-Region divergence alarm (no canaries: empty).
        zonal_autoshift: whether every cell ALB has zonal autoshift on.
        blocked_windows: the weekly windows autoshift practice runs must avoid (the calendar's events).
    """

    canary_region: str | None = None
    bake_minutes: int = 0
    freeze_command: str = "kickoff deploy-window"
    region_impaired: Mapping[str, str] = field(default_factory=dict)
    canaries: Mapping[str, str] = field(default_factory=dict)
    divergence_alarms: Mapping[str, str] = field(default_factory=dict)
    zonal_autoshift: bool = False
    blocked_windows: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiveChannelFacts:
    """One live channel as config declares it (``live.channels[]``)."""

    name: str
    medialive_name: str
    ingest_regions: tuple[str, ...]
    events: tuple[str, ...]
    start_lead_minutes: int


@dataclass(frozen=True)
class LiveFacts:
    """What the config says the live signal holds. Empty (the default) leaves the live rules nothing to check.

    Fields:
        channels: the live channels.
        path_prefix: where the edge serves them (``/live``).
        production: production needs two ingest Regions per channel.
        agent_rate_minutes: how often each Region's agent runs, so how late after its lead it may start a channel.
        events: the calendar's events (the channel schedules must cover those they serve).
        quotas: Region -> declared live quotas (``regions[].quotas`` field -> value).
    """

    channels: tuple[LiveChannelFacts, ...] = ()
    path_prefix: str = ""
    production: bool = False
    agent_rate_minutes: int = 5
    events: tuple[EventForecast, ...] = ()
    quotas: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadinessParams:
    """Expectations that come from config and the capacity plan, not from the templates.

    Fields:
        deploy_time: the time the synth assumes it is deployed (``-c plan_from``, default now).
        earliest_action: deploy_time plus the deploy margin; no schedule may lie before it.
        horizon_end: the end of the planning window.
        quotas: Region -> declared quotas.
        service_methods: service name -> HTTP methods it accepts.
        event_windows: the calendar's windows that meet [earliest_action, horizon_end).
        planned_regions: Regions whose cells get pre-scaling (routed cells).
        registry_path: the SSM path services register under with the capacity agent (None: no agent).
        shared_ip_viewers: viewers the WAF's per-IP limit must admit behind one address.
        requests_per_viewer: rate-limit window (s) -> requests one arriving viewer sends in it.
        max_scheduled_actions: Application Auto Scaling's scheduled actions per scalable target.
        config_fields: where config values that shape resources are set, for findings they cause.
    """

    deploy_time: datetime
    earliest_action: datetime
    horizon_end: datetime
    quotas: Mapping[str, RegionQuotas]
    service_methods: Mapping[str, tuple[str, ...]]
    event_windows: tuple[EventWindowFacts, ...] = ()
    planned_regions: frozenset[str] = frozenset()
    registry_path: str | None = None
    shared_ip_viewers: int = 0
    requests_per_viewer: Mapping[int, float] = field(default_factory=dict)
    max_scheduled_actions: int = 200
    # The managed policy every IAM role must carry as its permissions boundary (None: not required).
    permissions_boundary: str | None = None
    # Where a config value that shapes a resource is set: key (``behavior:/api/*``) -> ``file:line: path``.
    config_fields: Mapping[str, str] = field(default_factory=dict)
    # What the operations layer must hold (kickoff.rules.readiness.release and .operations).
    operations: OperationsFacts = field(default_factory=OperationsFacts)
    # What the live signal must hold (kickoff.rules.readiness.live and .live_resources).
    live: LiveFacts = field(default_factory=LiveFacts)

    def set_by(self, key: str) -> str:
        """`` (set by <file:line: field>)`` for a finding ``key``'s config value causes, else empty."""
        where = self.config_fields.get(key)
        return f" (set by {where})" if where else ""


def composite_named(view: TemplateView, name: str) -> tuple[str, Resource] | None:
    """The composite alarm of ``view`` whose name is ``name`` (logical ID, resource), if the template defines it."""
    for logical_id, composite in view.of_type("AWS::CloudWatch::CompositeAlarm").items():
        if literal(props(composite).get("AlarmName"), view) == name:
            return logical_id, composite
    return None


def holds_load_balancer(view: TemplateView) -> bool:
    """Whether ``view`` is a cell's template: the one stack of a Region that holds its load balancer."""
    return bool(view.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"))


@dataclass(frozen=True)
class Located:
    """A resource and the template it is in."""

    view: TemplateView
    logical_id: str
    resource: Resource

    @property
    def where(self) -> str:
        return f"{self.view.stack}/{self.logical_id}"


_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_SECRET_REF = re.compile(r"\{\{resolve:secretsmanager:([^:}]+):SecretString:([^:}]*):([^:}]*):([^:}]*)\}\}")


def parse_at(expression: Any) -> datetime | None:
    """The UTC instant of an ``at(yyyy-mm-ddThh:mm:ss)`` schedule expression, else None."""
    match = _AT.match(expression) if isinstance(expression, str) else None
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC) if match else None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 StartTime/StartDate (UTC when no zone is given), else None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SecretReference:
    """A ``{{resolve:secretsmanager:...}}`` reference: which secret, and which version it pins."""

    text: str
    secret: str
    json_key: str
    stage: str
    version_id: str

    @property
    def pins_version(self) -> bool:
        return bool(self.version_id)

    @property
    def label(self) -> str:
        return self.version_id or self.stage or "AWSCURRENT"


def secret_references(value: Any) -> list[SecretReference]:
    """Every Secrets Manager dynamic reference in a string value."""
    if not isinstance(value, str):
        return []
    return [
        SecretReference(m.group(0), m.group(1), m.group(2), m.group(3), m.group(4)) for m in _SECRET_REF.finditer(value)
    ]


def rewritten_path(path: str, rule: Mapping[str, Any]) -> str:
    """``path`` after a listener rule's URL rewrites (``Transforms`` of type url-rewrite), which the ALB applies
    after the rule's conditions match and before it forwards; ``$n`` in a replacement is a capture group."""
    for transform in rule.get("Transforms") or []:
        if transform.get("Type") != "url-rewrite":
            continue
        for rewrite in (transform.get("UrlRewriteConfig") or {}).get("Rewrites", []):
            pattern, replace = rewrite.get("Regex"), rewrite.get("Replace")
            if isinstance(pattern, str) and isinstance(replace, str) and re.search(pattern, path):
                path = re.sub(pattern, re.sub(r"\$(\d+)", r"\\\1", replace), path, count=1)
    return path


def dns_covers(certificate_name: str, host: str) -> bool:
    """Whether a certificate name (maybe ``*.`` wildcard) covers ``host`` (one label per wildcard)."""
    cert, host = certificate_name.lower().rstrip("."), host.lower().rstrip(".")
    if cert.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == cert[2:]
    return cert == host


class Readiness:
    """The context every deploy-readiness check receives: params plus every view of the deployment."""

    def __init__(self, params: ReadinessParams, views: list[TemplateView]) -> None:
        self.params = params
        self.views = views
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per synth: indexes that several resources' checks share."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def all_of_type(self, resource_type: str) -> Iterator[Located]:
        for view in self.views:
            for logical_id, resource in view.of_type(resource_type).items():
                yield Located(view, logical_id, resource)

    # --- DNS: what a name resolves to across the deployment's records ---------------------

    @cached_property
    def _records(self) -> dict[str, list[Located]]:
        out: dict[str, list[Located]] = {}
        for found in self.all_of_type("AWS::Route53::RecordSet"):
            name = props(found.resource).get("Name")
            if isinstance(name, str):
                out.setdefault(name.lower().rstrip("."), []).append(found)
        return out

    def resolve_load_balancers(self, name: str, depth: int = 0) -> list[Located] | None:
        """The load balancers ``name`` can resolve to, following CNAMEs and aliases through every
        template; None when the deployment has no record for it (an origin outside the deployment)."""
        records = self._records.get(name.lower().rstrip("."))
        if records is None or depth > 8:
            return None
        found: list[Located] = []
        for record in records:
            p = props(record.resource)
            alias = p.get("AliasTarget")
            if alias:
                for logical_id in references(alias.get("DNSName")):
                    target = record.view.resources.get(logical_id)
                    if target and target["Type"] == "AWS::ElasticLoadBalancingV2::LoadBalancer":
                        found.append(Located(record.view, logical_id, target))
            elif p.get("Type") == "CNAME":
                for value in p.get("ResourceRecords", []):
                    if isinstance(value, str):
                        found.extend(self.resolve_load_balancers(value, depth + 1) or [])
        unique = {(f.view.file, f.logical_id): f for f in found}
        return list(unique.values())

    # --- ALB listeners and rules ---------------------------------------------------------

    def listeners(self, alb: Located, port: int) -> list[Located]:
        return [
            Located(alb.view, lid, res)
            for lid, res in alb.view.of_type("AWS::ElasticLoadBalancingV2::Listener").items()
            if alb.logical_id in references(props(res).get("LoadBalancerArn")) and props(res).get("Port") == port
        ]

    def listener_rules(self, listener: Located) -> list[Located]:
        rules = [
            Located(listener.view, lid, res)
            for lid, res in listener.view.of_type("AWS::ElasticLoadBalancingV2::ListenerRule").items()
            if listener.logical_id in references(props(res).get("ListenerArn"))
        ]
        return sorted(rules, key=lambda r: int(props(r.resource).get("Priority", 0)))

    def target_group_services(self, view: TemplateView, actions: Any) -> set[str]:
        """What a rule's forward actions reach: each target group's ``service`` tag, or its logical ID."""
        services = set()
        for logical_id in references(actions):
            group = view.resources.get(logical_id)
            if group and group["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup":
                service = tags(props(group).get("Tags")).get("service")
                services.add(service if isinstance(service, str) else logical_id)
        return services

    # --- certificates --------------------------------------------------------------------

    def listener_certificate_names(self, listener: Located) -> list[str] | None:
        """The names the listener's certificates cover; None when a certificate is not in the template."""
        names: list[str] = []
        for entry in props(listener.resource).get("Certificates", []):
            ids = references(entry.get("CertificateArn"))
            certificates = [listener.view.resources.get(i) for i in ids]
            if not ids or any(c is None or c["Type"] != "AWS::CertificateManager::Certificate" for c in certificates):
                return None
            for certificate in certificates:
                p = props(certificate)
                for name in [p.get("DomainName"), *p.get("SubjectAlternativeNames", [])]:
                    value = literal(name, listener.view)
                    if value:
                        names.append(value)
        return names
