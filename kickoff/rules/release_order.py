"""The release order and stack protection the cloud assembly's manifest holds (pure: JSON in, problems out).

Without a pipeline, ``cdk deploy --all`` deploys in the order of the stacks' dependencies, so those dependencies are
the release order: every keys stack before the data stack, the data stack before every cell, the canary Region's
cell alone before the other cells (each of which depends on it), and the edge and the cross-Region dashboard after
every cell. With a pipeline, its stages hold the order (``kickoff.rules.readiness.release``). A production stack is
termination-protected either way: ``cdk destroy`` or a console click must not take a cell down.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kickoff.rules.assembly import read_stacks


@dataclass(frozen=True)
class ManifestStack:
    """A stack artifact of the manifest: its dependencies (stack names) and its protection."""

    name: str
    dependencies: tuple[str, ...]
    termination_protection: bool


@dataclass(frozen=True)
class ReleaseOrder:
    """What the config says the order is: stack names by role."""

    keys: tuple[str, ...]
    data: str
    cells: Mapping[str, str]  # Region -> cell stack
    canary: str  # the canary Region
    last: tuple[str, ...]  # stacks that deploy after every cell (edge, observability)
    production: bool
    pipeline: bool


def manifest_stacks(outdir: Path) -> list[ManifestStack]:
    """Every stack of the assembly at ``outdir`` and of its nested assemblies (a pipeline's stages), with its
    dependencies by stack name; none when ``outdir`` holds no manifest."""
    if not (outdir / "manifest.json").is_file():
        return []
    artifacts = read_stacks(outdir)
    # Dependencies name artifacts of the same assembly (manifest), by artifact ID.
    names = {(Path(s.template_path).parent, s.artifact_id): s.name for s in artifacts}
    return [
        ManifestStack(
            s.name,
            tuple(n for d in s.dependencies if (n := names.get((Path(s.template_path).parent, d)))),
            s.termination_protection,
        )
        for s in artifacts
    ]


def _closure(stacks: Mapping[str, ManifestStack], name: str) -> set[str]:
    """Every stack ``name`` waits for, directly or through others."""
    seen: set[str] = set()
    todo = list(stacks[name].dependencies) if name in stacks else []
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo += list(stacks[current].dependencies) if current in stacks else []
    return seen


def release_order_problems(stacks: list[ManifestStack], order: ReleaseOrder) -> list[str]:
    """Why ``stacks`` would not deploy in ``order``'s release order, or would not be protected."""
    problems = []
    if order.production:
        problems += [
            f"{s.name} is not termination-protected: one `cdk destroy` or console click deletes it"
            for s in stacks
            if not s.termination_protection
        ]
    by_name = {s.name: s for s in stacks}
    if order.pipeline or order.data not in by_name:
        return problems  # the pipeline's stages hold the order
    after = {name: _closure(by_name, name) for name in by_name}
    problems += [f"{order.data} deploys without waiting for {k}" for k in order.keys if k not in after[order.data]]
    canary = order.cells.get(order.canary)
    for cell in order.cells.values():
        if cell not in by_name:
            continue
        if order.data not in after[cell]:
            problems.append(f"{cell} deploys without waiting for {order.data}")
        if cell != canary and canary is not None and canary not in after[cell]:
            problems.append(f"{cell} deploys without waiting for the canary Region's cell {canary}")
    if canary in by_name:
        others = sorted(c for c in order.cells.values() if c != canary and c in after[canary])
        problems += [f"the canary Region's cell {canary} waits for {c}: it would not deploy first" for c in others]
    for name in order.last:
        if name in by_name:
            problems += [
                f"{name} deploys without waiting for {cell}" for cell in order.cells.values() if cell not in after[name]
            ]
    return problems
