"""Results cached on disk under the key of the content they were computed from (decision 0018).

A key is a digest of everything the result depends on, so an entry is never reused for other inputs. Entries are
written atomically (a concurrent reader sees all of an entry or none), touched when read, and the least recently
used go first beyond ``keep``. A cache that cannot be read or written costs time, never a verdict.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def read(directory: Path | None, key: str) -> Any | None:
    """The entry under ``key``, or None when there is none (or no cache, or it is unreadable)."""
    if directory is None:
        return None
    entry = directory / f"{key}.json"
    try:
        value = json.loads(entry.read_text())
        entry.touch()
    except (OSError, ValueError):
        return None
    return value


def write(directory: Path | None, entries: dict[str, Any], keep: int) -> None:
    """Store ``entries`` (key -> JSON value), then drop the least recently used beyond ``keep``."""
    if directory is None or not entries:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for key, value in entries.items():
            temporary = directory / f".{key}.{os.getpid()}.tmp"
            temporary.write_text(json.dumps(value))
            temporary.replace(directory / f"{key}.json")
        stored = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for stale in stored[: max(0, len(stored) - keep)]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
