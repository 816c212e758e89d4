"""The one door the release pipeline's forecast step needs into the workload account: publish a forecast version.

A forecast-only change is not a release: the pipeline's ``PublishForecast`` step runs ``kickoff forecast publish``
before any approval or freeze check, so it reaches every cell without deploying a stack and the event freeze does
not hold it. It runs in the tooling account, so it needs a role here. This role may read and write forecast
versions in the forecast table (primary Region), read the Regions' status items, and invoke each cell's capacity
agent (the nudge); only the step's own CodeBuild role may assume it (``aws:PrincipalArn``).
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from kickoff.agent.store import FORECAST_KEY
from kickoff.constructs._util import runner_assumed_role


class ForecastPublisher(Construct):
    """``role`` (named ``role_name``), assumable by ``runner_arn`` only. Attributes: ``role``."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        role_name: str,
        tooling_account: str,
        runner_arn: str,
        table_name: str,
        agent_name: str,
        cell_regions: list[str],
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        table = f"arn:{stack.partition}:dynamodb:{stack.region}:{stack.account}:table/{table_name}"
        self.role = runner_assumed_role(
            self,
            "Role",
            role_name=role_name,
            tooling_account=tooling_account,
            runner_arn=runner_arn,
            description="The release pipeline's forecast step: publish a forecast version and nudge the agents",
            policy_name="PublishTheForecast",
            statements=[
                iam.PolicyStatement(actions=["dynamodb:Query", "dynamodb:GetItem"], resources=[table]),
                iam.PolicyStatement(
                    actions=["dynamodb:PutItem"],
                    resources=[table],
                    conditions={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [FORECAST_KEY]}},
                ),
                iam.PolicyStatement(
                    actions=["lambda:InvokeFunction"],
                    resources=[
                        f"arn:{stack.partition}:lambda:{region}:{stack.account}:function:{agent_name}"
                        for region in cell_regions
                    ],
                ),
            ],
        )
