"""CDK context derived from config: the entries CDK would otherwise look up in AWS."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kickoff.config.errors import ConfigError
from kickoff.config.loader import load_config
from kickoff.config.models import KickoffConfig
from kickoff.paths import CDK_JSON, CONFIG_DIR, CONTEXT_FILE, REPO_ROOT

# What the CDK CLI hands the app (aws-cdk's cx-api): the context as JSON, and the keys that did not fit.
CONTEXT_ENV = "CDK_CONTEXT_JSON"
CONTEXT_OVERFLOW_ENV = "CONTEXT_OVERFLOW_LOCATION_ENV"


def availability_zone_context(config: KickoffConfig) -> dict[str, list[str]]:
    """AZs per account and Region, keyed as the CDK availability-zones provider keys them."""
    return {
        f"availability-zones:account={config.account}:region={region.name}": list(region.zones)
        for region in config.regions
    }


def expected_context_file(config_dir: Path = CONFIG_DIR) -> dict[str, list[str]]:
    """What cdk.context.json must hold for every config in ``config_dir``."""
    entries: dict[str, list[str]] = {}
    for path in sorted(config_dir.glob("*.yaml")):
        entries.update(availability_zone_context(load_config(path)))
    return dict(sorted(entries.items()))


def write_context_file(
    path: Path = CONTEXT_FILE, config_dir: Path = CONFIG_DIR, *, extra: Mapping[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """Regenerate cdk.context.json from the configs in ``config_dir``, plus ``extra`` (the entries of a config kept
    elsewhere, which the file keeps once written: entries the configs do not produce are kept); returns what was
    written."""
    kept = json.loads(path.read_text()) if extra is not None and path.is_file() else {}
    entries = dict(sorted({**kept, **expected_context_file(config_dir), **(extra or {})}.items()))
    path.write_text(json.dumps(entries, indent=2) + "\n")
    return entries


def parse_context_args(argv: list[str]) -> dict[str, str]:
    """``-c key=value`` / ``--context key=value`` pairs, as ``cdk`` accepts them; ConfigError (exit 2) otherwise."""
    context: dict[str, str] = {}
    it = iter(argv)
    for arg in it:
        if arg in ("-c", "--context"):
            pair = next(it, "")
        elif arg.startswith("--context="):
            pair = arg.split("=", 1)[1]
        else:
            raise ConfigError(
                f"app.py: unexpected argument {arg!r}.\n  Fix: pass context as -c key=value, e.g. -c env=dev."
            )
        context.update(parse_context_pair(pair))
    return context


def parse_context_pair(pair: str) -> dict[str, str]:
    """One ``key=value`` context pair; ConfigError when it is not one."""
    key, sep, value = pair.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"context {pair!r} is not key=value.\n  Fix: write it like -c env=dev.")
    return {key.strip(): value}


def project_context(root: Path = REPO_ROOT) -> dict[str, Any]:
    """Feature flags from cdk.json plus the committed cdk.context.json."""
    context: dict[str, Any] = {}
    cdk_json = root / CDK_JSON.name
    if cdk_json.is_file():
        context.update(json.loads(cdk_json.read_text())["context"])
    cached = root / CONTEXT_FILE.name
    if cached.is_file():
        context.update(json.loads(cached.read_text()))
    return context


def synth_context(argv: list[str], environ: Mapping[str, str]) -> dict[str, Any]:
    """The context an app run sees, without creating a ``cdk.App``: the project's, then what the CDK CLI passes
    (``-c`` pairs of ``cdk synth``/``deploy``, in the environment), then ``python app.py -c`` pairs."""
    context = project_context()
    if environ.get(CONTEXT_ENV):
        context.update(json.loads(environ[CONTEXT_ENV]))
    if environ.get(CONTEXT_OVERFLOW_ENV):
        context.update(json.loads(Path(environ[CONTEXT_OVERFLOW_ENV]).read_text()))
    context.update(parse_context_args(argv))
    return context
