"""Edits of the shipped prod templates that each live readiness rule must find (``LIVE_CASES``).

Each is one edit a reviewer could make: a Region's channel or the edge's second Region dropped, selection by media
quality removed, an input open to the internet, an endpoint readable by anyone, a channel nobody starts or that starts
too late, a name MediaPackage refuses, more channels than the declared quota. ``test_rules_on_shipped_templates`` runs
them with the other shipped-template cases; ``test_live_rules`` adds what only the live rules need.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.rules.shipped import Edit, Templates
from tests.support import Synth


def _of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == resource_type}


def _live(templates: Templates, region: str) -> dict[str, Any]:
    return templates[f"kickoff-prod-live-{region}"]


def _distribution(templates: Templates, synth: Synth) -> dict[str, Any]:
    (dist,) = _of_type(templates[synth.deployment.edge.stack_name], "AWS::CloudFront::Distribution").values()
    return dist["Properties"]["DistributionConfig"]


def _live_group(templates: Templates, synth: Synth) -> dict[str, Any]:
    config = _distribution(templates, synth)
    behavior = next(b for b in config["CacheBehaviors"] if b["PathPattern"] == "/live/tnf/*")
    return next(g for g in config["OriginGroups"]["Items"] if g["Id"] == behavior["TargetOriginId"])


def _drop(resource_type: str, region: str = "us-west-2") -> Edit:
    def edit(templates: Templates, synth: Synth) -> None:
        template = _live(templates, region)
        for logical_id in _of_type(template, resource_type):
            del template["Resources"][logical_id]

    return edit


def _one_region_group(templates: Templates, synth: Synth) -> None:
    group = _live_group(templates, synth)
    first = group["Members"]["Items"][0]
    group["Members"]["Items"] = [first, copy.deepcopy(first)]


def _no_media_quality(templates: Templates, synth: Synth) -> None:
    del _live_group(templates, synth)["SelectionCriteria"]


def _no_404(templates: Templates, synth: Synth) -> None:
    codes = _live_group(templates, synth)["FailoverCriteria"]["StatusCodes"]
    codes["Items"] = [c for c in codes["Items"] if c != 404]
    codes["Quantity"] = len(codes["Items"])


def _unsigned(templates: Templates, synth: Synth) -> None:
    config = _distribution(templates, synth)
    member = _live_group(templates, synth)["Members"]["Items"][1]["OriginId"]
    del next(o for o in config["Origins"] if o["Id"] == member)["OriginAccessControlId"]


def _no_live_behavior(templates: Templates, synth: Synth) -> None:
    config = _distribution(templates, synth)
    config["CacheBehaviors"] = [b for b in config["CacheBehaviors"] if b["PathPattern"] != "/live/tnf/*"]


def _open_input(templates: Templates, synth: Synth) -> None:
    (group,) = _of_type(_live(templates, "us-east-1"), "AWS::MediaLive::InputSecurityGroup").values()
    group["Properties"]["WhitelistRules"].append({"Cidr": "0.0.0.0/0"})


def _input_without_group(templates: Templates, synth: Synth) -> None:
    (source,) = _of_type(_live(templates, "us-east-1"), "AWS::MediaLive::Input").values()
    del source["Properties"]["InputSecurityGroups"]


def _endpoint_policy(templates: Templates) -> dict[str, Any]:
    (policy,) = _of_type(_live(templates, "us-east-1"), "AWS::MediaPackageV2::OriginEndpointPolicy").values()
    return policy["Properties"]["Policy"]["Statement"][0]


def _anyone_reads(templates: Templates, synth: Synth) -> None:
    _endpoint_policy(templates)["Principal"] = "*"


def _no_source_condition(templates: Templates, synth: Synth) -> None:
    del _endpoint_policy(templates)["Condition"]


def _every_action(templates: Templates, synth: Synth) -> None:
    _endpoint_policy(templates)["Action"] = "mediapackagev2:*"


def _registration(templates: Templates, region: str = "us-east-1") -> tuple[str, dict[str, Any]]:
    template = _live(templates, region)
    (found,) = [
        (k, r) for k, r in _of_type(template, "AWS::SSM::Parameter").items() if "/channels/" in r["Properties"]["Name"]
    ]
    return found


def _unregistered(templates: Templates, synth: Synth) -> None:
    logical_id, _ = _registration(templates)
    del _live(templates, "us-east-1")["Resources"][logical_id]


def registration_rewritten(old: str, new: str) -> Edit:
    def edit(templates: Templates, synth: Synth) -> None:
        _, parameter = _registration(templates)
        parts = parameter["Properties"]["Value"]["Fn::Join"][1]
        parameter["Properties"]["Value"]["Fn::Join"][1] = [
            p.replace(old, new) if isinstance(p, str) else p for p in parts
        ]

    return edit


def _agent_unbound(templates: Templates, synth: Synth) -> None:
    cell = templates["kickoff-prod-cell-us-east-1"]
    for function in _of_type(cell, "AWS::Lambda::Function").values():
        variables = (function["Properties"].get("Environment") or {}).get("Variables") or {}
        if "KICKOFF_BINDING" in variables:
            variables["KICKOFF_BINDING"] = json.loads(
                json.dumps(variables["KICKOFF_BINDING"]).replace(
                    '\\"live_channels\\":true', '\\"live_channels\\":false'
                )
            )


def _bad_manifest_name(templates: Templates, synth: Synth) -> None:
    (endpoint,) = _of_type(_live(templates, "us-east-1"), "AWS::MediaPackageV2::OriginEndpoint").values()
    endpoint["Properties"]["HlsManifests"][0]["ManifestName"] = "index_main"


def _second_channel(templates: Templates, synth: Synth) -> None:
    template = _live(templates, "us-east-1")
    ((logical_id, channel),) = _of_type(template, "AWS::MediaPackageV2::Channel").items()
    template["Resources"][f"{logical_id}Copy"] = copy.deepcopy(channel)


def _six_channels(templates: Templates, synth: Synth) -> None:
    template = _live(templates, "us-east-1")
    ((logical_id, channel),) = _of_type(template, "AWS::MediaLive::Channel").items()
    for i in range(5):
        extra = copy.deepcopy(channel)
        extra["Properties"]["Name"] = f"kickoff-prod-extra-{i}"
        template["Resources"][f"{logical_id}Extra{i}"] = extra


# rule suffix -> (the fixture whose config it checks, {case: (edit, what the finding says)})
LIVE_CASES: dict[str, tuple[str, dict[str, tuple[Edit, str]]]] = {
    "LiveChannelIngestedWhereConfigured": (
        "prod",
        {
            "a Region's channel removed": (_drop("AWS::MediaLive::Channel"), "not its ingest Regions"),
            "production left with one Region": (_drop("AWS::MediaLive::Channel"), "in 1 Region in production"),
        },
    ),
    "CloudFrontLiveOriginGroupCoversIngestRegions": (
        "prod",
        {
            "an origin group without us-west-2": (_one_region_group, "without us-west-2"),
            "selection by media quality removed": (_no_media_quality, "media-quality-based"),
            "no failover on 404": (_no_404, "does not fail over on 404"),
            "an unsigned origin": (_unsigned, "origin access control"),
            "the channel's behaviour removed": (_no_live_behavior, "no behaviour serves /live/tnf/*"),
        },
    ),
    "MediaLiveInputSecurityGroupClosed": (
        "prod",
        {
            "an input security group open to the internet": (_open_input, "admits 0.0.0.0/0"),
            "a push input without a security group": (_input_without_group, "has no input security group"),
        },
    ),
    "MediaPackageEndpointCloudFrontOnly": (
        "prod",
        {
            "anyone may read": (_anyone_reads, "not CloudFront"),
            "no source condition": (_no_source_condition, "aws:SourceArn"),
            "every action": (_every_action, "allows mediapackagev2:*"),
            "no policy": (_drop("AWS::MediaPackageV2::OriginEndpointPolicy", "us-east-1"), "no endpoint policy"),
        },
    ),
    "MediaLiveChannelScheduleCoversEvents": (
        "prod",
        {
            "no registration": (_unregistered, "no registration"),
            "an event pattern dropped": (
                registration_rewritten('"black-friday-*",', ""),
                "not running throughout black-friday-2026",
            ),
            "started too late": (
                registration_rewritten('"start_lead_minutes":120', '"start_lead_minutes":12'),
                "not running throughout tnf-2026-w02",
            ),
            "the agent does not start channels": (_agent_unbound, "not bound to live channels"),
        },
    ),
    "LiveNamesValidAndUnique": (
        "prod",
        {
            "a manifest name MediaPackage refuses": (_bad_manifest_name, "'index_main' is not 1-256"),
            "the same channel twice": (_second_channel, "created 2 times in us-east-1"),
        },
    ),
    "LiveQuotasDeclared": (
        "prod",
        {"six channels against a quota of five": (_six_channels, "needs 6 against the declared medialive_channels")},
    ),
}
