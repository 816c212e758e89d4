"""``forecast``: publish the reviewed calendar to every cell Region without a release, and see what each applied.

- ``forecast publish``: validate the calendar exactly as a synth does (config, season against ``max_tasks`` and the
  declared quotas), print the capacity difference against the published version, write the next version to the
  forecast table in the primary Region (DynamoDB replicates it to every cell Region), then nudge each Region's agent
  so it applies the version now instead of at its next scheduled run.
- ``forecast status``: the version each Region's agent applied, until when its plan covers, and its errors.
- ``forecast document``: the calendar as a forecast document (JSON), for review or ``kickoff plan --diff FILE``.

AWS credentials and Region come from the usual environment; ``AWS_ENDPOINT_URL`` points every client elsewhere
(a moto server in ``make e2e``). Exit codes: 0 done, 1 not published (a conflict, or AWS refused), 2 bad config.
boto3 is imported with this module only: the other commands never load it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from kickoff import naming
from kickoff.agent.document import DocumentError, document_json, read_document
from kickoff.agent.store import latest_versions, put_version, read_status
from kickoff.cli.common import load_selected
from kickoff.planning import build_deployment_plan, capacity_spec, forecast_document
from kickoff.reports.forecast_diff import diff_text, forecast_diff
from kickoff.reports.table import render_table


def _clients(region: str, service: str) -> Any:
    return boto3.client(service, region_name=region)


def _published(config, spec) -> tuple[int, Any, str | None]:  # noqa: ANN001 - config and spec
    """(newest version number or 0, its document or None, why it does not read)."""
    found = latest_versions(
        _clients(config.primary_region, "dynamodb"), naming.forecast_table_name(config.identity), count=1
    )
    if not found:
        return 0, None, None
    try:
        return found[0].version, read_document(found[0].data, spec, naming.environment_key(config.identity)), None
    except DocumentError as error:
        return found[0].version, None, str(error)


def publish(args: argparse.Namespace, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    config = load_selected(args)
    plan = build_deployment_plan(config, now)  # the synth's validation: every problem, or ConfigError (exit 2)
    spec = capacity_spec(config)
    key = naming.environment_key(config.identity)
    try:
        version, current, unreadable = _published(config, spec)
    except (BotoCoreError, ClientError) as error:
        print(
            f"kickoff: cannot read {naming.forecast_table_name(config.identity)} in {config.primary_region}: {error}",
            file=sys.stderr,
        )
        return 1
    document = forecast_document(config, version + 1, now, args.source or str(config.scaling.calendar))
    print(f"{key}: forecast {config.scaling.calendar}, {len(document.events)} events, {document.digest}")
    if unreadable:
        print(f"  published version {version} does not read ({unreadable}); the agents keep an older good one")
    print(diff_text(forecast_diff(spec, current.events if current else (), document.events, now)))
    if current is not None and current.digest == document.digest:
        print(f"version {version} already holds this calendar: nothing to publish")
        return 0
    window = plan.event_window_at(now)
    if window is not None:
        # Not refused: a late forecast matters most during an event. Logged, as any freeze override is.
        print(
            f"notice: event window {', '.join(window.event_ids)} is open until {window.restore:%H:%M} UTC; the agents "
            "raise capacity at once and lower nothing in force before the window closes"
        )
    if args.dry_run:
        print(f"dry run: version {version + 1} not written")
        return 0
    try:
        put_version(
            _clients(config.primary_region, "dynamodb"),
            naming.forecast_table_name(config.identity),
            document.version,
            document_json(document),
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            print(f"kickoff: version {document.version} was published meanwhile; run again", file=sys.stderr)
            return 1
        print(f"kickoff: publishing failed: {error}", file=sys.stderr)
        return 1
    print(
        f"published version {document.version} to {naming.forecast_table_name(config.identity)} "
        f"({config.primary_region})"
    )
    if not args.no_nudge:
        _nudge(config, document.version)
    rate = config.scaling.agent.rate_minutes
    print(
        f"every cell Region applies it at its agent's next run (within {rate} min, or now if nudged); "
        f"python -m kickoff forecast status -c env={config.environment} shows what each applied"
    )
    return 0


def _nudge(config, version: int) -> None:  # noqa: ANN001
    """Invoke each cell Region's agent asynchronously for ``version``. Not on the apply path: a nudge that fails
    only means the Region applies the version at its next scheduled run."""
    for region in config.region_names:
        try:
            _clients(region, "lambda").invoke(
                FunctionName=naming.capacity_agent_name(config.identity),
                InvocationType="Event",
                Payload=json.dumps({"expect_version": version}).encode(),
            )
            print(f"  {region}: agent nudged")
        except (BotoCoreError, ClientError) as error:
            print(f"  {region}: not nudged ({type(error).__name__}); it applies at its next scheduled run")


def status(args: argparse.Namespace) -> int:
    config = load_selected(args)
    client = _clients(config.primary_region, "dynamodb")
    rows = []
    try:
        for region in config.region_names:
            found = read_status(client, naming.forecast_table_name(config.identity), region) or {}
            errors = found.get("errors") or []
            rows.append(
                [
                    region,
                    str(found.get("version") or "-"),
                    "yes" if found.get("success") else ("-" if not found else "no"),
                    found.get("covered_until") or "-",
                    "; ".join(errors)[:120] or "-",
                ]
            )
    except (BotoCoreError, ClientError) as error:
        print(f"kickoff: cannot read {naming.forecast_table_name(config.identity)}: {error}", file=sys.stderr)
        return 1
    print(render_table(["region", "version applied", "last run ok", "plan covers until", "errors"], rows))
    return 0


def document(args: argparse.Namespace) -> int:
    config = load_selected(args)
    now = datetime.now(UTC)
    build_deployment_plan(config, now)
    text = json.dumps(document_json(forecast_document(config, 1, now, str(config.scaling.calendar))), indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n")
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0


def forecast(args: argparse.Namespace) -> int:
    return {"publish": publish, "status": status, "document": document}[args.action](args)
