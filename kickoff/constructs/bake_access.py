"""The one door the release pipeline's bake needs into the workload account: read one alarm, nothing else.

The bake (``scripts/bake.sh``) watches the canary Region's region-impaired alarm after its cell deploys. It
runs in the tooling account, so it needs a role here. The CDK bootstrap's lookup role would do, but it is
ReadOnlyAccess (the origin secret's metadata, the access logs, every template) and ``cdk bootstrap --trust``
opens it to every principal of the tooling account. This role may only describe that one alarm, and only the
bake's own CodeBuild role may assume it (``aws:PrincipalArn``; the account principal keeps the trust valid
while that role does not exist yet).
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from kickoff.constructs._util import runner_assumed_role


class BakeReader(Construct):
    """``role`` (named ``role_name``): cloudwatch:DescribeAlarms on ``alarm_name``, assumable by ``runner_arn`` only.

    Attributes: ``role``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        role_name: str,
        tooling_account: str,
        runner_arn: str,
        alarm_name: str,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        self.role = runner_assumed_role(
            self,
            "Role",
            role_name=role_name,
            tooling_account=tooling_account,
            runner_arn=runner_arn,
            description="The release pipeline's bake: read the canary Region's region-impaired alarm",
            policy_name="ReadTheCanaryAlarm",
            statements=[
                iam.PolicyStatement(
                    actions=["cloudwatch:DescribeAlarms"],
                    resources=[
                        stack.format_arn(
                            service="cloudwatch",
                            resource="alarm",
                            resource_name=alarm_name,
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    ],
                )
            ],
        )
