"""Guardrails: cdk-nag packs and acknowledgements (checks.py, acknowledgements.py), cfn-lint
(cfn_lint.py) and reading the synthesized assembly (assembly.py).

Kept import-free so commands that only read ``cdk.out`` never start the jsii runtime.
"""
