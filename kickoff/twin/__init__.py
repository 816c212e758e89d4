"""The twin: the deployment's alarms, health checks, routing and capacity, run through each failure.

Pure Python over synthesized templates and the capacity plan (no CDK import, no AWS). ``run.run_twin`` reads
one deployment, runs each scenario (``scenarios``) through the closed loop of ``world`` and judges it
(``outcome``); the synth gate (``kickoff.guardrails.twin_plugin``) and ``python -m kickoff twin`` use it.
"""
