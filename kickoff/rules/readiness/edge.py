"""The request path from viewer to service: what CloudFront really sends, and who answers it.

- No origin receives the viewer's Host header unless every origin certificate covers every
  viewer name: CloudFront's TLS handshake to a custom origin checks the origin's
  certificate against the Host it sends, and fails with a 502 otherwise.
- Every behaviour's path reaches a service (a forwarding ALB rule whose conditions what
  CloudFront sends satisfies), and allows exactly the method set of what it reaches.
- A secret both sides resolve from Secrets Manager is referenced so that a rotation
  changes the sender's template (CloudFormation resolves a reference again only when its
  text changes), and every receiver accepts what the sender sends.

The managed policies' headers, cookies and query strings are tabled from AWS's docs in
docs/reference/cloudfront-policies.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props, references
from kickoff.rules.readiness.context import Located, Readiness, dns_covers, secret_references
from kickoff.rules.readiness.rule import ReadinessRule
from kickoff.web import DEFAULT_PATH_PATTERN, WRITE_METHODS, cloudfront_method_set, path_pattern_matches, pattern_covers

DISTRIBUTION = "AWS::CloudFront::Distribution"

# AWS managed cache policies: the headers and cookies in their cache keys ("*" = all).
MANAGED_CACHE_KEY_HEADERS: dict[str, frozenset[str]] = {
    "658327ea-f89d-4fab-a63d-7e88639e58f6": frozenset(),  # CachingOptimized
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": frozenset(),  # CachingOptimizedForUncompressedObjects
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": frozenset(),  # CachingDisabled
    "08627262-05a9-4f76-9ded-b50ca2e3a84f": frozenset({"origin"}),  # Elemental-MediaPackage
    "2e54312d-136d-493c-8eb9-b001f22f67d2": frozenset(
        {"authorization", "cloudfront-viewer-country", "host"}
    ),  # Amplify
    "83da9c7e-98b4-4e11-a168-04f0df8e2c65": frozenset(  # UseOriginCacheControlHeaders
        {"host", "origin", "x-http-method-override", "x-http-method", "x-method-override"}
    ),
    "4cc15a8a-d715-48a4-82b8-cc0b614638fe": frozenset(  # UseOriginCacheControlHeaders-QueryStrings
        {"host", "origin", "x-http-method-override", "x-http-method", "x-method-override"}
    ),
}
# AWS managed origin request policies: whether they forward the viewer's Host header.
MANAGED_REQUEST_POLICY_SENDS_HOST: dict[str, bool] = {
    "216adef6-5c7f-47e4-b989-5492eafa07d3": True,  # AllViewer
    "33f36d7e-f396-46d9-90e0-52428a34d9dc": True,  # AllViewerAndCloudFrontHeaders-2022-06
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": False,  # AllViewerExceptHostHeader
    "59781a5b-3903-41f3-afcb-af62929ccde1": False,  # CORS-CustomOrigin
    "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": False,  # CORS-S3Origin
    "775133bc-15f2-49f9-abea-afb2e0bf67d2": False,  # Elemental-MediaTailor-PersonalizedManifests
    "acba4595-bd28-49b8-b9fe-13317c0390fa": False,  # UserAgentRefererHeaders
    "bf0718e1-ba1e-49d1-88b1-f726733018ae": True,  # HostHeaderOnly
}


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


def _custom(origin: dict[str, Any]) -> bool:
    return "CustomOriginConfig" in origin


# --- Host header ------------------------------------------------------------------------------


def _policy_in_template(view: TemplateView, value: Any, resource_type: str) -> dict[str, Any] | None:
    for logical_id in references(value):
        policy = view.resources.get(logical_id)
        if policy and policy["Type"] == resource_type:
            return props(policy)
    return None


def sends_host(view: TemplateView, behavior: dict[str, Any]) -> bool | None:
    """Whether the behaviour sends the viewer's Host to the origin (None: a policy we cannot read)."""
    forwarded = behavior.get("ForwardedValues")
    if forwarded is not None:
        headers = {h.lower() for h in forwarded.get("Headers", [])}
        return "host" in headers or "*" in headers
    cache_id = behavior.get("CachePolicyId")
    if isinstance(cache_id, str) and cache_id in MANAGED_CACHE_KEY_HEADERS:
        in_key = "host" in MANAGED_CACHE_KEY_HEADERS[cache_id]
    else:
        policy = _policy_in_template(view, cache_id, "AWS::CloudFront::CachePolicy")
        if policy is None:
            return None
        headers = ((policy.get("CachePolicyConfig") or {}).get("ParametersInCacheKeyAndForwardedToOrigin") or {}).get(
            "HeadersConfig"
        ) or {}
        in_key = headers.get("HeaderBehavior") == "whitelist" and "host" in {
            h.lower() for h in headers.get("Headers", [])
        }
    if in_key:
        return True
    request_id = behavior.get("OriginRequestPolicyId")
    if request_id is None:
        return False
    if isinstance(request_id, str) and request_id in MANAGED_REQUEST_POLICY_SENDS_HOST:
        return MANAGED_REQUEST_POLICY_SENDS_HOST[request_id]
    policy = _policy_in_template(view, request_id, "AWS::CloudFront::OriginRequestPolicy")
    if policy is None:
        return None
    headers = (policy.get("OriginRequestPolicyConfig") or {}).get("HeadersConfig") or {}
    listed = {h.lower() for h in headers.get("Headers", [])}
    kind = headers.get("HeaderBehavior")
    return (
        kind in ("allViewer", "allViewerAndWhitelistCloudFront")
        or (kind == "whitelist" and "host" in listed)
        or (kind == "allExcept" and "host" not in listed)
    )


