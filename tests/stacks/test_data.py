"""Data stack: the global table, its replicas and their protection; Keys stacks."""

from __future__ import annotations

import pytest

from kickoff import naming


def _table(synth):
    (table,) = synth.resources(synth.data, "AWS::DynamoDB::GlobalTable").values()
    return table


def test_data_stack_lives_in_the_primary_region(synthesized) -> None:
    assert synthesized.deployment.data.region == synthesized.config.primary_region


def test_replica_regions_equal_config_regions(synthesized) -> None:
    replicas = _table(synthesized)["Properties"]["Replicas"]
    assert sorted(r["Region"] for r in replicas) == sorted(synthesized.config.region_names)


def test_table_name_is_deterministic(synthesized) -> None:
    assert _table(synthesized)["Properties"]["TableName"] == naming.table_name(synthesized.config)


def test_pitr_deletion_protection_and_insights_on_every_replica(synthesized) -> None:
    for replica in _table(synthesized)["Properties"]["Replicas"]:
        assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 35}
        assert replica["DeletionProtectionEnabled"] is True
        assert replica["ContributorInsightsSpecification"] == {"Enabled": True}


def test_table_is_retained(synthesized) -> None:
    table = _table(synthesized)
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"


def test_on_demand_by_default_and_eventual_consistency(synthesized) -> None:
    props = _table(synthesized)["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["MultiRegionConsistency"] == "EVENTUAL"
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_customer_managed_keys_per_region_by_alias(prod) -> None:
    for replica in _table(prod)["Properties"]["Replicas"]:
        key = replica["SSESpecification"]["KMSMasterKeyId"]["Fn::Join"][1][-1]
        assert key == f":kms:{replica['Region']}:{prod.config.account}:{naming.table_key_alias(prod.config)}"
    assert _table(prod)["Properties"]["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    assert sorted(prod.deployment.keys) == sorted(prod.config.region_names)
    for region, stack in prod.deployment.keys.items():
        assert stack.region == region
        (key,) = prod.resources(stack.stack_name, "AWS::KMS::Key").values()
        assert key["Properties"]["EnableKeyRotation"] is True
        assert key["DeletionPolicy"] == "Retain"
        (alias,) = prod.resources(stack.stack_name, "AWS::KMS::Alias").values()
        assert alias["Properties"]["AliasName"] == naming.table_key_alias(prod.config)


def test_aws_managed_key_needs_no_keys_stacks(dev) -> None:
    assert dev.deployment.keys == {}
    props = _table(dev)["Properties"]
    assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    assert all("SSESpecification" not in r for r in props["Replicas"])


@pytest.mark.slow
def test_strong_consistency_variant(strong) -> None:
    props = _table(strong)["Properties"]
    assert props["MultiRegionConsistency"] == "STRONG"
    assert sorted(r["Region"] for r in props["Replicas"]) == sorted(strong.config.region_names)


def test_table_expires_items_by_ttl(synthesized) -> None:
    (table,) = synthesized.resources(synthesized.data, "AWS::DynamoDB::GlobalTable").values()
    assert table["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": synthesized.config.table.ttl_attribute, "Enabled": True}


def test_replica_keys_separate_administration_from_use(prod) -> None:
    """No kms:* for the account: administrators manage the key, and it is used only through DynamoDB."""
    for region in prod.config.region_names:
        (key,) = prod.resources(f"kickoff-prod-keys-{region}", "AWS::KMS::Key").values()
        statements = {s["Sid"]: s for s in key["Properties"]["KeyPolicy"]["Statement"]}
        assert set(statements) == {"AdministerKeyThroughIam", "UseThroughDynamoDb", "DynamoDbReadsKeyMetadata"}
        admin = statements["AdministerKeyThroughIam"]["Action"]
        assert "kms:*" not in admin and not {"kms:Decrypt", "kms:Encrypt", "kms:CreateGrant"} & set(admin)
        use = statements["UseThroughDynamoDb"]
        # Replication calls DynamoDB in the other Regions, so the service condition is Region-agnostic.
        assert use["Condition"] == {"StringLike": {"kms:ViaService": "dynamodb.*.amazonaws.com"},
                                    "StringEquals": {"kms:CallerAccount": prod.config.account}}


def test_task_roles_hold_item_actions_only(prod) -> None:
    for policy in [p for k, p in prod.resources(prod.cell("us-west-2"), "AWS::IAM::Policy").items() if "TaskRole" in k]:
        (item,) = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s.get("Sid") == "ItemAccessOnLocalReplica"]
        assert "dynamodb:Scan" not in item["Action"] and "dynamodb:GetRecords" not in item["Action"]
        assert "dynamodb:GetItem" in item["Action"] and "dynamodb:Query" in item["Action"]
