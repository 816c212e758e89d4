"""The release pipeline's gates, read from its template: the freeze, the canary wave and the bake.

- Every stage that deploys first runs the freeze check (``kickoff deploy-window``), before its first deploy
  action. A stage without one deploys into a game: the freeze is the only thing between a merge and a live event.
- The canary Region's cell deploys alone, in the first stage that deploys any cell, and no other cell deploys
  with it or before it. A second cell in that stage turns the canary into a fleet-wide release.
- The canary's stage bakes after its deploys: the bake watches the canary Region's region-impaired composite
  alarm, which the canary cell's template defines under that name, for the configured minutes, within the build's
  timeout. A bake that reads another Region's alarm, or one that does not exist, always passes.

These apply when the config has a pipeline (``OperationsFacts.canary_region``); CodePipeline orders actions by
RunOrder within a stage and stages in sequence.
"""

from __future__ import annotations

import shlex
from typing import Any

from kickoff.rules.engine import Finding, Resource, TemplateView, literal, props, references
from kickoff.rules.readiness.context import Readiness, composite_named, holds_load_balancer
from kickoff.rules.readiness.rule import ReadinessRule
from kickoff.rules.readiness.runtimes import buildspec

PIPELINE = "AWS::CodePipeline::Pipeline"
BAKE_SCRIPT = "scripts/bake.sh"
SOURCE = "CodePipeline user guide: stages run in sequence; within a stage, a higher runOrder runs after a lower one"


def _deploys(stage: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        a
        for a in stage.get("Actions", [])
        if (a.get("ActionTypeId") or {}).get("Category") == "Deploy"
        and (a.get("ActionTypeId") or {}).get("Provider") == "CloudFormation"
    ]


def _stack_name(action: dict[str, Any], view: TemplateView) -> str:
    return literal((action.get("Configuration") or {}).get("StackName"), view) or ""


def _run_order(action: dict[str, Any]) -> int:
    return int(action.get("RunOrder", 1))


def build_commands(action: dict[str, Any], view: TemplateView) -> tuple[list[str], Resource | None]:
    """A CodeBuild action's build-phase commands (from its project's buildspec in the same template), and the
    project; nothing when the action is not a CodeBuild action of this template."""
    if (action.get("ActionTypeId") or {}).get("Provider") != "CodeBuild":
        return [], None
    for logical_id in references((action.get("Configuration") or {}).get("ProjectName")):
        project = view.resources.get(logical_id)
        if not project or project.get("Type") != "AWS::CodeBuild::Project":
            continue
        spec = buildspec(project) or {}
        commands = ((spec.get("phases") or {}).get("build") or {}).get("commands") or []
        return [c for c in commands if isinstance(c, str)], project
    return [], None


def _cell_stacks(readiness: Readiness) -> dict[str, str]:
    """Cell stack name -> its Region, over every template of the deployment: a cell is the stack that holds a
    Region's load balancer (the keys stacks share the cell's Region tag, not its role)."""
    return readiness.memo(
        "cell-stacks",
        lambda: {v.stack: v.region for v in readiness.views if holds_load_balancer(v)},
    )


