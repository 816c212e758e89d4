"""Read a synthesized cloud assembly (cdk.out): stacks, templates and the validation report."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kickoff.rules.engine import TemplateView, load_view


@dataclass(frozen=True)
class StackArtifact:
    """One CloudFormation stack in the assembly."""

    name: str
    region: str
    account: str
    template_path: str
    dependencies: tuple[str, ...]
    # What the CDK CLI selects a stack by: its hierarchical ID (``Cell-us-east-1/kickoff-prod-cell-us-east-1`` in
    # a pipeline's stage; the stack name at the top level, where --all applies).
    display_name: str = ""
    top_level: bool = True
    artifact_id: str = ""  # the manifest's key; ``dependencies`` name other stacks of the same assembly by it
    termination_protection: bool = False

    def template(self) -> dict:
        """The template as a dict."""
        return json.loads(Path(self.template_path).read_text())

    @property
    def size_bytes(self) -> int:
        """Template size on disk."""
        return Path(self.template_path).stat().st_size


def read_stacks(outdir: Path | str, *, top_level: bool = True) -> list[StackArtifact]:
    """Every stack artifact in ``outdir``, in manifest order, including the stacks of nested
    assemblies (the CDK stages a release pipeline deploys), after the top-level ones."""
    outdir = Path(outdir)
    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = []
    nested: list[Path] = []
    for name, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") == "cdk:cloud-assembly":
            nested.append(outdir / artifact["properties"]["directoryName"])
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        account, region = artifact["environment"].removeprefix("aws://").split("/")
        stacks.append(
            StackArtifact(
                name=artifact.get("properties", {}).get("stackName", name),
                region=region,
                account=account,
                template_path=str(outdir / artifact["properties"]["templateFile"]),
                dependencies=tuple(d for d in artifact.get("dependencies", []) if not d.endswith(".assets")),
                display_name=artifact.get("displayName", name),
                top_level=top_level,
                artifact_id=name,
                termination_protection=bool(artifact.get("properties", {}).get("terminationProtection")),
            )
        )
    for directory in nested:
        stacks.extend(read_stacks(directory, top_level=False))
    return stacks


def template_views(outdir: Path | str, keep: Callable[[StackArtifact], bool] | None = None) -> list[TemplateView]:
    """The templates of ``outdir`` (those ``keep`` accepts) as rule views; the Region stands in for the cell tag,
    which only the Well-Architected rules read."""
    return [
        load_view(
            Path(s.template_path).name,
            Path(s.template_path).read_text(),
            stack=s.name,
            region=s.region,
            cell=s.region,
            account=s.account,
        )
        for s in read_stacks(outdir)
        if keep is None or keep(s)
    ]


def missing_context(outdir: Path | str) -> list[str]:
    """Context keys the app asked for but did not have (each would be an AWS lookup)."""
    manifest = json.loads((Path(outdir) / "manifest.json").read_text())
    return [m["key"] for m in manifest.get("missing", [])]


@dataclass
class PackCounts:
    """Findings of one validation plugin, per stack."""

    open: Counter = field(default_factory=Counter)
    acknowledged: Counter = field(default_factory=Counter)


def validation_counts(outdir: Path | str) -> dict[str, PackCounts]:
    """Open and acknowledged findings per plugin and stack, from validation-report.json.

    A construct path starts with its stack's construct ID, or with the release stage's ID and then
    the stack's (``Cell-us-west-2/kickoff-prod-cell-us-west-2/...``); stack construct IDs are the
    stack names, so the stage's segment is skipped when the next one names a stack.
    """
    path = Path(outdir) / "validation-report.json"
    if not path.is_file():
        return {}
    names = {stack.name for stack in read_stacks(outdir)}
    report = json.loads(path.read_text())
    counts: dict[str, PackCounts] = {}
    for plugin in report.get("pluginReports", []):
        pack = counts.setdefault(plugin["pluginName"], PackCounts())
        for kind, bucket in (("violations", pack.open), ("suppressedViolations", pack.acknowledged)):
            for violation in plugin.get(kind, []):
                for construct in violation.get("violatingConstructs", []):
                    segments = construct["constructPath"].split("/")
                    staged = len(segments) > 1 and segments[0] not in names and segments[1] in names
                    bucket[segments[1] if staged else segments[0]] += 1
    return counts
