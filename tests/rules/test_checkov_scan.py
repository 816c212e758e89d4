"""checkov, an independent scanner, over the synthesized templates: nothing fails that is not listed."""

from __future__ import annotations

import pytest

from kickoff.rules.checkov_scan import run_checkov, skips, unlisted


@pytest.fixture(scope="module")
def scan(prod, dev):
    files = [prod.template_path(n) for n in prod.stack_names]
    files += [dev.template_path(n) for n in dev.stack_names]
    return run_checkov(files)


def test_checkov_reports_no_failure_outside_the_skip_file(scan) -> None:
    summary, failures = scan
    assert summary["passed"] > 500 and summary["resources"] > 300
    uncovered, _ = unlisted(failures)
    assert not uncovered, "\n".join(f"{f.check_id} {f.check_name}: {f.file} {f.logical_id}" for f in uncovered)


def test_every_skip_is_used_and_reasoned(scan) -> None:
    _, failures = scan
    _, unused = unlisted(failures)
    assert not unused, f"skip entries that match nothing (remove them): {sorted(unused)}"
    for check_id, entry in skips().items():
        assert len(entry["reason"]) > 80 and entry["resources"], check_id
