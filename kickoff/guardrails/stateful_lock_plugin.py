"""The stateful lock as a CDK validation plugin: every synth compares with stateful.lock.json.

``cdk synth`` and ``cdk deploy`` run the app, never the tests; so the comparison that keeps
tables, keys, buckets and secrets from being removed, renamed or replaced runs here, at
synth, and the test suite only proves that it works. In an environment the lock lists, a stateful
resource the lock does not hold fails the synth too (``python -m kickoff lock --write`` records it with
the change that adds it). An environment the lock does not list yet (a new config) is reported in the
summary and not checked: nothing of it is deployed from this lock's point of view.
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import jsii

from kickoff import naming
from kickoff.config.models import KickoffConfig
from kickoff.guardrails.plugin import PluginIdentity, violation
from kickoff.lockfile import ACCEPT_COMMAND, LOCK_FILE, read_lock
from kickoff.rules.stateful_lock import inventory, problems, unlocked
from kickoff.rules.summary import outdir_of, update_summary

PLUGIN_NAME = "StatefulLock"
RULE_NAME = "StatefulResourceKept"
UNLOCKED_RULE = "StatefulResourceLocked"


@jsii.implements(cdk.IPolicyValidationPlugin)
class StatefulLockPlugin(PluginIdentity):
    """Fails the synth when a locked stateful resource would be removed, renamed or replaced, or a stateful resource
    of a locked environment is not in the lock."""

    PLUGIN_NAME = PLUGIN_NAME
    RULE_IDS = (RULE_NAME, UNLOCKED_RULE)

    def __init__(self, config: KickoffConfig, *, template_stacks: dict[str, str], lock_file: Path = LOCK_FILE) -> None:
        self._key = naming.environment_key(config.identity)
        self._allowed = tuple(config.replica_removals_allowed)
        self._stacks = template_stacks  # template file name -> stack name
        self._lock_file = lock_file

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        paths = {self._stacks[Path(p).name]: p for p in context.template_paths if Path(p).name in self._stacks}
        current = inventory({stack: json.loads(Path(path).read_text()) for stack, path in paths.items()})
        locked = read_lock(self._lock_file).get(self._key)
        found = problems(locked, current, allowed_replica_removals=self._allowed) if locked is not None else []
        # A removed stack has no template: point at any template, the message names the stack.
        anywhere = next(iter(paths.values()), "")
        keep = (
            f"Keep the logical ID and the replacing properties; if the loss is deliberate (data migrated, backups "
            f"taken), run `{ACCEPT_COMMAND}` and commit {self._lock_file.name} with the change."
        )
        violations = [
            violation(
                RULE_NAME,
                problem.message,
                keep,
                template=paths.get(problem.stack) or anywhere,
                logical_id=problem.logical_id,
                location="(lock)",
            )
            for problem in found
        ]
        # A stateful resource the lock does not hold is unprotected: its next rename or replacement would pass.
        new = unlocked(locked, current) if locked is not None else []
        record = f"Run `{ACCEPT_COMMAND}` and commit {self._lock_file.name} with the change that adds it."
        violations += [
            violation(
                UNLOCKED_RULE,
                f"{where} is a stateful resource that {self._lock_file.name} does not hold: until it does, a rename "
                "or a replacing change would lose its data without failing the synth",
                record,
                template=paths.get(where.split("/")[0]) or anywhere,
                logical_id=where.split("/", 1)[1],
                location="(lock)",
            )
            for where in new
        ]
        if paths:
            update_summary(
                outdir_of(paths.values()),
                PLUGIN_NAME,
                {
                    "rules": 1,
                    "environment": self._key,
                    "locked": None if locked is None else sum(len(r) for r in locked.values()),
                    "current": sum(len(r) for r in current.values()),
                    "unlocked": new,
                    "violations": len(violations),
                },
            )
        return cdk.PolicyValidationPluginReport(success=not violations, violations=violations)
