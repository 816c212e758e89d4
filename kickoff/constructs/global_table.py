"""The DynamoDB global table, its per-Region KMS keys, and a cell's view of its replica."""

from __future__ import annotations

from aws_cdk import Aws, CfnTag, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from kickoff.config.models import KeyAttribute, KeyType, TableConfig
from kickoff.constructs.encryption_keys import customer_managed_key, dynamodb_key_policy
from kickoff.scaling.table import WarmThroughput

_ATTRIBUTE_TYPES = {
    KeyType.string: dynamodb.AttributeType.STRING,
    KeyType.number: dynamodb.AttributeType.NUMBER,
    KeyType.binary: dynamodb.AttributeType.BINARY,
}


def _attribute(key: KeyAttribute) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=_ATTRIBUTE_TYPES[key.type])


def key_alias_arn(stack: Stack, region: str, alias: str) -> str:
    """ARN of ``alias`` in ``region`` of the stack's account. DynamoDB accepts alias ARNs for replica keys."""
    return f"arn:{Aws.PARTITION}:kms:{region}:{stack.account}:{alias}"


class RegionalTableKey(Construct):
    """A customer managed KMS key for the table replica in one Region, under a fixed alias.

    The alias is the same in every Region, so the Data stack and the cells refer to a
    Region's key by name, never by a cross-region reference. Rotation is on; the key is
    retained, because deleting it makes the replica's data unreadable. Its policy separates
    administration from use, and allows use only through DynamoDB (``dynamodb_key_policy``).
    """

    def __init__(self, scope: Construct, id_: str, *, alias: str, description: str) -> None:
        super().__init__(scope, id_)
        if not alias.startswith("alias/") or alias.startswith("alias/aws/"):
            raise ValueError(f"alias must start with 'alias/' and not 'alias/aws/' (got {alias!r})")
        self.key = customer_managed_key(
            self, "Key", description=description, policy=dynamodb_key_policy(Stack.of(self))
        )
        self.alias = self.key.add_alias(alias)


