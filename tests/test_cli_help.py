"""``python -m kickoff <command> --help`` teaches the command: a description, examples and exit codes, for every
command, with the -c keys it takes; the overview groups operator and maintainer commands."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from kickoff.cli import COMMANDS, build_parser
from tests.support import REPO_ROOT


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_command_has_a_description_examples_and_exit_codes(command, capsys) -> None:
    text = _help(capsys, command.name)
    assert " ".join(command.description.split()[:8]) in " ".join(text.split())
    assert "example" in text and f"python -m kickoff {command.name}" in text
    assert "exit codes:" in text
    for code in command.exit_codes:
        assert f"\n  {code}  " in text
    for key in command.context:
        assert f"{key}=" in text, f"{command.name} takes -c {key}= but its help does not say so"
    if "plan_from" not in command.context:
        assert "plan_from=" not in text.split("examples")[0].split("example:")[0]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_every_example_parses(command) -> None:
    """Each example is a command line the parser accepts (shell pipes and redirections stripped)."""
    for example in command.examples:
        line = example.split("&&")[-1].split(">")[0]
        argv = shlex.split(line.replace("$(git rev-parse HEAD)", "abc123"))
        assert argv[:3] == ["python", "-m", "kickoff"], example
        args = build_parser().parse_args(argv[3:])
        assert args.command_spec is command


def test_the_overview_groups_operator_and_maintainer_commands(capsys) -> None:
    text = _help(capsys)
    operator, maintainer = text.split("operator commands:")[1].split("maintainer commands:")
    for command in COMMANDS:
        section = maintainer if command.maintainer else operator
        assert f"  {command.name} " in section, command.name
    assert {c.name for c in COMMANDS if c.maintainer} == {"readme", "taggable", "context"}


def test_help_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kickoff", "deploy-window", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "exit codes:" in result.stdout and "--override" in result.stdout
