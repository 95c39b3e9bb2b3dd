"""The registry -> the week planner's `WeekProblem` for one office and period.

Workers: the office's active workers, their shift template (the first weekday's shift), the
weekdays they work, absences, and duty on non-working days, by the rule the day planner
uses too (`planner.duty`: `availability`, `on_duty`, `office_calendar`).
Clients: those enrolled at the period's start with the care-plan lines valid in it; a line
whose rule the period cannot hold (or that does not parse) raises `RuleError` naming the
client and the line, before anything is stored. Zones: each worker's zone is the clients the
active zone set gives them. One travel matrix over every place (as `planner.build`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.models import Office
from core.settings import Settings, get_settings
from planner import build
from planner.build import Skipped, VisitDraft
from planner.calendar import days_between
from planner.duty import availability, office_calendar
from planner.problem import Location
from planner.problem import Worker as PlanWorker
from planner.recurrence import ENROLLED, CareClient
from planner.travel import TravelTimeProvider
from planner.week_problem import RuleError, Task, WeekProblem, WeekWorker, tasks_for_period
from registry import programme
from registry.models import CarePlan, Client, Worker
from registry.recurrence import parse_recurrence

MAX_DAYS = 31  # a week or a month


@dataclass(slots=True)
class WeekBuilt:
    """A period read from the registry: the planner's problem and the rows behind its ids."""

    office_id: int
    start: date
    end: date
    tz: ZoneInfo
    problem: WeekProblem
    clients: dict[str, Client]  # problem client id -> row
    workers: dict[str, Worker]  # problem worker id -> row
    services: dict[tuple[str, str], dict[str, Any]]  # (client id, code) -> service of a stop
    skipped: list[tuple[date, Skipped]] = field(default_factory=list)  # no address on the map

    def drafts(self, visits: Any) -> dict[str, VisitDraft]:
        """Visit drafts of a day problem's visits, for storing (`planner.plans.store_day`)."""
        return {
            v.id: VisitDraft(
                id=v.id,
                client=self.clients[v.client_id],
                services=[self.services[(v.client_id, code)] for code in v.services],
                required_skills=v.required_skills,
                preferred_worker=v.preferred_worker,
            )
            for v in visits
        }


def prepare_week(
    session: Session,
    *,
    office_id: int,
    start: date,
    end: date,
    settings: Settings | None = None,
    provider: TravelTimeProvider | None = None,
) -> WeekBuilt:
    """The office's period as a `WeekProblem`; RuleError names a line the period cannot hold."""
    settings = settings or get_settings()
    if end < start or (end - start).days >= MAX_DAYS:
        raise DomainError(
            f"the period must be 1..{MAX_DAYS} days",
            status=422,
            code="week.bad_period",
            params={"days": MAX_DAYS},
        )
    office = session.get(Office, office_id)
    if office is None:
        raise DomainError("office not found", status=404)
    calendar = office_calendar(start, end)
    registry = build._registry(session, office_id, start, end)
    office_point = build.location_of(office.location)
    points: list[Location] = []
    index: dict[Location, int] = {}

    def place(location: Location) -> int:
        if location not in index:
            index[location] = len(points)
            points.append(location)
        return index[location]

    zones = {str(c): str(w) for c, w in registry.zone_worker.items()}
    owners = set(zones.values())
    workers: list[WeekWorker] = []
    plan_workers: list[PlanWorker] = []
    rows: dict[str, Worker] = {}
    for row in sorted(registry_workers(session, office_id), key=lambda w: w.id):
        home = build.location_of(row.start_location) or office_point
        if not row.shifts or home is None:
            continue
        shift = min(row.shifts, key=lambda s: s.weekday)
        end_point = build.location_of(row.end_location) or home
        template = build._plan_worker(row, shift, place(home), place(end_point), None)
        plan_workers.append(template)
        rows[template.id] = row
        zone = template.id if template.id in owners else None
        workers.append(WeekWorker(template, availability(row, start, end, calendar), zone))

    clients: list[CareClient] = []
    located: dict[str, Client] = {}
    services: dict[tuple[str, str], dict[str, Any]] = {}
    for client in registry.clients:
        if _status(registry, client, start) != ENROLLED:
            continue
        plans = registry.plans.get(client.id, [])
        _check_lines(client, plans)
        lines = _lines_in(plans, start, end)
        if not lines:
            continue
        for line in lines:
            services[(str(client.id), line.service_code)] = {
                "code": line.service_code,
                "name": line.service_name,
                "minutes": line.standard_minutes,
                "skill": line.required_skill,
            }
        where = build.location_of(client.location)
        window = (
            build.seconds_of(client.window_start) if client.window_start else 0,
            build.seconds_of(client.window_end) if client.window_end else 24 * 3600,
        )
        clients.append(
            CareClient(
                id=str(client.id),
                name=client.full_name,
                location_index=place(where) if where is not None else None,
                window_start=window[0],
                window_end=window[1],
                required_skills=frozenset(client.required_skills or ()),
                preferred_worker=str(client.preferred_worker_id)
                if client.preferred_worker_id
                else None,
                workers_needed=client.workers_needed,
                lines=tuple(lines),
            )
        )
        located[str(client.id)] = client
    tasks = tasks_for_period(clients, start, end, calendar)
    kept, skipped = _split_unlocated(tasks, clients, located, services)
    travel, distance = build._matrices(
        provider or build.travel_provider(settings), points, plan_workers
    )
    problem = WeekProblem(
        start=start,
        end=end,
        calendar=calendar,
        workers=tuple(workers),
        clients=tuple(c for c in clients if c.location_index is not None),
        tasks=tuple(kept),
        travel_time=travel,
        distance=distance,
        locations=tuple(points),
        zones={c: z for c, z in zones.items() if c in located},
    )
    return WeekBuilt(
        office_id, start, end, build.local_tz(settings), problem, located, rows, services, skipped
    )


