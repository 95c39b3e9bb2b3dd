"""Care plans -> the visits due on a day or over a period.

A client gets at most one visit a day, holding every care-plan service due that day; its
duration is the sum of the services' standard minutes and its required skills are the union of
the client's and the services' skills. Clients whose status is not "enrolled" get no visits
(queued, refused, suspended and discharged clients stay in the registry, nobody is lost), and
lines outside their validity period are ignored. Pure: no I/O, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from planner.problem import Location, Visit
from registry.programme import ProgrammeLine

ENROLLED = "enrolled"


# A programme line as the planner reads it; the rule of when it is due lives in the registry.
CarePlanLine = ProgrammeLine


@dataclass(frozen=True, slots=True)
class CareClient:
    """A client as the planner needs them: where, when, who, and the care-plan lines."""

    id: str
    name: str
    location: Location | None = None  # lon/lat, or...
    location_index: int | None = None  # ...a row of an already-built travel matrix
    window_start: int = 0  # seconds since midnight; hard window for the visit start
    window_end: int = 24 * 3600
    required_skills: frozenset[str] = frozenset()
    preferred_worker: str | None = None
    status: str = ENROLLED
    workers_needed: int = 1
    lines: tuple[CarePlanLine, ...] = ()


@dataclass(frozen=True, slots=True)
class DueVisit:
    """One client's visit on one day, with the services due then."""

    client: CareClient
    day: date
    services: tuple[CarePlanLine, ...]
    required_skills: frozenset[str] = field(default_factory=frozenset)

    @property
    def id(self) -> str:
        return f"{self.client.id}@{self.day.isoformat()}"

    @property
    def minutes(self) -> int:
        return sum(line.standard_minutes for line in self.services)

    def to_visit(self, location_index: int | None = None) -> Visit:
        """The solver's `Visit`; pass the matrix row when the client has no index of its own."""
        index = location_index if location_index is not None else self.client.location_index
        if index is None:
            raise ValueError(f"client {self.client.id}: no location index for the travel matrix")
        return Visit(
            id=self.id,
            client_id=self.client.id,
            client_name=self.client.name,
            location=index,
            duration=self.minutes * 60,
            window_start=self.client.window_start,
            window_end=self.client.window_end,
            required_skills=self.required_skills,
            preferred_worker=self.client.preferred_worker,
            workers_needed=self.client.workers_needed,
            services=tuple(line.service_code for line in self.services),
        )


def visit_for_day(client: CareClient, day: date) -> DueVisit | None:
    """The client's visit on `day`, or None when nothing is due or they are not served."""
    if client.status != ENROLLED:
        return None
    due = tuple(line for line in client.lines if line.due_on(day))
    if not due:
        return None
    skills = client.required_skills | {line.required_skill for line in due if line.required_skill}
    return DueVisit(client=client, day=day, services=due, required_skills=frozenset(skills))


def visits_for_day(clients: Iterable[CareClient], day: date) -> list[DueVisit]:
    """Every visit due on `day`, in the order the clients were given."""
    return [v for c in clients if (v := visit_for_day(c, day)) is not None]


def visits_for_period(clients: Iterable[CareClient], start: date, end: date) -> list[DueVisit]:
    """Visits due from `start` to `end` inclusive (a week, a month, a whole contract), by day."""
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    clients = list(clients)
    visits: list[DueVisit] = []
    for offset in range((end - start).days + 1):
        visits.extend(visits_for_day(clients, start + timedelta(days=offset)))
    return visits