class GlobalTable(Construct):
    """A TableV2 global table with one replica in every cell Region.

    On-demand by default; PITR, deletion protection and contributor insights on every
    replica; RETAIN; TTL on ``table.ttl_attribute``; optional warm throughput for the season's peak
    (None when a new on-demand table already has enough). Encryption is the AWS managed key, or the per-Region customer
    managed keys found by alias (created by the Keys stacks). Replication mode is
    eventual, or multi-Region strong (MRSC) with an optional witness.

    Attribute: ``table``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        table: TableConfig,
        table_name: str,
        primary_region: str,
        replica_regions: tuple[str, ...],
        key_alias: str,
        warm_throughput: WarmThroughput | None = None,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        if stack.region != primary_region:
            raise ValueError(f"primary_region {primary_region} differs from the Data stack's Region {stack.region}")
        if primary_region in replica_regions or len(set(replica_regions)) != len(replica_regions):
            raise ValueError(f"replica_regions must be distinct and exclude the primary Region (got {replica_regions})")

        pitr = dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True, recovery_period_in_days=table.point_in_time_recovery_days
        )
        # Which keys are hot is the question a throttle asks; ranking every request costs per request.
        insights = (
            dynamodb.ContributorInsightsSpecification(
                enabled=True, mode=dynamodb.ContributorInsightsMode[table.contributor_insights.upper()]
            )
            if table.contributor_insights != "off"
            else None
        )
        replicas = [
            dynamodb.ReplicaTableProps(
                region=region,
                deletion_protection=True,
                point_in_time_recovery_specification=pitr,
                contributor_insights_specification=insights,
                # Stack tags name the primary Region; each replica is billed in its own.
                tags=[CfnTag(key="region", value=region), CfnTag(key="cell", value=region)],
            )
            for region in replica_regions
        ]
        if table.encryption == "customer_managed":
            encryption = dynamodb.TableEncryptionV2.customer_managed_key(
                kms.Key.from_key_arn(self, "PrimaryKey", key_alias_arn(stack, primary_region, key_alias)),
                {region: key_alias_arn(stack, region, key_alias) for region in replica_regions},
            )
        else:
            encryption = dynamodb.TableEncryptionV2.aws_managed_key()

        if table.billing_mode == "provisioned" and table.provisioned is not None:
            cap = table.provisioned
            billing = dynamodb.Billing.provisioned(
                read_capacity=dynamodb.Capacity.autoscaled(
                    min_capacity=cap.min_read,
                    max_capacity=cap.max_read,
                    target_utilization_percent=cap.target_utilization_percent,
                ),
                write_capacity=dynamodb.Capacity.autoscaled(
                    min_capacity=cap.min_write,
                    max_capacity=cap.max_write,
                    target_utilization_percent=cap.target_utilization_percent,
                ),
            )
        else:
            billing = dynamodb.Billing.on_demand()

        strong = table.consistency == "strong"
        self.table = dynamodb.TableV2(
            self,
            "Table",
            table_name=table_name,
            partition_key=_attribute(table.partition_key),
            sort_key=_attribute(table.sort_key) if table.sort_key else None,
            billing=billing,
            encryption=encryption,
            replicas=replicas,
            deletion_protection=True,
            point_in_time_recovery_specification=pitr,
            contributor_insights_specification=insights,
            removal_policy=RemovalPolicy.RETAIN,
            multi_region_consistency=(
                dynamodb.MultiRegionConsistency.STRONG if strong else dynamodb.MultiRegionConsistency.EVENTUAL
            ),
            witness_region=table.witness_region if strong else None,
            # Tags of the primary replica; stack tags say cell "global", but each replica lives in one cell.
            tags=[CfnTag(key="cell", value=primary_region)],
            # Pre-warmed for the season's forecast peak (reads sized for N-1, writes for the global total,
            # since every write lands on every replica). DynamoDB cannot lower warm throughput, the
            # pre-warming is billed once, and it applies to every replica: so it is sized on the whole
            # calendar, not the planning window, and only ever grows. See docs/decisions/0008.
            warm_throughput=(
                dynamodb.WarmThroughput(
                    read_units_per_second=warm_throughput.read_units_per_second,
                    write_units_per_second=warm_throughput.write_units_per_second,
                )
                if warm_throughput
                else None
            ),
            time_to_live_attribute=table.ttl_attribute,
        )


# Item-level data-plane actions of a request handler (DynamoDB API reference).
ITEM_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)


class ReplicaAccess(Construct):
    """A cell's handle on its own Region's replica, by deterministic name (no cross-region reference).

    ``grant_read_write(grantee)`` allows item reads and writes on this Region's replica
    and its indexes only and, with a customer managed key, use of that Region's key
    through DynamoDB only.
    """

    def __init__(self, scope: Construct, id_: str, *, table_name: str, key_alias: str | None) -> None:
        super().__init__(scope, id_)
        self.table = dynamodb.TableV2.from_table_name(self, "Table", table_name)
        self._key_alias = key_alias

    def grant_read_write(self, grantee: iam.IGrantable) -> None:
        """Grant item-level read/write on the local replica (and its KMS key, if customer managed).

        Only the item actions a request handler needs: no Scan (a full-table read under load), no
        stream reads (GetRecords, GetShardIterator), no table management. The table has no
        secondary index, so the statement names the table alone.
        """
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ItemAccessOnLocalReplica",
                actions=list(ITEM_ACTIONS),
                resources=[self.table.table_arn],
            )
        )
        if self._key_alias is None:
            return
        stack = Stack.of(self)
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="UseLocalTableKeyThroughDynamoDb",
                # The calls DynamoDB makes with the caller's credentials for a customer managed key.
                actions=[
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:Encrypt",
                    "kms:GenerateDataKey",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                ],
                resources=[f"arn:{Aws.PARTITION}:kms:{stack.region}:{stack.account}:key/*"],
                conditions={
                    "ForAnyValue:StringEquals": {"kms:ResourceAliases": self._key_alias},
                    "StringEquals": {"kms:ViaService": f"dynamodb.{stack.region}.amazonaws.com"},
                },
            )
        )
