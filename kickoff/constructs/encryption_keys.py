"""Customer managed KMS keys whose policies separate key administration from key use.

AWS's default key policy gives ``kms:*`` to the account root, so any principal that IAM
allows can both administer the key and decrypt with it. Kickoff's keys instead hold:

- one administration statement for the account (IAM decides which roles administer),
  listing the management actions only: no Encrypt, Decrypt, GenerateDataKey or CreateGrant;
- one use statement per purpose, limited to one AWS service (``kms:ViaService``, or the
  service principal with an encryption-context condition).

Keys are retained, rotate yearly, and wait 30 days before deletion.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

# Management actions (AWS KMS developer guide, "Allows key administrators to administer the KMS key"),
# without kms:CreateGrant, which the guide's kms:Create* includes and which lets its holder use the key.
KEY_ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)
# What DynamoDB needs on a table's key, at a minimum (AWS KMS developer guide, "How Amazon DynamoDB uses AWS KMS").
DYNAMODB_KEY_ACTIONS = (
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)
# What CloudWatch Logs needs on a log group's key (CloudWatch Logs user guide, "Encrypt log data using AWS KMS").
LOGS_KEY_ACTIONS = ("kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*")


def _admin(stack: Stack) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid="AdministerKeyThroughIam",
        principals=[iam.AccountRootPrincipal()],
        actions=list(KEY_ADMIN_ACTIONS),
        resources=["*"],
    )


def dynamodb_key_policy(stack: Stack) -> iam.PolicyDocument:
    """Key policy of a table replica's key: administration, plus use only through DynamoDB.

    DynamoDB encrypts with grants it creates for the caller, so the account's principals (as
    IAM allows) may use the key and create grants only via DynamoDB, and DynamoDB itself may
    read the key's metadata. ``kms:ViaService`` is ``dynamodb.*.amazonaws.com``, not this
    Region's endpoint: global-table replication makes its calls from the other Regions
    (AWS KMS developer guide, "How Amazon DynamoDB uses AWS KMS").
    """
    return iam.PolicyDocument(
        statements=[
            _admin(stack),
            iam.PolicyStatement(
                sid="UseThroughDynamoDb",
                principals=[iam.AccountRootPrincipal()],
                actions=list(DYNAMODB_KEY_ACTIONS),
                resources=["*"],
                conditions={
                    "StringLike": {"kms:ViaService": "dynamodb.*.amazonaws.com"},
                    "StringEquals": {"kms:CallerAccount": stack.account},
                },
            ),
            iam.PolicyStatement(
                sid="DynamoDbReadsKeyMetadata",
                principals=[iam.ServicePrincipal("dynamodb.amazonaws.com")],
                actions=["kms:Describe*", "kms:Get*", "kms:List*"],
                resources=["*"],
            ),
        ]
    )


def logs_key_policy(stack: Stack) -> iam.PolicyDocument:
    """Key policy of a log key: administration, plus use by CloudWatch Logs for this account's log groups."""
    log_groups = f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*"
    return iam.PolicyDocument(
        statements=[
            _admin(stack),
            iam.PolicyStatement(
                sid="UseByCloudWatchLogsInThisRegion",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=list(LOGS_KEY_ACTIONS),
                resources=["*"],
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
            ),
        ]
    )


def alarm_topic_key_policy(stack: Stack) -> iam.PolicyDocument:
    """Key policy of an alarm topic's key: administration, CloudWatch publishing alarms, SNS delivering them.

    CloudWatch encrypts what it publishes to the topic, so it needs GenerateDataKey* and Decrypt
    (SNS developer guide, "Configure AWS KMS permissions for AWS services"); the account's
    principals may use the key only through SNS in this Region (subscribers read through SNS).
    """
    return iam.PolicyDocument(
        statements=[
            _admin(stack),
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            ),
            iam.PolicyStatement(
                sid="UseThroughSnsInThisRegion",
                principals=[iam.AccountRootPrincipal()],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": f"sns.{stack.region}.amazonaws.com",
                        "kms:CallerAccount": stack.account,
                    }
                },
            ),
        ]
    )


def customer_managed_key(scope: Construct, id_: str, *, description: str, policy: iam.PolicyDocument) -> kms.Key:
    """A retained, yearly rotated key with ``policy`` as its only key policy."""
    return kms.Key(
        scope,
        id_,
        description=description,
        enable_key_rotation=True,
        pending_window=Duration.days(30),
        removal_policy=RemovalPolicy.RETAIN,
        policy=policy,
    )


class LogEncryptionKey(Construct):
    """The key that encrypts every CloudWatch Logs log group of one stack.

    Attribute: ``key``.
    """

    def __init__(self, scope: Construct, id_: str, *, description: str) -> None:
        super().__init__(scope, id_)
        self.key = customer_managed_key(self, "Key", description=description, policy=logs_key_policy(Stack.of(self)))
