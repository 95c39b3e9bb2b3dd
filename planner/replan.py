"""Re-planning mid-day: the rest of the day solved again from where the workers are, with
visits under way or done pinned, stored as a new draft version.

The day's events a re-plan takes in: workers who go off duty (e.g. home sick) from `now`,
urgent visits (a client, services from the catalogue, a deadline), visits that run long
(the worker is free that much later) and clients who did not open the door (their visit
leaves the routes and is listed unplanned with the reason).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings, get_settings
from planner import build
from planner.build import Built, Resume, VisitDraft
from planner.copying import copy_stop
from planner.models import Plan, PlanRoute, PlanStop, PlanUnplanned
from planner.plans import (
    PlanRuleError,
    ProgressCallback,
    finish,
    new_plan,
    plan_drafts,
    plan_or_404,
    plan_workers,
    route_row,
    set_routes,
    solve,
    unplanned_rows,
    visit_key,
)
from planner.problem import Location, Route, SolveParams
from planner.problem import Plan as SolvedPlan
from planner.travel import TravelTimeProvider
from registry.models import Client, Service, Worker

NO_ACCESS = "no_access"  # PlanUnplanned.code of a client who did not open the door
MAX_OVERRUN_MIN = 480

# --- re-planning mid-day -------------------------------------------------------------------


def replan(
    session: Session,
    *,
    plan_id: int,
    now: datetime,
    user_id: int | None = None,
    exclude_worker_ids: Sequence[int] = (),
    urgent_client_ids: Sequence[int] = (),
    positions: Mapping[int, Location] | None = None,
    events: DayEvents | None = None,
    params: SolveParams | None = None,
    on_progress: ProgressCallback | None = None,
    provider: TravelTimeProvider | None = None,
    settings: Settings | None = None,
) -> Plan:
    """A new draft from `plan` at `now`: visits started by `now` stay pinned where they are;
    the rest, the plan's unplanned visits and urgent visits are re-planned over the workers
    still on duty (excluded workers go home), each starting from their latest position.
    One session throughout; the planning job uses `prepare_replan`, `solve`, `store_replan`
    so that no session is open while it solves."""
    settings = settings or get_settings()
    params = params or SolveParams(time_limit_s=settings.plan_time_limit_s)
    request = ReplanRequest(
        plan_id,
        now,
        tuple(exclude_worker_ids),
        tuple(urgent_client_ids),
        dict(positions or {}),
        events or DayEvents(),
    )
    prepared = prepare_replan(session, request, provider=provider, settings=settings)
    solved = solve(prepared, params, on_progress)
    return store_replan(
        session, request, prepared, solved, user_id=user_id, params=params, settings=settings
    )


@dataclass(frozen=True, slots=True)
class UrgentVisit:
    """A visit that came in during the day: services by catalogue code (none: the client's
    care plan), to be over by `deadline` (None: by the end of the shift)."""

    client_id: int
    service_codes: tuple[str, ...] = ()
    deadline: datetime | None = None


@dataclass(frozen=True, slots=True)
class DayEvents:
    """What happened since the plan was approved, besides workers going off duty."""

    urgent: tuple[UrgentVisit, ...] = ()
    overrun_minutes: dict[int, int] = field(default_factory=dict)  # client id -> extra minutes
    no_access_client_ids: tuple[int, ...] = ()
    begun_client_ids: tuple[int, ...] = ()  # visits the phones say began (pinned wherever)

    def as_json(self) -> dict[str, object]:
        return {
            "urgent": [
                {
                    "client_id": u.client_id,
                    "service_codes": list(u.service_codes),
                    "deadline": u.deadline.isoformat() if u.deadline else None,
                }
                for u in self.urgent
            ],
            "overrun_minutes": {str(k): v for k, v in self.overrun_minutes.items()},
            "no_access_client_ids": list(self.no_access_client_ids),
            "begun_client_ids": list(self.begun_client_ids),
        }


@dataclass(frozen=True, slots=True)
class ReplanRequest:
    """What the supervisor asked: re-plan `plan_id` from `now`."""

    plan_id: int
    now: datetime
    exclude_worker_ids: tuple[int, ...] = ()
    urgent_client_ids: tuple[int, ...] = ()
    positions: dict[int, Location] = field(default_factory=dict)
    events: DayEvents = field(default_factory=DayEvents)


def _started(source: Plan, request: ReplanRequest) -> dict[int, list[PlanStop]]:
    """Per worker, the stops under way or done at `now`: planned to start by then, or begun
    by the phone's word, or running long; a client who did not open is not among them."""
    events = request.events
    begun = set(events.begun_client_ids) | set(events.overrun_minutes)
    gone = set(events.no_access_client_ids)
    return {
        r.worker_id: [
            s
            for s in r.stops
            if (s.start <= request.now or s.client_id in begun) and s.client_id not in gone
        ]
        for r in source.routes
    }


