"""The CDK side of the rules: cdk-nag packs and validation plugins that run ``kickoff.rules`` on
every synth, the acknowledgements, and their registration on an app (``checks.py``).

On the application floor: it imports the stacks (to acknowledge findings on their constructs)
and ``kickoff.rules``; nothing below imports it.
"""
