"""Routing health: a cell leaves DNS when any of its services fails, not only the one Route 53 happens to check."""

from __future__ import annotations

from kickoff.rules.engine import Finding, Resource, TemplateView, props, references
from kickoff.rules.readiness.rule import ReadinessRule

ENDPOINT_TYPES = {"HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH"}
PLAIN_TYPES = {"HTTP", "HTTP_STR_MATCH", "TCP"}


def _service_health_paths(view: TemplateView) -> dict[str, str]:
    """Target group logical ID -> health path, for every HTTP(S) target group a listener rule forwards to."""
    forwarded = set()
    for rule in view.of_type("AWS::ElasticLoadBalancingV2::ListenerRule").values():
        forwarded |= references(props(rule).get("Actions"))
    out = {}
    for logical_id, group in view.of_type("AWS::ElasticLoadBalancingV2::TargetGroup").items():
        p = props(group)
        if logical_id in forwarded and p.get("Protocol") in ("HTTP", "HTTPS") and p.get("HealthCheckPath"):
            out[logical_id] = p["HealthCheckPath"]
    return out


def _covers_services(
    logical_id: str, resource: Resource, view: TemplateView, readiness: object
) -> list[Finding] | None:
    p = props(resource)
    if "SetIdentifier" not in p or not p.get("HealthCheckId"):
        return None
    checks = view.of_type("AWS::Route53::HealthCheck")
    ids = references(p.get("HealthCheckId"))
    if not ids or any(i not in checks for i in ids):
        return None
    findings = []
    checked: set[str] = set()
    for check_id in ids:
        config = props(checks[check_id]).get("HealthCheckConfig", {})
        children = [config]
        if config.get("Type") == "CALCULATED":
            child_ids = references(config.get("ChildHealthChecks"))
            children = [props(checks[c]).get("HealthCheckConfig", {}) for c in child_ids if c in checks]
            threshold = config.get("HealthThreshold", 1)
            if threshold < len(child_ids):
                findings.append(
                    Finding(
                        "HealthThreshold",
                        f"the calculated check needs {threshold} of {len(child_ids)} "
                        "children healthy, so a cell with a failed service stays in DNS",
                    )
                )
        checked |= {c.get("ResourcePath", "/") for c in children if c.get("Type") in ENDPOINT_TYPES}
        plain = sorted({c.get("Type") for c in children if c.get("Type") in PLAIN_TYPES})
        if plain and view.of_type("AWS::ElasticLoadBalancingV2::Listener"):
            findings.append(
                Finding(
                    "Protocol",
                    f"a {'/'.join(plain)} check does not prove HTTPS works: viewers reach the cell over "
                    "HTTPS, and the HTTP listener only redirects, which Route 53 counts as healthy",
                )
            )
    missing = sorted(set(_service_health_paths(view).values()) - checked)
    if missing:
        findings.append(
            Finding(
                "Services",
                f"{p.get('Name')} ({p.get('SetIdentifier')}) stays routed while "
                f"{', '.join(missing)} fail: no health check requests them",
            )
        )
    return findings


HEALTH_COVERS_SERVICES = ReadinessRule(
    "Route53HealthCheckCoversServices",
    "A routed record's health check covers the health path of every service the cell serves",
    "Check every service's health path (a calculated check over one endpoint check per service, needing all of them).",
    "Route 53 developer guide: calculated health checks (HealthThreshold)",
    frozenset({"AWS::Route53::RecordSet"}),
    _covers_services,
)


def _secondary_other_cell(
    logical_id: str, resource: Resource, view: TemplateView, readiness: object
) -> list[Finding] | None:
    """A latency CNAME (the secondary origin) must lead to a set that excludes its own cell."""
    p = props(resource)
    if p.get("Type") != "CNAME" or "SetIdentifier" not in p:
        return None
    own_albs = set(view.of_type("AWS::ElasticLoadBalancingV2::LoadBalancer"))
    targets = {str(v).lower().rstrip(".") for v in p.get("ResourceRecords", [])}
    back = [
        rid
        for rid, record in view.of_type("AWS::Route53::RecordSet").items()
        if str(props(record).get("Name", "")).lower().rstrip(".") in targets
        and references((props(record).get("AliasTarget") or {}).get("DNSName")) & own_albs
    ]
    return (
        [
            Finding(
                "",
                f"{p.get('Name')} ({p.get('SetIdentifier')}) leads to {', '.join(sorted(targets))}, which holds this "
                f"cell's own ALB ({', '.join(back)}): the secondary origin can be the primary's cell",
            )
        ]
        if back
        else []
    )


SECONDARY_OTHER_CELL = ReadinessRule(
    "Route53SecondaryOriginOtherCell",
    "A cell's secondary-origin CNAME leads to a latency set that excludes the cell itself",
    "Point the cell's secondary CNAME at except-<its Region>, a set that every other cell, and only they, write "
    "(decision 0006).",
    "Route 53 latency routing: a resolver picks the same Region's record in two sets with the same health checks",
    frozenset({"AWS::Route53::RecordSet"}),
    _secondary_other_cell,
)

RULES: tuple[ReadinessRule, ...] = (HEALTH_COVERS_SERVICES, SECONDARY_OTHER_CELL)
