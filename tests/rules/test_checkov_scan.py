"""checkov, an independent scanner, over the synthesized templates: nothing fails that is not listed."""

from __future__ import annotations

import pytest

from kickoff.rules.checkov_scan import run_checkov, skips, unlisted


@pytest.fixture(scope="module")
def scan(prod, dev):
    files = [prod.template_path(n) for n in prod.stack_names]
    files += [dev.template_path(n) for n in dev.stack_names]
    return run_checkov(files)


@pytest.mark.held_by("Checkov")
def test_checkov_reports_no_failure_outside_the_skip_file(scan) -> None:
    summary, failures = scan
    assert summary["passed"] > 500 and summary["resources"] > 300
    uncovered, _ = unlisted(failures)
    assert not uncovered, "\n".join(f"{f.check_id} {f.check_name}: {f.file} {f.logical_id}" for f in uncovered)


@pytest.mark.not_a_rule(
    "keeps the skip file honest: an entry must still match a failure in prod or dev, and one synth sees one config"
)
def test_every_skip_is_used_and_reasoned(scan) -> None:
    _, failures = scan
    _, unused = unlisted(failures)
    assert not unused, f"skip entries that match nothing (remove them): {sorted(unused)}"
    for check_id, entry in skips().items():
        assert len(entry["reason"]) > 80 and entry["resources"], check_id


def test_checkov_results_are_cached_by_template_bytes(tmp_path, monkeypatch) -> None:
    from kickoff.rules import checkov_scan

    monkeypatch.setattr(checkov_scan, "CHECKOV_CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(checkov_scan, "CHECKOV", tmp_path)  # exists; never run: _scan is replaced below
    scanned: list[list[str]] = []

    def fake_scan(paths):
        scanned.append([p.name for p in paths])
        return {str(p.resolve()): {"passed": 2, "failed": [["CKV_X", "x", "Res"]]} for p in paths}

    monkeypatch.setattr(checkov_scan, "_scan", fake_scan)
    a, b = tmp_path / "a.template.json", tmp_path / "b.template.json"
    a.write_text('{"Resources": {"Res": {"Type": "AWS::SNS::Topic"}}}')
    b.write_text('{"Resources": {}}')
    first = run_checkov([a, b])
    again = run_checkov([a, b])
    assert again[1] == first[1] and again[0] == {**first[0], "scanned": 0}
    assert first[0] == {"passed": 4, "failed": 2, "resources": 1, "scanned": 2}
    b.write_text('{"Resources": {"Other": {"Type": "AWS::SNS::Topic"}}}')
    run_checkov([a, b])
    assert scanned == [["a.template.json", "b.template.json"], ["b.template.json"]]
