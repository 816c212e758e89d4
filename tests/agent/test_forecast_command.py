"""``kickoff forecast publish|status`` and ``kickoff plan --diff``, against moto in-process."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
import yaml
from moto import mock_aws

from kickoff import naming
from kickoff.agent.store import latest_versions
from kickoff.cli import main
from kickoff.cli.forecast import publish
from kickoff.config.loader import load_for_context
from kickoff.planning import calendar_events, capacity_spec
from kickoff.reports.forecast_diff import forecast_diff
from tests.agent.harness import make_cell
from tests.support import config_data

NOW = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)


def _args(config_path: Path, **kwargs) -> argparse.Namespace:
    return argparse.Namespace(
        context=[f"config={config_path}"], dry_run=False, no_nudge=True, source="test", out=None, **kwargs
    )


@pytest.fixture
def prod_copy(tmp_path: Path) -> Path:
    """prod's config and calendar copied, so a test can change the calendar."""
    data = config_data("prod")
    calendar = Path("config") / data["scaling"]["calendar"]
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / calendar.name).write_text(calendar.read_text())
    path = tmp_path / "prod.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _bump(path: Path, factor: float) -> None:
    config = yaml.safe_load(path.read_text())
    calendar = path.parent / config["scaling"]["calendar"]
    data = yaml.safe_load(calendar.read_text())
    for event in data["events"]:
        event["peak_viewers"] = int(event["peak_viewers"] * factor)
    calendar.write_text(yaml.safe_dump(data, sort_keys=False))


def test_publish_writes_the_next_version_once_and_the_agent_applies_it(prod_copy, capsys):
    prod = load_for_context(None, str(prod_copy))
    with mock_aws():
        cell = make_cell(prod, prod.primary_region)
        assert publish(_args(prod_copy), now=NOW) == 0
        out = capsys.readouterr().out
        assert "published version 1" in out and "events added" in out
        assert publish(_args(prod_copy), now=NOW) == 0
        assert "already holds this calendar: nothing to publish" in capsys.readouterr().out
        _bump(prod_copy, 1.1)
        assert publish(_args(prod_copy), now=NOW) == 0
        out = capsys.readouterr().out
        assert "published version 2" in out and "events changed" in out
        versions = latest_versions(
            boto3.client("dynamodb", region_name=prod.primary_region), cell.settings.forecast_table
        )
        assert [v.version for v in versions] == [2, 1]
        assert versions[0].data["environment"] == naming.environment_key(prod.identity)
        result = cell.run(NOW)
        assert result.success and result.version == 2


def test_a_dry_run_writes_nothing(prod_copy, capsys):
    prod = load_for_context(None, str(prod_copy))
    with mock_aws():
        cell = make_cell(prod, prod.primary_region)
        args = _args(prod_copy)
        args.dry_run = True
        assert publish(args, now=NOW) == 0
        assert "dry run: version 1 not written" in capsys.readouterr().out
        assert latest_versions(cell.clients["dynamodb"], cell.settings.forecast_table) == []


def test_a_calendar_the_synth_refuses_is_not_published(prod_copy, capsys):
    _bump(prod_copy, 40)
    with mock_aws():
        prod = load_for_context(None, str(prod_copy))
        cell = make_cell(prod, prod.primary_region)
        code = main(["forecast", "publish", "--no-nudge", "-c", f"config={prod_copy}"])
        assert code == 2
        err = capsys.readouterr().err
        assert "the capacity plan cannot run" in err and "max_tasks" in err
        assert latest_versions(cell.clients["dynamodb"], cell.settings.forecast_table) == []


def test_status_shows_what_each_region_applied(prod_copy, capsys):
    prod = load_for_context(None, str(prod_copy))
    with mock_aws():
        cell = make_cell(prod, prod.primary_region)
        assert publish(_args(prod_copy), now=NOW) == 0
        assert cell.run(NOW).success
        capsys.readouterr()
        assert main(["forecast", "status", "-c", f"config={prod_copy}"]) == 0
        out = capsys.readouterr().out
        line = next(line for line in out.splitlines() if line.startswith(prod.primary_region))
        assert " 1 " in line and "yes" in line
        other = next(line for line in out.splitlines() if line.startswith(prod.region_names[-1]))
        assert "-" in other


def test_the_diff_prices_a_bigger_forecast_higher():
    prod = load_for_context("prod", None)
    spec = capacity_spec(prod)
    old = calendar_events(prod)
    new = tuple(type(e)(**{**e.__dict__, "peak_viewers": int(e.peak_viewers * 1.2)}) for e in old)
    diff = forecast_diff(spec, old, new, NOW)
    assert diff.changed and not diff.added and not diff.removed
    for region in diff.regions:
        assert region.task_hours[1] > region.task_hours[0]
        assert region.task_usd[1] > region.task_usd[0]
        assert any(b > a for a, b in region.peak_tasks.values())
    same = forecast_diff(spec, old, old, NOW)
    assert same.unchanged and all(r.task_hours[0] == r.task_hours[1] for r in same.regions)


def test_plan_diff_reads_a_document_and_refuses_another_environments(tmp_path, capsys):
    out = tmp_path / "doc.json"
    assert main(["forecast", "document", "-c", "env=prod", "--out", str(out)]) == 0
    assert main(["plan", "-c", "env=prod", "--diff", str(out)]) == 0
    assert "no event changed" in capsys.readouterr().out
    assert main(["plan", "-c", "env=dev", "--diff", str(out)]) == 2
    assert "not a forecast document of kickoff-dev" in capsys.readouterr().err
    data = json.loads(out.read_text())
    data["events"] = data["events"][:-1]
    out.write_text(json.dumps(data))
    assert main(["plan", "-c", "env=prod", "--diff", str(out)]) == 2  # the digest no longer matches


def test_the_forecast_document_expires_only_long_after_its_season(prod_copy):
    prod = load_for_context(None, str(prod_copy))
    with mock_aws():
        cell = make_cell(prod, prod.primary_region)
        assert publish(_args(prod_copy), now=NOW) == 0
        item = cell.clients["dynamodb"].scan(TableName=cell.settings.forecast_table)["Items"][0]
        assert datetime.fromtimestamp(int(item["expires_at"]["N"]), UTC) > NOW + timedelta(days=365)
