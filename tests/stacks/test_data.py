"""Data stack: the global table, its replicas and their protection; Keys stacks."""

from __future__ import annotations

import pytest


def _table(synth):
    (table,) = synth.resources(synth.data, "AWS::DynamoDB::GlobalTable").values()
    return table


def test_data_stack_lives_in_the_primary_region(synthesized) -> None:
    assert synthesized.deployment.data.region == synthesized.config.primary_region


def test_replica_regions_equal_config_regions(synthesized) -> None:
    replicas = _table(synthesized)["Properties"]["Replicas"]
    assert sorted(r["Region"] for r in replicas) == sorted(synthesized.config.region_names)


def test_table_name_is_deterministic(synthesized) -> None:
    assert _table(synthesized)["Properties"]["TableName"] == synthesized.config.table_name


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
        assert key == f":kms:{replica['Region']}:{prod.config.account}:{prod.config.table_key_alias}"
    assert _table(prod)["Properties"]["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    assert sorted(prod.deployment.keys) == sorted(prod.config.region_names)
    for region, stack in prod.deployment.keys.items():
        assert stack.region == region
        (key,) = prod.resources(stack.stack_name, "AWS::KMS::Key").values()
        assert key["Properties"]["EnableKeyRotation"] is True
        assert key["DeletionPolicy"] == "Retain"
        (alias,) = prod.resources(stack.stack_name, "AWS::KMS::Alias").values()
        assert alias["Properties"]["AliasName"] == prod.config.table_key_alias


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
