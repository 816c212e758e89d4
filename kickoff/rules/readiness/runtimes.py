"""Runtimes and tools: nothing runs on a runtime past its end of life, and no release installs an unpinned tool.

A runtime that worked when the code was written stops working on a date: CloudWatch Synthetics
refuses to create (or update) a canary on a deprecated runtime version, Lambda stops taking updates of
functions on a deprecated runtime, and a CodeBuild project keeps running a language version nobody
patches. The date is compared with the deploy time the synth assumes (``-c plan_from``), like every
other time-dependent rule. A build that installs ``tool@latest`` (or ``@2``) runs whatever was published
that morning: the release's toolchain changes under it without a review.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props
from kickoff.rules.readiness.context import Readiness
from kickoff.rules.readiness.rule import ReadinessRule

# CloudWatch user guide, "CloudWatch Synthetics runtime support policy" (deprecation dates). Versions retired in
# 2024 are listed with the end of that year: the page gives no single day for each, and none may be used now.
_RETIRED_2024 = datetime(2024, 12, 31, tzinfo=UTC)
SYNTHETICS_RETIRED: dict[str, datetime] = {
    **{f"syn-nodejs-puppeteer-{v}": _RETIRED_2024 for v in ("3.5", "3.6", "3.7", "3.8", "3.9", "4.0", "5.0", "5.1")},
    **{f"syn-nodejs-puppeteer-{v}": _RETIRED_2024 for v in ("6.0", "6.1")},
    **{f"syn-python-selenium-{v}": _RETIRED_2024 for v in ("1.0", "1.1", "1.2", "1.3", "2.0")},
    **{f"syn-nodejs-puppeteer-{v}": datetime(2026, 1, 22, tzinfo=UTC) for v in ("5.2", "6.2", "7.0")},
    **{f"syn-python-selenium-{v}": datetime(2026, 1, 22, tzinfo=UTC) for v in ("2.1", "3.0")},
    **{f"syn-python-selenium-{v}": datetime(2026, 2, 3, tzinfo=UTC) for v in ("4.0", "4.1", "5.0", "5.1")},
}


def _canary_runtime(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    version = literal(props(resource).get("RuntimeVersion"), view)
    retired = SYNTHETICS_RETIRED.get(version or "")
    if retired is None or readiness.params.deploy_time < retired:
        return []
    return [
        Finding(
            "",
            f"runtime {version} was retired on {retired:%Y-%m-%d}, before the deploy time "
            f"{readiness.params.deploy_time:%Y-%m-%d}: Synthetics refuses to create or update the canary",
        )
    ]


CANARY_RUNTIME_SUPPORTED = ReadinessRule(
    "SyntheticsCanaryRuntimeSupported",
    "No canary runs on a Synthetics runtime AWS has retired by the deploy time",
    "Move the canary to a current runtime (kickoff/constructs/region_probes.py RUNTIME; decision 0014).",
    "CloudWatch user guide: CloudWatch Synthetics runtime support policy",
    frozenset({"AWS::Synthetics::Canary"}),
    _canary_runtime,
)

# Lambda runtime deprecation dates (Lambda developer guide, "Lambda runtimes"; tflint-ruleset-aws's copy of it).
LAMBDA_RETIRED: dict[str, datetime] = {
    "nodejs16.x": datetime(2024, 6, 12, tzinfo=UTC),
    "nodejs18.x": datetime(2025, 9, 1, tzinfo=UTC),
    "nodejs20.x": datetime(2026, 4, 30, tzinfo=UTC),
    "python3.8": datetime(2024, 10, 14, tzinfo=UTC),
    "python3.9": datetime(2025, 12, 15, tzinfo=UTC),
    "python3.10": datetime(2026, 6, 30, tzinfo=UTC),
    "python3.11": datetime(2026, 6, 30, tzinfo=UTC),
    "nodejs22.x": datetime(2027, 4, 30, tzinfo=UTC),
    "python3.12": datetime(2028, 10, 31, tzinfo=UTC),
}
# Language end of life (the Node.js release schedule, the Python developer guide's status of versions), for the
# runtime-versions a CodeBuild buildspec names.
LANGUAGE_END_OF_LIFE: dict[tuple[str, str], datetime] = {
    **{("nodejs", v): datetime(y, 4, 30, tzinfo=UTC) for v, y in (("16", 2023), ("18", 2025), ("20", 2026))},
    ("nodejs", "22"): datetime(2027, 4, 30, tzinfo=UTC),
    ("nodejs", "24"): datetime(2028, 4, 30, tzinfo=UTC),
    **{("python", f"3.{m}"): datetime(y, 10, 31, tzinfo=UTC) for m, y in ((8, 2024), (9, 2025), (10, 2026))},
    ("python", "3.11"): datetime(2027, 10, 31, tzinfo=UTC),
    ("python", "3.12"): datetime(2028, 10, 31, tzinfo=UTC),
    ("python", "3.13"): datetime(2029, 10, 31, tzinfo=UTC),
}


def _retired(what: str, until: datetime | None, readiness: Readiness, consequence: str) -> list[Finding]:
    deploy = readiness.params.deploy_time
    if until is None or deploy < until:
        return []
    return [
        Finding(
            "",
            f"{what} reached its end of life on {until:%Y-%m-%d}, before the deploy time {deploy:%Y-%m-%d}: "
            f"{consequence}",
        )
    ]


def _lambda_runtime(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding]:
    runtime = literal(props(resource).get("Runtime"), view) or ""
    return _retired(f"runtime {runtime}", LAMBDA_RETIRED.get(runtime), readiness, "Lambda refuses updates of it")


LAMBDA_RUNTIME_SUPPORTED = ReadinessRule(
    "LambdaRuntimeSupported",
    "No Lambda function runs on a runtime AWS has deprecated by the deploy time",
    "Use a supported runtime (aws-cdk-lib's own providers follow Runtime.NODEJS_LATEST); for a custom resource, "
    "upgrade aws-cdk-lib.",
    "Lambda developer guide: Lambda runtimes (deprecation dates)",
    frozenset({"AWS::Lambda::Function"}),
    _lambda_runtime,
)


def buildspec(resource: Resource) -> dict[str, Any] | None:
    """A CodeBuild project's buildspec when the template holds it as JSON text, else None."""
    text = (props(resource).get("Source") or {}).get("BuildSpec")
    if not isinstance(text, str):
        return None
    try:
        spec = json.loads(text)
    except ValueError:
        return None
    return spec if isinstance(spec, dict) else None


