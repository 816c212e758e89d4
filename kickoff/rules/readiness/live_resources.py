"""The live signal's resources on their own: closed contribution inputs, endpoints only CloudFront reads, names
AWS accepts and that are unique in their Region, and the quotas the channels need."""

from __future__ import annotations

import ipaddress
import json
import re
from collections import Counter

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.rule import ReadinessRule

MEDIAPACKAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MANIFEST_NAME = re.compile(r"^[A-Za-z0-9-]{1,256}$")
PUSH_INPUTS = frozenset({"RTP_PUSH", "UDP_PUSH", "RTMP_PUSH"})
WIDEST_PREFIX = 8
"""A rule wider than a /8 admits a large part of the internet to the contribution input."""
CLOUDFRONT_READS = frozenset({"mediapackagev2:GetObject", "mediapackagev2:GetHeadObject"})
ORIGIN_ENDPOINT_POLICY = "AWS::MediaPackageV2::OriginEndpointPolicy"


# --- contribution inputs admit only the declared senders ---------------------------------------------------------


def _closed_inputs(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    p = props(resource)
    if resource["Type"] == "AWS::MediaLive::Input":
        if p.get("Type") in PUSH_INPUTS and not p.get("InputSecurityGroups"):
            return [Finding("NoSecurityGroup", f"{p.get('Type')} input has no input security group")]
        return []
    findings = []
    for rule in p.get("WhitelistRules") or []:
        cidr = rule.get("Cidr")
        try:
            network = ipaddress.ip_network(str(cidr), strict=False)
        except ValueError:
            continue
        if network.prefixlen < WIDEST_PREFIX:
            findings.append(
                Finding(
                    f"Cidr::{cidr}",
                    f"admits {cidr} ({network.num_addresses:,} addresses): anyone there can push a signal into the "
                    "channel",
                )
            )
    return findings


LIVE_INPUT_CLOSED = ReadinessRule(
    "MediaLiveInputSecurityGroupClosed",
    "Pushed contribution inputs are admitted only from declared sender CIDRs, never the internet",
    "List the venue's and broadcaster's sender addresses in live.channels[].inputs.source_cidrs (a /8 or narrower); "
    "every push input needs an input security group.",
    "MediaLive input security groups (working-with-input-security-groups.html)",
    frozenset({"AWS::MediaLive::InputSecurityGroup", "AWS::MediaLive::Input"}),
    _closed_inputs,
)


# --- MediaPackage endpoints answer CloudFront only ----------------------------------------------------------------


def _names(resource: Resource, view: TemplateView) -> tuple[str | None, str | None, str | None]:
    p = props(resource)
    return (
        literal(p.get("ChannelGroupName"), view),
        literal(p.get("ChannelName"), view),
        literal(p.get("OriginEndpointName"), view),
    )


def _cloudfront_only(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    names = _names(resource, view)
    policies = [p for p in view.of_type(ORIGIN_ENDPOINT_POLICY).values() if _names(p, view) == names]
    if not policies:
        return [Finding("NoPolicy", "no endpoint policy: CloudFront's origin access control is refused")]
    findings = []
    for policy in policies:
        document = props(policy).get("Policy") or {}
        for i, statement in enumerate(document.get("Statement") or []):
            if statement.get("Effect") != "Allow":
                continue
            principal = statement.get("Principal")
            actions = statement.get("Action")
            actions = {actions} if isinstance(actions, str) else set(actions or ())
            condition = statement.get("Condition") or {}
            source = {k.lower(): v for op in condition.values() if isinstance(op, dict) for k, v in op.items()}.get(
                "aws:sourcearn"
            )
            if principal != {"Service": "cloudfront.amazonaws.com"}:
                findings.append(
                    Finding(f"Statement::{i}::Principal", f"allows {json.dumps(principal)}, not CloudFront")
                )
            if not actions <= CLOUDFRONT_READS:
                findings.append(
                    Finding(f"Statement::{i}::Action", f"allows {', '.join(sorted(actions - CLOUDFRONT_READS))}")
                )
            if not (isinstance(source, str) and source.startswith(f"arn:aws:cloudfront::{view.account}:distribution/")):
                findings.append(
                    Finding(
                        f"Statement::{i}::SourceArn",
                        "no aws:SourceArn condition naming this account's distributions: any distribution could "
                        "read the endpoint",
                    )
                )
    return findings


LIVE_ENDPOINT_CLOUDFRONT_ONLY = ReadinessRule(
    "MediaPackageEndpointCloudFrontOnly",
    "MediaPackage v2 endpoints allow only CloudFront (this account's distributions) to read them",
    "Give each origin endpoint the policy LiveOrigin writes: Allow cloudfront.amazonaws.com mediapackagev2:GetObject "
    "and GetHeadObject, conditioned on aws:SourceArn of this account's distributions.",
    "Restrict access to a MediaPackage v2 origin (private-content-restricting-access-to-mediapackage.html)",
    frozenset({"AWS::MediaPackageV2::OriginEndpoint"}),
    _cloudfront_only,
)


# --- names AWS accepts, unique where they must be ---------------------------------------------------------------


def _name_problems(resource: Resource, view: TemplateView) -> list[Finding]:
    p = props(resource)
    findings = []
    for field in ("ChannelGroupName", "ChannelName", "OriginEndpointName"):
        value = literal(p.get(field), view)
        if value is not None and not MEDIAPACKAGE_NAME.match(value):
            findings.append(Finding(f"{field}::{value}", f"{field} {value!r} is not 1-256 of A-Z a-z 0-9 _ -"))
    for kind in ("HlsManifests", "DashManifests", "LowLatencyHlsManifests"):
        for manifest in p.get(kind) or []:
            for field in ("ManifestName", "ChildManifestName"):
                value = manifest.get(field)
                if isinstance(value, str) and not MANIFEST_NAME.match(value):
                    findings.append(
                        Finding(f"{field}::{value}", f"{kind} {field} {value!r} is not 1-256 of A-Z a-z 0-9 -")
                    )
    return findings


def _unique(readiness: Readiness) -> dict[tuple[str, str, str], int]:
    """(resource type, Region, name) -> how many templates of the deployment create it."""

    def index() -> dict[tuple[str, str, str], int]:
        counts: Counter[tuple[str, str, str]] = Counter()
        for view in readiness.views:
            for resource_type, key in UNIQUE_KEYS.items():
                for resource in view.of_type(resource_type).values():
                    name = "/".join(literal(props(resource).get(k), view) or "?" for k in key)
                    counts[(resource_type, view.region, name)] += 1
        return dict(counts)

    return readiness.memo("live:unique", index)


UNIQUE_KEYS = {
    "AWS::MediaPackageV2::ChannelGroup": ("ChannelGroupName",),
    "AWS::MediaPackageV2::Channel": ("ChannelGroupName", "ChannelName"),
    "AWS::MediaPackageV2::OriginEndpoint": ("ChannelGroupName", "ChannelName", "OriginEndpointName"),
    "AWS::MediaLive::Channel": ("Name",),
    "AWS::MediaLive::Input": ("Name",),
}


def _names_check(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    findings = _name_problems(resource, view)
    key = UNIQUE_KEYS[resource["Type"]]
    name = "/".join(literal(props(resource).get(k), view) or "?" for k in key)
    count = _unique(readiness).get((resource["Type"], view.region, name), 0)
    if count > 1:
        findings.append(
            Finding(
                f"Duplicate::{name}",
                f"{name} is created {count} times in {view.region}: the second deploy fails (MediaPackage) or "
                "the agent and the alarms cannot tell the channels apart (MediaLive)",
            )
        )
    return findings


LIVE_NAMES = ReadinessRule(
    "LiveNamesValidAndUnique",
    "MediaPackage v2 and MediaLive names are within their limits and unique in their Region",
    "Keep the names kickoff.naming derives (the group is <app>-<env>, channels are the live channel names); two "
    "stacks must not create the same group, channel or endpoint in one Region.",
    "MediaPackage v2 CreateChannelGroup/CreateChannel/CreateOriginEndpoint name constraints",
    frozenset(UNIQUE_KEYS),
    _names_check,
)


# --- the quotas the live channels need are declared ---------------------------------------------------------------

LIVE_QUOTA_COUNTS: dict[str, tuple[str, ...]] = {
    "medialive_channels": ("AWS::MediaLive::Channel",),
    "medialive_input_security_groups": ("AWS::MediaLive::InputSecurityGroup",),
    "mediapackage_channel_groups": ("AWS::MediaPackageV2::ChannelGroup",),
}


def _region_counts(readiness: Readiness, region: str) -> dict[str, int]:
    views = [v for v in readiness.views if v.region == region]
    counts = {quota: sum(len(v.of_type(t)) for v in views for t in types) for quota, types in LIVE_QUOTA_COUNTS.items()}
    counts["medialive_push_inputs"] = sum(
        1 for v in views for r in v.of_type("AWS::MediaLive::Input").values() if props(r).get("Type") in PUSH_INPUTS
    )
    per_group: Counter[str] = Counter()
    for v in views:
        for channel in v.of_type("AWS::MediaPackageV2::Channel").values():
            per_group[literal(props(channel).get("ChannelGroupName"), v) or "?"] += 1
    counts["mediapackage_channels_per_group"] = max(per_group.values(), default=0)
    return counts


def _quotas(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    declared = readiness.params.live.quotas.get(view.region)
    if declared is None:
        return None
    counts = readiness.memo(f"live:quotas:{view.region}", lambda: _region_counts(readiness, view.region))
    return [
        Finding(
            quota,
            f"{view.region} needs {counts[quota]} against the declared {quota} of {declared[quota]}"
            f"{readiness.params.set_by(f'quota:{view.region}:{quota}')}",
        )
        for quota in sorted(counts)
        if quota in declared and counts[quota] > declared[quota]
    ]


LIVE_QUOTAS = ReadinessRule(
    "LiveQuotasDeclared",
    "MediaLive channels, push inputs and input security groups, and MediaPackage v2 groups and channels, fit the "
    "declared quotas of their Region",
    "Request the increase in Service Quotas (`kickoff quotas` prints the command) and declare it in "
    "regions[].quotas, or ingest fewer channels in that Region.",
    "MediaLive and MediaPackage v2 quotas (Service Quotas L-D1AFAF75, L-9E233AF7, L-6A0116BB, L-A7040149, L-55777135)",
    frozenset({"AWS::MediaPackageV2::ChannelGroup"}),
    _quotas,
)


RULES: tuple[ReadinessRule, ...] = (LIVE_INPUT_CLOSED, LIVE_ENDPOINT_CLOUDFRONT_ONLY, LIVE_NAMES, LIVE_QUOTAS)
