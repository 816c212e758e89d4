"""Whatever the origin receives that identifies a viewer is in the cache key, or the behaviour does not cache.

CloudFront caches by the cache key alone. An origin request policy can send the origin more than the key holds
(every cookie, every viewer header), and the origin may answer with something personal to that viewer; if the
behaviour caches, the next viewer with the same key gets it. So, per behaviour that can cache (a cache policy
whose maximum TTL is above 0):

- no cookie reaches the origin that the key does not hold;
- no viewer header that carries identity or credentials (Authorization, Proxy-Authorization, X-Api-Key,
  X-Amz-Security-Token, Cookie) reaches it outside the key, and no policy forwards every viewer header.

A behaviour that must see the viewer's identity uses a policy that caches nothing (CachingDisabled).
"""

from __future__ import annotations

from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.edge import DISTRIBUTION, behaviors, policy_in_template
from kickoff.rules.readiness.rule import ReadinessRule

IDENTITY_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "x-amz-security-token", "cookie"})
ALL = "all"

# AWS managed cache policies (docs/reference/cloudfront-policies.md): maximum TTL, cookies and headers in the key.
MANAGED_CACHE: dict[str, tuple[int, str | frozenset[str], frozenset[str]]] = {
    "658327ea-f89d-4fab-a63d-7e88639e58f6": (31_536_000, frozenset(), frozenset()),  # CachingOptimized
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": (31_536_000, frozenset(), frozenset()),  # ...ForUncompressedObjects
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": (0, frozenset(), frozenset()),  # CachingDisabled
    "08627262-05a9-4f76-9ded-b50ca2e3a84f": (31_536_000, frozenset(), frozenset({"origin"})),  # Elemental-MediaPackage
    "2e54312d-136d-493c-8eb9-b001f22f67d2": (  # Amplify
        600,
        ALL,
        frozenset({"authorization", "cloudfront-viewer-country", "host"}),
    ),
    "83da9c7e-98b4-4e11-a168-04f0df8e2c65": (
        31_536_000,
        ALL,
        frozenset({"host", "origin"}),
    ),  # UseOriginCacheControl...
    "4cc15a8a-d715-48a4-82b8-cc0b614638fe": (31_536_000, ALL, frozenset({"host", "origin"})),  # ...-QueryStrings
}
# AWS managed origin request policies: cookies forwarded, and viewer headers forwarded (ALL: every one).
MANAGED_REQUEST: dict[str, tuple[str | frozenset[str], str | frozenset[str]]] = {
    "216adef6-5c7f-47e4-b989-5492eafa07d3": (ALL, ALL),  # AllViewer
    "33f36d7e-f396-46d9-90e0-52428a34d9dc": (ALL, ALL),  # AllViewerAndCloudFrontHeaders-2022-06
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": (ALL, ALL),  # AllViewerExceptHostHeader (every header but Host)
    "bf0718e1-ba1e-49d1-88b1-f726733018ae": (frozenset(), frozenset({"host"})),  # HostHeaderOnly
    "59781a5b-3903-41f3-afcb-af62929ccde1": (frozenset(), frozenset({"origin"})),  # CORS-CustomOrigin
    "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": (  # CORS-S3Origin
        frozenset(),
        frozenset({"origin", "access-control-request-headers", "access-control-request-method"}),
    ),
    "775133bc-15f2-49f9-abea-afb2e0bf67d2": (frozenset(), frozenset()),  # Elemental-MediaTailor-PersonalizedManifests
    "acba4595-bd28-49b8-b9fe-13317c0390fa": (frozenset(), frozenset({"user-agent", "referer"})),  # UserAgentReferer
}


def _names(config: dict[str, Any], behavior_key: str, list_key: str) -> str | frozenset[str]:
    kind = config.get(behavior_key)
    listed = frozenset(
        str(n).lower() for n in ((config.get(list_key) or {}).get("Items") or config.get(list_key) or [])
    )
    if kind in ("all", "allViewer", "allViewerAndWhitelistCloudFront", "allExcept"):
        return ALL
    return listed if kind in ("whitelist",) else frozenset()


