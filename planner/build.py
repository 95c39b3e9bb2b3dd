"""The registry -> the solver's `Problem` for one office and day.

Who works: active workers of the office working that day by the working calendar
(`planner.duty`, the rule the week planner uses: on a holiday or weekend only duty workers, on
a moved working day the usual ones, never on an absence); lunch comes from the shift template.
On a day nobody works, the visits due are kept as unplanned with the reason (`nobody_works`).
What is due: enrolled clients' care-plan services due that day (`planner.recurrence`), one
visit per client. Continuity: the client's preferred worker, or else the worker of the
client's zone in the office's active zone set.
Travel: a provider chosen by settings (`osrm_url` set: an OSRM server; else straight line,
optionally with calibrated speeds). Times are seconds since local midnight in `settings.timezone`.

Problem ids are strings of database ids: worker "12", visit "345@2026-03-02" (client 345).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from geoalchemy2.shape import to_shape
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.models import Office
from core.settings import Settings, get_settings
from planner import duty, recurrence
from planner.calendar import WorkCalendar
from planner.problem import Break, Location, Problem, TravelMode, Visit
from planner.problem import Worker as PlanWorker
from planner.travel import (
    OsrmHttpProvider,
    StraightLineParams,
    StraightLineProvider,
    TravelTimeProvider,
)
from registry import programme
from registry.models import CarePlan, Client, ClientStatus, ClientStatusChange, Worker, WorkerShift
from zones.models import Zone, ZoneClient, ZoneSet, ZoneSetStatus

log = logging.getLogger(__name__)

URGENT = 3  # Visit.priority of a visit added during the day


# --- time and place ------------------------------------------------------------------------


def local_tz(settings: Settings | None = None) -> ZoneInfo:
    return ZoneInfo((settings or get_settings()).timezone)


def seconds_of(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def at(day: date, seconds: int, tz: ZoneInfo) -> datetime:
    """The instant `seconds` after local midnight of `day`."""
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(seconds=seconds)


def seconds_since_midnight(moment: datetime, day: date, tz: ZoneInfo) -> int:
    return int((moment - datetime.combine(day, time(0), tzinfo=tz)).total_seconds())


def location_of(geometry: Any) -> Location | None:
    if geometry is None:
        return None
    point = to_shape(geometry)
    return Location(lon=point.x, lat=point.y)


def calibrated(measured: dict[str, tuple[float, float]] | None) -> StraightLineParams | None:
    """Straight-line speeds from measured (km/h, detour) per travel mode; defaults elsewhere.

    Measured speeds are door to door: parking or waiting for the bus is already in them, so a
    calibrated mode adds no fixed time of its own (it would be counted twice)."""
    if not measured:
        return None
    params = StraightLineParams()
    for mode, (speed_kmh, detour) in measured.items():
        if mode in {m.value for m in TravelMode}:
            current = getattr(params, mode)
            better = dataclasses.replace(current, speed_kmh=speed_kmh, detour=detour, fixed_s=0)
            params = dataclasses.replace(params, **{mode: better})
    return params


def travel_provider(
    settings: Settings | None = None, speeds: StraightLineParams | None = None
) -> TravelTimeProvider:
    """OSRM when `osrm_url` is set, else straight line (with calibrated `speeds` if given)."""
    settings = settings or get_settings()
    fallback = StraightLineProvider(speeds or StraightLineParams())
    if settings.osrm_url:
        return OsrmHttpProvider(settings.osrm_url, fallback=fallback)
    return fallback


# --- what the service layer keeps beside the Problem ---------------------------------------


@dataclass(frozen=True, slots=True)
class VisitDraft:
    """A visit before it has a matrix row: the client, the services and the planning rules."""

    id: str
    client: Client
    services: list[dict[str, Any]]  # [{"code", "name", "minutes", "skill"}]
    required_skills: frozenset[str] = frozenset()
    preferred_worker: str | None = None
    priority: int = 1
    pinned_worker: str | None = None
    pinned_start: int | None = None
    deadline_s: int | None = None  # the visit must be over by then (seconds since midnight)

    @property
    def duration(self) -> int:
        return sum(int(s["minutes"]) for s in self.services) * 60


@dataclass(frozen=True, slots=True)
class Skipped:
    """A visit due that cannot be planned at all (e.g. the address is not on the map)."""

    client_id: int
    code: str
    reason: str
    services: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Resume:
    """Where and when a worker goes on mid-day (re-planning)."""

    location: Location | None  # None: the worker's usual start point
    not_before: int  # seconds since midnight
    lunch_done: bool = False
    worked_s: int = 0  # travel + service already done, counts against the daily maximum


@dataclass(slots=True)
class Built:
    office_id: int
    day: date
    tz: ZoneInfo
    problem: Problem
    drafts: dict[str, VisitDraft]  # visit id -> draft
    workers: dict[str, Worker]  # problem worker id -> registry row
    skipped: list[Skipped] = field(default_factory=list)
    # measured (km/h, detour) per travel mode the travel times were made with; stored with the
    # plan so that a move or a re-plan times the routes as the solver did
    speeds: dict[str, tuple[float, float]] = field(default_factory=dict)


# --- workers -------------------------------------------------------------------------------


def _lunch(shift: WorkerShift) -> Break | None:
    if not shift.lunch_minutes or shift.lunch_from is None or shift.lunch_to is None:
        return None
    duration = shift.lunch_minutes * 60
    earliest, latest_end = seconds_of(shift.lunch_from), seconds_of(shift.lunch_to)
    return Break(earliest=earliest, latest=max(earliest, latest_end - duration), duration=duration)


def _plan_worker(
    row: Worker, shift: WorkerShift, start: int, end: int, resume: Resume | None
) -> PlanWorker:
    lunch = _lunch(shift)
    shift_start = seconds_of(shift.start)
    max_work = row.max_minutes_per_day * 60 if row.max_minutes_per_day else None
    if resume is not None:
        shift_start = max(shift_start, resume.not_before)
        if lunch is not None and (resume.lunch_done or lunch.latest < shift_start):
            lunch = None
        elif lunch is not None:
            lunch = Break(max(lunch.earliest, shift_start), lunch.latest, lunch.duration)
        if max_work is not None:
            max_work = max(0, max_work - resume.worked_s)
    return PlanWorker(
        id=str(row.id),
        name=row.full_name,
        shift_start=shift_start,
        shift_end=max(shift_start, seconds_of(shift.end)),
        start_location=start,
        end_location=end,
        skills=frozenset(row.skills or ()),
        travel_mode=TravelMode(row.travel_mode.value),
        lunch=lunch,
        max_working_seconds=max_work,
    )


# --- clients and care plans ----------------------------------------------------------------


def status_on(client: Client, changes: list[ClientStatusChange], day: date) -> ClientStatus:
    """The client's status on `day`: the latest status change covering it, else the current."""
    covering = [c for c in changes if c.since <= day and (c.until is None or day <= c.until)]
    if covering:
        return max(covering, key=lambda c: (c.since, c.id)).status
    return client.status


