"""Every monitor reaches what it monitors: its source is admitted all along its path.

A probe that can never reach its target reports a failure forever, and every alarm built on it means
nothing: a divergence alarm that needs the local probe to pass never fires. Linters cannot see this, since
each resource is valid on its own. This rule follows each declared prober from where it runs to the service
that answers:

- **Route 53 health checks** (HTTP/HTTPS endpoint checks) run from the Route 53 health checkers, send no
  custom header and call ``FullyQualifiedDomainName`` with the check's path.
- **Synthetics canaries** without ``VpcConfig`` run from Lambda's public addresses in their Region; the
  host and paths they call are read from their script (``const HOST``, ``const PATHS``). A canary whose
  target cannot be read is a finding: a monitor nobody can check is not a monitor.
- **CloudFront origins** are reached by CloudFront's origin-facing servers with the origin's custom headers.

Along the path: DNS records of the deployment (to a distribution or to load balancers); CloudFront's geographic
restriction (the prober's Region's country) and the behaviour that matches the path, with its origin; each
load balancer's security groups (a CIDR open to all, or the AWS-managed prefix list of that source), its
listener on the port, and the first listener rule by priority whose conditions the request meets (path,
headers, host), which must forward. What cannot be shown to admit the prober is a finding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kickoff.config.regions import REGION_COUNTRY
from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props, references, security_group_ingress
from kickoff.rules.readiness.context import Located, Readiness, secret_references
from kickoff.rules.readiness.edge import behaviors
from kickoff.rules.readiness.rule import ReadinessRule
from kickoff.web import path_pattern_matches

INTERNET = "the internet (Lambda's public addresses)"
CLOUDFRONT = "CloudFront's origin-facing servers"
ROUTE53 = "the Route 53 health checkers"
_SOURCE_LISTS = {
    CLOUDFRONT: re.compile(r"\.cloudfront\.origin-facing$"),
    ROUTE53: re.compile(r"\.route53-healthchecks$"),
}
_SCRIPT_HOST = re.compile(r"const HOST = (\"[^\"]*\");")
_SCRIPT_PATHS = re.compile(r"const PATHS = (\[[^\]]*\]);")


@dataclass(frozen=True)
class Request:
    """What arrives at a load balancer: from where, for which host, path and port, with which headers."""

    source: str
    host: str
    path: str
    port: int = 443
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case name -> value


def _prefix_list_source(readiness: Readiness, value: Any) -> str | None:
    """The prober kind an ingress rule's ``SourcePrefixListId`` admits, from the lookup that resolves it."""
    for found in readiness.all_of_type("Custom::AWS"):
        if found.logical_id not in references(value):
            continue
        call = props(found.resource).get("Create")
        text = call if isinstance(call, str) else json.dumps(call)
        for source, pattern in _SOURCE_LISTS.items():
            names = re.findall(r"com\.amazonaws\.[a-z0-9.-]+", text)
            if any(pattern.search(n) for n in names):
                return source
    return None


def _ingress(view: TemplateView, load_balancer: Resource) -> list[dict[str, Any]]:
    """Every ingress rule of a load balancer's security groups."""
    return security_group_ingress(view, references(props(load_balancer).get("SecurityGroups")))


def _covers(rule: dict[str, Any], port: int) -> bool:
    if rule.get("IpProtocol") == "-1":
        return True
    return rule.get("IpProtocol") == "tcp" and int(rule.get("FromPort", 0)) <= port <= int(rule.get("ToPort", 65535))


def admitted(readiness: Readiness, alb: Located, request: Request) -> bool:
    """Whether one of the load balancer's security groups admits ``request.source`` on its port."""
    for rule in _ingress(alb.view, alb.resource):
        if not _covers(rule, request.port):
            continue
        if rule.get("CidrIp") == "0.0.0.0/0":
            return True
        if _prefix_list_source(readiness, rule.get("SourcePrefixListId")) == request.source:
            return True
    return False


def _header_matches(expected: str, sent: str) -> bool:
    """An ALB header condition value against what is sent: the same secret reference (secret and version), or a
    case-insensitive wildcard match of literals."""
    wanted, given = secret_references(expected), secret_references(sent)
    if wanted or given:
        return bool(wanted and given) and (wanted[0].secret, wanted[0].label) == (given[0].secret, given[0].label)
    return path_pattern_matches(expected.lower(), sent.lower())


