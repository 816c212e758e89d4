"""Every deploy-readiness rule, tested both ways on minimal constructs.

One app holds, per rule, a compliant and a non-compliant case, each in stacks of its own
with names of its own. The app is synthesized once, and the readiness rules run over all
its templates at once, as they do over a deployment. For each rule, the non-compliant case
must get a finding, and the compliant case must be evaluated by the rule and get none.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_synthetics as synthetics

from kickoff.rules.engine import load_view
from kickoff.rules.readiness import RULES, evaluate
from tests.rules.readiness_base import (
    ACCOUNT,
    ALL,
    DEPLOY,
    EAST,
    PARAMS,
    VERSION,
    WEST,
    WINDOW,
)
from tests.rules.readiness_builders_a import (
    _build,
    _cell_and_edge,
    _custom_resources,
    _dashboards,
    _function,
    _listening,
    _named_group,
    _pipeline,
    _protected_alb,
    _role,
    _scaled_service,
    _schedule,
    _schedule_group,
    _table,
    _trusting,
)
from tests.rules.readiness_builders_b import (
    Builder,
    _alarm_check,
    _canary,
    _escape_length,
    _health,
    _importer,
    _probed,
    _secondary,
    _table_user,
    _task_image,
    _web_acl,
)
from tests.rules.test_rules_on_shipped_templates import PAIRS as SHIPPED_PAIRS

PAIRS: dict[str, tuple[Builder, Builder]] = {
    "PhysicalNameUnique": (lambda a, c: _dashboards(a, c, unique=True), lambda a, c: _dashboards(a, c, unique=False)),
    "RetainedNameRebuildable": (
        lambda a, c: _schedule_group(a, c, retained=False),
        lambda a, c: _schedule_group(a, c, retained=True),
    ),
    "PhysicalNameLength": (lambda a, c: _named_group(a, c, length=64), lambda a, c: _escape_length(a, c)),
    "SyntheticsCanaryRuntimeSupported": (
        lambda a, c: _canary(a, c, runtime=synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_13_0),
        lambda a, c: _canary(a, c, runtime=synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_7_0),  # retired 2026-01-22
    ),
    "Route53AlarmHealthCheckReadable": (
        lambda a, c: _alarm_check(a, c, single_metric=True),
        lambda a, c: _alarm_check(a, c, single_metric=False),
    ),
    "Route53AlarmNotATrafficCount": (
        lambda a, c: _alarm_check(a, c, single_metric=True, gauge=True),
        lambda a, c: _alarm_check(a, c, single_metric=True),
    ),
    "LambdaRuntimeSupported": (
        lambda a, c: _function(a, c, runtime="nodejs22.x"),
        lambda a, c: _function(a, c, runtime="nodejs20.x"),  # deprecated 2026-04-30, before the deploy time
    ),
    "CodeBuildToolchainPinned": (
        lambda a, c: _build(a, c, nodejs="22", install="npm install -g aws-cdk@2.1148.1"),
        lambda a, c: _build(a, c, nodejs="20", install="npm install -g cdk-assets@latest"),
    ),
    "PipelineApprovalGatesItsStage": (
        lambda a, c: _pipeline(a, c, check_after_approval=True),
        lambda a, c: _pipeline(a, c, check_after_approval=False),
    ),
    "IamCrossAccountTrustNamesPrincipal": (
        lambda a, c: _trusting(a, c, named=True),
        lambda a, c: _trusting(a, c, named=False),
    ),
    "DeletionProtectionRetained": (
        lambda a, c: _protected_alb(a, c, retained=True),
        lambda a, c: _protected_alb(a, c, retained=False),
    ),
    "IamRoleHasPermissionsBoundary": (
        lambda a, c: _role(a, c, bounded=True),
        lambda a, c: _role(a, c, bounded=False),
    ),
    "ProberReachesItsTarget": (
        lambda a, c: _probed(a, c, through_cloudfront=True),
        lambda a, c: _probed(a, c, through_cloudfront=False),
    ),
    "LogGroupHasWriter": (
        lambda a, c: _custom_resources(a, c, shared=True),
        lambda a, c: _custom_resources(a, c, shared=False),
    ),
    "AlbListenerPortAdmitted": (
        lambda a, c: _listening(a, c, redirect=False),
        lambda a, c: _listening(a, c, redirect=True),
    ),
    "ScheduleAfterDeployTime": (
        lambda a, c: _schedule(a, c, at=DEPLOY + timedelta(days=1)),
        lambda a, c: _schedule(a, c, at=DEPLOY - timedelta(days=6)),
    ),
    "ScalableTargetRegistered": (
        lambda a, c: _scaled_service(a, c, registered=True),
        lambda a, c: _scaled_service(a, c, registered=False),
    ),
    # A peak of 10 tasks at a 200% deploy surge is 20 targets of the target group's 25; 13 is 26.
    "EcsTasksWithinDeclaredQuotas": (
        lambda a, c: _scaled_service(a, c, min_capacity=10, actions=[WINDOW.start], maximum_percent=200),
        lambda a, c: _scaled_service(a, c, min_capacity=10, actions=[WINDOW.start], maximum_percent=200, peak=13),
    ),
    "QuotaWithinDeclared": (
        lambda a, c: _table(a, c, reads=30_000, writes=12_000),
        lambda a, c: _table(a, c, reads=50_000, writes=12_000),
    ),
    "DynamoWarmThroughputAboveBaseline": (
        lambda a, c: _table(a, c, reads=12_000, writes=4_000),
        lambda a, c: _table(a, c, reads=500, writes=100),
    ),
    "CloudFrontOriginHostHeader": (
        lambda a, c: _cell_and_edge(a, c),
        lambda a, c: _cell_and_edge(a, c, cache_policy=cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS),
    ),
    "CloudFrontCacheKeyHoldsIdentity": (
        lambda a, c: _cell_and_edge(a, c),
        lambda a, c: _cell_and_edge(a, c, cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED),
    ),
    "CloudFrontBehaviorPathServed": (
        lambda a, c: _cell_and_edge(a, c, behavior_path="/api/*"),
        lambda a, c: _cell_and_edge(a, c, behavior_path="/static/*"),
    ),
    "CloudFrontBehaviorMethods": (
        lambda a, c: _cell_and_edge(a, c, methods=ALL),
        lambda a, c: _cell_and_edge(a, c, methods=("GET", "HEAD")),
    ),
    "SecretReferenceFollowsRotation": (
        lambda a, c: _cell_and_edge(a, c, sent_version=VERSION, accepted=(VERSION, "AWSPREVIOUS")),
        lambda a, c: _cell_and_edge(a, c, accepted=("AWSCURRENT", "AWSPREVIOUS")),
    ),
    "Route53HealthCheckCoversServices": (
        lambda a, c: _health(a, c, every_service=True),
        lambda a, c: _health(a, c, every_service=False),
    ),
    "EcsImageFromRegionalEcr": (
        lambda a, c: _task_image(a, c, private=True),
        lambda a, c: _task_image(a, c, private=False),
    ),
    "WafRateLimitAdmitsSharedIp": (lambda a, c: _web_acl(a, c, limit=30_000), lambda a, c: _web_acl(a, c, limit=3_000)),
    "WafBodyLimitAllowsWrites": (
        lambda a, c: _web_acl(a, c, override_body=True),
        lambda a, c: _web_acl(a, c, override_body=False),
    ),
    "EcsServiceDesiredCountUnset": (
        lambda a, c: _scaled_service(a, c),
        lambda a, c: _scaled_service(a, c, desired_count=2),
    ),
    "AlbServesOnlyTheOrigin": (
        lambda a, c: _cell_and_edge(a, c, sent_version=VERSION, accepted=(VERSION, "AWSPREVIOUS")),
        lambda a, c: _cell_and_edge(a, c),
    ),
    "OriginSecretNeverLiteral": (
        lambda a, c: _cell_and_edge(a, c, sent_version=VERSION, accepted=(VERSION, "AWSPREVIOUS")),
        lambda a, c: _cell_and_edge(a, c, accepted=(VERSION, "AWSPREVIOUS"), literal=True),
    ),
    "DynamoReplicaWhereUsed": (
        lambda a, c: _table_user(a, c, region=WEST),
        lambda a, c: _table_user(a, c, region="us-east-2"),
    ),
    "StackStandsAlone": (lambda a, c: _importer(a, c, imports=False), lambda a, c: _importer(a, c, imports=True)),
    "Route53SecondaryOriginOtherCell": (
        lambda a, c: _secondary(a, c, own_set=False),
        lambda a, c: _secondary(a, c, own_set=True),
    ),
}

# More non-compliant cases for rules with more than one finding: case name -> (rule suffix, builder).
VARIANTS: dict[str, tuple[str, Builder]] = {
    "listener-default-200": (
        "AlbServesOnlyTheOrigin",
        lambda a, c: _cell_and_edge(a, c, sent_version=VERSION, accepted=(VERSION, "AWSPREVIOUS"), default_status=200),
    ),
    "health-over-http": (
        "Route53HealthCheckCoversServices",
        lambda a, c: _health(a, c, every_service=True, check_type=route53.HealthCheckType.HTTP),
    ),
    "build-on-node-20": (
        "CodeBuildToolchainPinned",
        lambda a, c: _build(a, c, nodejs="20", install="npm install -g aws-cdk@2.1148.1"),
    ),
    "build-installs-a-major-version": (
        "CodeBuildToolchainPinned",
        lambda a, c: _build(a, c, nodejs="22", install="npm install -g aws-cdk@2"),
    ),
    "probe-from-a-blocked-country": (
        "ProberReachesItsTarget",
        lambda a, c: _probed(a, c, through_cloudfront=True, geo=("GB", "IE")),
    ),
    "rate-rule-counts": ("WafRateLimitAdmitsSharedIp", lambda a, c: _web_acl(a, c, rate_action="count")),
}


def _case(suffix: str, verdict: str) -> str:
    return f"{suffix.lower()}-{verdict}"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[set[str], set[str]]]:
    """Case -> (rule IDs that evaluated one of its resources, rule IDs that found something)."""
    outdir = tmp_path_factory.mktemp("dr-pairs")
    app = cdk.App(
        outdir=str(outdir),
        builtin_cloud_formation_validation=False,
        context={f"availability-zones:account={ACCOUNT}:region={EAST}": ["us-east-1a", "us-east-1b"]},
    )
    for suffix, builders in PAIRS.items():
        for verdict, build in zip(("ok", "bad"), builders):
            build(app, _case(suffix, verdict))
    for name, (_, build) in VARIANTS.items():
        build(app, name)
    cases = [_case(s, v) for s in PAIRS for v in ("ok", "bad")] + list(VARIANTS)
    assembly = app.synth()
    views, case_of = [], {}
    for stack in assembly.stacks:
        path = Path(stack.template_full_path)
        views.append(
            load_view(
                path.name,
                path.read_text(),
                stack=stack.stack_name,
                region=stack.environment.region,
                cell=stack.environment.region,
                account=ACCOUNT,
            )
        )
        case_of[path.name] = max((c for c in cases if stack.stack_name.startswith(c)), key=len)
    out: dict[str, tuple[set[str], set[str]]] = {}
    for evaluation in evaluate(views, PARAMS).evaluations:
        evaluated, found = out.setdefault(case_of[evaluation.template], (set(), set()))
        evaluated.add(evaluation.rule.rule_id)
        if evaluation.findings:
            found.add(evaluation.rule.rule_id)
    return out


def test_every_rule_has_a_pair() -> None:
    """Built here from minimal constructs, or (the operations and live rules) edits of the shipped templates."""
    assert sorted([*PAIRS, *SHIPPED_PAIRS]) == sorted(rule.suffix for rule in RULES)


@pytest.mark.parametrize("suffix", sorted(PAIRS))
def test_rule_flags_the_non_compliant_case(results, suffix) -> None:
    assert f"DR-{suffix}" in results.get(_case(suffix, "bad"), (set(), set()))[1]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_rule_flags_each_variant(results, name) -> None:
    assert f"DR-{VARIANTS[name][0]}" in results.get(name, (set(), set()))[1]


@pytest.mark.parametrize("suffix", sorted(PAIRS))
def test_rule_evaluates_and_passes_the_compliant_case(results, suffix) -> None:
    evaluated, found = results.get(_case(suffix, "ok"), (set(), set()))
    assert f"DR-{suffix}" in evaluated, "the rule found nothing to evaluate in the compliant case"
    assert f"DR-{suffix}" not in found


def test_every_rule_names_its_source_and_fix() -> None:
    for rule in RULES:
        assert rule.rule_id.startswith("DR-") and rule.suffix[0].isupper()
        assert len(rule.explanation) > 60 and rule.source
    assert len({rule.rule_id for rule in RULES}) == len(RULES)


def test_fixed_account_limits_count_the_whole_deployment() -> None:
    """21 custom cache policies across two stacks exceed CloudFront's 20 per account."""
    from kickoff.rules.engine import TemplateView

    def view(name: str, count: int) -> TemplateView:
        resources = {
            f"Policy{i}": {
                "Type": "AWS::CloudFront::CachePolicy",
                "Properties": {"CachePolicyConfig": {"Name": f"{name}-{i}"}},
            }
            for i in range(count)
        }
        return TemplateView(f"{name}.template.json", name, EAST, EAST, resources, account=ACCOUNT)

    findings = [
        f
        for e in evaluate([view("a", 11), view("b", 10)], PARAMS).failures
        for f in e.findings
        if e.rule.suffix == "QuotaWithinDeclared"
    ]
    assert findings and "21 AWS::CloudFront::CachePolicy in the account, over the limit of 20" in findings[0].detail
    assert not [
        e for e in evaluate([view("a", 10), view("b", 10)], PARAMS).failures if e.rule.suffix == "QuotaWithinDeclared"
    ]
