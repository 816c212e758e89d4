"""The forecast table: every published version of the forecast, and what each Region applied.

A DynamoDB global table with a replica in every cell Region (partition key ``pk``, sort key ``version``). Forecast
versions are items ``pk = "forecast"``; each Region's agent writes its own status item ``pk = "applied#<region>"``,
so one read anywhere shows which version every Region runs. An agent reads its own Region's replica only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

FORECAST_KEY = "forecast"
VERSION_LIFETIME_DAYS = 400
"""A published version expires (DynamoDB TTL) this long after it was published: a season and its review."""
READ_BACK = 5
"""Versions an agent reads, newest first: the newest good one is applied, the one before it guards the events on."""


def status_key(region: str) -> str:
    return f"applied#{region}"


@dataclass(frozen=True)
class StoredVersion:
    version: int
    data: Any
    error: str | None = None


def latest_versions(dynamodb: Any, table: str, count: int = READ_BACK) -> list[StoredVersion]:
    """The newest ``count`` forecast versions (strongly consistent in this Region's replica), newest first."""
    found = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": FORECAST_KEY}},
        ScanIndexForward=False,
        Limit=count,
        ConsistentRead=True,
    )
    out = []
    for item in found.get("Items", []):
        version = int(item["version"]["N"])
        try:
            out.append(StoredVersion(version, json.loads(item["document"]["S"])))
        except (KeyError, json.JSONDecodeError) as error:
            out.append(StoredVersion(version, None, f"not JSON: {error}"))
    return out


def put_version(dynamodb: Any, table: str, version: int, document: dict[str, Any]) -> None:
    """Write a new version; refused (ConditionalCheckFailedException) when that version exists already."""
    dynamodb.put_item(
        TableName=table,
        Item={
            "pk": {"S": FORECAST_KEY},
            "version": {"N": str(version)},
            "document": {"S": json.dumps(document, sort_keys=True)},
            "published_at": {"S": document["published_at"]},
            "expires_at": {"N": str(_expiry(document["published_at"]))},
        },
        ConditionExpression="attribute_not_exists(pk)",
    )


def _expiry(published_at: str) -> int:
    return int((datetime.fromisoformat(published_at) + timedelta(days=VERSION_LIFETIME_DAYS)).timestamp())


def write_status(dynamodb: Any, table: str, region: str, status: dict[str, Any], at: datetime) -> None:
    """This Region's status item: the version applied, until when its plan covers, errors."""
    dynamodb.put_item(
        TableName=table,
        Item={
            "pk": {"S": status_key(region)},
            "version": {"N": "0"},
            "status": {"S": json.dumps(status, sort_keys=True)},
            "at": {"S": at.isoformat()},
        },
    )


def read_status(dynamodb: Any, table: str, region: str) -> dict[str, Any] | None:
    found = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": status_key(region)}, "version": {"N": "0"}}, ConsistentRead=True
    )
    item = found.get("Item")
    return json.loads(item["status"]["S"]) if item else None
