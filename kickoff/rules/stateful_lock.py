"""The stateful-resource lock: what must never be removed, renamed or replaced silently.

``stateful.lock.json`` lists, per environment and stack, the logical ID, type and
identity of every resource that holds data: tables (with their replica Regions), KMS
keys, buckets and secrets. Identity is the set of properties whose change makes
CloudFormation replace the resource. A change that drops, renames (new logical ID =
new resource) or replaces one of them fails every synth (the StatefulLock validation
plugin, so ``cdk synth`` and ``cdk deploy`` too) with a message that names it, until
someone accepts it deliberately with ``python -m kickoff lock --write``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kickoff.lockfile import ACCEPT_COMMAND, Inventory

# Resource type -> properties whose change replaces the resource (CloudFormation "Update requires: Replacement").
IDENTITY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::DynamoDB::GlobalTable": ("TableName", "KeySchema", "LocalSecondaryIndexes"),
    "AWS::DynamoDB::Table": ("TableName", "KeySchema", "LocalSecondaryIndexes"),
    "AWS::KMS::Key": ("KeySpec", "KeyUsage", "MultiRegion"),
    "AWS::S3::Bucket": ("BucketName", "ObjectLockEnabled"),
    "AWS::SecretsManager::Secret": ("Name",),
}


def inventory(templates: Mapping[str, Mapping[str, Any]]) -> Inventory:
    """Stateful resources of each template (stack name -> template)."""
    out: Inventory = {}
    for stack, template in sorted(templates.items()):
        for logical_id, resource in sorted(template.get("Resources", {}).items()):
            props_names = IDENTITY_PROPERTIES.get(resource.get("Type", ""))
            if props_names is None:
                continue
            props = resource.get("Properties", {})
            entry: dict[str, Any] = {
                "type": resource["Type"],
                "identity": {name: props[name] for name in props_names if name in props},
            }
            if resource["Type"] == "AWS::DynamoDB::GlobalTable":
                entry["replicas"] = sorted(r["Region"] for r in props.get("Replicas", []))
            out.setdefault(stack, {})[logical_id] = entry
    return out


@dataclass(frozen=True)
class LockProblem:
    """One change that would lose data: where it is, and what it does."""

    stack: str
    logical_id: str
    message: str


def problems(
    locked: Inventory, current: Inventory, *, allowed_replica_removals: Iterable[str] = ()
) -> list[LockProblem]:
    """Every change that would lose data, located by stack and logical ID."""
    allowed = set(allowed_replica_removals)
    out: list[LockProblem] = []
    for stack, resources in sorted(locked.items()):
        now = current.get(stack, {})
        for logical_id, entry in sorted(resources.items()):
            what = f"{stack}/{logical_id} ({entry['type']})"

            def add(message: str) -> None:
                out.append(LockProblem(stack, logical_id, message))  # noqa: B023 (called within the iteration)

            if logical_id not in now:
                add(
                    f"{what} would be removed or renamed: CloudFormation deletes or replaces it and its data is lost "
                    "(it is retained only if its DeletionPolicy is Retain, and then orphaned)."
                )
                continue
            new = now[logical_id]
            if new["type"] != entry["type"]:
                add(f"{what} would become {new['type']}: the old resource and its data are replaced.")
                continue
            for prop, old_value in entry["identity"].items():
                if new["identity"].get(prop) != old_value:
                    add(
                        f"{what}: changing {prop} from {json.dumps(old_value)} to "
                        f"{json.dumps(new['identity'].get(prop))} "
                        "replaces the resource, and its data is lost."
                    )
            for prop in sorted(set(new["identity"]) - set(entry["identity"])):
                add(f"{what}: setting {prop} replaces the resource, and its data is lost.")
            for region in sorted(set(entry.get("replicas", [])) - set(new.get("replicas", []))):
                if region not in allowed:
                    add(
                        f"{what}: the {region} replica would be deleted with its data; set allow_replica_removal for "
                        f"{region} under retired_regions in the config to confirm."
                    )
    return out


def diff(locked: Inventory, current: Inventory, *, allowed_replica_removals: Iterable[str] = ()) -> list[str]:
    """Every change that would lose data, as a message that names the resource and the way to accept it."""
    return [p.message for p in problems(locked, current, allowed_replica_removals=allowed_replica_removals)]


def unlocked(locked: Inventory, current: Inventory) -> list[str]:
    """Stateful resources the lock does not list yet (``stack/logical ID``): not protected until recorded."""
    return [
        f"{stack}/{logical_id}"
        for stack, resources in sorted(current.items())
        for logical_id in sorted(resources)
        if logical_id not in locked.get(stack, {})
    ]


def failure_message(environment_key: str, problems: list[str]) -> str:
    """The message a failing lock check prints."""
    lines = [f"{environment_key}: {len(problems)} change(s) would lose data held by stateful resources:"]
    lines += [f"  - {p}" for p in problems]
    lines.append(
        f"If this is deliberate (data migrated, backups taken), accept it by regenerating the lock with "
        f"`{ACCEPT_COMMAND}` and commit stateful.lock.json with the change, so reviewers see it."
    )
    return "\n".join(lines)
