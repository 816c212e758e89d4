"""The agent's Lambda entry point: registration + newest good forecast -> this Region's plan -> applied, measured.

One run: read the registration (SSM, this Region), read the newest forecast versions (this Region's replica of the
forecast table), refuse each that fails validation or that the planner refuses, plan the newest good one for the
window opening now, apply it (``apply.Applier``), write this Region's status item, and print one JSON log line per
change and one CloudWatch embedded-metric line. No call leaves the Region.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kickoff.agent.apply import Applier, ApplyReport, Binding
from kickoff.agent.channels import ChannelReport, apply_channels, channel_metrics, desired_channels, read_channels
from kickoff.agent.codec import from_json
from kickoff.agent.desired import desired_region, expected_reservation, plan_window, planned_minimum
from kickoff.agent.document import DocumentError, ForecastDocument, read_document
from kickoff.agent.guard import guard_until
from kickoff.agent.registration import read_registration
from kickoff.agent.store import latest_versions, read_status, write_status
from kickoff.scaling.horizon import DeploymentPlan
from kickoff.scaling.plan import event_windows
from kickoff.scaling.spec import CapacitySpec, forecast_of, plan_horizon

METRIC_NAMESPACE = "Kickoff/CapacityAgent"
WAIT_FOR_VERSION_S = 30
"""How long a run nudged for a version waits for it to replicate to this Region before planning what it has."""


@dataclass(frozen=True)
class AgentEnvironment:
    """The agent's settings (Lambda environment variables)."""

    environment: str
    region: str
    parameter_path: str
    forecast_table: str
    binding: Binding

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AgentEnvironment:
        binding = from_json(Binding, json.loads(env["KICKOFF_BINDING"]), "KICKOFF_BINDING")
        return cls(
            env["KICKOFF_ENVIRONMENT"],
            binding.region,
            env["KICKOFF_PARAMETER_PATH"],
            env["KICKOFF_FORECAST_TABLE"],
            binding,
        )


@dataclass
class RunResult:
    """What one run did. ``success``: a good document was planned and applied with no error and no drift."""

    at: datetime
    version: int | None = None
    refused: dict[int, list[str]] = field(default_factory=dict)
    report: ApplyReport = field(default_factory=ApplyReport)
    problems: list[str] = field(default_factory=list)
    covered_until: datetime | None = None
    plan: DeploymentPlan | None = None
    planned_minimum: dict[str, int] = field(default_factory=dict)
    expected_lcu: int | None = None
    channels: ChannelReport | None = None
    channel_metrics: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        channel_errors = self.channels.errors if self.channels is not None else []
        return (
            self.version is not None
            and not self.problems
            and not self.report.errors
            and not self.report.drift
            and not channel_errors
        )

    def metrics(self) -> dict[str, float]:
        covered = 0.0 if self.covered_until is None else max(0.0, (self.covered_until - self.at).total_seconds() / 3600)
        return {
            "Success": 1.0 if self.success else 0.0,
            "Errors": float(len(self.problems) + len(self.report.errors)),
            "ActionsWritten": float(len(self.report.writes)),
            "Drift": float(len(self.report.drift)),
            "RefusedDocuments": float(len(self.refused)),
            "HorizonCoveredHours": round(covered, 3),
            "ForecastVersion": float(self.version or 0),
        }


def _parameters(ssm: Any, path: str) -> dict[str, str]:
    pages = ssm.get_paginator("get_parameters_by_path").paginate(Path=path, Recursive=True)
    return {p["Name"]: p["Value"] for page in pages for p in page["Parameters"]}