def continuity(session: Session, *, office_id: int) -> dict[int, int]:
    """Client id -> worker id of the client's zone in the office's active zone set."""
    rows = session.execute(
        select(ZoneClient.client_id, Zone.worker_id)
        .join(Zone, Zone.id == ZoneClient.zone_id)
        .join(ZoneSet, ZoneSet.id == ZoneClient.zone_set_id)
        .where(ZoneSet.office_id == office_id, ZoneSet.status == ZoneSetStatus.ACTIVE)
    ).all()
    return {client_id: worker_id for client_id, worker_id in rows if worker_id is not None}


@dataclass(slots=True)
class _Registry:
    """An office's clients with their care plans and status history, read once."""

    clients: list[Client]
    plans: dict[int, list[CarePlan]]
    changes: dict[int, list[ClientStatusChange]]
    zone_worker: dict[int, int]

    def care_client(self, client: Client, day: date) -> recurrence.CareClient:
        preferred = client.preferred_worker_id or self.zone_worker.get(client.id)
        status = status_on(client, self.changes.get(client.id, []), day)
        return recurrence.CareClient(
            id=str(client.id),
            name=client.full_name,
            status=status.value,
            required_skills=frozenset(client.required_skills or ()),
            preferred_worker=str(preferred) if preferred else None,
            workers_needed=client.workers_needed,
            lines=tuple(programme.lines_on(self.plans.get(client.id, []), day)),
        )


