"""What a synth is doing, as it does it: each stage's start and finish with its time, on stderr.

``make synth`` runs for tens of seconds; without this it prints nothing until the end. ``Progress`` writes one
line when a stage starts and one when it ends (``kickoff: [  8.2 s] WellArchitected: done in 0.5 s``), the
clock running from the app's start. ``Timed`` wraps a validation plugin (cdk-nag's packs, Kickoff's packs and
plugins, cfn-lint) so that each reports itself; it delegates everything else, so the validation report and the
templates do not change. In-process synths (the tests) use no ``Progress`` and print nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import aws_cdk as cdk
import jsii


class Progress:
    """Stage lines on ``stream``, timed from ``started`` (a ``time.perf_counter()`` value; default now)."""

    def __init__(self, stream: TextIO | None = None, started: float | None = None) -> None:
        self._stream = stream or sys.stderr
        self._started = time.perf_counter() if started is None else started

    def line(self, text: str) -> None:
        elapsed = time.perf_counter() - self._started
        print(f"kickoff: [{elapsed:6.1f} s] {text}", file=self._stream, flush=True)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.line(f"{name} ...")
        began = time.perf_counter()
        yield
        self.line(f"{name}: done in {time.perf_counter() - began:.1f} s")


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
