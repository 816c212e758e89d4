"""Keys stacks: one customer managed table key per Region, by alias, with administration separated from use."""

from __future__ import annotations

import pytest

from kickoff import naming


def _table(synth):
    tables = synth.resources(synth.data, "AWS::DynamoDB::GlobalTable").values()
    (table,) = [t for t in tables if t["Properties"]["TableName"] == naming.table_name(synth.config.identity)]
    return table


@pytest.mark.held_by("DR-CellNamesOnlyItsRegion", "WA-REL-StatefulResourceRetained", "AwsSolutions-KMS5")
def test_customer_managed_keys_per_region_by_alias(prod) -> None:
    for replica in _table(prod)["Properties"]["Replicas"]:
        key = replica["SSESpecification"]["KMSMasterKeyId"]["Fn::Join"][1][-1]
        assert key == f":kms:{replica['Region']}:{prod.config.account}:{naming.table_key_alias(prod.config.identity)}"
    assert _table(prod)["Properties"]["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    assert sorted(prod.deployment.keys) == sorted(prod.config.region_names)
    for region, stack in prod.deployment.keys.items():
        assert stack.region == region
        (key,) = prod.resources(stack.stack_name, "AWS::KMS::Key").values()
        assert key["Properties"]["EnableKeyRotation"] is True
        assert key["DeletionPolicy"] == "Retain"
        (alias,) = prod.resources(stack.stack_name, "AWS::KMS::Alias").values()
        assert alias["Properties"]["AliasName"] == naming.table_key_alias(prod.config.identity)


@pytest.mark.not_a_rule("config echo: with the AWS managed key there are no keys stacks")
def test_aws_managed_key_needs_no_keys_stacks(dev) -> None:
    assert dev.deployment.keys == {}
    props = _table(dev)["Properties"]
    assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    assert all("SSESpecification" not in r for r in props["Replicas"])


@pytest.mark.held_by("WA-SEC-KmsKeyPolicySeparatesDuties")
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
        assert use["Condition"] == {
            "StringLike": {"kms:ViaService": "dynamodb.*.amazonaws.com"},
            "StringEquals": {"kms:CallerAccount": prod.config.account},
        }