def _end(stop: PlanStop, request: ReplanRequest) -> datetime:
    """When a pinned visit ends: as planned, or later by the minutes it runs long."""
    extra = request.events.overrun_minutes.get(stop.client_id, 0)
    return stop.end + timedelta(minutes=extra)


def check_request(session: Session, request: ReplanRequest) -> None:
    """Refuse events that name what the plan or the office does not have (PlanRuleError,
    with `rule` a code the pages translate), before any job is queued."""
    source = plan_or_404(session, request.plan_id)
    on_routes = {s.client_id: s for r in source.routes for s in r.stops}
    with_route = {r.worker_id for r in source.routes}
    for worker_id in request.exclude_worker_ids:
        if worker_id not in with_route:
            raise PlanRuleError(
                f"worker {worker_id} has no route in this plan",
                status=422,
                rule="replan.worker_not_in_plan",
                details={"worker_id": worker_id},
            )
    for client_id in (*request.events.no_access_client_ids, *request.events.overrun_minutes):
        if client_id not in on_routes:
            raise PlanRuleError(
                f"client {client_id} has no visit in this plan",
                status=422,
                rule="replan.client_not_in_plan",
                details={"client_id": client_id},
            )
    for client_id, minutes in request.events.overrun_minutes.items():
        if not 1 <= minutes <= MAX_OVERRUN_MIN:
            raise PlanRuleError(
                f"a visit runs long by 1..{MAX_OVERRUN_MIN} minutes",
                status=422,
                rule="replan.overrun_minutes",
                details={"client_id": client_id, "max": MAX_OVERRUN_MIN},
            )
    tz = build.local_tz()
    for urgent in request.events.urgent:
        client = session.get(Client, urgent.client_id)
        if client is None or client.office_id != source.office_id:
            raise PlanRuleError(
                f"client {urgent.client_id} is not served by this office",
                status=404,
                rule="replan.client_not_found",
                details={"client_id": urgent.client_id},
            )
        if urgent.service_codes:
            _catalogue(session, source.office_id, urgent.service_codes)
        elif not _has_programme(session, client, source):
            raise PlanRuleError(
                f"client {client.id} has no valid care plan: name the services",
                status=422,
                rule="replan.no_services",
                details={"client_id": client.id},
            )
        if urgent.deadline is not None:
            deadline = urgent.deadline.astimezone(tz)
            if deadline <= request.now or deadline.date() != source.day:
                raise PlanRuleError(
                    "the deadline must be later the same day",
                    status=422,
                    rule="replan.deadline",
                    details={"client_id": client.id},
                )


def _has_programme(session: Session, client: Client, plan: Plan) -> bool:
    try:
        build.urgent_draft(session, client=client, day=plan.day)
    except ValueError:
        return False
    return True


def _catalogue(session: Session, office_id: int, codes: Sequence[str]) -> list[Service]:
    """The office's active services with these codes, in the order asked."""
    rows = session.scalars(
        select(Service).where(
            Service.office_id == office_id, Service.code.in_(codes), Service.active.is_(True)
        )
    )
    by_code = {s.code: s for s in rows}
    missing = [c for c in codes if c not in by_code]
    if missing:
        raise PlanRuleError(
            f"no such service in the catalogue: {', '.join(missing)}",
            status=422,
            rule="replan.unknown_service",
            details={"code": missing[0]},
        )
    return [by_code[c] for c in dict.fromkeys(codes)]