def registry_workers(session: Session, office_id: int) -> list[Worker]:
    return list(
        session.scalars(
            select(Worker).where(Worker.office_id == office_id, Worker.active.is_(True))
        )
    )


def _status(registry: Any, client: Client, day: date) -> str:
    return build.status_on(client, registry.changes.get(client.id, []), day).value


def _check_lines(client: Client, plans: list[CarePlan]) -> None:
    """Every stored rule parses; else RuleError naming the client, the plan and the line."""
    for plan in plans:
        for number, line in enumerate(plan.lines, start=1):
            try:
                parse_recurrence(line.recurrence)
            except ValueError as exc:
                raise RuleError(
                    f"client {client.id} ({client.full_name}), care plan "
                    f"{plan.number or plan.id}, line {number} ({line.service.code}): {exc}"
                ) from None


def _lines_in(
    plans: list[CarePlan],
    start: date,
    end: date,
    rule: Callable[[list[CarePlan], date], list[programme.ProgrammeLine]] = programme.lines_on,
) -> list[programme.ProgrammeLine]:
    """The lines valid on some day of the period by `rule` (those in force, unless told),
    each once, in the order first seen."""
    seen: dict[programme.ProgrammeLine, None] = {}
    for day in days_between(start, end):
        for line in rule(plans, day):
            seen.setdefault(line, None)
    return list(seen)


def _split_unlocated(
    tasks: list[Task],
    clients: list[CareClient],
    rows: dict[str, Client],
    services: dict[tuple[str, str], dict[str, Any]],
) -> tuple[list[Task], list[tuple[date, Skipped]]]:
    """Tasks of clients on the map, and one skipped visit per unmapped client and rule day."""
    unmapped = {c.id for c in clients if c.location_index is None}
    kept = [t for t in tasks if t.client_id not in unmapped]
    grouped: dict[tuple[str, date], list[dict[str, Any]]] = {}
    for task in tasks:
        if task.client_id in unmapped:
            grouped.setdefault((task.client_id, task.day), []).append(
                services[(task.client_id, task.service_code)]
            )
    reason = "the client's address is not on the map; place it before planning"
    skipped = [
        (day, Skipped(rows[client_id].id, "no_location", reason, found))
        for (client_id, day), found in grouped.items()
    ]
    return kept, skipped


def check_rules(session: Session, *, office_id: int, start: date, end: date) -> int:
    """Every enrolled client's lines over the period, before a job is queued: the number of
    visits' services due; RuleError names the first line the period cannot hold."""
    calendar = office_calendar(start, end)
    registry = build._registry(session, office_id, start, end)
    due = 0
    for client in registry.clients:
        if _status(registry, client, start) != ENROLLED:
            continue
        plans = registry.plans.get(client.id, [])
        _check_lines(client, plans)
        lines = tuple(_lines_in(plans, start, end))
        care = CareClient(str(client.id), client.full_name, lines=lines)
        due += len(tasks_for_period([care], start, end, calendar))
    return due
