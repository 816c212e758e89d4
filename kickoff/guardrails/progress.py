"""Each check of a synth reports its start and finish with its time (``kickoff.progress``).

``Timed`` wraps a validation plugin (cdk-nag's packs, Kickoff's packs and plugins, cfn-lint) so that each reports
itself; it delegates everything else, so the validation report and the templates do not change. In-process synths
(the tests) use no ``Progress`` and print nothing.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import jsii

from kickoff.progress import Progress


@jsii.implements(cdk.IPolicyValidationPlugin)
class Timed:
    """A validation plugin that reports its start and finish through ``progress``, and is otherwise ``plugin``."""

    def __init__(self, plugin: Any, progress: Progress) -> None:
        self._plugin = plugin
        self._progress = progress

    @property
    def name(self) -> str:
        return self._plugin.name

    @property
    def rule_ids(self) -> list[str] | None:
        return self._plugin.rule_ids

    @property
    def version(self) -> str | None:
        return self._plugin.version

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        with self._progress.stage(f"check {self.name}"):
            return self._plugin.validate(context)
