"""Re-planning mid-day: the rest of the day solved again from where the workers are, with
visits under way or done pinned, stored as a new draft version.

Workers who go off duty (e.g. home sick) leave at `now`; the day's other events (urgent
visits, visits that run long, clients who did not open, visits begun) are `planner.day_events`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.settings import Settings, get_settings
from planner import build, day_events, lunch_rows
from planner.build import Built, Resume, VisitDraft
from planner.copying import copy_stop
from planner.day_events import DayEvents, UrgentVisit
from planner.models import Plan, PlanRoute, PlanStop
from planner.plans import (
    ProgressCallback,
    finish,
    new_plan,
    plan_drafts,
    plan_or_404,
    plan_speeds,
    plan_travel,
    plan_workers,
    route_row,
    set_routes,
    solve,
    unplanned_rows,
)
from planner.problem import Location, Route, SolveParams
from planner.problem import Plan as SolvedPlan
from planner.travel import TravelTimeProvider
from registry.models import Client, Worker

__all__ = ["DayEvents", "ReplanRequest", "UrgentVisit", "check_request", "replan"]

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
    day_events.check(session, source, request.now, request.exclude_worker_ids, request.events)


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
    built = build.assemble(
        session,
        office_id=source.office_id,
        day=source.day,
        workers=workers,
        drafts=drafts,
        settings=settings,
        provider=provider or plan_travel(source, settings),
        resume=resume,
    )
    built.speeds = plan_speeds(source)  # the re-planned version keeps the plan's travel times
    return built


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
    closed = day_events.no_access_rows(source, request.events)
    plan.unplanned = unplanned_rows(built, solved) + closed
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
        drafts[visit.client_id] = day_events.urgent_draft(
            session, plan, visit, drafts.get(visit.client_id), tz
        )
    return list(drafts.values())


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
        if lunch_taken:
            row.lunch_place, row.lunch_after_client_id = old.lunch_place, old.lunch_after_client_id
        row.stops = [_pinned_copy(s, n, request) for n, s in enumerate(started, start=1)]
        return row
    row = route_row(built, new, pinned=set())
    if started and old is not None:
        row.start = old.start
        if new.break_start is None and old.break_start is not None:
            row.break_start, row.break_end = old.break_start, old.break_end
            row.lunch_place, row.lunch_after_client_id = old.lunch_place, old.lunch_after_client_id
        elif new.break_start is not None and row.lunch_place == lunch_rows.START:
            # Lunch before going on: where the worker is, after the last visit under way.
            row.lunch_place, row.lunch_after_client_id = lunch_rows.STOP, started[-1].client_id
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
