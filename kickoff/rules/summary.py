"""kickoff-guardrails.json: what each check did on the last synth, for `python -m kickoff check`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SUMMARY_FILE = "kickoff-guardrails.json"


def outdir_of(template_paths: Iterable[str | Path]) -> Path:
    """The app's cloud assembly, where the summary lives: the folder of the shallowest template (a release stage's
    templates sit in nested assemblies below it)."""
    return min((Path(p) for p in template_paths), key=lambda p: len(p.parts)).parent


def update_summary(outdir: Path | str, key: str, data: dict[str, Any]) -> None:
    """Merge ``data`` under ``key`` into the assembly's summary file."""
    path = Path(outdir) / SUMMARY_FILE
    summary = json.loads(path.read_text()) if path.is_file() else {}
    summary[key] = data
    path.write_text(json.dumps(summary, indent=2) + "\n")


def read_summary(outdir: Path | str) -> dict[str, Any]:
    """The summary file, or {} when the assembly has none."""
    path = Path(outdir) / SUMMARY_FILE
    return json.loads(path.read_text()) if path.is_file() else {}
