"""Only CloudFront reaches the services, and no stack leans on another.

- A cell ALB's HTTPS listener answers a fixed 4xx by default, and every rule that forwards
  either requires a header holding a secret reference (the origin-verification header) or
  matches health paths only; an HTTP listener, if any, only redirects to HTTPS. Otherwise anyone who
  reaches the ALB (any CloudFront distribution, through the managed prefix list) reaches the
  services without our WAF.
- A value CloudFront sends in an origin header that a listener rule checks is a Secrets Manager
  dynamic reference on both sides, never a literal in a template.
- No stack imports another's values (Fn::ImportValue, exports, CDK's cross-Region reference
  resources): each deploys on its own (decision 0001).
"""

from __future__ import annotations

from typing import Any

from kickoff.rules.engine import ANY_TYPE, Finding, Resource, TemplateView, literal, props, references
from kickoff.rules.readiness.context import Readiness, rewritten_path, secret_references
from kickoff.rules.readiness.rule import ReadinessRule

LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"


def _forwards(actions: list[dict[str, Any]]) -> bool:
    return any(a.get("Type") in ("forward", "authenticate-oidc", "authenticate-cognito") for a in actions)


def _health_paths(view: TemplateView, actions: Any) -> set[str]:
    paths = set()
    for logical_id in references(actions):
        group = view.resources.get(logical_id)
        if group and group["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup":
            path = props(group).get("HealthCheckPath")
            if isinstance(path, str):
                paths.add(path)
    return paths


def _requires_secret(conditions: list[dict[str, Any]]) -> bool:
    return any(
        c.get("Field") == "http-header"
        and any(secret_references(v) for v in (c.get("HttpHeaderConfig") or {}).get("Values", []))
        for c in conditions
    )


def _only_health_paths(view: TemplateView, rule: dict[str, Any]) -> bool:
    patterns = [
        v
        for c in rule.get("Conditions", [])
        if c.get("Field") == "path-pattern"
        for v in (c.get("PathPatternConfig") or {}).get("Values", []) or c.get("Values", [])
    ]
    health = _health_paths(view, rule.get("Actions"))
    return bool(patterns) and all(
        rewritten_path(p, rule) in health and not any(ch in p for ch in "*?") for p in patterns
    )


def _listener(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    p = props(resource)
    defaults = p.get("DefaultActions", [])
    findings = []
    if p.get("Protocol") == "HTTP":
        if any(
            a.get("Type") != "redirect" or (a.get("RedirectConfig") or {}).get("Protocol") != "HTTPS" for a in defaults
        ):
            findings.append(Finding("Http", f"the port {p.get('Port')} listener does more than redirect to HTTPS"))
    elif _forwards(defaults) or any(
        a.get("Type") == "fixed-response"
        and not str((a.get("FixedResponseConfig") or {}).get("StatusCode", "")).startswith("4")
        for a in defaults
    ):
        findings.append(
            Finding(
                "Default",
                "the listener's default action serves requests (it should answer a fixed 4xx, "
                "so only rules that require the origin-verification header forward)",
            )
        )
    for rule_id, rule in view.of_type(RULE).items():
        r = props(rule)
        if logical_id not in references(r.get("ListenerArn")) or not _forwards(r.get("Actions", [])):
            continue
        if p.get("Protocol") == "HTTP":
            findings.append(Finding(f"Rule::{rule_id}", f"{rule_id} forwards plain HTTP"))
        elif not _requires_secret(r.get("Conditions", [])) and not _only_health_paths(view, r):
            findings.append(
                Finding(
                    f"Rule::{rule_id}",
                    f"{rule_id} forwards requests without requiring the "
                    "origin-verification header, and not only health paths",
                )
            )
    return findings


def _cell_listener(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    """Applies to every listener of an internet-facing ALB in the stack's own template.

    Not only to listeners whose rules check a secret somewhere: removing the header condition
    from every rule must not switch the rule off.
    """
    albs = references(props(resource).get("LoadBalancerArn"))
    alb = next((view.resources[a] for a in albs if a in view.resources), None)
    if alb is None or props(alb).get("Scheme", "internet-facing") != "internet-facing":
        return None
    return _listener(logical_id, resource, view, readiness)


ORIGIN_ONLY = ReadinessRule(
    "AlbServesOnlyTheOrigin",
    "A cell ALB forwards only requests that carry the origin secret (or health checks); its defaults refuse",
    "Keep the HTTPS listener's default a fixed 403, require the origin-verification header on every service rule, "
    "expose only exact health paths without it, and let an HTTP listener only redirect.",
    "Elastic Load Balancing listener rules; CloudFront's origin-facing prefix list admits every distribution",
    frozenset({LISTENER}),
    _cell_listener,
)


def _literal_secrets(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    checked = readiness.memo(
        "checked-headers",
        lambda: {
            str((c.get("HttpHeaderConfig") or {}).get("HttpHeaderName", "")).lower()
            for found in readiness.all_of_type(RULE)
            for c in props(found.resource).get("Conditions", [])
            if c.get("Field") == "http-header"
        },
    )
    findings = []
    if resource["Type"] == "AWS::CloudFront::Distribution":
        for origin in props(resource).get("DistributionConfig", {}).get("Origins", []):
            for header in origin.get("OriginCustomHeaders", []):
                name = str(header.get("HeaderName", "")).lower()
                if name in checked and not secret_references(header.get("HeaderValue")):
                    findings.append(
                        Finding(
                            f"Header::{name}",
                            f"origin {origin.get('Id')} sends {name} as a literal: the "
                            "value is in the template, readable by anyone who reads it",
                        )
                    )
        return findings
    for condition in props(resource).get("Conditions", []):
        config = condition.get("HttpHeaderConfig") or {}
        values = config.get("Values", [])
        refs = [v for v in values if secret_references(v)]
        if refs and len(refs) != len(values):
            findings.append(
                Finding(
                    f"Header::{config.get('HttpHeaderName')}",
                    f"{config.get('HttpHeaderName')} accepts a literal next to secret references",
                )
            )
    return findings


SECRET_NOT_LITERAL = ReadinessRule(
    "OriginSecretNeverLiteral",
    "A header CloudFront sends and an ALB rule checks is a dynamic reference on both sides, never a literal",
    "Resolve the value with {{resolve:secretsmanager:...}} (kickoff.constructs.origin_secret); a literal is readable "
    "in the template, the cloud assembly and every CloudFormation console.",
    "CloudFormation dynamic references; decision 0010",
    frozenset({"AWS::CloudFront::Distribution", RULE}),
    _literal_secrets,
)


def _walk(value: Any, found: list[str]) -> None:
    if isinstance(value, dict):
        for intrinsic in ("Fn::ImportValue", "Fn::GetStackOutput"):
            if intrinsic in value:
                found.append(intrinsic)
        for child in value.values():
            _walk(child, found)
    elif isinstance(value, list):
        for child in value:
            _walk(child, found)


def _stands_alone(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    findings = []
    if resource["Type"].startswith("Custom::CrossRegion") or "CrossRegionExport" in resource["Type"]:
        findings.append(Finding("CrossRegion", f"{resource['Type']} carries a value from another Region's stack"))
    imports: list[str] = []
    _walk(resource.get("Properties", {}), imports)
    if imports:
        findings.append(Finding("ImportValue", f"reads another stack's output ({', '.join(sorted(set(imports)))})"))
    name = props(resource).get("Name") if resource["Type"] == "AWS::SSM::Parameter" else None
    if isinstance(name, str) and name.startswith("/cdk/exports/"):
        findings.append(Finding("SsmExport", f"writes {name}, aws-cdk-lib's cross-Region export for another stack"))
    return findings


STANDS_ALONE = ReadinessRule(
    "StackStandsAlone",
    "No resource imports another stack's exports or outputs, or carries or writes a cross-Region reference",
    "Derive shared values from config (names are deterministic, decision 0001) instead of passing them between "
    "stacks; an export ties the producer's updates to every consumer.",
    "CloudFormation exports and Fn::ImportValue; aws-cdk-lib cross-Region references",
    frozenset({ANY_TYPE}),
    _stands_alone,
)


def _bounded(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    name = readiness.params.permissions_boundary
    if name is None:
        return None
    arn = literal(props(resource).get("PermissionsBoundary"), view) or ""
    if arn.endswith(f":policy/{name}") and arn.startswith("arn:"):
        return []
    return [
        Finding(
            "",
            f"the role carries {'no permissions boundary' if not arn else 'the boundary ' + arn}, not {name}: the "
            "execution policy lets CloudFormation create roles only with it, so this deploy fails; and a role "
            "without it could be given any policy",
        )
    ]


ROLE_BOUNDED = ReadinessRule(
    "IamRoleHasPermissionsBoundary",
    "Every IAM role carries the environment's permissions boundary",
    "Create roles inside a KickoffStack (it applies iam.PermissionsBoundary to every role), and create the boundary "
    "policy before bootstrapping (python -m kickoff execution-policy --boundary).",
    "IAM user guide: permissions boundaries; the iam:PermissionsBoundary condition key; cdk bootstrap "
    "--custom-permissions-boundary",
    frozenset({"AWS::IAM::Role"}),
    _bounded,
)

RULES: tuple[ReadinessRule, ...] = (ORIGIN_ONLY, SECRET_NOT_LITERAL, STANDS_ALONE, ROLE_BOUNDED)
