"""The release pipeline's template: stage order, one deploy per Region, the freeze, the bake and the synth step."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kickoff import naming
from kickoff.rules.assembly import read_stacks
from tests.support import Synth

PIPELINE_PREFIX = ("Source", "Build", "UpdatePipeline", "Assets", "Forecast")


def _pipeline(synth: Synth) -> dict[str, Any]:
    stack = synth.deployment.pipeline.stack_name
    (resource,) = synth.resources(stack, "AWS::CodePipeline::Pipeline").values()
    return resource["Properties"]


def _projects(synth: Synth) -> dict[str, dict[str, Any]]:
    return synth.resources(synth.deployment.pipeline.stack_name, "AWS::CodeBuild::Project")


def _project_of(synth: Synth, action: dict[str, Any]) -> dict[str, Any]:
    return _projects(synth)[action["Configuration"]["ProjectName"]["Ref"]]["Properties"]


def _build_spec(project: dict[str, Any]) -> dict[str, Any]:
    return json.loads(project["Source"]["BuildSpec"])


def _deploys(stage: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in stage["Actions"] if a["Name"].endswith(".Deploy")]


def _stage(synth: Synth, name: str) -> dict[str, Any]:
    return next(s for s in _pipeline(synth)["Stages"] if s["Name"] == name)


@pytest.mark.held_by("DR-PipelineCanaryDeploysAlone", "DR-PipelineDeploysEachStackOnceInItsRegion")
def test_stages_run_data_then_the_canary_then_the_other_cells_then_edge(prod: Synth) -> None:
    names = [s["Name"] for s in _pipeline(prod)["Stages"]]
    canary = prod.config.pipeline.canary_region
    assert canary == "us-west-2"
    others = [r for r in prod.config.region_names if r != canary]
    assert names == [*PIPELINE_PREFIX, "Data", f"Cell-{canary}", *(f"Cell-{r}" for r in others), "Edge"]
    assert [a["Name"] for a in _deploys(_stage(prod, "Data"))] == [
        *(f"kickoff-prod-keys-{r}.Deploy" for r in prod.config.region_names),
        "kickoff-prod-data.Deploy",
    ]
    assert {a["Name"] for a in _deploys(_stage(prod, "Edge"))} == {
        "kickoff-prod-edge.Deploy",
        "kickoff-prod-observability.Deploy",
    }


@pytest.mark.not_a_rule(
    "nothing reads the recovery stack (cells take the control ARNs from config): its place changes no deploy"
)
def test_recovery_deploys_last_when_enabled(with_arc: Synth) -> None:
    names = [s["Name"] for s in _pipeline(with_arc)["Stages"]]
    assert names[-2:] == ["Edge", "Recovery"]
    assert [a["Name"] for a in _deploys(_stage(with_arc, "Recovery"))] == ["kickoff-prod-recovery.Deploy"]


@pytest.mark.held_by("DR-PipelineCanaryDeploysAlone", "DR-PipelineFreezeBeforeEveryDeploy")
def test_parallel_second_wave_deploys_the_other_cells_in_one_stage(parallel_waves: Synth) -> None:
    names = [s["Name"] for s in _pipeline(parallel_waves)["Stages"]]
    assert names == [*PIPELINE_PREFIX, "Data", "Cell-us-west-2", "Wave2", "Edge"]
    wave = _deploys(_stage(parallel_waves, "Wave2"))
    assert {a["Configuration"]["StackName"] for a in wave} == {
        "kickoff-prod-cell-us-east-1",
        "kickoff-prod-cell-us-east-2",
        "kickoff-prod-live-us-east-1",  # after its cell, in the cell's wave
    }
    orders = {a["Configuration"]["StackName"]: a["RunOrder"] for a in wave}
    assert orders["kickoff-prod-cell-us-east-1"] == orders["kickoff-prod-cell-us-east-2"]  # together
    assert orders["kickoff-prod-live-us-east-1"] > orders["kickoff-prod-cell-us-east-1"]
    assert all(
        a["ActionTypeId"]["Provider"] != "Manual" for s in _pipeline(parallel_waves)["Stages"] for a in s["Actions"]
    )


@pytest.mark.parametrize("fixture", ["prod", "with_arc", "parallel_waves"])
def test_every_stack_is_deployed_exactly_once_in_its_own_region_and_account(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    synth: Synth = request.getfixturevalue(fixture)
    deploys = [a for s in _pipeline(synth)["Stages"] for a in _deploys(s)]
    names = [a["Configuration"]["StackName"] for a in deploys]
    app_stacks = [s.stack_name for s in synth.deployment.application_stacks]
    assert sorted(names) == sorted(app_stacks)
    pipeline_region = synth.config.pipeline.region
    for action in deploys:
        stack = next(
            s for s in synth.deployment.application_stacks if s.stack_name == action["Configuration"]["StackName"]
        )
        assert action.get("Region", pipeline_region) == stack.region
        role = json.dumps(action["RoleArn"])
        assert f":{synth.config.account}:role/cdk-hnb659fds-deploy-role-{synth.config.account}-{stack.region}" in role
    cells = [n for n in names if "-cell-" in n]
    assert sorted(cells) == sorted(f"kickoff-prod-cell-{r}" for r in synth.config.region_names)


@pytest.mark.not_a_rule("config echo: the pipeline stack's environment is the configured tooling account")
def test_the_pipeline_lives_in_the_tooling_account(prod: Synth) -> None:
    tooling = prod.config.pipeline.account
    assert tooling != prod.config.account
    stacks = {s.name: s for s in read_stacks(prod.outdir)}
    assert stacks["kickoff-prod-pipeline"].account == tooling
    assert stacks["kickoff-prod-pipeline"].region == prod.config.pipeline.region
    assert stacks["kickoff-prod-cell-us-west-2"].account == prod.config.account


@pytest.mark.held_by("DR-PipelineFreezeBeforeEveryDeploy", "DR-PipelineApprovalGatesItsStage")
def test_a_freeze_check_runs_before_every_deploying_stage(with_arc: Synth) -> None:
    stages = _pipeline(with_arc)["Stages"][len(PIPELINE_PREFIX) :]
    assert [s["Name"] for s in stages] == [s.name for s in with_arc.deployment.release_steps]
    for stage in stages:
        freeze = next(a for a in stage["Actions"] if a["Name"] == f"Freeze-{stage['Name']}")
        first_deploy = min(a["RunOrder"] for a in stage["Actions"] if a["ActionTypeId"]["Provider"] == "CloudFormation")
        assert freeze["RunOrder"] < first_deploy
        env = {e["name"]: e["value"] for e in json.loads(freeze["Configuration"]["EnvironmentVariables"])}
        assert env["FREEZE_OVERRIDE"] == "#{variables.FREEZE_OVERRIDE}"
        commands = _build_spec(_project_of(with_arc, freeze))["phases"]["build"]["commands"]
        assert commands == ['python -m kickoff deploy-window -c env=prod --override "$FREEZE_OVERRIDE"']
        # The synth step's output (the assembly being released) is checked out as cdk.out beside the source.
        links = _build_spec(_project_of(with_arc, freeze))["phases"]["install"]["commands"]
        assert any("cdk.out" in c for c in links)
    variables = _pipeline(with_arc)["Variables"]
    assert variables == [
        {
            "Name": "FREEZE_OVERRIDE",
            "DefaultValue": "none",
            "Description": variables[0]["Description"],
        }
    ]


@pytest.mark.not_a_rule(
    "a later publish only delays the forecast, and the agent's plan-coverage alarm reports that at run time"
)
def test_a_forecast_change_is_published_before_any_approval_or_freeze(prod: Synth) -> None:
    """The fast path: the Forecast stage comes right after the assets, holds one CodeBuild action that publishes the
    commit's calendar through the workload account's publisher role, and no approval or freeze check precedes it."""
    stages = _pipeline(prod)["Stages"]
    names = [s["Name"] for s in stages]
    assert names.index("Forecast") == len(PIPELINE_PREFIX) - 1
    (action,) = _stage(prod, "Forecast")["Actions"]
    assert action["Name"] == "PublishForecast"
    publisher = naming.role_arn(prod.config.account, naming.forecast_publisher_role_name(prod.config.identity))
    commands = _build_spec(_project_of(prod, action))["phases"]["build"]["commands"]
    assert commands == [f"bash scripts/publish_forecast.sh {publisher} prod"]
    earlier = [a for s in stages[: names.index("Forecast")] for a in s["Actions"]]
    assert not [a for a in earlier if a["ActionTypeId"]["Category"] == "Approval" or a["Name"].startswith("Freeze")]
    roles = prod.resources(prod.deployment.pipeline.stack_name, "AWS::IAM::Role").values()
    runner = next(
        r for r in roles if r["Properties"].get("RoleName") == naming.forecast_runner_role_name(prod.config.identity)
    )
    assert runner["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "codebuild.amazonaws.com"
    }


@pytest.mark.held_by("DR-IamCrossAccountTrustNamesPrincipal", "DR-IamRoleHasPermissionsBoundary")
def test_the_forecast_publisher_may_write_versions_and_nudge_the_agents_only(prod: Synth) -> None:
    (role,) = [
        r["Properties"]
        for r in prod.resources(prod.data, "AWS::IAM::Role").values()
        if r["Properties"].get("RoleName") == naming.forecast_publisher_role_name(prod.config.identity)
    ]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    runner = naming.role_arn(prod.config.pipeline.account, naming.forecast_runner_role_name(prod.config.identity))
    assert trust["Condition"] == {"ArnEquals": {"aws:PrincipalArn": runner}}
    (policy,) = role["Policies"]
    statements = {
        tuple(sorted(s["Action"])) if isinstance(s["Action"], list) else (s["Action"],): s
        for s in policy["PolicyDocument"]["Statement"]
    }
    put = statements[("dynamodb:PutItem",)]
    assert put["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["forecast"]}}
    invoke = statements[("lambda:InvokeFunction",)]["Resource"]
    assert len(invoke) == len(prod.config.region_names)
    assert all(naming.capacity_agent_name(prod.config.identity) in str(arn) for arn in invoke)


@pytest.mark.held_by("DR-PipelineApprovalGatesItsStage", "DR-PipelineFreezeBeforeEveryDeploy")
def test_the_manual_approval_comes_first_and_the_freeze_check_after_it(prod: Synth) -> None:
    """An approval given inside an event window meets the freeze check (DR-PipelineApprovalGatesItsStage holds
    the class at synth)."""
    data = _stage(prod, "Data")
    approve = next(a for a in data["Actions"] if a["ActionTypeId"]["Provider"] == "Manual")
    freeze = next(a for a in data["Actions"] if a["Name"] == "Freeze-Data")
    deploys = [a["RunOrder"] for a in data["Actions"] if a["ActionTypeId"]["Provider"] == "CloudFormation"]
    assert approve["RunOrder"] < freeze["RunOrder"] < min(deploys)
    assert [a["Name"] for a in data["Actions"] if a["RunOrder"] == approve["RunOrder"]] == [approve["Name"]]


@pytest.mark.held_by("DR-CodeBuildToolchainPinned")
def test_every_tool_of_the_release_is_pinned_on_a_supported_runtime(prod: Synth) -> None:
    """DR-CodeBuildToolchainPinned holds every project at synth; here, what the pins are."""
    from kickoff.constructs.release_pipeline import CDK_ASSETS_VERSION
    from kickoff.paths import pinned_cdk_cli

    installs = []
    for project in prod.resources(prod.deployment.pipeline.stack_name, "AWS::CodeBuild::Project").values():
        if "BuildSpec" not in project["Properties"]["Source"]:
            continue  # the pipeline's own projects without a buildspec of ours
        install = json.loads(project["Properties"]["Source"]["BuildSpec"])["phases"]["install"]
        assert install["runtime-versions"] == {"python": "3.12", "nodejs": "22"}
        installs += [c for c in install.get("commands", []) if c.startswith("npm install")]
    assert set(installs) == {
        f"npm install -g aws-cdk@{pinned_cdk_cli()}",
        f"npm install -g cdk-assets@{CDK_ASSETS_VERSION}",
    }


@pytest.mark.held_by("DR-PipelineBakeWatchesTheCanary", "DR-IamCrossAccountTrustNamesPrincipal")
def test_the_bake_reads_the_canary_regions_composite_alarm_after_its_deploy(prod: Synth) -> None:
    canary = prod.config.pipeline.canary_region
    stage = _stage(prod, f"Cell-{canary}")
    bake = next(a for a in stage["Actions"] if a["Name"] == f"Bake-Cell-{canary}")
    assert bake["RunOrder"] > max(a["RunOrder"] for a in _deploys(stage))
    project = _project_of(prod, bake)
    role = naming.role_arn(prod.config.account, naming.bake_role_name(prod.config.identity))
    alarm = naming.region_impaired_alarm_name(prod.config.identity, canary)
    assert _build_spec(project)["phases"]["build"]["commands"] == [f"bash scripts/bake.sh {role} {canary} {alarm} 30"]
    assert project["TimeoutInMinutes"] == 30 + 15
    # The cell template defines that composite alarm, by that name.
    composites = prod.resources(prod.cell(canary), "AWS::CloudWatch::CompositeAlarm")
    assert [c["Properties"]["AlarmName"] for c in composites.values()] == [alarm]
    # The bake runs as its own named role, which may assume that one reader and nothing else ...
    policies = prod.resources(prod.deployment.pipeline.stack_name, "AWS::IAM::Policy")
    service_role = project["ServiceRole"]["Fn::GetAtt"][0]
    runner = prod.resources(prod.deployment.pipeline.stack_name, "AWS::IAM::Role")[service_role]
    assert runner["Properties"]["RoleName"] == naming.bake_runner_role_name(prod.config.identity)
    (policy,) = [p for p in policies.values() if {"Ref": service_role} in p["Properties"]["Roles"]]
    assumes = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Action"] == "sts:AssumeRole"]
    assert assumes == [{"Action": "sts:AssumeRole", "Effect": "Allow", "Resource": role}]
    # ... and the reader, in the canary cell, may describe that one alarm, trusted by the runner only.
    (reader,) = [
        r
        for r in prod.resources(prod.cell(canary), "AWS::IAM::Role").values()
        if r["Properties"].get("RoleName") == naming.bake_role_name(prod.config.identity)
    ]
    (trust,) = reader["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    runner_arn = naming.role_arn(prod.config.pipeline.account, naming.bake_runner_role_name(prod.config.identity))
    assert trust["Condition"] == {"ArnEquals": {"aws:PrincipalArn": runner_arn}}
    (statement,) = reader["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "cloudwatch:DescribeAlarms"
    assert json.dumps(statement["Resource"]).endswith(f':alarm:{alarm}"')
    for region in prod.config.region_names:  # the other cells hold no reader
        if region != canary:
            names = [
                r["Properties"].get("RoleName") for r in prod.resources(prod.cell(region), "AWS::IAM::Role").values()
            ]
            assert naming.bake_role_name(prod.config.identity) not in names
    # No other stage bakes.
    others = [a for s in _pipeline(prod)["Stages"] for a in s["Actions"] if a["Name"].startswith("Bake-")]
    assert [a["Name"] for a in others] == [f"Bake-Cell-{canary}"]


@pytest.mark.not_a_rule("the exact build commands and source: config echo")
def test_the_synth_step_tests_then_synthesizes_for_the_execution_time(prod: Synth) -> None:
    build = _stage(prod, "Build")
    (synth_action,) = build["Actions"]
    project = _project_of(prod, synth_action)
    spec = _build_spec(project)
    assert spec["phases"]["build"]["commands"] == [
        "make test",
        'make synth ENV=prod PLAN_FROM="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
    ]
    assert spec["phases"]["install"]["runtime-versions"] == {"python": "3.12", "nodejs": "22"}
    assert spec["artifacts"]["base-directory"] == "cdk.out"
    assert project["Environment"]["Type"] == "ARM_CONTAINER"
    source = _stage(prod, "Source")["Actions"][0]["Configuration"]
    assert source["FullRepositoryId"] == "example-org/kickoff" and source["BranchName"] == "main"
    assert source["ConnectionArn"] == prod.config.pipeline.connection_arn


@pytest.mark.held_by("WA-REL-StatefulResourceRetained", "AwsSolutions-KMS5", "Checkov:CKV_AWS_21")
def test_artifact_stores_are_encrypted_versioned_and_expire_in_every_region(prod: Synth) -> None:
    stores = _pipeline(prod)["ArtifactStores"]
    regions = sorted(s["Region"] for s in stores)
    app_regions = {s.region for s in prod.deployment.application_stacks}
    assert regions == sorted(app_regions | {prod.config.pipeline.region})
    templates = [
        prod.deployment.pipeline.stack_name,
        *(s.stack_name for s in prod.deployment.pipeline_support.values()),
    ]
    assert len(templates) == len(regions)
    for name in templates:
        (bucket,) = prod.resources(name, "AWS::S3::Bucket").values()
        props = bucket["Properties"]
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
        (sse,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        (rule,) = props["LifecycleConfiguration"]["Rules"]
        assert rule["ExpirationInDays"] == 30 and rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 7
        assert bucket["DeletionPolicy"] == "Retain"
        (key,) = prod.resources(name, "AWS::KMS::Key").values()
        assert key["Properties"]["EnableKeyRotation"] is True
    for store in stores:
        if store["Region"] != prod.config.pipeline.region:
            support = prod.deployment.pipeline_support[store["Region"]]
            assert store["ArtifactStore"]["EncryptionKey"]["Id"].endswith(f":alias/{support.stack_name}")
