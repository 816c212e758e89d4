"""cfn-lint over every synthesized template, against the template's own Region.

``IGNORED_RULES`` is the one place a cfn-lint rule may be ignored, each with its reason; ``IGNORED_FINDINGS`` ignores
one rule at one kind of property only (a schema error in cfn-lint), each with its reason.
Errors always fail; warnings that are not ignored fail too, so the list stays honest.

Two things keep it fast (issue 14, decision 0018):

* Each process loads cfn-lint's rules once and lints every template it is given with them;
  ``cfnlint.api.lint_file`` reloads the rules and re-reads 138 schema files on every call
  (0.3 s, more than linting a small template).
* Results are cached on disk by content: the key is the template's bytes, its Region, the
  cfn-lint version and the ignored rules, so nothing is linted twice for the same inputs, and
  anything that changes the verdict changes the key. Templates hold no capacity plan (the agent
  applies it at run time), so an unchanged stack's template has the same bytes at every synth and
  its verdict comes from the cache.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kickoff.paths import CACHE_DIR
from kickoff.rules import content_cache
from kickoff.rules.assembly import StackArtifact

IGNORED_RULES: dict[str, str] = {
    "W3010": (
        "Avoid hardcoding availability zones: cells pin their AZs in config on purpose, so synth needs "
        "no AWS lookup and a cell's subnets never move between AZs on a redeploy."
    ),
    "W3005": (
        "Redundant DependsOn: emitted by aws-cdk-lib's own custom-resource provider "
        "(Custom::VpcRestrictDefaultSG), not by Kickoff code; harmless."
    ),
}

IGNORED_FINDINGS: dict[tuple[str, str], str] = {
    ("E1040", r"Resources/[^/]+/Properties/InputSecurityGroups/\d+"): (
        "cfn-lint's schema gives AWS::MediaLive::Input InputSecurityGroups the format of EC2 security group IDs; "
        "they are MediaLive input security group IDs (numbers; CreateInput's InputSecurityGroups), which the "
        "template passes as Fn::GetAtt <AWS::MediaLive::InputSecurityGroup>.Id."
    ),
}
RESULT_FORMAT = "2"
"""Bumped when the cached result's fields change (2: each match carries its template path)."""

TEMPLATE_BODY_LIMIT = 1_000_000
"""Bytes: cfn-lint's E1002 limit (``cfnlint.helpers.LIMITS``). cfn-lint checks it only on a file it opens itself,
and documents are linted from memory, so ``lint_stacks`` checks every template's size against it."""
IN_PROCESS_BYTES = 400_000
"""Documents to lint below this total are linted in the calling process (a prod cell skeleton is about 450 KB)."""
LINT_CACHE_DIR = CACHE_DIR / "cfn-lint"
LINT_CACHE_ENV = "KICKOFF_LINT_CACHE"
"""Set to a directory to cache there, or to ``off`` to lint every template every time."""
LINT_CACHE_ENTRIES = 512
"""Entries kept; the least recently used go first (a prod synth writes about a dozen)."""


@dataclass(frozen=True)
class LintFinding:
    """One cfn-lint match."""

    stack: str
    rule: str
    level: str  # "error", "warning" or "informational"
    message: str
    location: str


_RULES_LOCK = threading.Lock()


@cache
def _loaded_rules() -> Any:
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner.cli import Runner

    return Runner(ConfigMixIn([], ignore_checks=sorted(IGNORED_RULES))).rules


def _rules() -> Any:
    """cfn-lint's rule collection, loaded once per process (imported here: config-only commands never need it)."""
    with _RULES_LOCK:  # prewarm's thread and the caller may ask at once
        return _loaded_rules()


def prewarm(regions: list[str]) -> threading.Thread:
    """Import cfn-lint and load its rules on a background thread, for a synth that lints in this process later.

    A synth's main thread spends most of its time waiting for the jsii runtime (node), so the import (about a
    second) runs on the other core instead of after the synth.
    """

    def load() -> None:
        _rules()
        for region in regions:
            _config(region)

    thread = threading.Thread(target=load, name="cfn-lint-prewarm", daemon=True)
    thread.start()
    return thread


@cache
def _config(region: str) -> Any:
    from cfnlint.config import ConfigMixIn

    return ConfigMixIn([], regions=[region], ignore_checks=sorted(IGNORED_RULES))


def _lint_text(text: str, region: str) -> list[dict[str, Any]]:
    """cfn-lint one document for its Region; the matches as plain dicts (runs in a worker process)."""
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner.template.runner import run_template_by_data

    template, matches = decode_str(text)
    if not matches:
        matches = list(run_template_by_data(template, _config(region), _rules()))
    return [
        {
            "rule": match.rule.id,
            "level": {"E": "error", "W": "warning", "I": "informational"}.get(match.rule.id[0], "error"),
            "message": match.message,
            "line": match.linenumber,
            "path": "/".join(str(p) for p in (match.path or ())),
        }
        for match in matches
    ]


