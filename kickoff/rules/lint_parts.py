"""Split a template into the documents cfn-lint reads, so the part that changes every minute lints on its own.

A cell template's schedules are compiled for the deploy time: the scalable targets' scheduled actions,
and the ALB reservation's EventBridge Scheduler schedules (while a reservation is in force, it is raised
again at the window start, under a name with that time). So the template's bytes change every minute
while everything else stays the same. Linting it whole would re-lint 250 resources (3 s) for a few
changed lists. Instead it is read as:

* the **skeleton**: the template without each scalable target's ``ScheduledActions`` and without the
  Scheduler schedules, identical from one minute to the next, so its verdict comes from the cache;
* one **schedule** document per scalable target: that target with its literal capacity range,
  dimension and namespace, a placeholder ``ResourceId`` (the real one is a ``Fn::Join`` over other
  resources), and its ``ScheduledActions``;
* one document with the Scheduler schedules and the alarms whose metric math holds the plan's windows
  (``EPOCH``: the below-plan, reservation and plan-expiry alarms), and, as they are in the template, the
  resources they name (so every ``Ref`` and ``Fn::GetAtt`` resolves as it does in the template); only
  findings on the schedules and those alarms count there, since the named resources are linted in the
  skeleton.

Together they cover every property of every resource. cfn-lint checks scheduled actions with the
resource's schema alone (no rule relates them to another resource), and a Scheduler schedule with its
schema and the resources it names, so the verdict is the same. A template that is not in the CDK's own
JSON layout, whose targets lack literal capacity properties, or where anything else names a schedule, is
linted whole; so is a template over CloudFormation's 500 resources, so cfn-lint's count sees all of them.

Every document is written in the CDK's layout (``json.dumps(indent=1)``), so each line of a part maps
back to the template's line through the nearest object key at depth 4 or less that both share.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kickoff.rules.engine import references

SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
SCHEDULER_SCHEDULE = "AWS::Scheduler::Schedule"
ALARM = "AWS::CloudWatch::Alarm"
MAX_RESOURCES = 500  # CloudFormation's limit per template; cfn-lint's E3010 (the template schema's maxProperties)
SCHEDULE = "ScheduledActions"
LITERAL_TARGET_PROPERTIES = ("MinCapacity", "MaxCapacity", "ScalableDimension", "ServiceNamespace")
PLACEHOLDER_RESOURCE_ID = "service/kickoff-lint/schedule"
"""Stands in for the target's ``Fn::Join`` ResourceId in a schedule document (an ECS service ID's form)."""
ANCHOR_DEPTH = 4  # Resources / <id> / Properties / <property>
_KEY = re.compile(r'^( *)"((?:[^"\\]|\\.)*)":')


def cdk_layout(template: dict[str, Any]) -> str:
    """A template as the CDK writes it (``JSON.stringify(template, undefined, 1)``)."""
    return json.dumps(template, indent=1, ensure_ascii=False)


def _anchors(text: str) -> dict[tuple[str, ...], int]:
    """Object key path -> line number, for every key at depth ``ANCHOR_DEPTH`` or less (CDK layout)."""
    anchors: dict[tuple[str, ...], int] = {}
    path: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _KEY.match(line)
        if match is None or not 1 <= len(match.group(1)) <= ANCHOR_DEPTH:
            continue
        depth = len(match.group(1))
        path = [*path[: depth - 1], match.group(2)]
        anchors[tuple(path)] = number
    return anchors


@dataclass(frozen=True)
class LintPart:
    """One document to lint and how its lines map to the template's."""

    text: str
    _lines: list[int] = field(default_factory=list, repr=False, compare=False)  # part lines of the anchors
    _targets: list[int] = field(default_factory=list, repr=False, compare=False)  # template lines of the same
    _counted: tuple[tuple[int, int], ...] = field(default=(), repr=False, compare=False)  # [first, last] lines

    def counts(self, line: int) -> bool:
        """Whether a finding on ``line`` of this part counts (a part may carry context linted elsewhere)."""
        return not self._counted or any(first <= line <= last for first, last in self._counted)

    def template_line(self, line: int) -> int:
        """The template line that ``line`` of this part shows (the same line when the part is the template)."""
        i = bisect.bisect_right(self._lines, line) - 1
        if i < 0:
            return line
        return self._targets[i] + (line - self._lines[i])