def _cache(view: TemplateView, behavior: dict[str, Any]) -> tuple[int, str | frozenset[str], frozenset[str]] | None:
    """(maximum TTL, cookies in the key, headers in the key) of a behaviour's cache policy."""
    policy_id = behavior.get("CachePolicyId")
    if isinstance(policy_id, str) and policy_id in MANAGED_CACHE:
        return MANAGED_CACHE[policy_id]
    own = policy_in_template(view, policy_id, "AWS::CloudFront::CachePolicy")
    if own is None:
        return None
    config = own.get("CachePolicyConfig") or {}
    key = config.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
    headers = _names(key.get("HeadersConfig") or {}, "HeaderBehavior", "Headers")
    return (
        int(config.get("MaxTTL", 0)),
        _names(key.get("CookiesConfig") or {}, "CookieBehavior", "Cookies"),
        headers if isinstance(headers, frozenset) else frozenset(),
    )


def _request(view: TemplateView, behavior: dict[str, Any]) -> tuple[str | frozenset[str], str | frozenset[str]] | None:
    """(cookies, viewer headers) the origin request policy sends beyond the key; nothing without one."""
    policy_id = behavior.get("OriginRequestPolicyId")
    if policy_id is None:
        return frozenset(), frozenset()
    if isinstance(policy_id, str) and policy_id in MANAGED_REQUEST:
        return MANAGED_REQUEST[policy_id]
    own = policy_in_template(view, policy_id, "AWS::CloudFront::OriginRequestPolicy")
    if own is None:
        return None
    config = own.get("OriginRequestPolicyConfig") or {}
    return (
        _names(config.get("CookiesConfig") or {}, "CookieBehavior", "Cookies"),
        _names(config.get("HeadersConfig") or {}, "HeaderBehavior", "Headers"),
    )


def _identity_outside_key(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    findings = []
    for behavior in behaviors(resource):
        cache, request = _cache(view, behavior.config), _request(view, behavior.config)
        if cache is None or request is None:
            continue  # a policy outside the template: DR-CloudFrontOriginHostHeader reports it
        max_ttl, key_cookies, key_headers = cache
        if max_ttl <= 0:
            continue
        cookies, headers = request
        problems = []
        if cookies == ALL and key_cookies != ALL:
            problems.append("every cookie")
        elif isinstance(cookies, frozenset) and key_cookies != ALL and cookies - key_cookies:
            problems.append(f"the cookies {', '.join(sorted(cookies - key_cookies))}")
        if headers == ALL:
            problems.append("every viewer header (credentials such as X-Api-Key among them)")
        elif isinstance(headers, frozenset) and (headers & IDENTITY_HEADERS) - key_headers:
            problems.append(f"the headers {', '.join(sorted((headers & IDENTITY_HEADERS) - key_headers))}")
        if problems:
            where = readiness.params.config_fields.get(f"behavior:{behavior.path}")
            findings.append(
                Finding(
                    f"Behavior::{behavior.path}",
                    f"behaviour {behavior.path} caches (up to {max_ttl:,} s) but sends the origin "
                    f"{' and '.join(problems)}, outside its cache key: a response personalised by them is served to "
                    "the next viewer" + (f" (set by {where})" if where else ""),
                )
            )
    return findings


CACHE_KEY_HOLDS_IDENTITY = ReadinessRule(
    "CloudFrontCacheKeyHoldsIdentity",
    "A behaviour that caches sends the origin no cookie or credential header outside its cache key",
    "Use cache_policy caching_disabled for a path whose responses depend on the viewer (sessions, licences, "
    "predictions), or keep its origin request policy to what the cache key already holds.",
    "CloudFront developer guide: cache keys and origin requests (an origin request policy adds to what the key "
    "forwards); Cookies and the Authorization header",
    frozenset({DISTRIBUTION}),
    _identity_outside_key,
)

RULES: tuple[ReadinessRule, ...] = (CACHE_KEY_HOLDS_IDENTITY,)
