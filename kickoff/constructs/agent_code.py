"""The capacity agent's Lambda code: kickoff/agent and kickoff/scaling with numpy for Linux ARM64, as one zip.

The zip is deterministic (sorted entries, fixed times and modes), so two synths of the same sources produce the same
asset hash and the same template. It is built once per digest of its inputs under build/agent-bundle; a synth then
stages one file. numpy comes unpacked from build/agent-deps (``make setup``, pinned by hash in
requirements-agent.txt): no network and no Docker at synth time.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

from kickoff.config.errors import ConfigError
from kickoff.paths import AGENT_BUNDLE, AGENT_DEPS, AGENT_REQUIREMENTS, REPO_ROOT

HANDLER = "kickoff.agent.handler.handler"
PACKAGES = ("kickoff/agent", "kickoff/scaling")
# The planner never draws plots: leave matplotlib's module out so the bundle cannot import it by accident.
LEFT_OUT = {"kickoff/scaling/plot.py"}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _sources() -> list[tuple[str, Path]]:
    """(name in the zip, file) for Kickoff's own modules."""
    files = [("kickoff/__init__.py", REPO_ROOT / "kickoff" / "__init__.py")]
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).glob("*.py")):
            name = path.relative_to(REPO_ROOT).as_posix()
            if name not in LEFT_OUT:
                files.append((name, path))
    return files


def _dependencies() -> list[tuple[str, Path]]:
    if not (AGENT_DEPS / ".installed").exists():
        raise ConfigError(
            f"{AGENT_DEPS.relative_to(REPO_ROOT)}: the capacity agent's ARM64 dependencies are not unpacked.\n"
            f"  Fix: run `make setup` (it downloads what {AGENT_REQUIREMENTS.name} pins)."
        )
    out = []
    for root, dirs, names in os.walk(AGENT_DEPS):
        dirs.sort()
        for name in sorted(names):
            path = Path(root) / name
            if name != ".installed":
                out.append((path.relative_to(AGENT_DEPS).as_posix(), path))
    return out


def agent_zip() -> Path:
    """The bundle's path, built if no bundle of the same inputs exists yet."""
    files = sorted(_sources() + _dependencies())
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    target = AGENT_BUNDLE / f"agent-{digest.hexdigest()[:16]}.zip"
    if target.exists():
        return target
    AGENT_BUNDLE.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, path in files:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=1)
    partial.replace(target)
    _prune(keep=target)
    return target


KEEP_BUNDLES = 3


def _prune(keep: Path) -> None:
    """Leave the newest bundles only (each is about 15 MB, one per change to the agent's sources)."""
    dated = []
    for bundle in AGENT_BUNDLE.glob("agent-*.zip"):
        try:  # another synth (a test worker) may prune at the same time
            dated.append((bundle.stat().st_mtime, bundle))
        except FileNotFoundError:
            continue
    for _, old in sorted((d for d in dated if d[1] != keep), reverse=True)[KEEP_BUNDLES - 1 :]:
        old.unlink(missing_ok=True)