def _freeze(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    facts = readiness.params.operations
    if facts.canary_region is None:
        return None
    findings = []
    for stage in props(resource).get("Stages", []):
        deploys = _deploys(stage)
        if not deploys:
            continue
        first = min(_run_order(a) for a in deploys)
        freezes = [
            a for a in stage.get("Actions", []) if any(facts.freeze_command in c for c in build_commands(a, view)[0])
        ]
        name = stage.get("Name")
        if not freezes:
            stacks = ", ".join(sorted({_stack_name(a, view) for a in deploys}))
            findings.append(
                Finding(
                    f"{name}::NoFreeze",
                    f"stage {name} deploys {stacks} without a freeze check: a release merged before an event deploys "
                    "into it",
                )
            )
        elif (earliest := min(_run_order(a) for a in freezes)) >= first:
            findings.append(
                Finding(
                    f"{name}::FreezeAfterDeploy",
                    f"stage {name}: the freeze check runs at RunOrder {earliest}, not before the first deploy action "
                    f"({first}): the deploy starts while the check runs",
                )
            )
    return findings


FREEZE_BEFORE_EVERY_DEPLOY = ReadinessRule(
    "PipelineFreezeBeforeEveryDeploy",
    "Every pipeline stage that deploys runs the freeze check before its first deploy action",
    "Give every deploying stage the freeze step as a pre step (ReleasePipeline adds it per step); a stage built "
    "outside it must run `python -m kickoff deploy-window` before its first CloudFormation action.",
    SOURCE,
    frozenset({PIPELINE}),
    _freeze,
)


def _cell_stages(resource: Resource, view: TemplateView, readiness: Readiness) -> list[tuple[str, dict[str, str]]]:
    """(stage name, {cell stack: Region}) for every stage that deploys a cell, in pipeline order."""
    cells = _cell_stacks(readiness)
    out = []
    for stage in props(resource).get("Stages", []):
        deployed = {s: cells[s] for a in _deploys(stage) if (s := _stack_name(a, view)) in cells}
        if deployed:
            out.append((str(stage.get("Name")), deployed))
    return out


def _canary_alone(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    facts = readiness.params.operations
    canary = facts.canary_region
    if canary is None:
        return None
    stages = _cell_stages(resource, view, readiness)
    set_by = readiness.params.set_by("pipeline.canary_region")
    with_canary = [name for name, deployed in stages if canary in deployed.values()]
    if not with_canary:
        return [Finding("NoCanary", f"no stage deploys the canary Region's cell ({canary}){set_by}")]
    findings = []
    first_name, first = stages[0]
    if first_name != with_canary[0]:
        findings.append(
            Finding(
                "CanaryNotFirst",
                f"stage {first_name} deploys {', '.join(sorted(first))} before the canary Region's cell ({canary}, in "
                f"stage {with_canary[0]}){set_by}",
            )
        )
    others = sorted(s for s, region in first.items() if region != canary)
    if others and first_name == with_canary[0]:
        findings.append(
            Finding(
                "CanaryNotAlone",
                f"stage {first_name} deploys {', '.join(others)} with the canary Region's cell ({canary}): the first "
                "wave must hold the canary alone, or the bake watches a release that already reached other cells",
            )
        )
    if len(with_canary) > 1:
        findings.append(
            Finding("CanaryTwice", f"the canary Region's cell deploys in {len(with_canary)} stages: {with_canary}")
        )
    return findings


CANARY_DEPLOYS_ALONE = ReadinessRule(
    "PipelineCanaryDeploysAlone",
    "The first pipeline stage that deploys a cell deploys the canary Region's cell, and only it",
    "Keep the canary Region's cell as the pipeline's first cell wave, alone (pipeline.canary_region); the other "
    "cells follow in later waves.",
    SOURCE,
    frozenset({PIPELINE}),
    _canary_alone,
)


def _bake_args(commands: list[str]) -> list[str] | None:
    for command in commands:
        words = shlex.split(command)
        if BAKE_SCRIPT in words:
            return words[words.index(BAKE_SCRIPT) + 1 :]
    return None


def _bake(logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness) -> list[Finding] | None:
    facts = readiness.params.operations
    canary = facts.canary_region
    if canary is None:
        return None
    stages = {str(s.get("Name")): s for s in props(resource).get("Stages", [])}
    canary_stages = [name for name, deployed in _cell_stages(resource, view, readiness) if canary in deployed.values()]
    if not canary_stages:
        return None  # PipelineCanaryDeploysAlone reports it
    stage = stages[canary_stages[0]]
    last_deploy = max(_run_order(a) for a in _deploys(stage))
    bakes = []
    for action in stage.get("Actions", []):
        commands, project = build_commands(action, view)
        args = _bake_args(commands)
        if args is not None:
            bakes.append((action, args, project))
    name = canary_stages[0]
    if not bakes:
        return [Finding("NoBake", f"stage {name} deploys the canary Region's cell ({canary}) and bakes nothing")]
    findings = []
    expected = facts.region_impaired.get(canary)
    for action, args, project in bakes:
        where = f"stage {name}: {action.get('Name')}"
        if _run_order(action) <= last_deploy:
            findings.append(
                Finding(
                    f"{name}::BakeBeforeDeploy",
                    f"{where} runs at RunOrder {_run_order(action)}, not after the canary's deploy ({last_deploy})",
                )
            )
        if len(args) != 4:
            findings.append(
                Finding(f"{name}::BakeArguments", f"{where}: {BAKE_SCRIPT} takes role, Region, alarm, minutes")
            )
            continue
        _role, region, alarm, minutes = args
        if region != canary or alarm != expected:
            findings.append(
                Finding(
                    f"{name}::BakeReadsOtherAlarm",
                    f"{where} watches {alarm} in {region}, not the canary Region's region-impaired alarm "
                    f"({expected} in {canary})",
                )
            )
        elif not any(composite_named(v, alarm) for v in readiness.views if v.region == canary and v.cell == canary):
            findings.append(
                Finding(
                    f"{name}::BakeAlarmMissing",
                    f"{where} watches {alarm}, which the canary cell's template does not define: the bake passes "
                    "whatever the cell does",
                )
            )
        if not minutes.isdigit() or int(minutes) != facts.bake_minutes:
            findings.append(
                Finding(
                    f"{name}::BakeMinutes",
                    f"{where} bakes {minutes} minutes, not the configured {facts.bake_minutes}"
                    + readiness.params.set_by("pipeline.bake_minutes"),
                )
            )
        timeout = props(project or {}).get("TimeoutInMinutes", 60)
        if minutes.isdigit() and isinstance(timeout, int) and timeout <= int(minutes):
            findings.append(
                Finding(
                    f"{name}::BakeTimeout",
                    f"{where}: the build times out after {timeout} minutes, within its {minutes}-minute bake",
                )
            )
    return findings


BAKE_READS_THE_CANARY = ReadinessRule(
    "PipelineBakeWatchesTheCanary",
    "The canary's stage bakes after its deploys, watching the canary Region's region-impaired alarm for the "
    "configured minutes within the build's timeout",
    "Keep the bake as the canary wave's post step (ReleasePipeline's Bake), reading "
    "naming.region_impaired_alarm_name for pipeline.canary_region, for pipeline.bake_minutes.",
    SOURCE + "; CodeBuild: a build stops at its timeout (TimeoutInMinutes)",
    frozenset({PIPELINE}),
    _bake,
)


def _once_in_its_region(
    logical_id: str, resource: Resource, view: TemplateView, readiness: Readiness
) -> list[Finding] | None:
    if readiness.params.operations.canary_region is None:
        return None
    stacks = {v.stack: v for v in readiness.views}
    executed: dict[str, int] = {}
    findings = []
    for stage in props(resource).get("Stages", []):
        for action in _deploys(stage):
            if (action.get("Configuration") or {}).get("ActionMode") != "CHANGE_SET_EXECUTE":
                continue
            name = _stack_name(action, view)
            executed[name] = executed.get(name, 0) + 1
            target = stacks.get(name)
            if target is None:
                continue
            region = action.get("Region") or view.region
            role = literal(action.get("RoleArn"), view) or ""
            if region != target.region:
                findings.append(
                    Finding(
                        f"{name}::Region", f"{name} is deployed in {region}, but its template is for {target.region}"
                    )
                )
            if target.account and f"-{target.account}-{target.region}" not in role:
                findings.append(
                    Finding(
                        f"{name}::Account",
                        f"{name} is deployed through {role or 'a role it cannot read'}, not the deploy role of "
                        f"{target.account} in {target.region}",
                    )
                )
    findings += [
        Finding(f"{name}::Twice", f"{name} is deployed {count} times in one release")
        for name, count in sorted(executed.items())
        if count > 1
    ]
    findings += [
        Finding(f"{name}::Missing", f"the release never deploys cell {name}")
        for name in sorted(_cell_stacks(readiness))
        if name not in executed
    ]
    return findings


DEPLOYS_EACH_STACK_ONCE = ReadinessRule(
    "PipelineDeploysEachStackOnceInItsRegion",
    "The release deploys every cell, and each stack once, in its template's Region through that account's deploy role",
    "Add each stage once (ReleasePipeline does); a stack deployed twice, or from another Region's action, updates "
    "the wrong stack or races itself.",
    SOURCE + "; CloudFormation actions: the action's Region and role",
    frozenset({PIPELINE}),
    _once_in_its_region,
)

RULES: tuple[ReadinessRule, ...] = (
    FREEZE_BEFORE_EVERY_DEPLOY,
    CANARY_DEPLOYS_ALONE,
    BAKE_READS_THE_CANARY,
    DEPLOYS_EACH_STACK_ONCE,
)
