"""PNG charts of a capacity plan (matplotlib, Agg backend: no display needed).

matplotlib is imported when a chart is drawn (about a second): the commands that import this module and never
draw, such as ``validate``, do not pay for it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kickoff.scaling.audience import event_fraction
from kickoff.scaling.demand import Grid, baseline_source, from_seconds, to_seconds
from kickoff.scaling.plan import CapacityPlan, window_demand

PLOT_STEP = timedelta(minutes=1)
"""Sampling interval of the plotted curves."""


def plot_event(plan: CapacityPlan, event_id: str, path: str | Path) -> Path:
    """Write a PNG of one event: forecast viewers (with band), and required vs planned vCPU, all regions.

    Required capacity is what the event window needs with N-1 (and its re-arrival surge) and band
    (``plan.window_demand``); planned capacity is the minimum the plan holds.
    Returns the path written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    event = next((e for e in plan.events if e.event_id == event_id), None)
    if event is None:
        raise KeyError(f"no event {event_id} in the plan")
    window = next(w for w in plan.windows if event_id in w.event_ids)
    start = to_seconds(window.start) - 1800.0
    end = to_seconds(window.restore) + 1800.0
    step = int(PLOT_STEP.total_seconds())
    demands = [window_demand(plan, window, r.name, s.name) for r in plan.regions for s in plan.services]
    times = [start + i * step for i in range(int((end - start) // step) + 1)]
    when = [from_seconds(t) for t in times]
    dur = event.duration.total_seconds() / 60.0
    kick = to_seconds(event.kickoff)
    expected = [event.peak_viewers * event_fraction(plan.params.audience, (t - kick) / 60.0, dur) for t in times]
    base = [0.0] * len(times)
    if plan.baseline is not None:
        bgrid = Grid.covering(start, end, step)
        bvals = baseline_source(plan.baseline, bgrid).values
        base = [bvals[int((t - bgrid.start_s) // step)] for t in times]
    total = [b + v for b, v in zip(base, expected)]
    inside = [t for t in times if to_seconds(window.start) <= t < to_seconds(window.restore)]
    required = [sum(d.tasks_at(t) * d.service.vcpu for d in demands) for t in inside]
    planned = [
        sum(plan.target(d.region, d.service.name).min_tasks_at(t) * d.service.vcpu for d in demands) for t in times
    ]

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
    ax1.plot(when, [v / 1e6 for v in total], color="tab:blue", label="forecast viewers (event + baseline)")
    ax1.fill_between(
        when,
        [v * (1 - event.uncertainty) / 1e6 for v in total],
        [v * (1 + event.uncertainty) / 1e6 for v in total],
        color="tab:blue",
        alpha=0.15,
        label=f"forecast band (+/-{event.uncertainty:.0%})",
    )
    ax1.axvline(event.kickoff, color="grey", linestyle=":", label="kickoff")
    ax1.axvline(event.latest_end, color="grey", linestyle="--", label="expected end + overtime")
    ax1.set_ylabel("concurrent viewers (M)")
    ax1.legend(loc="upper left", fontsize=8)
    ax1.set_title(f"{event_id}: forecast and planned capacity, all regions and services (UTC)")
    ax2.plot(
        [from_seconds(t) for t in inside],
        required,
        color="tab:red",
        label=(
            "required vCPU in the event window (N-1 with re-arrival surge"
            + (f" at {plan.params.n_minus_1_utilization:.0%}" if plan.params.n_minus_1_utilization else "")
            + ", and band at target utilisation)"
        ),
    )
    ax2.step(when, planned, where="post", color="tab:green", label="planned minimum vCPU")
    ax2.axvline(event.kickoff, color="grey", linestyle=":")
    ax2.axvline(event.latest_end, color="grey", linestyle="--")
    ax2.set_ylabel("vCPU")
    ax2.legend(loc="lower center", fontsize=8)
    ax2.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    fig.autofmt_xdate()
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
