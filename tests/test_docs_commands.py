"""Every `cdk` command the docs give selects what it says, in the assembly it would run against.

An operator follows a runbook under pressure. A `cdk deploy kickoff-prod-cell-us-east-2` that matches no stack
(prod's cells live in pipeline stages, selected by `Cell-us-east-2/*`), or a single-stack deploy that also
deploys its dependencies (no `--exclusively`), fails or does too much exactly then. So every command in
README.md and docs/ is parsed, its placeholders are expanded for each Region of the environment it names
(`-c env=...`, prod by default), and each stack selector is matched against the synthesized prod and dev
assemblies with the CDK CLI's rules: a glob over the stack's hierarchical ID, where `*` stays inside one
path segment; `--all` takes the top-level stacks only.
"""

from __future__ import annotations

import re
import shlex

import pytest

from kickoff.rules.assembly import StackArtifact, read_stacks
from tests.support import REPO_ROOT

pytestmark = pytest.mark.not_a_rule("tests the docs' stack selectors against the assemblies")

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
SUBCOMMANDS = {"deploy", "diff", "destroy", "synth", "import", "ls", "list", "rollback", "watch", "drift"}
# Options that take a value (the value is not a stack selector).
VALUED = {
    "-c",
    "--context",
    "-a",
    "--app",
    "--profile",
    "--role-arn",
    "--outputs-file",
    "--parameters",
    "-o",
    "--output",
    "--require-approval",
    "--method",
    "-m",
    "--resource-mapping",
    "--toolkit-stack-name",
    "--concurrency",
    "--change-set-name",
}
# A pipeline stack deploys its own artifact stores with it on purpose (docs/deploy.md says so).
DEPENDENCIES_INTENDED = re.compile(r"-pipeline$")
_COMMAND = re.compile(r"(?:^|[\s`(;])((?:npx )?cdk (?:[^`\n]|\\\n)*)", re.MULTILINE)


def commands() -> list[tuple[str, int, str]]:
    """(file, line, command) of every cdk command in the docs, continuation lines joined."""
    found = []
    for path in DOCS:
        text = path.read_text()
        for match in _COMMAND.finditer(text):
            command = match.group(1).replace("\\\n", " ")
            words = command.split()
            if len(words) > 1 + (words[0] == "npx") and words[1 + (words[0] == "npx")] in SUBCOMMANDS:
                line = text[: match.start(1)].count("\n") + 1
                found.append((str(path.relative_to(REPO_ROOT)), line, command.strip().rstrip(".,;")))
    return found


def _words(command: str) -> list[str]:
    command = re.sub(r"\$\([^)]*\)", "NOW", command)  # $(date ...)
    command = re.sub(r"<([^>]*)>", lambda m: "<" + m.group(1).replace(" ", "_") + ">", command)  # <a placeholder>
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def parse(command: str) -> tuple[str, str, list[str], set[str]]:
    """(subcommand, environment, stack selectors, flags)."""
    words = _words(command)
    words = words[words.index("cdk") + 1 :]
    sub, rest = words[0], words[1:]
    env, selectors, flags = "prod", [], set()
    skip = False
    for i, word in enumerate(rest):
        if skip:
            skip = False
            continue
        if word in VALUED:
            skip = True
            if word in ("-c", "--context") and i + 1 < len(rest) and rest[i + 1].startswith("env="):
                env = rest[i + 1].removeprefix("env=")
            continue
        if word.startswith("-"):
            flags.add(word.split("=")[0])
            continue
        if word in ("&&", "||", ";", "|") or word.startswith(("#", ">")):
            break
        selectors.append(word)
    return sub, env, selectors, flags


