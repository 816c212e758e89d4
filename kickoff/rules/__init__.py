"""Template rules, pure Python: templates (and the config they came from) in, findings out.

No CDK import anywhere below this package (an import-linter contract holds it). The rule
engine (``engine.py``), the Well-Architected pack (``well_architected/``, one module per pillar), the deploy-readiness
pack (``readiness/``), the resilience budget, the stateful lock, the taggability table, the
guardrail summary file, the cloud-assembly reader and the cfn-lint and checkov runners.
``kickoff.guardrails`` registers them on a CDK app.

Kept import-free so commands that only read ``cdk.out`` load only what they use.
"""
