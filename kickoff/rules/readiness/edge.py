"""The request path from viewer to service: what CloudFront really sends, and who answers it.

- Every behaviour's path reaches a service (a forwarding ALB rule whose conditions what
  CloudFront sends satisfies), and allows exactly the method set of what it reaches.
- A secret both sides resolve from Secrets Manager is referenced so that a rotation
  changes the sender's template (CloudFormation resolves a reference again only when its
  text changes), and every receiver accepts what the sender sends.

The viewer's Host header is kickoff.rules.readiness.origin_host's; the managed policies' headers, cookies and
query strings are tabled from AWS's docs in docs/reference/cloudfront-policies.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, props, references
from kickoff.rules.readiness.context import Located, Readiness, secret_references
from kickoff.rules.readiness.rule import ReadinessRule
from kickoff.web import DEFAULT_PATH_PATTERN, WRITE_METHODS, cloudfront_method_set, path_pattern_matches, pattern_covers

DISTRIBUTION = "AWS::CloudFront::Distribution"


@dataclass(frozen=True)
class Behavior:
    """One cache behaviour of a distribution, with the origins it can send to."""

    path: str
    config: dict[str, Any]
    origins: tuple[dict[str, Any], ...]
    group: bool

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self.config.get("AllowedMethods") or ("GET", "HEAD"))


def behaviors(resource: Resource) -> list[Behavior]:
    """The default and the ordered cache behaviours of a distribution."""
    config = props(resource).get("DistributionConfig", {})
    origins = {o.get("Id"): o for o in config.get("Origins", [])}
    groups = {
        g.get("Id"): [m.get("OriginId") for m in (g.get("Members") or {}).get("Items", [])]
        for g in (config.get("OriginGroups") or {}).get("Items", [])
    }
    out = []
    entries = [(DEFAULT_PATH_PATTERN, config.get("DefaultCacheBehavior") or {})]
    entries += [(b.get("PathPattern", ""), b) for b in config.get("CacheBehaviors", [])]
    for path, behavior in entries:
        target = behavior.get("TargetOriginId")
        members = groups.get(target, [target])
        path = path if path.startswith("/") or path == "*" else "/" + path
        out.append(
            Behavior(
                DEFAULT_PATH_PATTERN if path == "*" else path,
                behavior,
                tuple(origins[m] for m in members if m in origins),
                target in groups,
            )
        )
    return out


def custom_origin(origin: dict[str, Any]) -> bool:
    return "CustomOriginConfig" in origin


def policy_in_template(view: TemplateView, value: Any, resource_type: str) -> dict[str, Any] | None:
    """The properties of the ``resource_type`` a behaviour's policy ID references in ``view`` (None: a managed
    policy, or one not in this template)."""
    for logical_id in references(value):
        policy = view.resources.get(logical_id)
        if policy and policy["Type"] == resource_type:
            return props(policy)
    return None


# --- paths served, methods allowed ------------------------------------------------------------


def _sent_headers(origin: dict[str, Any]) -> dict[str, str]:
    return {
        str(h.get("HeaderName", "")).lower(): str(h.get("HeaderValue")) for h in origin.get("OriginCustomHeaders", [])
    }


def _conditions_met(
    conditions: list[dict[str, Any]], path: str, origin: dict[str, Any]
) -> tuple[bool, set[str] | None]:
    """Whether every request CloudFront sends for ``path`` meets the conditions; the methods they restrict to."""
    sent = _sent_headers(origin)
    methods: set[str] | None = None
    for condition in conditions:
        field = condition.get("Field")
        if field == "path-pattern":
            values = (condition.get("PathPatternConfig") or {}).get("Values") or condition.get("Values") or []
            if not any(pattern_covers(v, path) for v in values):
                return False, None
        elif field == "http-header":
            config = condition.get("HttpHeaderConfig") or {}
            value = sent.get(str(config.get("HttpHeaderName", "")).lower())
            if value is None or not any(path_pattern_matches(v, value) or v == value for v in config.get("Values", [])):
                return False, None
        elif field == "host-header":
            values = (condition.get("HostHeaderConfig") or {}).get("Values") or condition.get("Values") or []
            if not any(path_pattern_matches(v.lower(), str(origin.get("DomainName", "")).lower()) for v in values):
                return False, None
        elif field == "http-request-method":
            methods = {m.upper() for m in (condition.get("HttpRequestMethodConfig") or {}).get("Values", [])}
        else:  # source-ip, query-string: CloudFront's requests cannot be shown to meet them
            return False, None
    return True, methods


def _forwards(actions: list[dict[str, Any]]) -> bool:
    return any(a.get("Type") == "forward" for a in actions)


def serving_services(
    readiness: Readiness, path: str, origin: dict[str, Any], methods: tuple[str, ...]
) -> dict[str, set[str]] | None:
    """ALB (stack/logical ID) -> services that serve every request with ``methods`` for ``path`` through
    ``origin`` (empty: the listener's default answers); None when the origin is outside the deployment."""
    albs = readiness.resolve_load_balancers(str(origin.get("DomainName", "")))
    if albs is None:
        return None
    policy = (origin.get("CustomOriginConfig") or {}).get("OriginProtocolPolicy", "match-viewer")
    port = (
        int((origin.get("CustomOriginConfig") or {}).get("HTTPSPort", 443))
        if policy != "http-only"
        else int((origin.get("CustomOriginConfig") or {}).get("HTTPPort", 80))
    )
    out: dict[str, set[str]] = {}
    for alb in albs:
        served: set[str] = set()
        for listener in readiness.listeners(alb, port):
            rules = readiness.listener_rules(listener)
            for rule in rules:
                p = props(rule.resource)
                met, only = _conditions_met(p.get("Conditions", []), path, origin)
                if met and only is not None and not set(methods) <= only:
                    continue  # serves some methods only; the others fall through
                if met:  # the first matching rule answers, whatever its action
                    if _forwards(p.get("Actions", [])):
                        served |= readiness.target_group_services(rule.view, p.get("Actions"))
                    break
            else:
                defaults = props(listener.resource).get("DefaultActions", [])
                if _forwards(defaults):
                    served |= readiness.target_group_services(listener.view, defaults)
        out[alb.where] = served
    return out


def _path_served(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    findings = []
    for behavior in behaviors(resource):
        for origin in behavior.origins:
            if not custom_origin(origin):
                continue
            served = serving_services(readiness, behavior.path, origin, behavior.methods)
            if served is None:
                continue
            for alb, services in served.items():
                if not services:
                    findings.append(
                        Finding(
                            f"Behavior::{behavior.path}::{origin.get('DomainName')}",
                            f"behaviour {behavior.path} reaches {alb} through {origin.get('DomainName')}, where no "
                            "forwarding "
                            "rule matches every request CloudFront sends for that path (path and required headers): "
                            "the "
                            "listener's default action answers",
                        )
                    )
    return findings


PATH_SERVED = ReadinessRule(
    "CloudFrontBehaviorPathServed",
    "Every cache behaviour's path reaches a service on every origin it can use",
    "Route the path to a service (services[].path_patterns), make the behaviour's origin send the headers the "
    "listener rules require, or remove the behaviour.",
    "Elastic Load Balancing: listener rules are evaluated in priority order, then the default action",
    frozenset({DISTRIBUTION}),
    _path_served,
)


def _methods(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    declared = readiness.params.service_methods
    findings = []
    for behavior in behaviors(resource):
        if behavior.group and set(behavior.methods) & WRITE_METHODS:
            findings.append(
                Finding(
                    f"Behavior::{behavior.path}::OriginGroup",
                    f"behaviour {behavior.path} allows writes with an origin group, which CloudFront "
                    "rejects (origin failover covers GET, HEAD and OPTIONS only)",
                )
            )
        wanted: set[str] = set()
        known = False
        for origin in behavior.origins:
            served = (
                serving_services(readiness, behavior.path, origin, behavior.methods) if custom_origin(origin) else None
            )
            for services in (served or {}).values():
                for service in services:
                    if service in declared:
                        wanted |= set(declared[service])
                        known = True
        if not known:
            continue
        expected = cloudfront_method_set(wanted)
        if set(behavior.methods) != set(expected):
            findings.append(
                Finding(
                    f"Behavior::{behavior.path}",
                    f"behaviour {behavior.path} allows {', '.join(behavior.methods)}; the services it "
                    f"reaches accept {', '.join(sorted(wanted))}, so it should allow {', '.join(expected)}",
                )
            )
    return findings


METHODS_MATCH = ReadinessRule(
    "CloudFrontBehaviorMethods",
    "Every cache behaviour allows exactly the method set of the services it reaches, and no origin group allows writes",
    "Declare the methods in services[].methods; Kickoff derives each behaviour's method set, and uses the primary "
    "origin only for services that accept writes.",
    "CloudFront developer guide: AllowedMethods sets; origin groups fail over GET, HEAD and OPTIONS only",
    frozenset({DISTRIBUTION}),
    _methods,
)


# --- secret references that follow a rotation ---------------------------------------------------


def _receivers(readiness: Readiness) -> list[tuple[Located, str, list[Any]]]:
    """Listener rules that require a header holding secret references: (rule, header name, references)."""

    def build() -> list[tuple[Located, str, list[Any]]]:
        out = []
        for rule in readiness.all_of_type("AWS::ElasticLoadBalancingV2::ListenerRule"):
            for condition in props(rule.resource).get("Conditions", []):
                config = condition.get("HttpHeaderConfig") or {}
                refs = [r for v in config.get("Values", []) for r in secret_references(v)]
                if refs:
                    out.append((rule, str(config.get("HttpHeaderName", "")).lower(), refs))
        return out

    return readiness.memo("secret-receivers", build)


def _reached_rules(readiness: Readiness, origin: dict[str, Any]) -> set[tuple[str, str]] | None:
    """(template, logical ID) of the listener rules the origin's ALBs hold; None when it resolves to none."""
    albs = readiness.resolve_load_balancers(str(origin.get("DomainName", "")))
    if not albs:
        return None
    return {
        (rule.view.file, rule.logical_id)
        for alb in albs
        for port in (443, 80)
        for listener in readiness.listeners(alb, port)
        for rule in readiness.listener_rules(listener)
    }


def _rotation(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    config = props(resource).get("DistributionConfig", {})
    findings: dict[str, Finding] = {}
    applies = False
    for origin in config.get("Origins", []):
        reached = _reached_rules(readiness, origin)
        for header in origin.get("OriginCustomHeaders", []):
            name = str(header.get("HeaderName", "")).lower()
            for ref in secret_references(header.get("HeaderValue")):
                applies = True
                receivers = [
                    (rule, refs)
                    for rule, h, refs in _receivers(readiness)
                    if h == name
                    and ref.secret in {r.secret for r in refs}
                    and (reached is None or (rule.view.file, rule.logical_id) in reached)
                ]
                refusing = sorted(
                    {rule.view.stack for rule, refs in receivers if ref.text not in {r.text for r in refs}}
                )
                if refusing:
                    findings[f"Header::{name}::Accepted"] = Finding(
                        f"Header::{name}::Accepted",
                        f"CloudFront sends {name} = {ref.label} of {ref.secret}, which {', '.join(refusing)} do not "
                        "accept: every request there gets the listener default",
                    )
                rotating = any(r.label != ref.label for _, refs in receivers for r in refs)
                if rotating and not ref.pins_version:
                    findings[f"Header::{name}::Pinned"] = Finding(
                        f"Header::{name}::Pinned",
                        f"the cells accept several versions of {ref.secret} (a rotation), but CloudFront's reference "
                        f"names the staging label {ref.label}: its text does not change when the secret rotates, so "
                        "CloudFormation keeps sending the value it resolved last",
                    )
    return list(findings.values()) if applies else None


SECRET_ROTATION = ReadinessRule(
    "SecretReferenceFollowsRotation",
    "A secret CloudFront sends is pinned by version during a rotation and accepted by every cell",
    "Pin the version CloudFront sends (edge.origin_secret.version, a VersionId) and let the cells accept it and the "
    "previous one (previous_version), as docs/runbooks/rotate-origin-secret.md describes.",
    "CloudFormation dynamic references are resolved again only when the reference changes",
    frozenset({DISTRIBUTION}),
    _rotation,
)

RULES: tuple[ReadinessRule, ...] = (PATH_SERVED, METHODS_MATCH, SECRET_ROTATION)
