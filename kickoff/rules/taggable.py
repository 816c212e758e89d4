"""Which CloudFormation resource types take tags, and in which property.

Generated from cfn-lint's bundled CloudFormation resource schemas (``tagging.taggable``
and ``tagging.tagProperty``) into ``taggable_types.json``, so a synth never pays cfn-lint's
import time. ``python -m kickoff taggable`` regenerates the file; a test fails when the
committed file and the installed cfn-lint disagree on any type Kickoff synthesizes.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

TABLE_FILE = Path(__file__).with_name("taggable_types.json")
SCHEMA_REGION = "us-east-1"


def schema_tag_property(resource_type: str) -> str | None:
    """Tag property of ``resource_type`` according to cfn-lint's schema, or None if not taggable."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(SCHEMA_REGION, resource_type).schema
    except Exception:  # noqa: BLE001 - cfn-lint raises its own types for unknown resource types
        return None
    tagging = schema.get("tagging") or {}
    prop = tagging.get("tagProperty")
    if tagging.get("taggable") is False or not prop:
        return "Tags" if "Tags" in schema.get("properties", {}) and tagging.get("taggable") is not False else None
    return prop.removeprefix("/properties/")


def generate() -> dict[str, str]:
    """Every taggable resource type in cfn-lint's schemas -> its tag property."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    table = {}
    for resource_type in sorted(PROVIDER_SCHEMA_MANAGER.get_resource_types(SCHEMA_REGION)):
        prop = schema_tag_property(resource_type)
        if prop:
            table[resource_type] = prop
    return table


def write_table() -> int:
    """Regenerate taggable_types.json; returns the number of taggable types."""
    table = generate()
    TABLE_FILE.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n")
    return len(table)


@lru_cache(maxsize=1)
def tag_properties() -> dict[str, str]:
    """The committed table: resource type -> tag property."""
    return json.loads(TABLE_FILE.read_text())