# An install of a named package: npm install -g x@1.2.3, npx x@1.2.3, pip install x==1.2.3.
_NPM = re.compile(r"\b(?:npm (?:install|i)(?: -g| --global)?|npx(?: --yes| -y)?) ((?:@?[\w./-]+)(?:@[^\s]+)?)")
_PIP = re.compile(r"\bpip3? install ((?:(?!-r\b|-c\b)[^;&|])+)")
_EXACT_NPM = re.compile(r"^@?[\w./-]+@\d+\.\d+\.\d+$")


def _unpinned(command: str) -> list[str]:
    found = []
    for package in _NPM.findall(command):
        if not _EXACT_NPM.match(package):
            found.append(package)
    for args in _PIP.findall(command):
        if " -r " in f" {args} " or "-c " in args:
            continue
        found += [a for a in args.split() if not a.startswith("-") and "==" not in a]
    return found


def _build_toolchain(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    spec = buildspec(resource)
    if spec is None:
        return None
    findings = []
    for phase in (spec.get("phases") or {}).values():
        for language, version in ((phase or {}).get("runtime-versions") or {}).items():
            until = LANGUAGE_END_OF_LIFE.get((language, str(version)))
            for finding in _retired(
                f"{language} {version}", until, readiness, "the build runs on an unpatched runtime"
            ):
                findings.append(Finding(f"Runtime::{language}", finding.detail))
        for command in (phase or {}).get("commands") or []:
            for package in _unpinned(str(command)):
                findings.append(
                    Finding(
                        f"Unpinned::{package}",
                        f"'{command}' installs {package}, not an exact version: the release's toolchain changes "
                        "whenever it is published",
                    )
                )
    return findings


BUILD_TOOLCHAIN_PINNED = ReadinessRule(
    "CodeBuildToolchainPinned",
    "Every CodeBuild project names supported runtime versions and installs exact tool versions",
    "Name runtime-versions in support (nodejs 22, python 3.12) and pin each tool exactly: the CDK Pipelines props "
    "cli_version and cdk_assets_cli_version, and pip installs through constraints.txt.",
    "CodeBuild user guide: available runtimes (the default moves at end of life); aws-cdk-lib pipelines defaults "
    "(aws-cdk@2, cdk-assets@latest); the Node.js and Python release schedules",
    frozenset({"AWS::CodeBuild::Project"}),
    _build_toolchain,
)

RULES: tuple[ReadinessRule, ...] = (CANARY_RUNTIME_SUPPORTED, LAMBDA_RUNTIME_SUPPORTED, BUILD_TOOLCHAIN_PINNED)