def prepare_replan(
    session: Session,
    request: ReplanRequest,
    *,
    provider: TravelTimeProvider | None = None,
    settings: Settings | None = None,
) -> Built:
    """The rest of the day as the solver's problem, from where each worker is."""
    settings = settings or get_settings()
    source = plan_or_404(session, request.plan_id)
    tz = build.local_tz(settings)
    now_s = build.seconds_since_midnight(request.now, source.day, tz)
    started = _started(source, request)
    pinned = {s.id for stops in started.values() for s in stops}
    gone = set(request.events.no_access_client_ids)
    open_stops = [
        s for r in source.routes for s in r.stops if s.id not in pinned and s.client_id not in gone
    ]
    workers = plan_workers(session, source, frozenset(request.exclude_worker_ids))
    resume = {
        w.id: _resume(
            session,
            source,
            w,
            started.get(w.id, []),
            now_s,
            request.positions.get(w.id),
            tz,
            request,
        )
        for w in workers
    }
    drafts = _replan_drafts(session, source, open_stops, request, tz)
    return build.assemble(
        session,
        office_id=source.office_id,
        day=source.day,
        workers=workers,
        drafts=drafts,
        settings=settings,
        provider=provider,
        resume=resume,
    )


def store_replan(
    session: Session,
    request: ReplanRequest,
    built: Built,
    solved: SolvedPlan,
    *,
    user_id: int | None,
    params: SolveParams,
    settings: Settings | None = None,
) -> Plan:
    """The re-planned rest of the day merged with what was under way, as a new draft."""
    source = plan_or_404(session, request.plan_id)
    started = _started(source, request)
    plan = new_plan(session, built, user_id, params, kind="replan")
    plan.params.update({"from_plan": source.id, "now": request.now.isoformat()})
    plan.params["exclude_worker_ids"] = sorted(request.exclude_worker_ids)
    plan.params["urgent_client_ids"] = list(request.urgent_client_ids)
    plan.params["events"] = request.events.as_json()
    new_routes = {int(r.worker_id): r for r in solved.routes}
    worker_ids = sorted(set(started) | set(new_routes))
    old_routes = {r.worker_id: r for r in source.routes}
    routes: list[PlanRoute] = []
    for worker_id in worker_ids:
        old, new = old_routes.get(worker_id), new_routes.get(worker_id)
        row = _merged_route(built, old, started.get(worker_id, []), new, request)
        if row is not None:
            routes.append(row)
    plan.unplanned = unplanned_rows(built, solved) + _no_access_rows(source, request)
    set_routes(session, plan, routes)
    finish(plan, solved)
    session.flush()
    return plan


def _resume(
    session: Session,
    plan: Plan,
    worker: Worker,
    started: list[PlanStop],
    now_s: int,
    position: Location | None,
    tz: ZoneInfo,
    request: ReplanRequest,
) -> Resume:
    """Where the worker goes on from: the reported position, else the last client started,
    else the start point; free once the visit under way ends."""
    route = next((r for r in plan.routes if r.worker_id == worker.id), None)
    free_at = now_s
    where = position
    if started:
        last = started[-1]
        free_at = max(now_s, build.seconds_since_midnight(_end(last, request), plan.day, tz))
        client = session.get(Client, last.client_id)
        where = where or (build.location_of(client.location) if client else None)
    lunch_done = bool(
        route is not None
        and route.break_end is not None
        and build.seconds_since_midnight(route.break_end, plan.day, tz) <= now_s
    )
    worked = sum(s.travel_s + int((_end(s, request) - s.start).total_seconds()) for s in started)
    return Resume(location=where, not_before=free_at, lunch_done=lunch_done, worked_s=worked)


def _replan_drafts(
    session: Session,
    plan: Plan,
    open_stops: list[PlanStop],
    request: ReplanRequest,
    tz: ZoneInfo,
) -> list[VisitDraft]:
    """Visits still to do: the plan's open stops and unplanned visits (but for clients who
    did not open), plus urgent visits at the highest priority."""
    gone = set(request.events.no_access_client_ids)
    drafts = {
        d.client.id: d for d in plan_drafts(session, plan, open_stops) if d.client.id not in gone
    }
    urgent = [UrgentVisit(c) for c in request.urgent_client_ids] + list(request.events.urgent)
    for visit in urgent:
        drafts[visit.client_id] = _urgent(session, plan, visit, drafts.get(visit.client_id), tz)
    return list(drafts.values())


