"""The twin's results as operator tables: one row per scenario, then what each failing scenario found."""

from __future__ import annotations

from kickoff.reports.table import render_table
from kickoff.twin.outcome import Outcome
from kickoff.twin.run import TwinReport

HEADERS = ["scenario", "detected", "routed away", "recovered", "survivors' peak", "dropped", "lost", "verdict"]


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} s"


def outcome_row(outcome: Outcome) -> list[str]:
    """One scenario's row: times from the fault (recovery from the Region's return), peak utilisation, requests."""
    return [
        outcome.scenario.label,
        _seconds(outcome.detect_s) + (f" ({outcome.detected_by})" if outcome.detected_by else ""),
        _seconds(outcome.route_away_s),
        _seconds(outcome.recover_s),
        f"{outcome.peak_utilisation:.0%}",
        f"{outcome.dropped / 1e6:,.2f}M",
        f"{outcome.lost / 1e6:,.1f}M",
        ("ok" if outcome.ok else "FAIL") + (" (accepted)" if outcome.accepted else ""),
    ]


def twin_text(report: TwinReport) -> str:
    """The report as printed by ``python -m kickoff twin``."""
    lines = [f"{report.environment}: the twin (alarms, health checks, routing and capacity from the templates)"]
    if report.skipped and not report.live:
        return "\n".join([*lines, f"nothing to run: {report.skipped}"])
    if report.skipped:
        lines.append(f"no capacity scenario: {report.skipped}")
    moments = ", ".join(f"{k} {v:%Y-%m-%d %H:%M}" for k, v in report.moments.items())
    if report.judged:
        lines.append(f"judged at {report.judged}")
    lines += [f"moments (UTC): {moments}", ""]
    lines.append(render_table(HEADERS, [outcome_row(o) for o in report.outcomes], right=[4, 5, 6]))
    fired = [o for o in report.outcomes if o.alarms]
    if fired:
        lines += ["", "alarms that fired (seconds from the fault):"]
        for o in fired:
            shown = ", ".join(f"{name} {at:+.0f}" for name, at in o.alarms[:6])
            more = f" and {len(o.alarms) - 6} more" if len(o.alarms) > 6 else ""
            lines.append(f"  {o.scenario.label}: {shown}{more}")
    if report.unevaluated:
        lines += ["", "alarms the twin cannot evaluate:"] + [
            f"  {k}: {v}" for k, v in sorted(report.unevaluated.items())
        ]
    if report.live:
        lines += ["", "live channels (viewers of each channel through each loss, from the templates):"]
        lines.append(
            render_table(
                ["channel", "scenario", "Region", "viewers", "segment waits", "says so", "rests on"],
                [
                    [
                        o.channel,
                        o.kind,
                        o.region,
                        o.viewers,
                        "-" if o.wait_s == float("inf") else f"{o.wait_s:.0f} s",
                        o.alarm,
                        o.figures,
                    ]
                    for o in report.live
                ],
            )
        )
    accepted = [a for o in report.outcomes for a in o.accepted]
    if accepted:
        lines += ["", "accepted by config (not findings):"] + [f"  {a}" for a in accepted]
    problems = report.problems
    lines += ["", f"{len(problems)} finding(s)" + (":" if problems else "")] + [f"  {p}" for p in problems]
    return "\n".join(lines)


def sweep_rows(report: TwinReport) -> list[list[str]]:
    """One row per (kind, forecast error, departure profile): runs, the survivors' peak, requests dropped and
    lost, the slowest route-away and recovery, and the runs that failed."""
    groups: dict[tuple[str, float, str], list[Outcome]] = {}
    for o in report.outcomes:
        groups.setdefault((o.scenario.kind, o.scenario.error, o.scenario.profile), []).append(o)
    rows = []
    for (kind, error, profile), outcomes in groups.items():
        away = [o.route_away_s for o in outcomes if o.route_away_s is not None]
        back = [o.recover_s for o in outcomes if o.recover_s is not None]
        rows.append(
            [
                kind,
                f"{error:+.0%}",
                profile or "-",
                str(len(outcomes)),
                f"{max(o.peak_utilisation for o in outcomes):.0%}",
                f"{sum(o.dropped for o in outcomes):,.0f}",
                f"{max(o.lost for o in outcomes) / 1e6:,.1f}M",
                _seconds(max(away) if away else None),
                _seconds(max(back) if back else None),
                str(sum(1 for o in outcomes if not o.ok)),
            ]
        )
    return rows


def twin_sweep_text(report: TwinReport) -> str:
    """The sweep as printed by ``python -m kickoff twin --sweep``."""
    lines = [
        f"{report.environment}: the twin's sweep: every cell failing, and returning 20 min later, every 5 min from "
        "kickoff - 90 to + 220 min"
    ]
    if report.skipped and not report.live:
        return "\n".join([*lines, f"nothing to run: {report.skipped}"])
    if report.skipped:
        lines.append(f"no capacity scenario: {report.skipped}")
    headers = [
        "scenario",
        "error",
        "profile",
        "runs",
        "survivors' peak",
        "dropped requests",
        "lost (worst run)",
        "routed away (slowest)",
        "recovered (slowest)",
        "failed runs",
    ]
    lines += ["", render_table(headers, sweep_rows(report), right=[3, 4, 5, 6])]
    problems = report.problems
    lines += ["", f"{len(problems)} finding(s)" + (":" if problems else "")] + [f"  {p}" for p in problems[:40]]
    return "\n".join(lines)
