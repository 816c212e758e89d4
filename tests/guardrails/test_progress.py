"""A synth says what it is doing: each stage and each check prints its start and finish with its time, and a timed
check is otherwise the check it wraps (same name, rules and report)."""

from __future__ import annotations

import io
import re

from kickoff.guardrails.progress import Timed
from kickoff.progress import Progress


class _Check:
    name = "WellArchitected"
    version = "1.0.0"
    rule_ids = ["WA-REL-One"]

    def __init__(self) -> None:
        self.seen = None

    def validate(self, context):  # noqa: ANN001, ANN201 - a CDK validation context and report
        self.seen = context
        return "report"


def test_a_stage_prints_its_start_and_its_time() -> None:
    out = io.StringIO()
    progress = Progress(stream=out)
    with progress.stage("constructs"):
        pass
    first, second = out.getvalue().splitlines()
    assert re.fullmatch(r"kickoff: \[\s*\d+\.\d s\] constructs \.\.\.", first)
    assert re.fullmatch(r"kickoff: \[\s*\d+\.\d s\] constructs: done in \d+\.\d s", second)


def test_a_timed_check_reports_itself_and_is_otherwise_the_check() -> None:
    out = io.StringIO()
    check = _Check()
    timed = Timed(check, Progress(stream=out))
    assert (timed.name, timed.version, timed.rule_ids) == ("WellArchitected", "1.0.0", ["WA-REL-One"])
    assert timed.validate("context") == "report" and check.seen == "context"
    assert "check WellArchitected ..." in out.getvalue() and "check WellArchitected: done in" in out.getvalue()
