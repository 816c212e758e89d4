"""Fitting a target's one-time steps into Application Auto Scaling's scheduled-action quota (pure)."""

from __future__ import annotations

import heapq

from kickoff.scaling.model import PlanError


def merge_to_budget(
    windows: list[list[tuple[float, int]]], restores: list[float], budget: int, label: str
) -> tuple[list[list[tuple[float, int]]], int]:
    """Merge adjacent steps inside windows (cheapest task-seconds first) until they fit ``budget``.

    Merging step i with the next keeps step i's time and the larger value, so
    the merged step still covers both intervals.
    """
    count = sum(len(w) for w in windows)
    if count <= budget:
        return windows, 0
    if len(windows) > budget:
        raise PlanError(
            f"{label}: needs at least {len(windows)} one-time steps (one per event window) plus the "
            f"restores and recurring steps, over the {budget + len(windows)}-action limit"
        )
    # Flatten into linked nodes: time, value, the time the step ends, next node in the same window.
    times, values, nxt, prv, ends = [], [], [], [], []
    for steps, restore in zip(windows, restores):
        base = len(times)
        for i, (t, v) in enumerate(steps):
            times.append(t)
            values.append(v)
            last = i == len(steps) - 1
            nxt.append(-1 if last else base + i + 1)
            prv.append(-1 if i == 0 else base + i - 1)
            ends.append(restore if last else steps[i + 1][0])
    alive = [True] * len(times)
    version = [0] * len(times)

    def cost(i: int) -> float:
        j = nxt[i]
        top = max(values[i], values[j])
        return (top - values[i]) * (ends[i] - times[i]) + (top - values[j]) * (ends[j] - times[j])

    heap = [(cost(i), i, 0) for i in range(len(times)) if nxt[i] != -1]
    heapq.heapify(heap)
    merges = 0
    while count > budget:
        _, i, ver = heapq.heappop(heap)
        if not alive[i] or ver != version[i] or nxt[i] == -1:
            continue
        j = nxt[i]
        values[i] = max(values[i], values[j])
        ends[i] = ends[j]
        nxt[i] = nxt[j]
        if nxt[j] != -1:
            prv[nxt[j]] = i
        alive[j] = False
        count -= 1
        merges += 1
        for k in (i, prv[i]):
            if k != -1 and nxt[k] != -1:
                version[k] += 1
                heapq.heappush(heap, (cost(k), k, version[k]))
    merged, k = [], 0
    for steps in windows:
        merged.append([(times[i], values[i]) for i in range(k, k + len(steps)) if alive[i]])
        k += len(steps)
    return merged, merges
