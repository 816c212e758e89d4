"""Resolve an AWS-managed prefix list ID by name at deploy time (never at synth)."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import custom_resources as cr
from constructs import Construct

from kickoff.constructs._util import custom_resource_log_group

CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"


def route53_health_checks(region: str) -> str:
    """Name of the Route 53 health checkers' managed prefix list in ``region`` (IPv4)."""
    return f"com.amazonaws.{region}.route53-healthchecks"


class ManagedPrefixListLookup(Construct):
    """``ec2:DescribeManagedPrefixLists`` by name, run by CloudFormation when the stack deploys.

    CloudFormation has no lookup for AWS-managed prefix lists and their IDs differ per
    Region, so an ``AwsCustomResource`` asks EC2 in the stack's Region (the approach the
    aws-cdk maintainers suggest in aws/aws-cdk#15115). Synth makes no AWS call.

    Attribute: ``prefix_list_id`` (a deploy-time token).
    """

    def __init__(
        self, scope: Construct, id_: str, *, prefix_list_name: str, log_retention_days: int, log_key: kms.IKey
    ) -> None:
        super().__init__(scope, id_)
        if not prefix_list_name.startswith("com.amazonaws."):
            raise ValueError(f"{prefix_list_name!r} is not an AWS-managed prefix list name")
        call = cr.AwsSdkCall(
            service="EC2",
            action="describeManagedPrefixLists",
            parameters={"Filters": [{"Name": "prefix-list-name", "Values": [prefix_list_name]}]},
            physical_resource_id=cr.PhysicalResourceId.of(prefix_list_name),
            output_paths=["PrefixLists.0.PrefixListId"],
        )
        self.log_group = custom_resource_log_group(self, retention_days=log_retention_days, key=log_key)
        self.resource = cr.AwsCustomResource(
            self,
            "Lookup",
            on_create=call,
            on_update=call,
            install_latest_aws_sdk=False,
            log_group=self.log_group,
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["ec2:DescribeManagedPrefixLists"], resources=["*"])]
            ),
        )
        self.prefix_list_id = self.resource.get_response_field("PrefixLists.0.PrefixListId")
