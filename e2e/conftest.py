"""Print how long each CDK CLI step of the e2e deploy took (``build/e2e/timings.json``)."""

import json
from pathlib import Path

import pytest

TIMINGS = Path(__file__).resolve().parent.parent / "build" / "e2e" / "timings.json"


def pytest_sessionstart(session: pytest.Session) -> None:
    TIMINGS.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS.exists():
        seconds = json.loads(TIMINGS.read_text())
        steps = ", ".join(f"{step} {value:.1f} s" for step, value in seconds.items())
        terminalreporter.write_line(f"e2e CDK CLI steps: {steps}")