@cache
def _cfn_lint_version() -> str:
    from importlib.metadata import version

    return version("cfn-lint")


def cache_key(template: bytes, region: str) -> str:
    """What a lint verdict depends on: the template, its Region, the cfn-lint version and the ignored rules."""
    digest = hashlib.sha256()
    for part in (RESULT_FORMAT, _cfn_lint_version(), region, ",".join(sorted(IGNORED_RULES))):
        digest.update(part.encode() + b"\0")
    digest.update(template)
    return digest.hexdigest()


def lint_cache_dir() -> Path | None:
    """The cache directory: ``KICKOFF_LINT_CACHE`` (``off`` turns caching off), else ``build/cache/cfn-lint``."""
    setting = os.environ.get(LINT_CACHE_ENV, "")
    if setting.lower() == "off":
        return None
    return Path(setting) if setting else LINT_CACHE_DIR


def _cached(directory: Path | None, key: str) -> list[dict[str, Any]] | None:
    matches = content_cache.read(directory, key)
    return matches if isinstance(matches, list) else None


def _store(directory: Path | None, results: dict[str, list[dict[str, Any]]]) -> None:
    content_cache.write(directory, results, keep=LINT_CACHE_ENTRIES)


def _lint_all(jobs: dict[str, tuple[str, str]], workers: int) -> dict[str, list[dict[str, Any]]]:
    """Lint each job (key -> (document, Region)) here and on up to ``workers - 1`` spawned processes.

    Below ``IN_PROCESS_BYTES`` of documents (a warm synth's schedules) all are linted here: a spawned worker costs
    more to start (Python, cfn-lint's import, its rules) than they take. Otherwise the documents are shared out
    by size, largest first, to the least loaded of this process and the workers; this process (prewarmed by a
    synth) lints its share while the workers lint theirs. Spawned, not forked: the caller may hold jsii's threads.
    """
    if workers <= 1 or len(jobs) <= 1 or sum(len(text) for text, _ in jobs.values()) < IN_PROCESS_BYTES:
        return {key: _lint_text(*job) for key, job in jobs.items()}
    shares: list[list[str]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for key in sorted(jobs, key=lambda k: -len(jobs[k][0])):
        least = loads.index(min(loads))
        shares[least].append(key)
        loads[least] += len(jobs[key][0])
    here, *elsewhere = shares
    results: dict[str, list[dict[str, Any]]] = {}
    with ProcessPoolExecutor(max_workers=workers - 1, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {key: pool.submit(_lint_text, *jobs[key]) for share in elsewhere for key in share}
        results.update({key: _lint_text(*jobs[key]) for key in here})
        results.update({key: future.result() for key, future in futures.items()})
    return results


def lint_stacks(stacks: list[StackArtifact], workers: int | None = None, *, cache: bool = True) -> list[LintFinding]:
    """Lint every stack's template for its Region, on every core; ignored rules are left out.

    A template whose verdict is cached (same bytes, Region, cfn-lint version and ignored rules) is not
    linted again; the rest are linted by ``_lint_all``, in this process and on up to ``workers - 1``
    more (default: one per core). Findings come back in the stacks' order, located by the template's
    line. ``cache=False`` lints everything.
    """
    directory = lint_cache_dir() if cache else None
    texts = {s.name: Path(s.template_path).read_text() for s in stacks}
    keyed = {s.name: cache_key(texts[s.name].encode(), s.region) for s in stacks}
    results: dict[str, list[dict[str, Any]]] = {}
    jobs: dict[str, tuple[str, str]] = {}
    for stack in stacks:
        key = keyed[stack.name]
        if key in results or key in jobs:
            continue
        hit = _cached(directory, key)
        if hit is not None:
            results[key] = hit
        else:
            jobs[key] = (texts[stack.name], stack.region)
    linted = _lint_all(jobs, min(len(jobs), workers or os.cpu_count() or 1))
    _store(directory, linted)
    results.update(linted)
    oversized = [
        LintFinding(
            stack=stack.name,
            rule="E1002",
            level="error",
            message=f"The template file size ({size} bytes) exceeds the limit ({TEMPLATE_BODY_LIMIT} bytes)",
            location=f"{Path(stack.template_path).name}:1",
        )
        for stack in stacks
        if (size := Path(stack.template_path).stat().st_size) > TEMPLATE_BODY_LIMIT
    ]
    return oversized + [
        LintFinding(
            stack=stack.name,
            rule=match["rule"],
            level=match["level"],
            message=match["message"],
            location=f"{Path(stack.template_path).name}:{match['line']}",
        )
        for stack in stacks
        for match in results[keyed[stack.name]]
        if not ignored_finding(match["rule"], match.get("path", ""))
    ]


def ignored_finding(rule: str, path: str) -> bool:
    """Whether ``IGNORED_FINDINGS`` lists the rule at this template path."""
    return any(rule == r and re.fullmatch(pattern, path) for r, pattern in IGNORED_FINDINGS)
