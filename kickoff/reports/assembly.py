"""Which assembly a report reads, and what to say when it is missing or was made from another config."""

from __future__ import annotations

from pathlib import Path

from kickoff import naming
from kickoff.config import KickoffConfig
from kickoff.paths import CONFIG_DIR
from kickoff.rules.assembly import read_stacks
from kickoff.rules.engine import TemplateView


def synth_command(config: KickoffConfig) -> str:
    """The make command that synthesizes ``config``: ``ENV=`` for a file in config/, ``CONFIG=`` for any other."""
    path = config.source_path
    if path is None or path.resolve().parent == CONFIG_DIR.resolve():
        return f"make synth ENV={config.environment}" if path is None else f"make synth ENV={path.stem}"
    return f"make synth CONFIG={path}"


def missing_assembly(config: KickoffConfig, outdir: Path) -> str | None:
    """Why ``outdir`` cannot be read (no cloud assembly there), with the fix; None when it holds one."""
    if (outdir / "manifest.json").is_file():
        return None
    return f"{outdir} holds no cloud assembly.\n  Fix: run {synth_command(config)} first"


def no_experiments(config: KickoffConfig, outdir: Path, views: list[TemplateView]) -> str:
    """Why an assembly holds no experiment of ``config``'s cells, and the fix that applies."""
    prefix = naming.environment_key(config.identity)
    stacks = read_stacks(outdir)
    if not views or not any(s.name.startswith(prefix) for s in stacks):
        others = sorted({s.name.split("-cell-")[0] for s in stacks if "-cell-" in s.name})
        return (
            f"{outdir} was synthesized from another config ({', '.join(others) or 'no cells'}), not {prefix}.\n"
            f"  Fix: run {synth_command(config)}, or pass the same -c options as that synth"
        )
    if not config.fault_injection.enabled:
        return (
            f"{prefix} turns fault injection off, so its cells have no experiments.\n"
            f"  Fix: set {config.locate(('fault_injection', 'enabled'))} to true and run {synth_command(config)}"
        )
    return f"{outdir} holds no experiment templates of {prefix}.\n  Fix: run {synth_command(config)}"
