"""The web ACL against the traffic the platform invites: shared addresses at kickoff, write bodies."""

from __future__ import annotations

from kickoff.rules.engine import Finding, Resource, TemplateView, props, references
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.edge import behaviors
from kickoff.rules.readiness.rule import ReadinessRule
from kickoff.web import WRITE_METHODS

CORE_RULE_SET = "AWSManagedRulesCommonRuleSet"
BODY_SIZE_RULE = "SizeRestrictions_BODY"


def _rate_limit(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    params = readiness.params
    findings = []
    rate_rules = [r for r in props(resource).get("Rules", []) if (r.get("Statement") or {}).get("RateBasedStatement")]
    if not any("Block" in (r.get("Action") or {}) for r in rate_rules):
        counted = ", ".join(r.get("Name", "?") for r in rate_rules)
        findings.append(
            Finding(
                "Block",
                "no rate-based rule blocks: a flood from one address reaches the origins"
                + (f" ({counted} only counts)" if counted else " (there is no rate-based rule)"),
            )
        )
    for rule in rate_rules if params.shared_ip_viewers else ():
        statement = rule["Statement"]["RateBasedStatement"]
        if "Block" not in (rule.get("Action") or {}):
            continue
        if statement.get("AggregateKeyType", "IP") not in ("IP", "FORWARDED_IP"):
            continue
        window = int(statement.get("EvaluationWindowSec", 300))
        per_viewer = params.requests_per_viewer.get(window)
        if per_viewer is None:
            continue
        needed = params.shared_ip_viewers * per_viewer
        limit = int(statement.get("Limit", 0))
        if limit < needed:
            findings.append(
                Finding(
                    f"Rule::{rule.get('Name')}",
                    f"{rule.get('Name')} blocks an address after {limit:,} requests in {window} s; "
                    f"{params.shared_ip_viewers:,} viewers behind one address (carrier-grade NAT, a "
                    f"venue, an office) send about {needed:,.0f} at kickoff",
                )
            )
    return findings


RATE_LIMIT_SHARED_IP = ReadinessRule(
    "WafRateLimitAdmitsSharedIp",
    "A per-IP rate limit blocks floods, and admits the declared number of viewers behind one shared address",
    "Raise edge.waf.rate_limit_requests (or leave it computed), or lower edge.waf.shared_ip_viewers deliberately.",
    "AWS WAF developer guide: rate-based rule statements aggregate by IP address",
    frozenset({"AWS::WAFv2::WebACL"}),
    _rate_limit,
)


def _body_limit(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    writers = [
        d
        for d in view.of_type("AWS::CloudFront::Distribution").values()
        if logical_id in references(props(d).get("DistributionConfig", {}).get("WebACLId"))
        and any(set(b.methods) & WRITE_METHODS for b in behaviors(d))
    ]
    if not writers:
        return None
    findings = []
    for rule in props(resource).get("Rules", []):
        group = (rule.get("Statement") or {}).get("ManagedRuleGroupStatement") or {}
        if group.get("Name") != CORE_RULE_SET or "None" not in (rule.get("OverrideAction") or {}):
            continue
        overridden = {
            o.get("Name")
            for o in group.get("RuleActionOverrides", [])
            if {"Count", "Allow"} & set(o.get("ActionToUse") or {})
        }
        excluded = {r.get("Name") for r in group.get("ExcludedRules", [])}
        if BODY_SIZE_RULE not in overridden | excluded:
            findings.append(
                Finding(
                    f"Rule::{rule.get('Name')}",
                    f"{CORE_RULE_SET} blocks request bodies over 8 KB ({BODY_SIZE_RULE}), and the "
                    "distribution it protects accepts writes",
                )
            )
    return findings


BODY_LIMIT_WRITES = ReadinessRule(
    "WafBodyLimitAllowsWrites",
    "The core rule set's 8 KB body limit does not block the writes a distribution accepts",
    "Override SizeRestrictions_BODY to Count in the core rule set, and validate body sizes in the services.",
    "AWS WAF developer guide: core rule set (CRS) managed rule group, SizeRestrictions_BODY",
    frozenset({"AWS::WAFv2::WebACL"}),
    _body_limit,
)

RULES: tuple[ReadinessRule, ...] = (RATE_LIMIT_SHARED_IP, BODY_LIMIT_WRITES)
