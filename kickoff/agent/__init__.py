"""The regional capacity agent: the published forecast becomes this Region's capacity, without a release.

Runs in AWS Lambda (Python 3.14 on ARM64) with numpy and boto3 only: nothing here imports pydantic, YAML or the
CDK. It plans with ``kickoff.scaling.spec.plan_horizon``, the function a synth and ``kickoff plan`` use, so there is
one planner.

- ``codec``: dataclasses to JSON and back, by their type hints.
- ``document``: the forecast document (the calendar, versioned) and its validation.
- ``registration``: what a cell registers with its agent (the spec, the services and their scalable targets).
- ``desired``: the state one Region must be in at a time: scheduled actions, ranges, reservations, warm throughput.
- ``guard``: capacity in force during an event window is never lowered.
- ``apply``: read what is in force, write only what differs, read it back.
- ``handler``: the Lambda entry point and its metrics.
"""
