"""The CLI commands: readiness over an assembly, the quota checks, the assembly check, and the stateful lock."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from kickoff.lockfile import ACCEPT_COMMAND, read_lock
from tests.support import CONFIG_DIR, REPO_ROOT, run_cli

pytestmark = pytest.mark.not_a_rule("tests the commands' output over the templates, not the templates")


def test_readiness_passes_the_same_assembly_at_any_deploy_time(prod, capsys) -> None:
    """The templates hold no schedule, so an assembly does not go stale: a week later it still passes."""
    for at in ("2026-11-26T00:00:00Z", "2026-12-03T00:00:00Z"):
        result = run_cli(capsys, "readiness", "--outdir", str(prod.outdir), "-c", "env=prod", "-c", f"plan_from={at}")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "DR-ScalableTargetRegistered" in result.stdout


def test_quotas_lists_every_declared_quota_with_its_check_and_request_commands(capsys) -> None:
    result = run_cli(capsys, "quotas", "-c", "env=prod", "-c", "plan_from=2099-01-01T00:00:00Z")
    assert result.returncode == 0, result.stderr
    for code in ("L-3032A538", "L-CF0CBE56", "L-AB614373", "L-8A66D0E6", "L-0BB7B635"):
        assert code in result.stdout
    assert (
        "aws service-quotas get-service-quota --region us-west-2 --service-code dynamodb --quota-code L-CF0CBE56"
        in result.stdout
    )
    assert "645,705" in result.stdout  # the season's read warm throughput, whatever the window
    # A request for each quota declared above AWS's default, at the declared value; none for a default one.
    assert (
        "aws service-quotas request-service-quota-increase --region us-east-2 --service-code elasticloadbalancing "
        "--quota-code L-8A66D0E6 --desired-value 46000" in result.stdout
    )
    dev = run_cli(capsys, "quotas", "-c", "env=dev")
    assert "--quota-code L-CF0CBE56 --desired-value" not in dev.stdout  # dev declares AWS's 40,000
    assert "Lead time:" in result.stdout


def test_check_passes_a_clean_assembly_and_prints_every_gate(dev, capsys) -> None:
    result = run_cli(capsys, "check", "--outdir", str(dev.outdir))
    assert result.returncode == 0, result.stdout + result.stderr
    for gate in ("AwsSolutions", "WellArchitected", "DeployReadiness", "ResilienceBudget", "StatefulLock"):
        assert gate in result.stdout
    assert result.stdout.rstrip().endswith("checks: passed")


def test_check_fails_when_the_synth_needed_a_lookup(dev, tmp_path, capsys) -> None:
    outdir = tmp_path / "cdk.out"
    shutil.copytree(dev.outdir, outdir)
    manifest = json.loads((outdir / "manifest.json").read_text())
    manifest["missing"] = [
        {
            "key": "hosted-zone:account=111111111111:domainName=example.com:region=us-east-1",
            "provider": "hosted-zone",
            "props": {},
        }
    ]
    (outdir / "manifest.json").write_text(json.dumps(manifest))
    result = run_cli(capsys, "check", "--outdir", str(outdir))
    assert result.returncode == 1
    assert "synth needed context it would look up in AWS: hosted-zone:" in result.stderr
    assert result.stdout.rstrip().endswith("checks: FAILED")


def test_check_without_an_assembly_is_a_usage_error(tmp_path, capsys) -> None:
    result = run_cli(capsys, "check", "--outdir", str(tmp_path))
    assert result.returncode == 2
    assert "holds no cloud assembly" in result.stderr


def _session_templates(monkeypatch, **synths) -> None:
    """``lock`` reads the session's synths of config/*.yaml instead of synthesizing each again (the templates hold
    no schedule, so they are the ones a synth now would write)."""
    import kickoff.cli.synthesized

    def templates(config, outdir):
        synth = synths[config.environment]
        return {name: synth.template(name) for name in synth.stack_names}

    monkeypatch.setattr(kickoff.cli.synthesized, "synthesize_templates", templates)


def test_lock_write_reproduces_the_committed_lock(tmp_path, monkeypatch, capsys, prod, dev) -> None:
    """`lock --write` to another file reads every config and reproduces the committed lock.

    (Comparing with the committed lock is what every synth's StatefulLock plugin does.)
    """
    _session_templates(monkeypatch, prod=prod, dev=dev)
    written = tmp_path / "stateful.lock.json"
    result = run_cli(capsys, "lock", "--write", "--lock-file", str(written))
    assert result.returncode == 0, result.stderr
    assert json.loads(written.read_text()) == read_lock()


def test_lock_fails_on_a_changed_lock_naming_the_change_and_the_accept_command(
    tmp_path, monkeypatch, capsys, prod, dev
) -> None:
    """The compare path of `lock`, over the session's prod and dev synths (the same stateful resources as a synth
    now: the lock holds no schedule) rather than synthesizing both again."""
    from kickoff import cli

    _session_templates(monkeypatch, prod=prod, dev=dev)
    changed = read_lock()
    changed["kickoff-dev"]["kickoff-dev-data"]["GlobalTable11708626"]["identity"]["TableName"] = "kickoff-dev-old"
    lock = tmp_path / "stateful.lock.json"
    lock.write_text(json.dumps(changed))
    assert cli.main(["lock", "--lock-file", str(lock)]) == 1
    err = capsys.readouterr().err
    assert 'changing TableName from "kickoff-dev-old" to "kickoff-dev-sessions"' in err
    assert ACCEPT_COMMAND in err


def test_lock_write_for_one_config_keeps_the_other_environments(tmp_path, monkeypatch, capsys, dev) -> None:
    """`lock -c config=PATH --write` records that config (a file kept outside config/) and keeps every other
    environment's entry; a compare with -c checks that config only."""
    from kickoff import cli

    _session_templates(monkeypatch, dev=dev)
    elsewhere = tmp_path / "mine.yaml"
    elsewhere.write_text((CONFIG_DIR / "dev.yaml").read_text())
    lock = tmp_path / "stateful.lock.json"
    committed = read_lock()
    lock.write_text(json.dumps({"kickoff-prod": committed["kickoff-prod"]}))
    assert cli.main(["lock", "-c", f"config={elsewhere}", "--write", "--lock-file", str(lock)]) == 0
    assert json.loads(lock.read_text()) == {k: committed[k] for k in ("kickoff-dev", "kickoff-prod")}
    assert cli.main(["lock", "-c", f"config={elsewhere}", "--lock-file", str(lock)]) == 0
    assert "kickoff-dev: stateful resources match" in capsys.readouterr().out