def _meets(conditions: list[dict[str, Any]], request: Request) -> bool:
    for condition in conditions:
        kind = condition.get("Field")
        values = condition.get("Values") or []
        if kind == "path-pattern":
            values = (condition.get("PathPatternConfig") or {}).get("Values") or values
            if not any(path_pattern_matches(v, request.path) for v in values):
                return False
        elif kind == "host-header":
            values = (condition.get("HostHeaderConfig") or {}).get("Values") or values
            if not any(path_pattern_matches(v.lower(), request.host.lower()) for v in values):
                return False
        elif kind == "http-header":
            config = condition.get("HttpHeaderConfig") or {}
            sent = request.headers.get(str(config.get("HttpHeaderName", "")).lower())
            if sent is None or not any(_header_matches(v, sent) for v in config.get("Values", [])):
                return False
        elif kind == "http-request-method":
            if "GET" not in {m.upper() for m in (condition.get("HttpRequestMethodConfig") or {}).get("Values", [])}:
                return False
        else:  # source-ip, query-string: a prober cannot be shown to meet them
            return False
    return True


def answers(readiness: Readiness, alb: Located, request: Request) -> str | None:
    """None when ``request`` reaches a target group of the load balancer; else why not."""
    if not admitted(readiness, alb, request):
        return f"{alb.where}'s security groups admit no traffic from {request.source} on port {request.port}"
    listeners = readiness.listeners(alb, request.port)
    if not listeners:
        return f"{alb.where} has no listener on port {request.port}"
    for listener in listeners:
        for rule in readiness.listener_rules(listener):
            p = props(rule.resource)
            if _meets(p.get("Conditions", []), request):
                if any(a.get("Type") == "forward" for a in p.get("Actions", [])):
                    return None
                return f"{request.path} meets {rule.where} first, which does not forward"
        if any(a.get("Type") == "forward" for a in props(listener.resource).get("DefaultActions", [])):
            return None
        status = next(
            (
                (a.get("FixedResponseConfig") or {}).get("StatusCode")
                for a in props(listener.resource).get("DefaultActions", [])
            ),
            None,
        )
        return (
            f"no listener rule of {alb.where} matches {request.path} with what it sends; the default answers {status}"
        )
    return None


def distributions(readiness: Readiness, host: str) -> list[Located]:
    """The CloudFront distributions ``host`` is an alias of, in the deployment."""
    out = []
    for record in readiness.all_of_type("AWS::Route53::RecordSet"):
        p = props(record.resource)
        if str(p.get("Name", "")).lower().rstrip(".") != host.lower().rstrip("."):
            continue
        for logical_id in references((p.get("AliasTarget") or {}).get("DNSName")):
            target = record.view.resources.get(logical_id)
            if target and target["Type"] == "AWS::CloudFront::Distribution":
                out.append(Located(record.view, logical_id, target))
    return list({(d.view.file, d.logical_id): d for d in out}.values())


def _behavior_for(distribution: Resource, path: str):  # noqa: ANN202 - edge.Behavior
    ordered = behaviors(distribution)
    default, rest = ordered[0], ordered[1:]
    return next((b for b in rest if path_pattern_matches(b.path, path)), default)


def reach(readiness: Readiness, request: Request, region: str, depth: int = 0) -> Iterator[str]:
    """Why ``request``, sent from ``region``, does not reach a service; nothing when it does."""
    if depth > 2:
        yield f"{request.host} loops through CloudFront"
        return
    through = distributions(readiness, request.host)
    if through:
        country = REGION_COUNTRY.get(region)
        for distribution in through:
            config = props(distribution.resource).get("DistributionConfig", {})
            geo = ((config.get("Restrictions") or {}).get("GeoRestriction")) or {}
            listed = set(geo.get("Locations", []))
            kind = geo.get("RestrictionType", "none")
            if (kind == "whitelist" and country not in listed) or (kind == "blacklist" and country in listed):
                yield (
                    f"{distribution.where} refuses viewers from {country or region} (geographic restriction), where "
                    f"the probe runs ({region})"
                )
                continue
            behavior = _behavior_for(distribution.resource, request.path)
            if not behavior.origins:
                yield f"{distribution.where} behaviour {behavior.path} has no origin the templates name"
            for origin in behavior.origins[:1]:  # the primary; a fallback serves only when it fails
                domain = literal(origin.get("DomainName"), distribution.view) or ""
                headers = {
                    str(h.get("HeaderName", "")).lower(): str(h.get("HeaderValue"))
                    for h in origin.get("OriginCustomHeaders", [])
                }
                sent = Request(CLOUDFRONT, domain, f"{origin.get('OriginPath', '')}{request.path}", 443, headers)
                yield from reach(readiness, sent, region, depth + 1)
        return
    albs = readiness.resolve_load_balancers(request.host)
    if not albs:  # a name outside the deployment: nothing here to judge it by
        return
    for alb in albs:
        problem = answers(readiness, alb, request)
        if problem:
            yield problem


