"""The one home of the repository's paths. A leaf: stdlib only."""

from __future__ import annotations

import json
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO_ROOT / "config"
CDK_JSON = REPO_ROOT / "cdk.json"
CONTEXT_FILE = REPO_ROOT / "cdk.context.json"  # AZs per account and Region, generated from config
DEFAULT_OUTDIR = REPO_ROOT / "cdk.out"  # where `cdk synth` writes, and `python app.py` too
LOCK_FILE = REPO_ROOT / "stateful.lock.json"
DOCS_DIR = REPO_ROOT / "docs"
CHECKOV = REPO_ROOT / ".checkov-venv" / "bin" / "checkov"
CACHE_DIR = REPO_ROOT / "build" / "cache"  # derived results keyed by their inputs; safe to delete (make clean)
PACKAGE_JSON = REPO_ROOT / "package.json"  # the pinned CDK CLI (npm ci)


def pinned_cdk_cli() -> str:
    """The exact CDK CLI version package.json pins: the one make synth runs, and the release pipeline installs."""
    return json.loads(PACKAGE_JSON.read_text())["devDependencies"]["aws-cdk"]


AGENT_REQUIREMENTS = REPO_ROOT / "requirements-agent.txt"  # the capacity agent's Lambda dependencies (ARM64 wheels)
AGENT_DEPS = REPO_ROOT / "build" / "agent-deps"  # those wheels, unpacked by `make setup` (scripts/agent_deps.py)
AGENT_BUNDLE = REPO_ROOT / "build" / "agent-bundle"  # the agent's Lambda code, staged per source digest