def _registry(session: Session, office_id: int, start: date, end: date) -> _Registry:
    clients = session.scalars(
        select(Client).where(Client.office_id == office_id).order_by(Client.id)
    ).all()
    ids = [c.id for c in clients]
    plans: dict[int, list[CarePlan]] = {}
    for plan in session.scalars(
        select(CarePlan).where(
            CarePlan.client_id.in_(ids),
            CarePlan.valid_from <= end,
            or_(CarePlan.valid_to.is_(None), CarePlan.valid_to >= start),
        )
    ):
        plans.setdefault(plan.client_id, []).append(plan)
    changes: dict[int, list[ClientStatusChange]] = {}
    for change in session.scalars(
        select(ClientStatusChange).where(ClientStatusChange.client_id.in_(ids))
    ):
        changes.setdefault(change.client_id, []).append(change)
    return _Registry(list(clients), plans, changes, continuity(session, office_id=office_id))


def _services(due: recurrence.DueVisit) -> list[dict[str, Any]]:
    return [
        {
            "code": line.service_code,
            "name": line.service_name,
            "minutes": line.standard_minutes,
            "skill": line.required_skill,
        }
        for line in due.services
    ]


def due_visits(
    session: Session, *, office_id: int, start: date, end: date
) -> list[tuple[Client, recurrence.DueVisit]]:
    """Every visit due from `start` to `end` inclusive, by day then client."""
    registry = _registry(session, office_id, start, end)
    result = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        for client in registry.clients:
            due = recurrence.visit_for_day(registry.care_client(client, day), day)
            if due is not None:
                result.append((client, due))
    return result


def drafts_for_day(session: Session, *, office_id: int, day: date) -> list[VisitDraft]:
    """The visits due on `day`, ready to be placed on the travel matrix."""
    return [
        VisitDraft(
            id=due.id,
            client=client,
            services=_services(due),
            required_skills=due.required_skills,
            preferred_worker=due.client.preferred_worker,
        )
        for client, due in due_visits(session, office_id=office_id, start=day, end=day)
    ]


def urgent_draft(session: Session, *, client: Client, day: date) -> VisitDraft:
    """A visit added during the day: the services due today, else every service of the
    client's valid care plans once. ValueError when the client has no care plan at all."""
    registry = _registry(session, client.office_id, day, day)
    registry.clients = [client]
    care = registry.care_client(client, day)
    due = recurrence.visit_for_day(care, day) if care.status == recurrence.ENROLLED else None
    if due is None:
        lines = tuple({line.service_code: line for line in care.lines}.values())
        if not lines:
            raise ValueError(f"client {client.id} has no valid care plan for {day}")
        skills = care.required_skills | {ln.required_skill for ln in lines if ln.required_skill}
        due = recurrence.DueVisit(care, day, lines, frozenset(skills))
    return VisitDraft(
        id=due.id,
        client=client,
        services=_services(due),
        required_skills=due.required_skills,
        preferred_worker=care.preferred_worker,
        priority=URGENT,
    )


# --- the Problem ---------------------------------------------------------------------------


def assemble(
    session: Session,
    *,
    office_id: int,
    day: date,
    workers: list[Worker],
    drafts: list[VisitDraft],
    settings: Settings | None = None,
    provider: TravelTimeProvider | None = None,
    resume: dict[int, Resume] | None = None,
) -> Built:
    """Workers and visit drafts -> a `Problem` with travel matrices for every mode in use."""
    settings = settings or get_settings()
    provider = provider or travel_provider(settings)
    office = session.get(Office, office_id)
    office_point = location_of(office.location) if office else None
    points: list[Location] = []
    index: dict[Location, int] = {}

    def place(location: Location) -> int:
        if location not in index:
            index[location] = len(points)
            points.append(location)
        return index[location]

    plan_workers: list[PlanWorker] = []
    rows: dict[str, Worker] = {}
    for row in workers:
        shift = duty.shift_on(row, day)
        started = (resume or {}).get(row.id)
        home = location_of(row.start_location) or office_point
        if shift is None or home is None:
            log.warning("worker cannot be planned", extra={"worker_id": row.id, "day": str(day)})
            continue
        start = place(started.location if started and started.location else home)
        end = place(location_of(row.end_location) or home)
        plan_workers.append(_plan_worker(row, shift, start, end, started))
        rows[str(row.id)] = row

    visits: list[Visit] = []
    kept: dict[str, VisitDraft] = {}
    skipped: list[Skipped] = []
    for draft in drafts:
        where = location_of(draft.client.location)
        if where is None:
            reason = "the client's address is not on the map; place it before planning"
            skipped.append(Skipped(draft.client.id, "no_location", reason, draft.services))
            continue
        visits.append(_visit(draft, place(where)))
        kept[draft.id] = draft

    travel, distance = _matrices(provider, points, plan_workers)
    problem = Problem(
        workers=tuple(plan_workers),
        visits=tuple(visits),
        travel_time=travel,
        distance=distance,
        locations=tuple(points),
    )
    tz = local_tz(settings)
    return Built(office_id, day, tz, problem, kept, rows, skipped)