def _glob(pattern: str) -> re.Pattern[str]:
    out = ""
    for part in re.split(r"(\*\*|\*|\?)", pattern):
        out += {"**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part))
    return re.compile(out)


def select(stacks: list[StackArtifact], selector: str) -> list[StackArtifact]:
    pattern = _glob(selector)
    return [s for s in stacks if pattern.fullmatch(s.display_name)]


def _expand(selector: str, regions: list[str]) -> list[str]:
    if any(p in selector for p in ("$REGION", "<region>", "$r", "${REGION}")):
        return [re.sub(r"\$\{?REGION\}?|<region>|\$r\b", region, selector) for region in regions]
    return [selector]


@pytest.fixture(scope="module")
def assemblies(prod, dev, with_arc) -> dict[str, tuple[list[StackArtifact], list[str]]]:
    """prod's stacks, with the optional recovery stage of prod with ARC on (the runbooks cover both), and dev's."""
    names = {s.display_name for s in read_stacks(prod.outdir)}
    optional = [s for s in read_stacks(with_arc.outdir) if s.display_name not in names]
    return {
        "prod": (read_stacks(prod.outdir) + optional, list(prod.config.region_names)),
        "dev": (read_stacks(dev.outdir), list(dev.config.region_names)),
    }


def test_the_docs_give_cdk_commands() -> None:
    found = commands()
    assert len(found) >= 10
    assert any("runbooks/evacuate-region.md" in f for f, _, _ in found)


@pytest.mark.parametrize(("file", "line", "command"), commands(), ids=lambda v: str(v)[:60])
def test_each_cdk_command_selects_existing_stacks_and_only_them(assemblies, file, line, command) -> None:
    sub, env, selectors, flags = parse(command)
    if env not in assemblies:
        pytest.skip(f"{file}:{line}: environment {env} is not a shipped config")
    stacks, regions = assemblies[env]
    where = f"{file}:{line}: {command}"
    if "--all" in flags:
        assert not selectors, f"{where}: --all and stack names together"
        assert [s for s in stacks if s.top_level], where
        return
    if not selectors and not flags:
        return  # the command named in prose ("`cdk deploy` runs the app"), not a command to run
    if not selectors:
        # With no stack named, the CLI takes the top-level stacks only: in an app with pipeline stages that is
        # the pipeline, not the cells an operator means.
        nested = [s.display_name for s in stacks if not s.top_level]
        assert sub in ("synth", "ls", "list") or not nested, (
            f"{where}: names no stack, so it acts on the top-level stacks only, not on {', '.join(nested)}; "
            'name them (for example "Cell-us-east-2/*", or "**" for every stack)'
        )
        return
    for raw in selectors:
        for selector in _expand(raw, regions):
            chosen = select(stacks, selector)
            names = ", ".join(s.display_name for s in stacks)
            assert chosen, f"{where}: '{selector}' selects no stack of {env} (its stacks: {names})"
            if sub != "deploy" or "--exclusively" in flags:
                continue
            # A dependency the selector also selects (a Region's live stack after its cell) deploys anyway.
            selected = {s.artifact_id for s in chosen}
            deps = [
                d
                for s in chosen
                for d in s.dependencies
                if not DEPENDENCIES_INTENDED.search(s.name) and d not in selected
            ]
            assert not deps, f"{where}: '{selector}' also deploys {', '.join(deps)}; add --exclusively"


def test_the_matcher_follows_the_cli(assemblies) -> None:
    stacks, _ = assemblies["prod"]
    assert [s.display_name for s in select(stacks, "Cell-us-east-2/*")] == [
        "Cell-us-east-2/kickoff-prod-cell-us-east-2"
    ]
    assert not select(stacks, "kickoff-prod-cell-us-east-2")  # a stage's stack is not selected by its name alone
    assert not select(stacks, "kickoff-prod-*") == []  # ... but top-level stacks are
    assert all(s.top_level for s in select(stacks, "kickoff-prod-*"))
    dev, _ = assemblies["dev"]
    (cell,) = select(dev, "kickoff-dev-cell-us-west-2")
    assert cell.dependencies, "a dev cell deploys after the Data stack: named alone, it deploys its dependencies"