def _part(text: str, template_anchors: dict[tuple[str, ...], int], counted: Sequence[str] = ()) -> LintPart:
    """A document, mapped to the template's lines; with ``counted``, only findings on those resources count."""
    anchors = _anchors(text)
    pairs = sorted((line, template_anchors[path]) for path, line in anchors.items() if path in template_anchors)
    starts = sorted(line for path, line in anchors.items() if len(path) <= 2)  # top-level keys and resources
    spans = []
    for logical_id in counted:
        first = anchors[("Resources", logical_id)]
        later = [line for line in starts if line > first]
        spans.append((first, (later[0] - 1) if later else len(text.splitlines())))
    return LintPart(text, [p for p, _ in pairs], [t for _, t in pairs], tuple(spans))


def _depends_on(resource: Any) -> set[str]:
    depends = resource.get("DependsOn", []) if isinstance(resource, dict) else []
    return {depends} if isinstance(depends, str) else {d for d in depends if isinstance(d, str)}


def _splittable(resource: Any) -> bool:
    if not isinstance(resource, dict) or resource.get("Type") != SCALABLE_TARGET:
        return False
    properties = resource.get("Properties")
    if not isinstance(properties, dict) or not properties.get(SCHEDULE):
        return False
    return all(isinstance(properties.get(p), str | int) for p in LITERAL_TARGET_PROPERTIES)


def _timed(resource: Any) -> bool:
    """A Scheduler schedule, or an alarm whose metric math names the deploy time's windows (``EPOCH``)."""
    if not isinstance(resource, dict):
        return False
    if resource.get("Type") == SCHEDULER_SCHEDULE:
        return True
    if resource.get("Type") != ALARM:
        return False
    metrics = (resource.get("Properties") or {}).get("Metrics") or []
    return any(isinstance(m, dict) and "EPOCH(" in str(m.get("Expression", "")) for m in metrics)


def split_template(text: str) -> list[LintPart]:
    """The documents that lint ``text``: itself, or its skeleton and one schedule document per target."""
    whole = [LintPart(text)]
    try:
        template = json.loads(text)
    except ValueError:
        return whole
    if not isinstance(template, dict) or cdk_layout(template) != text.rstrip("\n"):
        return whole
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return whole
    if len(resources) > MAX_RESOURCES:
        return whole  # cfn-lint's E3010 counts the template's resources; a part holds fewer
    targets = [logical_id for logical_id, resource in resources.items() if _splittable(resource)]
    schedulers = [k for k, r in resources.items() if _timed(r)]
    if not targets and not schedulers:
        return whole
    named_elsewhere = set().union(
        *(references(r) | _depends_on(r) for k, r in resources.items() if k not in schedulers),
        *(references(template.get(section, {})) for section in ("Outputs", "Conditions")),
    )
    if named_elsewhere & set(schedulers):
        return whole  # the skeleton would name a resource it does not hold
    skeleton_resources = {k: r for k, r in resources.items() if k not in schedulers}
    schedules = []
    for logical_id in targets:
        resource = resources[logical_id]
        properties = resource["Properties"]
        skeleton_resources[logical_id] = {
            **resource,
            "Properties": {k: v for k, v in properties.items() if k != SCHEDULE},
        }
        schedule_properties = {p: properties[p] for p in LITERAL_TARGET_PROPERTIES}
        schedule_properties["ResourceId"] = PLACEHOLDER_RESOURCE_ID
        schedule_properties[SCHEDULE] = properties[SCHEDULE]
        schedules.append(
            {
                "AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {logical_id: {"Type": SCALABLE_TARGET, "Properties": schedule_properties}},
            }
        )
    template_anchors = _anchors(text)
    skeleton = _part(cdk_layout({**template, "Resources": skeleton_resources}), template_anchors)
    parts = [skeleton, *(_part(cdk_layout(schedule), template_anchors) for schedule in schedules)]
    if schedulers:
        named = set().union(*(references(resources[k]) | _depends_on(resources[k]) for k in schedulers))
        context = {k: r for k, r in resources.items() if k in named and k not in schedulers}
        document = {k: v for k, v in template.items() if k not in ("Resources", "Outputs")}
        document["Resources"] = {**context, **{k: resources[k] for k in schedulers}}
        parts.append(_part(cdk_layout(document), template_anchors, counted=schedulers))
    return parts
