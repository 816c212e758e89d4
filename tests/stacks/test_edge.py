"""Edge stack: CloudFront origin failover, WAF, TLS, logging, viewer records; the origin secret; the deploy order."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kickoff import naming
from kickoff.rules.assembly import read_stacks


def _distribution(synth):
    (dist,) = synth.resources(synth.edge, "AWS::CloudFront::Distribution").values()
    return dist["Properties"]["DistributionConfig"]


def _cell_origins(config) -> dict[str, dict]:
    """The origins that are cells (the live channels' MediaPackage origins are signed by access control instead)."""
    return {o["Id"]: o for o in config["Origins"] if "OriginAccessControlId" not in o}


def _cell_group(config) -> dict:
    """The origin group of the default behaviour: the cells' primary and secondary origin names."""
    target = config["DefaultCacheBehavior"]["TargetOriginId"]
    return next(g for g in config["OriginGroups"]["Items"] if g["Id"] == target)


def _live_patterns(synth) -> list[str]:
    live = synth.config.live
    return [f"{live.prefix}/{c.name}/*" for c in live.channels] if live is not None else []


@pytest.mark.not_a_rule(
    "CloudFront refuses a CLOUDFRONT-scope web ACL or viewer certificate elsewhere: the deploy itself fails"
)
def test_edge_stack_is_in_us_east_1(synthesized) -> None:
    assert synthesized.deployment.edge.region == "us-east-1"


@pytest.mark.held_by("WA-REL-CloudFrontOriginGroup", "AwsSolutions-CFR5", "WA-REL-Route53HealthCheckRtoBudget")
def test_origin_group_fails_over_on_5xx_to_the_secondary_origin(synthesized) -> None:
    config = _distribution(synthesized)
    origins = _cell_origins(config)
    group = _cell_group(config)
    assert sorted(group["FailoverCriteria"]["StatusCodes"]["Items"]) == [500, 502, 503, 504]
    members = [origins[m["OriginId"]]["DomainName"] for m in group["Members"]["Items"]]
    assert members == [
        naming.origin_domain(synthesized.config.identity),
        naming.secondary_origin_domain(naming.origin_domain(synthesized.config.identity)),
    ]
    for origin in origins.values():
        custom = origin["CustomOriginConfig"]
        assert custom["OriginProtocolPolicy"] == "https-only"
        assert custom["OriginSSLProtocols"] == ["TLSv1.2"]
        assert custom["OriginReadTimeout"] == synthesized.config.edge.origin_read_timeout_seconds
        assert origin["ConnectionTimeout"] == synthesized.config.edge.origin_connection_timeout_seconds
        assert origin["ConnectionAttempts"] == synthesized.config.edge.origin_connection_attempts


@pytest.mark.held_by("DR-CloudFrontBehaviorMethods", "DR-CloudFrontBehaviorPathServed", "DR-ProberReachesItsTarget")
def test_read_only_behaviours_use_the_origin_group_and_writes_the_primary_origin(synthesized) -> None:
    """Each behaviour allows exactly its service's method set; only read-only ones may fail over."""
    config = _distribution(synthesized)
    origins = {o["Id"]: o["DomainName"] for o in config["Origins"]}
    group = _cell_group(config)
    cached = {b["PathPattern"]: b for b in config.get("CacheBehaviors", [])}
    behaviors = [(synthesized.config.default_behavior, config["DefaultCacheBehavior"])] + [
        (b, cached[b.path_pattern]) for b in synthesized.config.behaviors
    ]
    probes = [f"{naming.probe_path_prefix(r)}/*" for r in synthesized.config.region_names]
    assert [b["PathPattern"] for b in config.get("CacheBehaviors", [])] == _live_patterns(synthesized) + probes + [
        b.path_pattern for b in synthesized.config.behaviors
    ]
    # Each probe route reaches its cell's own name only, caches nothing and forwards nothing of the viewer's.
    for region, pattern in zip(synthesized.config.region_names, probes):
        route = cached[pattern]
        domain = naming.cell_domain(naming.origin_domain(synthesized.config.identity), region)
        assert origins[route["TargetOriginId"]] == domain
        assert route["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" and "OriginRequestPolicyId" not in route
    for expected, rendered in behaviors:
        service = next(s for s in synthesized.config.services if s.name == expected.service)
        assert set(rendered["AllowedMethods"]) >= set(service.methods)
        assert tuple(rendered["AllowedMethods"]) == expected.allowed_methods
        if expected.failover:
            assert rendered["TargetOriginId"] == group["Id"], expected.path_pattern
        else:
            assert origins[rendered["TargetOriginId"]] == naming.origin_domain(synthesized.config.identity), (
                expected.path_pattern
            )
    # prod: the API, playback and interactive accept writes; the app shell and static assets are read-only.
    if synthesized.config.environment == "prod":
        assert {b.path_pattern for b in synthesized.config.behaviors if not b.failover} == {
            "/api/*",
            "/playback/*",
            "/interactive/*",
        }
        assert config["DefaultCacheBehavior"]["TargetOriginId"] == group["Id"]


@pytest.mark.held_by("DR-CloudFrontOriginHostHeader", "DR-CloudFrontCacheKeyHoldsIdentity", "DR-PhysicalNameUnique")
def test_no_behaviour_sends_the_viewers_host_or_caches_what_identifies_a_viewer(synthesized) -> None:
    """Cache keys hold no Host and no cookie. What caches nothing forwards everything but Host; what caches sends
    only its key (no origin request policy), so no cookie or credential reaches an origin whose answer is cached."""
    config = _distribution(synthesized)
    policies = {
        k: v["Properties"]["CachePolicyConfig"]
        for k, v in synthesized.resources(synthesized.edge, "AWS::CloudFront::CachePolicy").items()
    }
    disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    probes = {f"{naming.probe_path_prefix(r)}/*" for r in synthesized.config.region_names}
    for behavior in [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]:
        policy = behavior["CachePolicyId"]
        if policy == disabled and behavior.get("PathPattern") not in probes:
            assert behavior["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHost
        else:
            assert "OriginRequestPolicyId" not in behavior
        if isinstance(policy, dict):
            key = policies[policy["Ref"]]["ParametersInCacheKeyAndForwardedToOrigin"]
            assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
            assert key["CookiesConfig"] == {"CookieBehavior": "none"}
        else:
            assert policy in {"658327ea-f89d-4fab-a63d-7e88639e58f6", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}
    for name in (p["Name"] for p in policies.values()):
        assert name.startswith(f"{naming.environment_key(synthesized.config.identity)}-"), (
            "cache policy names are global in the account"
        )


@pytest.mark.held_by("DR-CloudFrontBehaviorMethods", "DR-CloudFrontCacheKeyHoldsIdentity")
def test_api_behaviour_caches_nothing_allows_all_methods_on_the_primary_origin(synthesized) -> None:
    config = _distribution(synthesized)
    origins = {o["Id"]: o["DomainName"] for o in config["Origins"]}
    (api,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert sorted(api["AllowedMethods"]) == sorted(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"])
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert origins[api["TargetOriginId"]] == naming.origin_domain(synthesized.config.identity)


@pytest.mark.held_by("Checkov:CKV_AWS_34", "Checkov:CKV_AWS_174", "Checkov:CKV_AWS_86", "AwsSolutions-CFR4")
def test_viewer_tls_http_versions_logging(synthesized) -> None:
    config = _distribution(synthesized)
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"
    assert config["HttpVersion"] == "http2and3"
    assert config["Logging"]["Bucket"]["Fn::GetAtt"][1] == "RegionalDomainName"
    assert config["Aliases"] == list(synthesized.config.viewer_names)
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"


@pytest.mark.not_a_rule(
    "config echo: the allowed countries are configured (DR-ProberReachesItsTarget checks the probes are among them)"
)
def test_geo_restriction_follows_config(prod, dev) -> None:
    restriction = _distribution(prod)["Restrictions"]["GeoRestriction"]
    assert restriction["RestrictionType"] == "whitelist"
    assert restriction["Locations"] == list(prod.config.edge.allowed_countries)
    assert "Restrictions" not in _distribution(dev)


@pytest.mark.not_a_rule(
    "config echo: the viewer names and zone are configured; CloudFront refuses a certificate outside us-east-1"
)
def test_viewer_certificate_is_dns_validated_in_us_east_1(prod) -> None:
    (cert,) = prod.resources(prod.edge, "AWS::CertificateManager::Certificate").values()
    assert cert["Properties"]["DomainName"] == "live.example.com"
    assert cert["Properties"]["SubjectAlternativeNames"] == ["www.live.example.com"]
    assert cert["Properties"]["ValidationMethod"] == "DNS"


@pytest.mark.held_by("DR-ProberReachesItsTarget")
def test_viewer_names_alias_to_the_distribution(synthesized) -> None:
    records = [r["Properties"] for r in synthesized.resources(synthesized.edge, "AWS::Route53::RecordSet").values()]
    assert sorted((r["Name"], r["Type"]) for r in records) == sorted(
        (f"{n}.", t) for n in synthesized.config.viewer_names for t in ("A", "AAAA")
    )
    template = synthesized.template(synthesized.edge)
    assert template["Mappings"]["AWSCloudFrontPartitionHostedZoneIdMap"]["aws"]["zoneId"] == "Z2FDTNDATAQYW2"
    (dist_id,) = synthesized.resources(synthesized.edge, "AWS::CloudFront::Distribution")
    for record in records:
        assert record["AliasTarget"]["HostedZoneId"]["Fn::FindInMap"][0] == "AWSCloudFrontPartitionHostedZoneIdMap"
        assert record["AliasTarget"]["DNSName"] == {"Fn::GetAtt": [dist_id, "DomainName"]}


@pytest.mark.held_by(
    "DR-WafRateLimitAdmitsSharedIp",
    "DR-WafBodyLimitAllowsWrites",
    "AwsSolutions-CFR2",
    "Checkov:CKV_AWS_192",
    "Checkov:CKV_AWS_68",
    "WA-SEC-LogsLogGroupEncrypted",
)
def test_waf_is_associated_with_managed_rules_rate_limit_and_logging(synthesized) -> None:
    ((acl_id, acl),) = synthesized.resources(synthesized.edge, "AWS::WAFv2::WebACL").items()
    props = acl["Properties"]
    assert props["Scope"] == "CLOUDFRONT"
    assert props["DefaultAction"] == {"Allow": {}}
    assert _distribution(synthesized)["WebACLId"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    rules = {r["Name"]: r for r in props["Rules"]}
    for group in ("AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"):
        assert rules[group]["Statement"]["ManagedRuleGroupStatement"] == {"VendorName": "AWS", "Name": group}
        assert rules[group]["OverrideAction"] == {"None": {}}
    # The core rule set's 8 KB body limit counts instead of blocking: the API accepts larger writes.
    core = rules["AWSManagedRulesCommonRuleSet"]
    assert core["OverrideAction"] == {"None": {}}
    assert core["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"] == [
        {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}
    ]
    rate = rules["RateLimitPerIp"]
    assert rate["Action"] == {"Block": {}}
    waf = synthesized.config.edge.waf
    assert rate["Statement"]["RateBasedStatement"] == {
        "Limit": synthesized.config.waf_rate_limit,
        "AggregateKeyType": "IP",
        "EvaluationWindowSec": waf.rate_limit_window_seconds,
    }
    # The limit admits the declared number of viewers behind one address at kickoff.
    per_viewer = synthesized.config.requests_per_viewer(waf.rate_limit_window_seconds)
    assert synthesized.config.waf_rate_limit >= waf.shared_ip_viewers * per_viewer
    assert len({r["Priority"] for r in props["Rules"]}) == len(props["Rules"])
    (logging,) = synthesized.resources(synthesized.edge, "AWS::WAFv2::LoggingConfiguration").values()
    assert logging["Properties"]["ResourceArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    destination = json.dumps(logging["Properties"]["LogDestinationConfigs"])
    # arn:...:log-group:<name>, without the ":*" that LogGroup.log_group_arn carries.
    assert destination.startswith('[{"Fn::Join": [":", [') and ':log-group"' in destination
    assert (
        f'"aws-waf-logs-{naming.environment_key(synthesized.config.identity)}"' in destination
        and ":*" not in destination
    )
    (group,) = [
        g
        for g in synthesized.resources(synthesized.edge, "AWS::Logs::LogGroup").values()
        if "aws-waf-logs-" in json.dumps(g["Properties"].get("LogGroupName"))
    ]
    # Retained evidence: named per stack instance (part of the stack ID), so a rebuilt stack does not collide.
    name = group["Properties"]["LogGroupName"]["Fn::Join"]
    assert name[1][0] == f"aws-waf-logs-{naming.environment_key(synthesized.config.identity)}"
    assert "AWS::StackId" in json.dumps(name[1][1])
    assert group["DeletionPolicy"] == "Retain"
    assert group["Properties"]["RetentionInDays"] == synthesized.config.logging.retention_days
    assert group["Properties"]["KmsKeyId"]["Fn::GetAtt"][1] == "Arn"


@pytest.mark.held_by("DR-OriginSecretNeverLiteral", "DR-SecretReferenceFollowsRotation")
def test_cloudfront_sends_the_origin_secret_by_dynamic_reference(synthesized) -> None:
    config = _distribution(synthesized)
    # MediaPackage origins are signed by origin access control and never see the cells' secret.
    assert all("OriginCustomHeaders" not in o for o in config["Origins"] if "OriginAccessControlId" in o)
    for origin in _cell_origins(config).values():
        headers = origin["OriginCustomHeaders"]
        secret = naming.origin_secret_name(synthesized.config.identity)
        reference = f"{{{{resolve:secretsmanager:{secret}:SecretString::AWSCURRENT:}}}}"
        assert headers == [{"HeaderName": "X-Origin-Verify", "HeaderValue": reference}]


@pytest.mark.held_by("DR-SecretReplicatedWhereResolved", "WA-REL-StatefulResourceRetained")
def test_origin_secret_is_generated_retained_and_replicated_to_every_reader(synthesized) -> None:
    (secret,) = synthesized.resources(synthesized.data, "AWS::SecretsManager::Secret").values()
    props = secret["Properties"]
    assert "SecretString" not in props
    assert props["GenerateSecretString"]["PasswordLength"] == 64
    assert props["GenerateSecretString"]["ExcludePunctuation"] is True
    assert props["Name"] == naming.origin_secret_name(synthesized.config.identity)
    assert secret["DeletionPolicy"] == "Retain"
    readers = set(synthesized.config.region_names) | {"us-east-1"}
    assert {r["Region"] for r in props["ReplicaRegions"]} == readers - {synthesized.config.primary_region}


@pytest.mark.held_by("DR-OriginSecretNeverLiteral")
def test_no_secret_literal_in_any_template(synthesized) -> None:
    """Every X-Origin-Verify value is a dynamic reference, and no secret-looking literal exists."""
    for stack in read_stacks(synthesized.outdir):
        text = Path(stack.template_path).read_text()
        for value in re.findall(r'"HeaderValue": "([^"]*)"', text):
            assert value.startswith("{{resolve:secretsmanager:"), (stack.name, value)
        for match in re.finditer(r'"HttpHeaderName": "X-Origin-Verify",\s*"Values": \[([^\]]*)\]', text):
            assert all(v.strip().strip('"').startswith("{{resolve:secretsmanager:") for v in match.group(1).split(","))
        # A generated 64-character alphanumeric value would be the only such token in a template that is not
        # a logical ID (construct paths can make one exactly 64 characters long).
        logical_ids = set(json.loads(text)["Resources"])
        tokens = set(re.findall(r'"([A-Za-z0-9]{64})"', text)) - logical_ids
        assert not tokens, (stack.name, tokens)


def test_no_secret_value_in_the_repository() -> None:
    root = Path(__file__).resolve().parents[2]
    for path in [
        *root.glob("config/**/*.yaml"),
        *root.glob("kickoff/**/*.py"),
        root / "cdk.json",
        root / "cdk.context.json",
    ]:
        assert "X-Origin-Verify:" not in path.read_text() or path.suffix == ".py"
        assert not re.search(r"(?i)origin[-_]verify\s*[:=]\s*['\"][A-Za-z0-9]{16,}", path.read_text()), path


@pytest.mark.held_by("ReleaseOrder")
def test_deploy_order_data_cells_edge(dev) -> None:
    by_name = {s.name: s for s in read_stacks(dev.outdir)}
    edge = by_name[dev.edge]
    assert dev.data in edge.dependencies
    for region in dev.config.region_names:
        assert dev.cell(region) in edge.dependencies
    order = [s.stack_name for s in dev.deployment.stacks]
    assert order.index(dev.edge) > max(order.index(dev.cell(r)) for r in dev.config.region_names)
