"""Data stack: the global table, its replicas and their protection."""

from __future__ import annotations

import pytest

from kickoff import naming


def _table(synth, name=None):
    """The application table (or the table called ``name``)."""
    name = name or naming.table_name(synth.config.identity)
    tables = synth.resources(synth.data, "AWS::DynamoDB::GlobalTable").values()
    (table,) = [t for t in tables if t["Properties"]["TableName"] == name]
    return table


@pytest.mark.held_by(
    "WA-REL-DynamoGlobalTableReplicas",
    "WA-REL-DynamoReplicaPitr",
    "WA-REL-StatefulResourceRetained",
    "WA-SUS-DynamoTableTtl",
    "DR-DynamoReplicaWhereUsed",
)
def test_the_forecast_table_replicates_to_every_cell_and_keeps_versions_safe(synthesized) -> None:
    table = _table(synthesized, naming.forecast_table_name(synthesized.config.identity))["Properties"]
    assert sorted(r["Region"] for r in table["Replicas"]) == sorted(synthesized.config.region_names)
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "version"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    for replica in table["Replicas"]:
        assert replica["DeletionProtectionEnabled"] is True
        assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert "WarmThroughput" not in _table(synthesized)["Properties"]  # the primary Region's agent sets it


@pytest.mark.not_a_rule("the deployment object's Region for the stack (config echo), not a template")
def test_data_stack_lives_in_the_primary_region(synthesized) -> None:
    assert synthesized.deployment.data.region == synthesized.config.primary_region


@pytest.mark.held_by("DR-DynamoReplicaWhereUsed", "WA-REL-DynamoGlobalTableReplicas")
def test_replica_regions_equal_config_regions(synthesized) -> None:
    replicas = _table(synthesized)["Properties"]["Replicas"]
    assert sorted(r["Region"] for r in replicas) == sorted(synthesized.config.region_names)


@pytest.mark.not_a_rule("config echo: the table's name from the configured app and environment")
def test_table_name_is_deterministic(synthesized) -> None:
    assert _table(synthesized)["Properties"]["TableName"] == naming.table_name(synthesized.config.identity)


@pytest.mark.not_a_rule("config echo: the recovery period and insights level are configured values")
def test_the_configured_recovery_period_and_insights_on_every_replica(synthesized) -> None:
    """PITR itself (WA-REL-DynamoReplicaPitr) and deletion protection (WA-REL-StatefulResourceRetained) are held at
    synth by their rules; the recovery period is the config's."""
    for replica in _table(synthesized)["Properties"]["Replicas"]:
        days = synthesized.config.table.point_in_time_recovery_days
        assert replica["PointInTimeRecoverySpecification"]["RecoveryPeriodInDays"] == days
        # Throttled keys only: ranking every accessed key is charged per request (table.contributor_insights).
        assert replica["ContributorInsightsSpecification"] == {"Enabled": True, "Mode": "THROTTLED_KEYS"}


@pytest.mark.held_by("WA-REL-StatefulResourceRetained", "StatefulLock")
def test_table_is_retained(synthesized) -> None:
    table = _table(synthesized)
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"


@pytest.mark.held_by("WA-COST-DynamoCapacityMode")
def test_on_demand_by_default_and_eventual_consistency(synthesized) -> None:
    props = _table(synthesized)["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["MultiRegionConsistency"] == "EVENTUAL"
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


@pytest.mark.not_a_rule("config echo: the consistency mode is a configured value")
@pytest.mark.slow
def test_strong_consistency_variant(strong) -> None:
    props = _table(strong)["Properties"]
    assert props["MultiRegionConsistency"] == "STRONG"
    assert sorted(r["Region"] for r in props["Replicas"]) == sorted(strong.config.region_names)


@pytest.mark.held_by("WA-SUS-DynamoTableTtl")
def test_table_expires_items_by_ttl(synthesized) -> None:
    table = _table(synthesized)
    assert table["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": synthesized.config.table.ttl_attribute,
        "Enabled": True,
    }


@pytest.mark.held_by("WA-SEC-IamTaskRoleItemAccessOnly")
def test_task_roles_hold_item_actions_only(prod) -> None:
    for policy in [p for k, p in prod.resources(prod.cell("us-west-2"), "AWS::IAM::Policy").items() if "TaskRole" in k]:
        (item,) = [
            s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s.get("Sid") == "ItemAccessOnLocalReplica"
        ]
        assert "dynamodb:Scan" not in item["Action"] and "dynamodb:GetRecords" not in item["Action"]
        assert "dynamodb:GetItem" in item["Action"] and "dynamodb:Query" in item["Action"]
