"""The forecast document: the reviewed calendar, versioned, as every cell Region reads it.

``kickoff forecast publish`` writes it after the same validation as a synth; the agent reads it again and refuses
one that fails ``read_document`` (or that its planner refuses), keeping the last good version. The digest covers the
events, so a document altered after publishing is refused too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kickoff.agent.codec import CodecError, from_json, to_json
from kickoff.scaling.spec import CalendarEvent, CapacitySpec

FORMAT = "kickoff-forecast/1"
SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ForecastDocument:
    """One published version of the calendar.

    Fields:
        environment: the app and environment it is for (``<app>-<env>``); an agent refuses another's.
        version: increases by one with every publish.
        published_at: when it was written (UTC).
        source: where it came from (calendar file, commit), for the log.
        events: the calendar.
    """

    environment: str
    version: int
    published_at: datetime
    source: str
    events: tuple[CalendarEvent, ...]

    @property
    def digest(self) -> str:
        return events_digest(self.events)


def events_digest(events: Sequence[CalendarEvent]) -> str:
    """sha256 of the events' canonical JSON: two documents with the same calendar have the same digest."""
    canonical = json.dumps([to_json(e) for e in events], sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def document_json(document: ForecastDocument) -> dict[str, Any]:
    """The document as written to the store."""
    return {
        "format": FORMAT,
        "environment": document.environment,
        "version": document.version,
        "published_at": document.published_at.isoformat(),
        "source": document.source,
        "digest": document.digest,
        "events": [to_json(e) for e in document.events],
    }


class DocumentError(ValueError):
    """A document that must not be applied; ``problems`` names every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


def read_document(data: Any, spec: CapacitySpec, environment: str) -> ForecastDocument:
    """Parse and validate a stored document against the Region's spec; raises DocumentError with every problem."""
    if not isinstance(data, dict):
        raise DocumentError([f"$: expected an object, got {type(data).__name__}"])
    problems: list[str] = []
    if data.get("format") != FORMAT:
        problems.append(f"$.format: {data.get('format')!r} is not {FORMAT!r}")
    if data.get("environment") != environment:
        problems.append(f"$.environment: {data.get('environment')!r} is not this agent's {environment!r}")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append(f"$.version: {version!r} is not a positive whole number")
    events: list[CalendarEvent] = []
    raw = data.get("events")
    if not isinstance(raw, list):
        problems.append("$.events: expected a list")
        raw = []
    for index, item in enumerate(raw):
        try:
            events.append(from_json(CalendarEvent, item, f"$.events[{index}]"))
        except CodecError as error:
            problems.append(str(error))
    try:
        published_at = from_json(datetime, data.get("published_at"), "$.published_at")
    except CodecError as error:
        problems.append(str(error))
        published_at = None
    if not problems:
        problems += calendar_problems(events, spec)
        if data.get("digest") != events_digest(events):
            problems.append("$.digest: does not match the events (the document was altered after publishing)")
    if problems:
        raise DocumentError(problems)
    assert published_at is not None and isinstance(version, int)
    return ForecastDocument(environment, version, published_at, str(data.get("source", "")), tuple(events))


def calendar_problems(events: Sequence[CalendarEvent], spec: CapacitySpec) -> list[str]:
    """What the calendar's own schema would refuse, for a document that skipped it: ids, shares, times, numbers."""
    problems = []
    cells = set(spec.region_names)
    seen: set[str] = set()
    for index, event in enumerate(events):
        where = f"$.events[{index}] ({event.event_id})"
        if event.event_id in seen:
            problems.append(f"{where}: the id is used twice")
        seen.add(event.event_id)
        if event.kickoff.tzinfo is None:
            problems.append(f"{where}.kickoff: no time zone")
        if event.duration.total_seconds() <= 0 or event.overtime.total_seconds() < 0:
            problems.append(f"{where}: duration must be positive and overtime not negative")
        if event.peak_viewers <= 0:
            problems.append(f"{where}.peak_viewers: {event.peak_viewers} is not positive")
        if not 0 <= event.uncertainty < 1:
            problems.append(f"{where}.uncertainty: {event.uncertainty} is outside [0, 1)")
        unknown = sorted(set(event.region_share) - cells)
        if unknown:
            problems.append(f"{where}.region_share: {', '.join(unknown)} is not a cell Region of this environment")
        if any(v < 0 for v in event.region_share.values()):
            problems.append(f"{where}.region_share: a share is negative")
        if abs(sum(event.region_share.values()) - 1.0) > SHARE_TOLERANCE:
            problems.append(f"{where}.region_share: the shares sum to {sum(event.region_share.values()):g}, not 1")
        if event.earliest_kickoff is not None and event.earliest_kickoff > event.kickoff:
            problems.append(f"{where}.earliest_kickoff: after the kickoff")
        if event.latest_kickoff is not None and event.latest_kickoff < event.kickoff:
            problems.append(f"{where}.latest_kickoff: before the kickoff")
    return problems
