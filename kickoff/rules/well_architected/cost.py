"""Cost optimization: capacity that follows demand, and spend attributable to a cell and a service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, references
from kickoff.rules.engine import props as _props
from kickoff.rules.engine import tags as _tags
from kickoff.rules.taggable import tag_properties
from kickoff.rules.well_architected.rule import Params, WaRule


def _table_capacity(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding]:
    props = _props(resource)
    if props.get("BillingMode") == "PAY_PER_REQUEST":
        return []
    if resource["Type"] == "AWS::DynamoDB::GlobalTable":
        write_auto = (props.get("WriteProvisionedThroughputSettings") or {}).get("WriteCapacityAutoScalingSettings")
        read_fixed = [
            r.get("Region")
            for r in props.get("Replicas", [])
            if not (r.get("ReadProvisionedThroughputSettings") or {}).get("ReadCapacityAutoScalingSettings")
        ]
        findings = [] if write_auto else [Finding("Write", "write capacity is fixed")]
        findings += [Finding(f"Read::{r}", f"read capacity of the {r} replica is fixed") for r in read_fixed]
        return findings
    scaled = {
        _props(t).get("ScalableDimension")
        for t in view.of_type("AWS::ApplicationAutoScaling::ScalableTarget").values()
        if logical_id in references(_props(t).get("ResourceId"))
    }
    return (
        []
        if {"dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"} <= scaled
        else [Finding("", "provisioned capacity without autoscaling")]
    )


DYNAMO_CAPACITY_MODE = WaRule(
    "COST-DynamoCapacityMode",
    "COST09-BP03",
    "Supply resources dynamically",
    "Tables are on-demand, or provisioned with autoscaling",
    "Fixed provisioned capacity is paid for at peak all week. Use on-demand, or autoscaled read and write capacity.",
    frozenset({"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"}),
    _table_capacity,
)


def _cost_tags(logical_id: str, resource: Resource, view: TemplateView, params: Params) -> list[Finding] | None:
    resource_type = resource["Type"]
    expected = {**params.required_tags, "region": view.region, "cell": view.cell}
    if resource_type == "AWS::DynamoDB::GlobalTable":
        findings = []
        for replica in _props(resource).get("Replicas", []):
            region = replica.get("Region")
            findings += _missing_tags(
                _tags(replica.get("Tags")), {**expected, "region": region, "cell": region}, f"Replica::{region}::"
            )
        return findings
    prop = tag_properties().get(resource_type)
    if prop is None:
        return None
    wanted = dict(expected)
    if resource_type in params.service_tag_types:
        wanted["service"] = None
    return _missing_tags(_tags(_props(resource).get(prop)), wanted, "")


def _missing_tags(tags: dict[str, Any], wanted: Mapping[str, str | None], prefix: str) -> list[Finding]:
    findings = []
    for key, value in wanted.items():
        if key not in tags:
            findings.append(Finding(f"{prefix}Tag::{key}", f"{prefix}tag '{key}' is missing"))
        elif value is not None and tags[key] != value:
            findings.append(Finding(f"{prefix}Tag::{key}", f"{prefix}tag '{key}' is '{tags[key]}', expected '{value}'"))
    return findings


def _all_taggable_types() -> frozenset[str]:
    return frozenset(tag_properties()) | {"AWS::DynamoDB::GlobalTable"}


COST_ALLOCATION_TAGS = WaRule(
    "COST-CostAllocationTags",
    "COST03-BP02",
    "Add organization information to cost and usage",
    "Every taggable resource carries the cost-allocation tags app, env, region, cell (and service on services)",
    "Untagged spend cannot be attributed to a cell or service, so per-cell cost cannot be compared. Tag at the stack "
    "and service level.",
    _all_taggable_types(),
    _cost_tags,
)


RULES: tuple[WaRule, ...] = (
    DYNAMO_CAPACITY_MODE,
    COST_ALLOCATION_TAGS,
)
