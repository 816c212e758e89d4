"""Warm throughput for the season: reads on the worst N-1 share, writes on the global total."""

from __future__ import annotations

import pytest

from kickoff.scaling import ServiceModel, build_plan
from kickoff.scaling.table import warm_throughput


def test_warm_throughput_reads_on_worst_n_minus_1_share_and_writes_on_global_total(make_event, regions):
    reader = ServiceModel(
        "reader", 1024, 2048, 1, 10**7, 500, 0.6, 0.01, 0.0, table_reads_per_request=1.0, table_writes_per_request=0.0
    )
    writer = ServiceModel(
        "writer", 1024, 2048, 1, 10**7, 500, 0.6, 0.01, 0.0, table_reads_per_request=0.0, table_writes_per_request=1.0
    )
    event = make_event(uncertainty=0.2)
    plan = build_plan([event], [reader, writer], regions)
    wt = warm_throughput(
        plan.windows, plan.events, plan.baseline, plan.services, [r.name for r in regions], plan.params
    )
    peak = event.peak_viewers * 0.01
    assert wt.read_units_per_second == pytest.approx(peak * 0.4 / 0.7, rel=0.005)
    assert wt.write_units_per_second == pytest.approx(peak * 1.2, rel=0.005)
