"""Does cfn-lint catch every defect aws-cdk-lib's built-in CloudFormation validation catches? Seeded defects, both ways.

Kickoff turns the built-in validation off where cfn-lint already runs (it costs about half a prod synth), but
only if nothing it catches goes uncaught. Each case below is one small stack with one defect seeded through an
escape hatch (a wrong property name, type, enum value, pattern, a missing required property, a bad reference...).
Each is synthesized with the built-in validation on (its findings read from validation-report.json) and linted
with cfn-lint as ``kickoff check`` runs it (same ignored rules). Writes bench/results/validation_defects.md.

    .venv/bin/python bench/validation_defects.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aws_cdk as cdk  # noqa: E402
from aws_cdk import aws_ec2 as ec2  # noqa: E402
from aws_cdk import aws_ecs as ecs  # noqa: E402
from aws_cdk import aws_iam as iam  # noqa: E402
from aws_cdk import aws_logs as logs  # noqa: E402
from aws_cdk import aws_s3 as s3  # noqa: E402
from aws_cdk import aws_sns as sns  # noqa: E402

from kickoff.rules.assembly import StackArtifact, read_stacks  # noqa: E402
from kickoff.rules.cfn_lint import lint_stacks  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "validation_defects.md"
REGION = "us-east-1"


def _bucket(stack: cdk.Stack) -> cdk.CfnResource:
    return s3.Bucket(stack, "Bucket").node.default_child


def _topic(stack: cdk.Stack) -> cdk.CfnResource:
    return sns.Topic(stack, "Topic").node.default_child


def _log_group(stack: cdk.Stack) -> cdk.CfnResource:
    return logs.LogGroup(stack, "Logs", retention=logs.RetentionDays.ONE_WEEK).node.default_child


def _security_group(stack: cdk.Stack) -> cdk.CfnResource:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, restrict_default_security_group=False)
    return ec2.SecurityGroup(stack, "Group", vpc=vpc).node.default_child


def _task(stack: cdk.Stack) -> cdk.CfnResource:
    task = ecs.FargateTaskDefinition(stack, "Task", cpu=256, memory_limit_mib=512)
    task.add_container("App", image=ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:1"))
    return task.node.default_child


def _role(stack: cdk.Stack) -> cdk.CfnResource:
    return iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com")).node.default_child


# name -> (what is wrong, seed it into a stack)
CASES: dict[str, tuple[str, Callable[[cdk.Stack], None]]] = {
    "unknown-property": (
        "a property the type does not have",
        lambda s: _bucket(s).add_property_override("BucketNmae", "x"),
    ),
    "wrong-type": (
        "a string where an integer is required",
        lambda s: _log_group(s).add_property_override("RetentionInDays", "seven"),
    ),
    "invalid-enum": (
        "a value outside the property's allowed values",
        lambda s: _log_group(s).add_property_override("RetentionInDays", 8),
    ),
    "pattern": (
        "a bucket name that breaks the naming pattern",
        lambda s: _bucket(s).add_property_override("BucketName", "Not_A_Valid_Bucket"),
    ),
    "missing-required": (
        "a required property removed",
        lambda s: _security_group(s).add_property_deletion_override("GroupDescription"),
    ),
    "bad-getatt": (
        "Fn::GetAtt of an attribute the type does not have",
        lambda s: cdk.CfnOutput(s, "Out", value=cdk.Fn.get_att(s.get_logical_id(_topic(s)), "NoSuchAttr").to_string()),
    ),
    "bad-ref": (
        "a Ref to a resource that does not exist",
        lambda s: _bucket(s).add_property_override("BucketName", {"Ref": "NoSuchResource"}),
    ),
    "cpu-memory": (
        "a Fargate CPU and memory pair AWS refuses",
        lambda s: _task(s).add_property_override("Memory", "8192"),
    ),
    "policy-action": (
        "an IAM action with a malformed service prefix",
        lambda s: _role(s).add_property_override("Policies", [BAD_POLICY]),
    ),
    "string-length": (
        "a string longer than the property allows",
        lambda s: _topic(s).add_property_override("TopicName", "t" * 300),
    ),
    "arn-format": (
        "a malformed ARN where an ARN is required",
        lambda s: _role(s).add_property_override("ManagedPolicyArns", ["not-an-arn"]),
    ),
    "condition-ref": (
        "a resource condition that is not defined",
        lambda s: _bucket_with_condition(s),
    ),
}


BAD_POLICY = {
    "PolicyName": "p",
    "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s 3:Get", "Resource": "*"}]},
}


def _bucket_with_condition(stack: cdk.Stack) -> None:
    bucket = s3.CfnBucket(stack, "Conditional")
    bucket.add_override("Condition", "NoSuchCondition")


def builtin_findings(outdir: Path) -> dict[str, set[str]]:
    """Stack name -> rule IDs the built-in validation reported (open or acknowledged)."""
    path = outdir / "validation-report.json"
    report = json.loads(path.read_text()) if path.exists() else {}
    found: dict[str, set[str]] = {}
    for plugin in report.get("pluginReports", []):
        for kind in ("violations", "suppressedViolations"):
            for violation in plugin.get(kind, []):
                for construct in violation.get("violatingConstructs", []):
                    found.setdefault(construct["constructPath"].split("/")[0], set()).add(violation["ruleName"])
    return found


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        outdir = Path(tmp) / "cdk.out"
        app = cdk.App(outdir=str(outdir), builtin_cloud_formation_validation=True)
        for number, (name, (_, seed)) in enumerate(CASES.items(), start=1):
            stack = cdk.Stack(app, name, env=cdk.Environment(account="111111111111", region=REGION))
            seed(stack)
            print(f"bench/validation_defects.py: case {number}/{len(CASES)} {name} seeded", flush=True)
        try:
            app.synth()
        except Exception as error:  # the validation fails the synth when it finds errors
            print(f"synth: {str(error)[:200]}")
        builtin = builtin_findings(outdir)
        stacks: list[StackArtifact] = read_stacks(outdir)
        lint: dict[str, set[str]] = {}
        for finding in lint_stacks(stacks):
            lint.setdefault(finding.stack, set()).add(finding.rule)
    rows = []
    gaps = 0
    for name, (what, _) in CASES.items():
        b, c = builtin.get(name, set()), lint.get(name, set())
        missed = bool(b) and not c
        gaps += missed
        verdict = "**missed by cfn-lint**" if missed else ("both" if b and c else ("cfn-lint only" if c else "neither"))
        rows.append(f"| {name} | {what} | {', '.join(sorted(b)) or '-'} | {', '.join(sorted(c)) or '-'} | {verdict} |")
    text = "\n".join(
        [
            "# Seeded template defects: aws-cdk-lib's built-in validation against cfn-lint "
            "(`bench/validation_defects.py`)",
            "",
            "| case | defect | built-in validation | cfn-lint (as `kickoff check`) | verdict |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"Defects the built-in validation catches that cfn-lint misses: **{gaps}**.",
            "",
        ]
    )
    RESULTS.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
