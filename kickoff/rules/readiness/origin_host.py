"""No origin receives the viewer's Host header unless every origin certificate covers every viewer name.

CloudFront's TLS handshake to a custom origin checks the origin's certificate against the Host it sends, and fails
with a 502 otherwise. A behaviour sends Host when its cache policy puts it in the key (everything in the key is
forwarded) or its origin request policy forwards it. The managed policies are tabled from AWS's docs in
docs/reference/cloudfront-policies.md.
"""

from __future__ import annotations

from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props
from kickoff.rules.readiness.context import Readiness, dns_covers
from kickoff.rules.readiness.edge import DISTRIBUTION, behaviors, custom_origin, policy_in_template
from kickoff.rules.readiness.rule import ReadinessRule

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
        policy = policy_in_template(view, cache_id, "AWS::CloudFront::CachePolicy")
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
    policy = policy_in_template(view, request_id, "AWS::CloudFront::OriginRequestPolicy")
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
        custom = [o for o in behavior.origins if custom_origin(o)]
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


RULES: tuple[ReadinessRule, ...] = (ORIGIN_HOST,)