def _origin_certificate_names(readiness: Readiness, domain: str) -> list[str] | None:
    """Names covered by every certificate the origin's ALBs present on 443 (None: not in the deployment)."""
    albs = readiness.resolve_load_balancers(domain)
    if not albs:
        return None
    covered: set[str] | None = None
    for alb in albs:
        for listener in readiness.listeners(alb, 443):
            names = readiness.listener_certificate_names(listener)
            if names is None:
                return None
            covered = set(names) if covered is None else covered & set(names)
    return sorted(covered or ())


def _host_header(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    aliases = [
        a for a in (literal(a, view) for a in props(resource).get("DistributionConfig", {}).get("Aliases", [])) if a
    ]
    findings = []
    for behavior in behaviors(resource):
        custom = [o for o in behavior.origins if _custom(o)]
        if not custom:
            continue
        host = sends_host(view, behavior.config)
        if host is None:
            findings.append(
                Finding(
                    f"Behavior::{behavior.path}",
                    f"behaviour {behavior.path} uses a cache or origin request "
                    "policy whose headers cannot be read from the templates",
                )
            )
            continue
        if not host:
            continue
        for origin in custom:
            domain = str(origin.get("DomainName"))
            names = _origin_certificate_names(readiness, domain) or []
            uncovered = [a for a in aliases if not any(dns_covers(n, a) for n in names)] or (
                [] if aliases else ["(viewer names)"]
            )
            if uncovered:
                findings.append(
                    Finding(
                        f"Behavior::{behavior.path}::{domain}",
                        f"behaviour {behavior.path} sends the viewer's Host to {domain}, whose certificate does not "
                        "cover "
                        f"{', '.join(uncovered)}: CloudFront's TLS handshake to the origin fails (502)",
                    )
                )
    return findings


ORIGIN_HOST = ReadinessRule(
    "CloudFrontOriginHostHeader",
    "No custom origin receives the viewer's Host unless every origin certificate covers every viewer name",
    "Use a cache policy without Host in its key (origin_cache_control, or a managed policy without Host) and the "
    "AllViewerExceptHostHeader origin request policy; everything in the cache key is sent to the origin.",
    "CloudFront developer guide: cache key settings are forwarded to the origin; origin TLS name matching",
    frozenset({DISTRIBUTION}),
    _host_header,
)


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
            if not _custom(origin):
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
            served = serving_services(readiness, behavior.path, origin, behavior.methods) if _custom(origin) else None
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

RULES: tuple[ReadinessRule, ...] = (ORIGIN_HOST, PATH_SERVED, METHODS_MATCH, SECRET_ROTATION)
