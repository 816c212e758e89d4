"""The one home of ``stateful.lock.json``: its path, its format, reading and writing it.

A leaf (stdlib and ``kickoff.paths``), so the config loader can read which Regions hold a
replica without importing the template rules, and the rules can compare inventories
without importing the config loader. What the lock means and how a change is judged is in
``kickoff.rules.stateful_lock``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kickoff.paths import LOCK_FILE

ACCEPT_COMMAND = ".venv/bin/python -m kickoff lock --write"

Inventory = dict[str, dict[str, dict[str, Any]]]  # stack -> logical ID -> {type, identity, replicas?}


def read_lock(path: Path = LOCK_FILE) -> dict[str, Inventory]:
    """The committed lock: environment key (``<app>-<env>``) -> inventory."""
    return json.loads(path.read_text()) if path.is_file() else {}


def write_lock(locks: Mapping[str, Inventory], path: Path = LOCK_FILE) -> None:
    """Write the lock, sorted for stable diffs."""
    path.write_text(json.dumps(dict(sorted(locks.items())), indent=2, sort_keys=True) + "\n")


def replica_regions(inventory: Inventory) -> set[str]:
    """Regions that hold a replica of a global table in one environment's inventory."""
    return {
        region
        for resources in inventory.values()
        for entry in resources.values()
        for region in entry.get("replicas", [])
    }


def locked_replica_regions(environment_key: str, path: Path = LOCK_FILE) -> set[str]:
    """Regions that hold a replica of a global table of ``environment_key`` according to the lock."""
    return replica_regions(read_lock(path).get(environment_key, {}))
