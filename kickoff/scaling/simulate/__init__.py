"""The capacity simulator: how a scaling policy meets a realised audience, minute by minute.

- ``engine``: the seeded discrete-time simulation of one Region's scalable targets (tasks starting and stopping,
  target tracking, scheduled floors, disruptions) and its parameters.
- ``audience``: the audience a run realises from a plan (forecast error, noise, a Region failing) and the load
  per service it puts on each cell.
- ``policies``: the policies the benchmark compares (no pre-scaling, the careful human, reactive tracking,
  Kickoff's plan), how each runs and how it is scored; ``comparison``: their task-hours, vCPU-hours and cost side
  by side.

The twin (``kickoff.twin``) and the benchmark (``bench/prescaling.py``) run it; the capacity agent never does, so
its Lambda bundle leaves this package out.
"""