def canary_target(resource: Resource) -> tuple[str, list[str]] | None:
    """The host and paths a canary's script calls (``const HOST``, ``const PATHS``); None if it declares none."""
    script = str((props(resource).get("Code") or {}).get("Script", ""))
    host, paths = _SCRIPT_HOST.search(script), _SCRIPT_PATHS.search(script)
    if not host or not paths:
        return None
    return json.loads(host.group(1)), json.loads(paths.group(1))


def _prober(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    requests: list[Request] = []
    if resource["Type"] == "AWS::Synthetics::Canary":
        target = canary_target(resource)
        if target is None:
            return [
                Finding(
                    "Target",
                    "the canary's script declares no const HOST and const PATHS, so no rule can "
                    "check that it reaches what it monitors",
                )
            ]
        source = INTERNET  # with VpcConfig, still public addresses: its NAT gateways'
        requests = [Request(source, target[0], path) for path in target[1]]
    elif resource["Type"] == "AWS::CloudFront::Distribution":
        return _origins_admitted(resource, view, readiness)
    elif resource["Type"] == "AWS::Route53::HealthCheck":
        config = props(resource).get("HealthCheckConfig", {})
        kind = config.get("Type")
        if kind not in ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH") or not config.get(
            "FullyQualifiedDomainName"
        ):
            return None
        port = int(config.get("Port", 443 if kind.startswith("HTTPS") else 80))
        host = literal(config["FullyQualifiedDomainName"], view) or ""
        requests = [Request(ROUTE53, host, config.get("ResourcePath", "/"), port)]
    findings = []
    for request in requests:
        for problem in dict.fromkeys(reach(readiness, request, view.region)):
            findings.append(Finding(f"{request.host}{request.path}", f"{request.host}{request.path}: {problem}"))
    return findings


def _origins_admitted(resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    """Every custom origin's load balancers admit CloudFront on the origin's port (the paths and header
    conditions of each behaviour are DR-CloudFrontBehaviorPathServed's)."""
    findings = []
    seen = set()
    for behavior in behaviors(resource):
        for origin in behavior.origins:
            custom = origin.get("CustomOriginConfig")
            domain = literal(origin.get("DomainName"), view)
            if custom is None or domain is None or domain in seen:
                continue
            seen.add(domain)
            port = int(custom.get("HTTPPort", 80) if custom.get("OriginProtocolPolicy") == "http-only" else 443)
            request = Request(CLOUDFRONT, domain, behavior.path, port)
            for alb in readiness.resolve_load_balancers(domain) or []:
                if not admitted(readiness, alb, request):
                    findings.append(
                        Finding(
                            f"Origin::{domain}",
                            f"origin {domain}: {alb.where}'s security groups admit no traffic from {CLOUDFRONT} on "
                            f"port {port}",
                        )
                    )
    return findings


PROBERS_ADMITTED = ReadinessRule(
    "ProberReachesItsTarget",
    "Every canary and endpoint health check reaches what it monitors: admitted by every security group, "
    "prefix list, geographic restriction, listener rule and header condition on its path",
    "Route the probe the way its source is admitted: a canary through CloudFront (the cell's probe behaviour, "
    "/_probe/<region>/...), a health check to a path its listener serves without the origin secret; never widen "
    "the load balancer's security groups to the internet.",
    "EC2 security groups and AWS-managed prefix lists (CloudFront origin-facing, Route 53 health checkers); "
    "Synthetics canaries without a VPC run from Lambda's public addresses; ALB listener rule evaluation",
    frozenset({"AWS::Synthetics::Canary", "AWS::Route53::HealthCheck", "AWS::CloudFront::Distribution"}),
    _prober,
)


def _listener_reachable(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    port = props(resource).get("Port")
    balancers = [
        view.resources[i]
        for i in references(props(resource).get("LoadBalancerArn"))
        if i in view.resources and references(props(view.resources[i]).get("SecurityGroups"))
    ]
    if not isinstance(port, int) or not balancers:
        return None  # a load balancer without security groups (an NLB) filters nothing before its listeners
    if any(_covers(rule, port) for balancer in balancers for rule in _ingress(view, balancer)):
        return []
    return [
        Finding(
            f"Port::{port}",
            f"no security group of its load balancer admits port {port}: the listener answers no one",
        )
    ]


LISTENER_REACHABLE = ReadinessRule(
    "AlbListenerPortAdmitted",
    "Every load balancer listener is reachable: a security group of its load balancer admits its port",
    "Remove the listener, or admit the source that must reach it. A listener nothing can reach is configuration "
    "to maintain and review with no effect, and hides which port the cell really serves.",
    "EC2 security groups filter a load balancer's traffic before any listener",
    frozenset({"AWS::ElasticLoadBalancingV2::Listener"}),
    _listener_reachable,
)

RULES: tuple[ReadinessRule, ...] = (PROBERS_ADMITTED, LISTENER_REACHABLE)
