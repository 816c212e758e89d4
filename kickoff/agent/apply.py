"""Read what one Region holds, write only what differs from the desired state, and read it back.

Every call goes to this Region's endpoints (the clients are made for it): Application Auto Scaling for each
registered scalable target's range and scheduled actions, EventBridge Scheduler for the ALB reservation changes
ahead, Elastic Load Balancing for the reservation in force, DynamoDB for warm throughput. Only actions and schedules
whose names start with ``kickoff-`` are Kickoff's; others on the same target are left alone but count toward the
200-action quota. While an event window is open nothing in force is lowered (``guard.lift``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kickoff.agent.desired import ACTION_PREFIX, Action, DesiredRegion, DesiredTarget, one_time
from kickoff.agent.guard import Change, lift
from kickoff.scaling.table import WarmThroughput

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
MAX_ACTIONS_PER_TARGET = 200
"""Application Auto Scaling: scheduled actions per scalable target (not adjustable)."""
RESERVATION_PREFIX = f"{ACTION_PREFIX}lcu-"
SCHEDULER_TARGET = "arn:aws:scheduler:::aws-sdk:elasticloadbalancingv2:modifyCapacityReservation"
RETRY_ATTEMPTS = 5
MAX_EVENT_AGE_S = 3600


@dataclass(frozen=True)
class Binding:
    """What this Region's agent writes to besides the scalable targets (None: that part is not applied here).

    ``warm_throughput_table`` is set in one Region only: warm throughput applies to every replica.
    ``reservation_grace_minutes``: how long after a raise the reservation must show in ``ReservedLCUs``.
    """

    region: str
    load_balancer_arn: str | None = None
    schedule_group: str | None = None
    scheduler_role_arn: str | None = None
    dead_letter_arn: str | None = None
    warm_throughput_table: str | None = None
    reservation_grace_minutes: int = 120
    live_channels: bool = False
    """Live channels are ingested in this Region: the agent starts and stops them (``kickoff.agent.channels``)."""


@dataclass(frozen=True)
class Write:
    """One call that changed something, for the log: what, on which resource, from what to what."""

    kind: str
    resource: str
    name: str
    before: Any
    after: Any


@dataclass
class ApplyReport:
    writes: list[Write] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _action_key(action: Action) -> tuple[Any, ...]:
    return (action.schedule, action.min_tasks, action.max_tasks, _utc(action.start), _utc(action.end))


def _existing_key(item: dict[str, Any]) -> tuple[Any, ...]:
    target = item.get("ScalableTargetAction", {})
    return (
        item["Schedule"],
        target.get("MinCapacity"),
        target.get("MaxCapacity"),
        _utc(item.get("StartTime")),
        _utc(item.get("EndTime")),
    )


def _at_of(schedule: str) -> datetime | None:
    if not schedule.startswith("at(") or not schedule.endswith(")"):
        return None
    return datetime.fromisoformat(schedule[3:-1]).replace(tzinfo=UTC)


def _fold_early(start: datetime, value: int, changes: Sequence[Change]) -> tuple[int, list[Change]]:
    """Changes due before ``start`` cannot be scheduled any more: the highest of them holds now, and the value
    the last of them leaves holds from ``start``."""
    early = [c for c in changes if c[0] < start]
    if not early:
        return value, list(changes)
    now_value = max([value, *(v for _, v in early)])
    rest = [c for c in changes if c[0] >= start]
    if early[-1][1] != now_value and not any(t == start for t, _ in rest):
        rest.insert(0, (start, early[-1][1]))
    return now_value, rest


class Applier:
    """Applies one Region's desired state with the clients given (boto3, made for the Region)."""

    def __init__(self, clients: dict[str, Any], binding: Binding, *, dry_run: bool = False) -> None:
        self.aas = clients["application-autoscaling"]
        self.clients = clients
        self.binding = binding
        self.dry_run = dry_run
        self.report = ApplyReport()

    def _call(self, write: Write, fn: Callable[[], object]) -> None:
        self.report.writes.append(write)
        if not self.dry_run:
            fn()

    # -- scalable targets --------------------------------------------------------------------------------

    def _actions(self, resource_id: str) -> list[dict[str, Any]]:
        pages = self.aas.get_paginator("describe_scheduled_actions").paginate(
            ServiceNamespace=NAMESPACE, ResourceId=resource_id, ScalableDimension=DIMENSION
        )
        return [a for page in pages for a in page["ScheduledActions"]]

    def _ranges(self, resource_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        found = self.aas.describe_scalable_targets(ServiceNamespace=NAMESPACE, ResourceIds=list(resource_ids))
        return {
            t["ResourceId"]: (t["MinCapacity"], t["MaxCapacity"])
            for t in found["ScalableTargets"]
            if t["ScalableDimension"] == DIMENSION
        }

    def target_plan(
        self, target: DesiredTarget, desired: DesiredRegion, guard: datetime | None, current: tuple[int, int]
    ) -> tuple[int, dict[str, Action], list[dict[str, Any]], list[dict[str, Any]]]:
        """(minimum now, Kickoff's actions by name, Kickoff's actions in force, others' actions) for one target."""
        now, start = desired.window.deploy_time, desired.window.start
        existing = self._actions(target.resource_id)
        mine = [a for a in existing if a["ScheduledActionName"].startswith(ACTION_PREFIX)]
        others = [a for a in existing if not a["ScheduledActionName"].startswith(ACTION_PREFIX)]
        in_force = sorted(
            (at, a["ScalableTargetAction"]["MinCapacity"])
            for a in mine
            if (at := _at_of(a["Schedule"])) is not None and at > now
        )
        one_time_actions = [a for a in target.actions if a.at is not None]
        min_now, changes = lift(
            now, guard, (current[0], in_force), (target.min_now, [(a.at, a.min_tasks) for a in one_time_actions])
        )
        min_now, changes = _fold_early(start, min_now, changes)
        actions = {a.name: a for a in (one_time(t, v, target.max_tasks) for t, v in changes)}
        actions.update({a.name: a for a in target.actions if a.at is None})
        return min_now, actions, mine, others

    def apply_target(self, target: DesiredTarget, desired: DesiredRegion, guard: datetime | None) -> None:
        rid = target.resource_id
        current = self._ranges([rid]).get(rid)
        if current is None:
            self.report.errors.append(f"{rid}: no scalable target is registered (is the service deployed?)")
            return
        min_now, actions, mine, others = self.target_plan(target, desired, guard, current)
        if len(actions) + len(others) > MAX_ACTIONS_PER_TARGET:
            self.report.errors.append(
                f"{rid}: the plan needs {len(actions)} scheduled actions beside {len(others)} others, above the "
                f"{MAX_ACTIONS_PER_TARGET} per scalable target; nothing was written to it"
            )
            return
        by_name = {a["ScheduledActionName"]: a for a in mine}
        overwrite = [a for n, a in actions.items() if n in by_name and _existing_key(by_name[n]) != _action_key(a)]
        new = [a for n, a in actions.items() if n not in by_name]
        for action in overwrite:
            self._put(rid, action, _existing_key(by_name[action.name]))
        for name in sorted(set(by_name) - set(actions)):
            self._call(
                Write("delete-scheduled-action", rid, name, _existing_key(by_name[name]), None),
                lambda name=name: self.aas.delete_scheduled_action(
                    ServiceNamespace=NAMESPACE, ScheduledActionName=name, ResourceId=rid, ScalableDimension=DIMENSION
                ),
            )
        for action in new:
            self._put(rid, action, None)
        wanted = (min_now, target.max_tasks)
        if current != wanted:
            self._call(
                Write("register-scalable-target", rid, "range", current, wanted),
                lambda: self.aas.register_scalable_target(
                    ServiceNamespace=NAMESPACE,
                    ResourceId=rid,
                    ScalableDimension=DIMENSION,
                    MinCapacity=wanted[0],
                    MaxCapacity=wanted[1],
                ),
            )

    def _put(self, rid: str, action: Action, before: Any) -> None:
        extra: dict[str, Any] = {}
        if action.start is not None:
            extra["StartTime"] = action.start
        if action.end is not None:
            extra["EndTime"] = action.end
        self._call(
            Write("put-scheduled-action", rid, action.name, before, _action_key(action)),
            lambda: self.aas.put_scheduled_action(
                ServiceNamespace=NAMESPACE,
                ScheduledActionName=action.name,
                ResourceId=rid,
                ScalableDimension=DIMENSION,
                Schedule=action.schedule,
                ScalableTargetAction={"MinCapacity": action.min_tasks, "MaxCapacity": action.max_tasks},
                **extra,
            ),
        )

    # -- ALB reservation ---------------------------------------------------------------------------------

    def _reservation_now(self) -> int:
        found = self.clients["elbv2"].describe_capacity_reservation(LoadBalancerArn=self.binding.load_balancer_arn)
        return int(found.get("MinimumLoadBalancerCapacity", {}).get("CapacityUnits", 0) or 0)

    def _schedules(self) -> dict[str, tuple[datetime, int]]:
        scheduler = self.clients["scheduler"]
        out = {}
        pages = scheduler.get_paginator("list_schedules").paginate(
            GroupName=self.binding.schedule_group, NamePrefix=RESERVATION_PREFIX
        )
        for page in pages:
            for item in page["Schedules"]:
                got = scheduler.get_schedule(GroupName=self.binding.schedule_group, Name=item["Name"])
                at = datetime.fromisoformat(got["ScheduleExpression"][3:-1]).replace(tzinfo=UTC)
                body = json.loads(got["Target"]["Input"])
                out[item["Name"]] = (at, int(body.get("MinimumLoadBalancerCapacity", {}).get("CapacityUnits", 0)))
        return out

    def apply_reservation(self, desired: DesiredRegion, guard: datetime | None) -> None:
        b = self.binding
        if b.load_balancer_arn is None or b.schedule_group is None or b.scheduler_role_arn is None:
            return
        now, start = desired.window.deploy_time, desired.window.start
        current = self._reservation_now()
        existing = self._schedules()
        in_force = sorted(v for v in existing.values() if v[0] > now)
        units_now, changes = lift(
            now, guard, (current, in_force), (desired.reservation.units_now, list(desired.reservation.changes))
        )
        units_now, changes = _fold_early(start, units_now, changes)
        if units_now != current:
            body = (
                {"MinimumLoadBalancerCapacity": {"CapacityUnits": units_now}}
                if units_now
                else {"ResetCapacityReservation": True}
            )
            self._call(
                Write("modify-capacity-reservation", b.load_balancer_arn, "now", current, units_now),
                lambda: self.clients["elbv2"].modify_capacity_reservation(LoadBalancerArn=b.load_balancer_arn, **body),
            )
        wanted = {f"{RESERVATION_PREFIX}{t.astimezone(UTC):%Y%m%dT%H%M}Z": (t.astimezone(UTC), u) for t, u in changes}
        for name in sorted(set(existing) - set(wanted)):
            self._call(
                Write("delete-schedule", b.schedule_group, name, existing[name], None),
                lambda name=name: self.clients["scheduler"].delete_schedule(GroupName=b.schedule_group, Name=name),
            )
        for name, (at, units) in sorted(wanted.items()):
            if existing.get(name) == (at, units):
                continue
            verb = "update_schedule" if name in existing else "create_schedule"
            self._call(
                Write(verb.replace("_", "-"), b.schedule_group, name, existing.get(name), (at, units)),
                lambda name=name, at=at, units=units, verb=verb: getattr(self.clients["scheduler"], verb)(
                    **self._schedule_request(name, at, units)
                ),
            )

    def _schedule_request(self, name: str, at: datetime, units: int) -> dict[str, Any]:
        b = self.binding
        body: dict[str, Any] = {"LoadBalancerArn": b.load_balancer_arn}
        if units:
            body["MinimumLoadBalancerCapacity"] = {"CapacityUnits": units}
        else:
            body["ResetCapacityReservation"] = True
        target: dict[str, Any] = {
            "Arn": SCHEDULER_TARGET,
            "RoleArn": b.scheduler_role_arn,
            "Input": json.dumps(body, sort_keys=True),
            "RetryPolicy": {"MaximumRetryAttempts": RETRY_ATTEMPTS, "MaximumEventAgeInSeconds": MAX_EVENT_AGE_S},
        }
        if b.dead_letter_arn:
            target["DeadLetterConfig"] = {"Arn": b.dead_letter_arn}
        return {
            "Name": name,
            "GroupName": b.schedule_group,
            "ScheduleExpression": f"at({at:%Y-%m-%dT%H:%M:%S})",
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "Description": f"{'reserve ' + str(units) + ' LCU' if units else 'release the reservation'} "
            f"at {at:%Y-%m-%d %H:%M} UTC (capacity agent)",
            "Target": target,
        }

    # -- table warm throughput ---------------------------------------------------------------------------

    def apply_warm(self, warm: WarmThroughput | None) -> None:
        table = self.binding.warm_throughput_table
        if table is None or warm is None:
            return
        dynamodb = self.clients["dynamodb"]
        found = dynamodb.describe_table(TableName=table)["Table"].get("WarmThroughput", {})
        reads, writes = found.get("ReadUnitsPerSecond", 0), found.get("WriteUnitsPerSecond", 0)
        wanted = (max(reads, warm.read_units_per_second), max(writes, warm.write_units_per_second))
        if wanted != (reads, writes):
            # DynamoDB cannot lower warm throughput: only ever raised, to the season's need.
            self._call(
                Write("update-table", table, "warm-throughput", (reads, writes), wanted),
                lambda: dynamodb.update_table(
                    TableName=table, WarmThroughput={"ReadUnitsPerSecond": wanted[0], "WriteUnitsPerSecond": wanted[1]}
                ),
            )

    # -- the whole Region ----------------------------------------------------------------------------------

    def apply(self, desired: DesiredRegion, guard: datetime | None) -> ApplyReport:
        """Apply every part, each on its own: a failing part is reported and the others still run."""
        parts: list[tuple[str, Callable[[], None]]] = [
            (t.resource_id, lambda t=t: self.apply_target(t, desired, guard)) for t in desired.targets
        ]
        parts.append(("ALB reservation", lambda: self.apply_reservation(desired, guard)))
        parts.append(("warm throughput", lambda: self.apply_warm(desired.warm)))
        for name, part in parts:
            try:
                part()
            except Exception as error:  # noqa: BLE001 - one failing API must not stop the other parts
                self.report.errors.append(f"{name}: {type(error).__name__}: {error}")
        if not self.dry_run:
            self.report.drift = self.drift(desired, guard)
        return self.report

    def drift(self, desired: DesiredRegion, guard: datetime | None) -> list[str]:
        """What still differs after applying: each target's range and actions, read back."""
        out = []
        probe = Applier(self.clients, self.binding, dry_run=True)
        for target in desired.targets:
            try:
                probe.apply_target(target, desired, guard)
            except Exception as error:  # noqa: BLE001
                out.append(f"{target.resource_id}: cannot read back: {error}")
        out += [f"{w.resource} {w.name}: {w.before} != {w.after}" for w in probe.report.writes]
        return out
