"""A cell uses the table where it has a replica.

Each cell's tasks read and write the global table in their own Region (decision 0002). A
policy that names the table in a Region without a replica deploys fine and fails every
request there: DynamoDB answers ResourceNotFoundException. So a task's table ARN must name a
Region that holds a replica of a table this deployment creates.
"""

from __future__ import annotations

from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, props
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.rule import ReadinessRule

GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable"


def _replicas(readiness: Readiness) -> dict[str, set[str]]:
    """Table name -> Regions with a replica, for every global table of the deployment with a literal name."""
    out: dict[str, set[str]] = {}
    for found in readiness.all_of_type(GLOBAL_TABLE):
        p = props(found.resource)
        if isinstance(p.get("TableName"), str):
            out.setdefault(p["TableName"], set()).update(
                str(r.get("Region")) for r in p.get("Replicas", []) if isinstance(r.get("Region"), str)
            )
    return out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _table_regions(statement: dict[str, Any]) -> list[tuple[str, str]]:
    """(Region, table name) of every literal DynamoDB table ARN a statement names (indexes and streams included)."""
    out = []
    for arn in _as_list(statement.get("Resource", [])):
        if isinstance(arn, str) and arn.startswith("arn:") and ":dynamodb:" in arn and ":table/" in arn:
            parts = arn.split(":")
            out.append((parts[3], parts[5].split("/")[1]))
    return out


def _replica_where_used(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    tables = readiness.memo("global-table-replicas", lambda: _replicas(readiness))
    findings: list[Finding] = []
    evaluated = False
    for statement in _as_list(props(resource).get("PolicyDocument", {}).get("Statement", [])):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        for region, name in _table_regions(statement):
            if name not in tables:
                continue  # a table this deployment does not create
            evaluated = True
            if region not in tables[name]:
                findings.append(
                    Finding(
                        f"Table::{name}::{region}",
                        f"grants access to {name} in {region}, where the table has no replica "
                        f"(replicas: {', '.join(sorted(tables[name]))}): every request there fails",
                    )
                )
    return findings if evaluated else None


REPLICA_WHERE_USED = ReadinessRule(
    "DynamoReplicaWhereUsed",
    "A policy that names a table of this deployment names a Region that holds one of its replicas",
    "Keep every cell Region in the global table's replicas (the table construct derives them from regions); a cell "
    "without a local replica fails its requests.",
    "DynamoDB global tables: a replica is a table in its Region; other Regions answer ResourceNotFoundException",
    frozenset({"AWS::IAM::Policy"}),
    _replica_where_used,
)

RULES: tuple[ReadinessRule, ...] = (REPLICA_WHERE_USED,)
