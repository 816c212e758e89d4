"""Every test that reads the synthesized templates names the synth-time gate that holds what it asserts, or says
in one line why no rule can; docs/checks.md's tables are written from those markers."""

from __future__ import annotations

from pathlib import Path

from tests.invariants import current_doc, problems, render, template_tests


def test_every_template_test_names_its_gate_or_why_none_can() -> None:
    tests = template_tests()
    assert len(tests) > 150
    assert problems(tests) == []


def test_the_checks_doc_lists_every_gate_and_every_unheld_test() -> None:
    assert current_doc() == render(template_tests()), "run `python -m tests.invariants` to rewrite docs/checks.md"


def test_a_template_test_without_a_marker_or_with_an_unknown_gate_is_named(tmp_path: Path) -> None:
    (tmp_path / "test_seeded.py").write_text(
        "import pytest\n\n"
        "@pytest.fixture\ndef views(prod):\n    return prod\n\n"
        "def test_unmarked(views):\n    pass\n\n"
        '@pytest.mark.held_by("DR-NoSuchRule")\ndef test_unknown(dev):\n    pass\n\n'
        '@pytest.mark.held_by("DR-StackStandsAlone", "Checkov:CKV_AWS_26")\ndef test_held(dev):\n    pass\n\n'
        '@pytest.mark.not_a_rule("two\\nlines")\ndef test_long(dev):\n    pass\n\n'
        "def test_reads_nothing(tmp_path):\n    pass\n"
    )
    found = problems(template_tests(tmp_path))
    assert len(found) == 3
    assert any("test_unmarked: no held_by or not_a_rule marker" in p for p in found)
    assert any("DR-NoSuchRule is not a gate" in p for p in found)
    assert any("test_long: the reason is not one line" in p for p in found)