def _urgent(
    session: Session,
    plan: Plan,
    visit: UrgentVisit,
    planned: VisitDraft | None,
    tz: ZoneInfo,
) -> VisitDraft:
    """An urgent visit's draft: the services asked (added to a visit already due today), or
    the care plan's; at the highest priority, over by the deadline."""
    client = session.get(Client, visit.client_id)
    if client is None or client.office_id != plan.office_id:
        raise PlanRuleError(f"client {visit.client_id} is not served by this office", status=404)
    if visit.service_codes:
        services = list(planned.services) if planned else []
        have = {s["code"] for s in services}
        for row in _catalogue(session, plan.office_id, visit.service_codes):
            if row.code not in have:
                services.append(
                    {
                        "code": row.code,
                        "name": row.name,
                        "minutes": row.standard_minutes,
                        "skill": row.required_skill,
                    }
                )
        skills = set(client.required_skills or ()) | {s["skill"] for s in services if s["skill"]}
        draft = VisitDraft(
            id=visit_key(client.id, plan.day),
            client=client,
            services=services,
            required_skills=frozenset(skills),
            preferred_worker=planned.preferred_worker if planned else None,
            priority=build.URGENT,
        )
    elif planned is not None:
        draft = dataclasses.replace(planned, priority=build.URGENT)
    else:
        try:
            draft = build.urgent_draft(session, client=client, day=plan.day)
        except ValueError as exc:
            raise PlanRuleError(str(exc), rule="no_care_plan") from exc
    if visit.deadline is not None:
        deadline_s = build.seconds_since_midnight(visit.deadline.astimezone(tz), plan.day, tz)
        draft = dataclasses.replace(draft, deadline_s=deadline_s)
    return draft


def _no_access_rows(source: Plan, request: ReplanRequest) -> list[PlanUnplanned]:
    """Clients who did not open the door: off the routes, listed with the reason."""
    gone = set(request.events.no_access_client_ids)
    seen: dict[int, PlanStop] = {}
    for route in source.routes:
        for stop in route.stops:
            if stop.client_id in gone:
                seen.setdefault(stop.client_id, stop)
    return [
        PlanUnplanned(
            client_id=client_id,
            code=NO_ACCESS,
            reason="the client did not open the door",
            services=stop.services,
        )
        for client_id, stop in seen.items()
    ]


def _merged_route(
    built: Built,
    old: PlanRoute | None,
    started: list[PlanStop],
    new: Route | None,
    request: ReplanRequest,
) -> PlanRoute | None:
    """The stops already under way (pinned, as they were) followed by the re-planned ones."""
    if not started and (new is None or not new.stops):
        return None
    if new is None or not new.stops:
        assert old is not None
        ended = _end(started[-1], request)
        lunch_taken = old.break_end is not None and old.break_end <= ended
        row = PlanRoute(
            worker_id=old.worker_id,
            start=old.start,
            end=ended,
            break_start=old.break_start if lunch_taken else None,
            break_end=old.break_end if lunch_taken else None,
            travel_s=sum(s.travel_s for s in started),
            service_s=sum(int((_end(s, request) - s.start).total_seconds()) for s in started),
            wait_s=sum(s.wait_s for s in started),
            distance_m=0,
        )
        row.stops = [_pinned_copy(s, n, request) for n, s in enumerate(started, start=1)]
        return row
    row = route_row(built, new, pinned=set())
    if started and old is not None:
        row.start = old.start
        if new.break_start is None and old.break_start is not None:
            row.break_start, row.break_end = old.break_start, old.break_end
        row.travel_s += sum(s.travel_s for s in started)
        row.service_s += sum(int((_end(s, request) - s.start).total_seconds()) for s in started)
        row.wait_s += sum(s.wait_s for s in started)
        stops = list(row.stops)
        row.stops = [_pinned_copy(s, n, request) for n, s in enumerate(started, start=1)]
        for n, stop in enumerate(stops, start=len(started) + 1):
            stop.seq = n
            row.stops.append(stop)
    return row


def _pinned_copy(stop: PlanStop, seq: int, request: ReplanRequest) -> PlanStop:
    copy = copy_stop(stop, seq)
    copy.end = _end(stop, request)
    copy.pinned = True
    copy.why = "under way or done when re-planned"
    return copy