def test_validate_never_loads_the_cdk() -> None:
    """A config error must print in about a second (1.1 s here, nearly all of it imports): ``validate`` reads, checks
    and plans without importing aws-cdk-lib or jsii (whose start-up alone costs about 1.5 s more)."""
    probe = (
        "import sys\n"
        "from kickoff import cli\n"
        "try:\n"
        "    cli.main(['validate', '-c', 'env=dev'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print(sorted(m for m in ('aws_cdk', 'jsii', 'cdk_nag', 'constructs') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr


@pytest.mark.parametrize("how", ["argv", "cdk-cli-environment"])
def test_app_reports_a_bad_config_before_loading_the_cdk(tmp_path, how: str) -> None:
    """``app.py`` (what ``cdk synth`` runs) loads and plans before it imports aws-cdk-lib, so a config error prints
    in a fraction of a second: whether the context comes as ``-c`` arguments or, as the CDK CLI passes it, in
    CDK_CONTEXT_JSON."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("app: kickoff\nenvironment: bad\naccount: '111111111111'\n")
    probe = (
        "import runpy, sys\n"
        "try:\n"
        "    runpy.run_path('app.py', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    print('exit', e.code)\n"
        "print(sorted(m for m in ('aws_cdk', 'jsii', 'cdk_nag', 'constructs') if m in sys.modules))\n"
    )
    env = dict(os.environ)
    argv = [sys.executable, "-c", probe]
    if how == "argv":
        argv += ["-c", f"config={bad}"]
    else:
        env["CDK_CONTEXT_JSON"] = json.dumps({"config": str(bad)})
    result = subprocess.run(argv, capture_output=True, text=True, cwd=REPO_ROOT, env=env)
    assert result.stdout.strip().splitlines() == ["exit 2", "[]"], result.stdout + result.stderr
    assert f"{bad}:" in result.stderr and "Fix: " in result.stderr and "Traceback" not in result.stderr


def test_the_cost_table_prices_warm_throughput_only_at_a_declared_price() -> None:
    from kickoff.config import load_config
    from kickoff.config.models.scaling import WarmThroughputPrice
    from kickoff.planning import build_deployment_plan
    from kickoff.reports.plan import cost_table
    from kickoff.scaling.spec import ON_DEMAND_BASELINE_READS, ON_DEMAND_BASELINE_WRITES
    from tests.support import CONFIG_DIR, PLAN_FROM

    config = load_config(CONFIG_DIR / "prod.yaml")
    plan = build_deployment_plan(config, PLAN_FROM)
    warm = plan.table_warm_throughput
    assert warm is not None

    def warm_line(table: str) -> str:
        return next(line for line in table.splitlines() if line.startswith("table warm throughput"))

    unpriced = cost_table(config, plan, None)
    assert "set scaling.warm_throughput_price" in unpriced and "$" not in warm_line(unpriced)

    price = WarmThroughputPrice(read_unit_usd=0.0001, write_unit_usd=0.0005)
    priced_config = config.model_copy(
        update={"scaling": config.scaling.model_copy(update={"warm_throughput_price": price})}
    )
    reads = warm.read_units_per_second - ON_DEMAND_BASELINE_READS
    writes = warm.write_units_per_second - ON_DEMAND_BASELINE_WRITES
    usd = (reads * 0.0001 + writes * 0.0005) * len(config.regions)
    assert f"${usd:,.0f} once for the season" in warm_line(cost_table(priced_config, plan, None))
