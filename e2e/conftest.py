"""The e2e session reports how long each CDK CLI step of the deploy took."""

import pytest

from e2e.harness import deployment, stacks  # noqa: F401 - the session's fixtures, for every e2e module

_SECONDS: dict[str, float] = {}


@pytest.fixture(scope="session")
def cli_seconds() -> dict[str, float]:
    """Seconds per CDK CLI step (synth, bootstrap, deploy, redeploy), filled by the deploy fixture."""
    return _SECONDS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _SECONDS:
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in _SECONDS.items())
        terminalreporter.write_line(f"e2e CDK CLI steps: {steps}")