def choose(
    versions: list[Any], spec: CapacitySpec, environment: str, now: datetime
) -> tuple[ForecastDocument | None, DeploymentPlan | None, ForecastDocument | None, dict[int, list[str]]]:
    """(newest good document, its plan, the good one before it, refused versions with their problems)."""
    good: ForecastDocument | None = None
    plan: DeploymentPlan | None = None
    previous: ForecastDocument | None = None
    refused: dict[int, list[str]] = {}
    for stored in versions:
        if stored.error:
            refused[stored.version] = [stored.error]
            continue
        try:
            document = read_document(stored.data, spec, environment)
        except DocumentError as error:
            refused[stored.version] = list(error.problems)
            continue
        if good is not None:
            previous = document
            break
        outcome = plan_horizon(spec, document.events, plan_window(spec, now))
        if outcome.plan is None:
            refused[stored.version] = [str(e) for e in outcome.errors] + [
                f"{e.region}: needs {e.needed:,} against the declared {e.field} of {e.quota:,}"
                for e in outcome.quota_excess
            ]
            continue
        good, plan = document, outcome.plan
    return good, plan, previous, refused


def run(
    now: datetime,
    clients: Mapping[str, Any],
    settings: AgentEnvironment,
    *,
    expect_version: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RunResult:
    """One run of the agent at ``now`` with this Region's clients (``ssm``, ``dynamodb``, ``application-autoscaling``,
    ``elbv2``, ``scheduler``, and ``medialive`` where live channels are ingested)."""
    result = RunResult(now)
    dynamodb = clients["dynamodb"]
    started: set[str] = set()
    before: dict[str, Any] | None = None  # this Region's status item, read once (live channels, or a failed run)
    try:
        if settings.binding.live_channels:
            before = read_status(dynamodb, settings.forecast_table, settings.region) or {}
            started = set(before.get("started_channels", []))
        parameters = _parameters(clients["ssm"], settings.parameter_path)
        spec, targets = read_registration(parameters, settings.parameter_path, settings.environment)
        versions = latest_versions(dynamodb, settings.forecast_table)
        waited = 0.0
        while expect_version is not None and (not versions or versions[0].version < expect_version):
            if waited >= WAIT_FOR_VERSION_S:
                result.problems.append(f"version {expect_version} has not replicated here after {waited:.0f} s")
                break
            sleep(2.0)
            waited += 2.0
            versions = latest_versions(dynamodb, settings.forecast_table)
        document, plan, previous, result.refused = choose(versions, spec, settings.environment, now)
        if document is None or plan is None:
            result.problems.append(
                "no good forecast document to apply: "
                + ("none is published" if not versions else f"every one of the newest {len(versions)} was refused")
            )
        else:
            windows = list(plan.season_windows)
            if previous is not None:
                windows += event_windows([forecast_of(spec, e) for e in previous.events], spec.params)
            guard = guard_until(plan.window.deploy_time, windows)
            desired = desired_region(plan, settings.region, targets, spec)
            result.report = Applier(dict(clients), settings.binding).apply(desired, guard)
            result.version, result.plan = document.version, plan
            result.planned_minimum = {s: planned_minimum(plan, settings.region, s, now) for s in sorted(targets)}
            if settings.binding.load_balancer_arn is not None:
                grace = timedelta(minutes=settings.binding.reservation_grace_minutes)
                result.expected_lcu = expected_reservation(plan, settings.region, now, grace)
            if settings.binding.live_channels:
                live = desired_channels(
                    read_channels(parameters, settings.parameter_path),
                    [forecast_of(spec, e) for e in document.events],
                    [forecast_of(spec, e) for e in previous.events] if previous is not None else [],
                    now,
                )
                result.channels = apply_channels(clients["medialive"], live, started)
                result.channel_metrics = channel_metrics(live, result.channels)
    except Exception as error:  # noqa: BLE001 - the run reports and measures every failure
        result.problems.append(f"{type(error).__name__}: {error}")
    if result.success and result.plan is not None:
        result.covered_until = result.plan.window.end
    else:
        try:
            if before is None:
                before = read_status(dynamodb, settings.forecast_table, settings.region) or {}
            until = before.get("covered_until")
            result.covered_until = datetime.fromisoformat(until) if until else None
        except Exception as error:  # noqa: BLE001
            result.problems.append(f"status: {type(error).__name__}: {error}")
    try:
        write_status(dynamodb, settings.forecast_table, settings.region, status_of(result, started), now)
    except Exception as error:  # noqa: BLE001
        result.problems.append(f"status: {type(error).__name__}: {error}")
    return result


def status_of(result: RunResult, started_before: set[str] | None = None) -> dict[str, Any]:
    """The status item: what was applied, and the live channels this agent started (kept when this run could not
    apply channels, so a later run still stops them)."""
    channels = result.channels
    started = channels.started if channels is not None else (started_before or set())
    return {
        "version": result.version,
        "success": result.success,
        "covered_until": result.covered_until.isoformat() if result.covered_until else None,
        "writes": len(result.report.writes) + (len(channels.writes) if channels is not None else 0),
        "errors": result.problems + result.report.errors + (channels.errors if channels is not None else []),
        "drift": result.report.drift,
        "refused": {str(k): v for k, v in result.refused.items()},
        "started_channels": sorted(started),
    }


def log_lines(result: RunResult, settings: AgentEnvironment) -> list[str]:
    """One JSON line per change, per refused document and per error, then the embedded-metric line."""
    base = {"environment": settings.environment, "region": settings.region, "at": result.at.isoformat()}
    channels = result.channels or ChannelReport()
    lines = [
        json.dumps(
            {**base, "change": w.kind, "resource": w.resource, "name": w.name, "before": w.before, "after": w.after},
            default=str,
        )
        for w in [*result.report.writes, *channels.writes]
    ]
    lines += [json.dumps({**base, "note": n}) for n in channels.notes]
    lines += [json.dumps({**base, "refused_version": v, "problems": p}) for v, p in sorted(result.refused.items())]
    lines += [json.dumps({**base, "error": e}) for e in result.problems + result.report.errors + channels.errors]
    lines += [json.dumps({**base, "drift": d}) for d in result.report.drift]
    metrics = result.metrics()
    if result.expected_lcu is not None:
        metrics["ReservationExpectedLCU"] = float(result.expected_lcu)
    lines.append(_emf(result, {"Environment": settings.environment}, metrics, {**base, "version": result.version}))
    for service, minimum in sorted(result.planned_minimum.items()):
        dims = {"Environment": settings.environment, "Service": service}
        lines.append(_emf(result, dims, {"PlannedMinimum": float(minimum)}, base))
    for channel, values in sorted(result.channel_metrics.items()):
        lines.append(_emf(result, {"Environment": settings.environment, "Channel": channel}, values, base))
    return lines


def _emf(result: RunResult, dimensions: dict[str, str], metrics: dict[str, float], extra: dict[str, Any]) -> str:
    """One CloudWatch embedded-metric-format line: CloudWatch Logs extracts the metrics, no API call is made."""
    directive = {
        "Namespace": METRIC_NAMESPACE,
        "Dimensions": [list(dimensions)],
        "Metrics": [{"Name": n} for n in metrics],
    }
    return json.dumps(
        {
            "_aws": {"Timestamp": int(result.at.timestamp() * 1000), "CloudWatchMetrics": [directive]},
            **extra,
            **dimensions,
            **metrics,
        }
    )


def handler(event: Mapping[str, Any] | None, context: Any) -> dict[str, Any]:  # pragma: no cover - Lambda glue
    """Lambda entry point: a scheduled run, or a nudge ``{"expect_version": N}`` after a publish."""
    import boto3

    settings = AgentEnvironment.from_env(os.environ)
    clients = {
        name: boto3.client(name, region_name=settings.region)
        for name in ("ssm", "dynamodb", "application-autoscaling", "elbv2", "scheduler", "medialive")
    }
    expect = (event or {}).get("expect_version")
    result = run(datetime.now(UTC), clients, settings, expect_version=int(expect) if expect else None)
    for line in log_lines(result, settings):
        print(line)
    return status_of(result)


__all__ = ["AgentEnvironment", "RunResult", "choose", "handler", "log_lines", "run"]
