"""The SNS topic every alarm of a cell notifies, encrypted with a key CloudWatch may use."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from kickoff.config.models import SubscriptionConfig
from kickoff.constructs.encryption_keys import alarm_topic_key_policy, customer_managed_key


class AlarmTopic(Construct):
    """One topic per Region, with a customer-managed key.

    CloudWatch cannot publish to a topic encrypted with the AWS-managed ``alias/aws/sns``
    key (its policy cannot be changed to admit ``cloudwatch.amazonaws.com``), so the topic
    has its own key (retained, rotated yearly), whose policy separates administration from
    use: CloudWatch may generate data keys and decrypt for alarms of this account, and SNS
    may use it for this account's topics in this Region; nothing else may use it. The topic
    exists with no subscriber, so alarms always have an action and people can subscribe later.

    Attributes: ``topic``, ``key``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        topic_name: str,
        subscribers: Sequence[SubscriptionConfig],
        description: str,
    ) -> None:
        super().__init__(scope, id_)
        for s in subscribers:
            if s.protocol not in ("email", "https"):
                raise ValueError(f"subscriber protocol must be email or https (got {s.protocol})")
        self.key = customer_managed_key(
            self, "Key", description=description, policy=alarm_topic_key_policy(Stack.of(self))
        )
        self.topic = sns.Topic(self, "Topic", topic_name=topic_name, master_key=self.key, enforce_ssl=True)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarms",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            )
        )
        for s in subscribers:
            if s.protocol == "email":
                self.topic.add_subscription(subscriptions.EmailSubscription(s.endpoint))
            else:
                self.topic.add_subscription(
                    subscriptions.UrlSubscription(s.endpoint, protocol=sns.SubscriptionProtocol.HTTPS)
                )
