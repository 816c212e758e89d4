"""What a long run is doing, as it does it: each stage's start and finish with its time, on stderr.

``make synth`` runs for tens of seconds; without this it prints nothing until the end. ``Progress`` writes one
line when a stage starts and one when it ends (``kickoff: [  8.2 s] constructs: done in 6.1 s``), the clock
running from when it was made. A leaf (stdlib only), so ``app.py`` makes one at its first line, before the config
is loaded and long before the CDK is; ``kickoff.guardrails.progress.Timed`` reports each check through it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


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