def _visit(draft: VisitDraft, location: int) -> Visit:
    client = draft.client
    window_end = seconds_of(client.window_end) if client.window_end else 24 * 3600
    if draft.deadline_s is not None:
        window_end = max(0, min(window_end, draft.deadline_s - draft.duration))
    return Visit(
        id=draft.id,
        client_id=str(client.id),
        client_name=client.full_name,
        location=location,
        duration=draft.duration,
        window_start=seconds_of(client.window_start) if client.window_start else 0,
        window_end=window_end,
        required_skills=draft.required_skills,
        preferred_worker=draft.preferred_worker,
        priority=draft.priority,
        workers_needed=client.workers_needed,
        pinned_worker=draft.pinned_worker,
        pinned_start=draft.pinned_start,
        services=tuple(s["code"] for s in draft.services),
    )


def _matrices(
    provider: TravelTimeProvider, points: list[Location], workers: list[PlanWorker]
) -> tuple[dict[TravelMode, list[list[int]]], list[list[int]]]:
    """Seconds per travel mode in use; metres of the mode most workers use."""
    counts = Counter(w.travel_mode for w in workers) or Counter({TravelMode.WALK: 1})
    travel: dict[TravelMode, list[list[int]]] = {}
    metres: dict[TravelMode, list[list[int]]] = {}
    for mode in counts:
        travel[mode], metres[mode] = provider.matrix(points, mode)
    return travel, metres[counts.most_common(1)[0][0]]


def build_problem(
    session: Session,
    *,
    office_id: int,
    day: date,
    settings: Settings | None = None,
    provider: TravelTimeProvider | None = None,
    speeds: StraightLineParams | None = None,
) -> Built:
    """The office's day as a `Problem`: workers on duty and the care-plan visits due; on a
    day nobody works, the visits due are kept as unplanned with the day's reason."""
    settings = settings or get_settings()
    provider = provider or travel_provider(settings, speeds)
    calendar = duty.office_calendar(day, day)
    built = assemble(
        session,
        office_id=office_id,
        day=day,
        workers=duty.on_duty(session, office_id=office_id, day=day, calendar=calendar),
        drafts=drafts_for_day(session, office_id=office_id, day=day),
        settings=settings,
        provider=provider,
    )
    if not built.problem.workers and built.drafts:
        reason = nobody_works(day, calendar)
        built.skipped += [
            Skipped(d.client.id, "nobody_works", reason, d.services) for d in built.drafts.values()
        ]
        built.drafts = {}
        built.problem = dataclasses.replace(built.problem, visits=())
    return built


def nobody_works(day: date, calendar: WorkCalendar) -> str:
    """Why nobody can take a visit on `day`: a holiday, a weekend or the office's day off with
    nobody on duty, or a working day everyone is away. A holiday's sentence ends with its date
    ("holiday, nobody on duty: <official name> (2027-01-01)"): the pages name the holiday in
    their language by that date (`planner.calendar.holiday_names`); older plans' sentences
    end with the name alone."""
    why = calendar.why_off(day)
    if not why:
        return "nobody works that day (absences)"
    if why in ("weekend", "office day off"):
        return f"{why}, nobody on duty"
    return f"holiday, nobody on duty: {why} ({day.isoformat()})"
