"""Plans in the database: solve an office's day into a new draft version, list and read versions,
approve, move a visit by hand, and re-plan mid-day.

Versions: every solve or re-plan stores a new draft (version = last + 1 for that office and
day). Approving a draft supersedes the office-day's previously approved version. A hand move on
a draft edits that draft in place (each move is audited); a move on an approved or superseded
plan first copies it into a new draft, so an approved plan never changes under the workers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.models import Client, User, Worker
from core.settings import Settings, get_settings
from planner import build, schedule
from planner.build import Built, Resume, VisitDraft
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop, PlanUnplanned
from planner.problem import Location, Progress, Route, SolveParams
from planner.problem import Plan as SolvedPlan
from planner.travel import TravelTimeProvider

ProgressCallback = Callable[[Progress], None]


class PlanRuleError(ValueError):
    """A planning rule refused the request; `status` is the HTTP-like answer (404, 409...)."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 409,
        rule: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.status, self.rule = message, status, rule
        self.details = dict(details or {})


# --- reading -------------------------------------------------------------------------------


def get_plan(session: Session, *, plan_id: int) -> Plan | None:
    """One stored plan with its routes, stops and unplanned visits."""
    return session.get(Plan, plan_id)


def list_plans(session: Session, *, office_id: int, day: date) -> list[Plan]:
    """Every version of an office's day, newest first."""
    query = select(Plan).where(Plan.office_id == office_id, Plan.day == day)
    return list(session.scalars(query.order_by(Plan.version.desc())))


def approved_plan(session: Session, *, office_id: int, day: date) -> Plan | None:
    query = select(Plan).where(
        Plan.office_id == office_id, Plan.day == day, Plan.status == PlanStatus.APPROVED
    )
    return session.scalars(query).first()


def _next_version(session: Session, office_id: int, day: date) -> int:
    last = session.scalar(
        select(func.max(Plan.version)).where(Plan.office_id == office_id, Plan.day == day)
    )
    return (last or 0) + 1


# --- solving and storing -------------------------------------------------------------------


def plan_day(
    session: Session,
    *,
    office_id: int,
    day: date,
    user_id: int | None = None,
    params: SolveParams | None = None,
    on_progress: ProgressCallback | None = None,
    provider: TravelTimeProvider | None = None,
    settings: Settings | None = None,
    speeds: Mapping[str, tuple[float, float]] | None = None,
) -> Plan:
    """Solve the office's day from the registry and store it as a new draft version;
    `speeds`: measured (km/h, detour) per travel mode for the straight-line estimate."""
    from planner.solver import solve

    settings = settings or get_settings()
    params = params or SolveParams(time_limit_s=settings.plan_time_limit_s)
    built = build.build_problem(
        session,
        office_id=office_id,
        day=day,
        settings=settings,
        provider=provider,
        speeds=build.calibrated(dict(speeds or {})),
    )
    solved = solve(built.problem, params, on_progress)
    plan = _new_plan(session, built, user_id, params, kind="plan")
    plan.unplanned = _unplanned_rows(built, solved)
    routes = [_route_row(built, r, pinned=set()) for r in solved.routes if r.stops]
    _set_routes(session, plan, routes)
    _finish(plan, solved)
    session.flush()
    return plan


def _set_routes(session: Session, plan: Plan, routes: list[PlanRoute]) -> None:
    """Give the plan these routes; stops also carry the plan id (for queries by plan)."""
    if plan.id is None:
        session.add(plan)
        session.flush()
    for route in routes:
        for stop in route.stops:
            stop.plan_id = plan.id
    plan.routes = routes


def _new_plan(
    session: Session, built: Built, user_id: int | None, params: SolveParams, kind: str
) -> Plan:
    return Plan(
        office_id=built.office_id,
        day=built.day,
        version=_next_version(session, built.office_id, built.day),
        status=PlanStatus.DRAFT,
        created_by=user_id,
        params={"kind": kind, **dataclasses.asdict(params)},
    )


def _finish(plan: Plan, solved: SolvedPlan | None) -> None:
    """Cost and figures of a stored plan, recomputed from its rows."""
    stops = [s for r in plan.routes for s in r.stops]
    plan.stats = {
        "planned": len({s.client_id for s in stops}),
        "unplanned": len(plan.unplanned),
        "workers_used": sum(1 for r in plan.routes if r.stops),
        "travel_s": sum(r.travel_s for r in plan.routes),
        "service_s": sum(r.service_s for r in plan.routes),
        "wait_s": sum(r.wait_s for r in plan.routes),
        "distance_m": sum(r.distance_m for r in plan.routes),
    }
    if solved is not None:
        plan.cost = solved.cost
        plan.stats["solve_seconds"] = round(solved.solve_seconds, 2)


def _route_row(
    built: Built, route: Route, pinned: set[str], why: Mapping[str, str] | None = None
) -> PlanRoute:
    """A solver route as database rows; `why` overrides the explanation of some visits."""
    tz, day = built.tz, built.day
    worker_id = int(route.worker_id)
    row = PlanRoute(
        worker_id=worker_id,
        start=build.at(day, route.start, tz),
        end=build.at(day, route.end, tz),
        break_start=None if route.break_start is None else build.at(day, route.break_start, tz),
        break_end=None if route.break_end is None else build.at(day, route.break_end, tz),
        travel_s=route.travel,
        service_s=route.service,
        wait_s=route.wait,
        distance_m=route.distance_m,
    )
    row.stops = [
        PlanStop(
            worker_id=worker_id,
            client_id=built.drafts[stop.visit_id].client.id,
            seq=seq,
            arrival=build.at(day, stop.arrival, tz),
            start=build.at(day, stop.start, tz),
            end=build.at(day, stop.end, tz),
            travel_s=stop.travel,
            wait_s=stop.wait,
            services=built.drafts[stop.visit_id].services,
            pinned=stop.visit_id in pinned,
            why=((why or {}).get(stop.visit_id) or stop.why)[:300],
        )
        for seq, stop in enumerate(route.stops, start=1)
    ]
    return row


def _unplanned_rows(built: Built, solved: SolvedPlan) -> list[PlanUnplanned]:
    rows = [
        PlanUnplanned(
            client_id=built.drafts[u.visit_id].client.id,
            code=u.code or "unplanned",
            reason=u.reason[:300],
            services=built.drafts[u.visit_id].services,
        )
        for u in solved.unplanned
    ]
    rows += [
        PlanUnplanned(client_id=s.client_id, code=s.code, reason=s.reason, services=s.services)
        for s in built.skipped
    ]
    return rows


# --- approving -----------------------------------------------------------------------------


def approve(session: Session, *, plan_id: int, user: User) -> Plan:
    """Draft -> approved; the office-day's previously approved version -> superseded."""
    plan = _plan_or_404(session, plan_id)
    if plan.status != PlanStatus.DRAFT:
        raise PlanRuleError(f"only a draft can be approved; this plan is {plan.status.value}")
    previous = approved_plan(session, office_id=plan.office_id, day=plan.day)
    if previous is not None:
        previous.status = PlanStatus.SUPERSEDED
        audit.record(
            session,
            user=user,
            action="supersede",
            entity="plan",
            entity_id=previous.id,
            changes={"status": {"from": "approved", "to": "superseded"}, "by_plan": plan.id},
            office_id=plan.office_id,
        )
        session.flush()  # one approved version per office-day at every moment
    plan.status = PlanStatus.APPROVED
    plan.approved_by = user.id
    plan.approved_at = func.now()
    audit.record(
        session,
        user=user,
        action="approve",
        entity="plan",
        entity_id=plan.id,
        changes={"status": {"from": "draft", "to": "approved"}, "version": plan.version},
        office_id=plan.office_id,
    )
    session.flush()
    session.refresh(plan)
    return plan


def _plan_or_404(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise PlanRuleError("plan not found", status=404)
    return plan


# --- the plan as a Problem again (moves and re-plans) --------------------------------------


def _visit_id(client_id: int, day: date) -> str:
    return f"{client_id}@{day.isoformat()}"


def _plan_drafts(session: Session, plan: Plan, stops: Sequence[PlanStop]) -> list[VisitDraft]:
    """Visit drafts for the given stops and the plan's unplanned visits (one per client)."""
    services: dict[int, list[dict[str, Any]]] = {}
    for stop in stops:
        services.setdefault(stop.client_id, stop.services)
    for row in plan.unplanned:
        services.setdefault(row.client_id, row.services)
    zone_worker = build.continuity(session, office_id=plan.office_id)
    clients = session.scalars(select(Client).where(Client.id.in_(services or {-1})))
    drafts = []
    for client in clients.all():
        preferred = client.preferred_worker_id or zone_worker.get(client.id)
        skills = set(client.required_skills or ())
        skills |= {s["skill"] for s in services[client.id] if s.get("skill")}
        drafts.append(
            VisitDraft(
                id=_visit_id(client.id, plan.day),
                client=client,
                services=services[client.id],
                required_skills=frozenset(skills),
                preferred_worker=str(preferred) if preferred else None,
            )
        )
    return drafts


def _workers(session: Session, plan: Plan, exclude: frozenset[int] = frozenset()) -> list[Worker]:
    """Workers on duty that day plus those with a route in the plan, minus `exclude`."""
    on_duty = build.workers_on_duty(session, office_id=plan.office_id, day=plan.day)
    ids = {w.id for w in on_duty} | {r.worker_id for r in plan.routes}
    rows = session.scalars(select(Worker).where(Worker.id.in_(ids)).order_by(Worker.id))
    return [w for w in rows if w.id not in exclude]


def _sequences(plan: Plan) -> dict[str, list[str]]:
    return {
        str(r.worker_id): [_visit_id(s.client_id, plan.day) for s in r.stops] for r in plan.routes
    }


# --- moving a visit by hand ----------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class MoveResult:
    plan: Plan  # the edited draft (or, for a dry run, the unchanged plan)
    routes: list[Route]  # recomputed times of every worker on duty
    built: Built
    dry_run: bool


def move_visit(
    session: Session,
    *,
    plan_id: int,
    user: User,
    to_worker_id: int,
    position: int,
    stop_id: int | None = None,
    client_id: int | None = None,
    dry_run: bool = False,
    provider: TravelTimeProvider | None = None,
) -> MoveResult:
    """Move a planned stop (or an unplanned client's visit) to a worker at a position (0 =
    first); the times are recomputed and the first broken rule refuses the move (409)."""
    plan = _plan_or_404(session, plan_id)
    client_id = _moved_client(plan, stop_id, client_id)
    pinned = {s.client_id for r in plan.routes for s in r.stops if s.pinned}
    if client_id in pinned:
        raise PlanRuleError("this visit is already under way or done", rule="pinned")
    stops = [s for r in plan.routes for s in r.stops]
    built = build.assemble(
        session,
        office_id=plan.office_id,
        day=plan.day,
        workers=_workers(session, plan),
        drafts=_plan_drafts(session, plan, stops),
        provider=provider,
    )
    for stop in stops:
        if stop.pinned:
            _pin(built, stop)
    target = str(to_worker_id)
    if target not in built.workers:
        raise PlanRuleError("that worker is not on duty that day", rule="off_duty")
    visit_id = _visit_id(client_id, plan.day)
    if visit_id not in built.drafts:
        raise PlanRuleError("the client's address is not on the map", rule="no_location")
    sequences = _sequences(plan)
    source = next((w for w, ids in sequences.items() if visit_id in ids), None)
    if (
        source is not None
        and source != target
        and len([i for i in sequences.values() if visit_id in i]) > 1
    ):
        raise PlanRuleError("a two-worker visit is moved by re-planning", rule="together")
    if source is not None:
        sequences[source].remove(visit_id)
    order = sequences.setdefault(target, [])
    order.insert(max(0, min(position, len(order))), visit_id)
    day = schedule.schedule_day(
        built.problem, {w: ids for w, ids in sequences.items() if w in built.workers}
    )
    if day.broken is not None:
        raise PlanRuleError(
            day.broken.message,
            rule=day.broken.code,
            details={"visit_id": day.broken.visit_id, "worker_id": day.broken.worker_id},
        )
    if dry_run:
        return MoveResult(plan, day.routes, built, dry_run=True)
    draft = plan if plan.status == PlanStatus.DRAFT else _copy_as_draft(session, plan, user)
    _replace_routes(session, draft, built, day.routes, moved=visit_id, user=user)
    audit.record(
        session,
        user=user,
        action="move",
        entity="plan",
        entity_id=draft.id,
        changes={
            "client_id": client_id,
            "from_worker_id": int(source) if source else None,
            "to_worker_id": to_worker_id,
            "position": position,
            "from_plan": plan.id,
        },
        office_id=plan.office_id,
    )
    session.flush()
    return MoveResult(draft, day.routes, built, dry_run=False)


def _moved_client(plan: Plan, stop_id: int | None, client_id: int | None) -> int:
    if stop_id is not None:
        stop = next((s for r in plan.routes for s in r.stops if s.id == stop_id), None)
        if stop is None:
            raise PlanRuleError("no such stop in this plan", status=404)
        return stop.client_id
    if client_id is None or not (
        any(u.client_id == client_id for u in plan.unplanned)
        or any(s.client_id == client_id for r in plan.routes for s in r.stops)
    ):
        raise PlanRuleError("no such visit in this plan", status=404)
    return client_id


def _pin(built: Built, stop: PlanStop) -> None:
    visit_id = _visit_id(stop.client_id, built.day)
    draft = built.drafts.get(visit_id)
    if draft is None:
        return
    start = build.seconds_since_midnight(stop.start, built.day, built.tz)
    pinned = dataclasses.replace(draft, pinned_worker=str(stop.worker_id), pinned_start=start)
    built.drafts[visit_id] = pinned
    visits = tuple(
        dataclasses.replace(v, pinned_worker=pinned.pinned_worker, pinned_start=start)
        if v.id == visit_id
        else v
        for v in built.problem.visits
    )
    built.problem = dataclasses.replace(built.problem, visits=visits)


def _copy_as_draft(session: Session, plan: Plan, user: User) -> Plan:
    """A new draft version with the same routes, to edit an approved plan without changing it."""
    copy = Plan(
        office_id=plan.office_id,
        day=plan.day,
        version=_next_version(session, plan.office_id, plan.day),
        status=PlanStatus.DRAFT,
        cost=plan.cost,
        stats=dict(plan.stats),
        params={**plan.params, "kind": "edit", "from_plan": plan.id},
        created_by=user.id,
    )
    columns = ("worker_id", "start", "end", "break_start", "break_end", "travel_s", "service_s")
    routes: list[PlanRoute] = []
    for route in plan.routes:
        new = PlanRoute(**{c: getattr(route, c) for c in columns}, wait_s=route.wait_s)
        new.distance_m = route.distance_m
        new.stops = [_copy_stop(s, s.seq) for s in route.stops]
        routes.append(new)
    copy.unplanned = [
        PlanUnplanned(client_id=u.client_id, code=u.code, reason=u.reason, services=u.services)
        for u in plan.unplanned
    ]
    _set_routes(session, copy, routes)
    session.flush()
    return copy


def _copy_stop(stop: PlanStop, seq: int) -> PlanStop:
    fields = ("worker_id", "client_id", "arrival", "start", "end", "travel_s", "wait_s")
    copy = PlanStop(**{f: getattr(stop, f) for f in fields}, seq=seq)
    copy.services, copy.pinned, copy.why = stop.services, stop.pinned, stop.why
    return copy


def _replace_routes(
    session: Session, plan: Plan, built: Built, routes: list[Route], moved: str, user: User
) -> None:
    """Routes of the workers in `built` replaced by the recomputed ones, explanations kept."""
    old_why = {
        (_visit_id(s.client_id, plan.day), str(s.worker_id)): s.why
        for r in plan.routes
        for s in r.stops
    }
    pinned = {_visit_id(s.client_id, plan.day) for r in plan.routes for s in r.stops if s.pinned}
    kept = [r for r in plan.routes if str(r.worker_id) not in built.workers]
    fresh = []
    for route in routes:
        if not route.stops:
            continue
        why = {s.visit_id: old_why.get((s.visit_id, route.worker_id), "") for s in route.stops}
        who = user.full_name or user.username
        why[moved] = f"moved by hand by {who}" if moved in why else ""
        fresh.append(_route_row(built, route, pinned, why))
    _set_routes(session, plan, kept + fresh)
    moved_client = built.drafts[moved].client.id
    plan.unplanned = [u for u in plan.unplanned if u.client_id != moved_client]
    _finish(plan, None)
    plan.stats["edited"] = True


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
    params: SolveParams | None = None,
    on_progress: ProgressCallback | None = None,
    provider: TravelTimeProvider | None = None,
    settings: Settings | None = None,
) -> Plan:
    """A new draft from `plan` at `now`: visits started by `now` stay pinned where they are;
    the rest, the plan's unplanned visits and urgent visits are re-planned over the workers
    still on duty (excluded workers go home), each starting from their latest position."""
    from planner.solver import solve

    settings = settings or get_settings()
    params = params or SolveParams(time_limit_s=settings.plan_time_limit_s)
    source = _plan_or_404(session, plan_id)
    tz = build.local_tz(settings)
    now_s = build.seconds_since_midnight(now, source.day, tz)
    exclude = frozenset(exclude_worker_ids)
    started = {r.worker_id: [s for s in r.stops if s.start <= now] for r in source.routes}
    open_stops = [s for r in source.routes for s in r.stops if s.start > now]
    workers = _workers(session, source, exclude)
    resume = {
        w.id: _resume(
            session, source, w, started.get(w.id, []), now_s, (positions or {}).get(w.id), tz
        )
        for w in workers
    }
    drafts = _replan_drafts(session, source, open_stops, urgent_client_ids)
    built = build.assemble(
        session,
        office_id=source.office_id,
        day=source.day,
        workers=workers,
        drafts=drafts,
        settings=settings,
        provider=provider,
        resume=resume,
    )
    solved = solve(built.problem, params, on_progress)
    plan = _new_plan(session, built, user_id, params, kind="replan")
    plan.params.update({"from_plan": source.id, "now": now.isoformat()})
    plan.params["exclude_worker_ids"] = sorted(exclude)
    plan.params["urgent_client_ids"] = list(urgent_client_ids)
    new_routes = {int(r.worker_id): r for r in solved.routes}
    worker_ids = sorted(set(started) | set(new_routes))
    old_routes = {r.worker_id: r for r in source.routes}
    routes: list[PlanRoute] = []
    for worker_id in worker_ids:
        old, new = old_routes.get(worker_id), new_routes.get(worker_id)
        row = _merged_route(built, old, started.get(worker_id, []), new)
        if row is not None:
            routes.append(row)
    plan.unplanned = _unplanned_rows(built, solved)
    _set_routes(session, plan, routes)
    _finish(plan, solved)
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
) -> Resume:
    """Where the worker goes on from: the reported position, else the last client started,
    else the start point; free once the visit under way ends."""
    route = next((r for r in plan.routes if r.worker_id == worker.id), None)
    free_at = now_s
    where = position
    if started:
        last = started[-1]
        free_at = max(now_s, build.seconds_since_midnight(last.end, plan.day, tz))
        client = session.get(Client, last.client_id)
        where = where or (build.location_of(client.location) if client else None)
    lunch_done = bool(
        route is not None
        and route.break_end is not None
        and build.seconds_since_midnight(route.break_end, plan.day, tz) <= now_s
    )
    worked = sum(s.travel_s + int((s.end - s.start).total_seconds()) for s in started)
    return Resume(location=where, not_before=free_at, lunch_done=lunch_done, worked_s=worked)


def _replan_drafts(
    session: Session,
    plan: Plan,
    open_stops: list[PlanStop],
    urgent_client_ids: Sequence[int],
) -> list[VisitDraft]:
    """Visits still to do: the plan's open stops and unplanned visits, plus urgent visits at
    the highest priority."""
    drafts = {d.client.id: d for d in _plan_drafts(session, plan, open_stops)}
    for client_id in urgent_client_ids:
        if client_id in drafts:
            drafts[client_id] = dataclasses.replace(drafts[client_id], priority=build.URGENT)
            continue
        client = session.get(Client, client_id)
        if client is None or client.office_id != plan.office_id:
            raise PlanRuleError(f"client {client_id} is not served by this office", status=404)
        try:
            drafts[client_id] = build.urgent_draft(session, client=client, day=plan.day)
        except ValueError as exc:
            raise PlanRuleError(str(exc), rule="no_care_plan") from exc
    return list(drafts.values())


def _merged_route(
    built: Built, old: PlanRoute | None, started: list[PlanStop], new: Route | None
) -> PlanRoute | None:
    """The stops already under way (pinned, as they were) followed by the re-planned ones."""
    if not started and (new is None or not new.stops):
        return None
    if new is None or not new.stops:
        assert old is not None
        ended = started[-1].end
        lunch_taken = old.break_end is not None and old.break_end <= ended
        row = PlanRoute(
            worker_id=old.worker_id,
            start=old.start,
            end=ended,
            break_start=old.break_start if lunch_taken else None,
            break_end=old.break_end if lunch_taken else None,
            travel_s=sum(s.travel_s for s in started),
            service_s=sum(int((s.end - s.start).total_seconds()) for s in started),
            wait_s=sum(s.wait_s for s in started),
            distance_m=0,
        )
        row.stops = [_pinned_copy(s, n) for n, s in enumerate(started, start=1)]
        return row
    row = _route_row(built, new, pinned=set())
    if started and old is not None:
        row.start = old.start
        if new.break_start is None and old.break_start is not None:
            row.break_start, row.break_end = old.break_start, old.break_end
        row.travel_s += sum(s.travel_s for s in started)
        row.service_s += sum(int((s.end - s.start).total_seconds()) for s in started)
        row.wait_s += sum(s.wait_s for s in started)
        stops = list(row.stops)
        row.stops = [_pinned_copy(s, n) for n, s in enumerate(started, start=1)]
        for n, stop in enumerate(stops, start=len(started) + 1):
            stop.seq = n
            row.stops.append(stop)
    return row


def _pinned_copy(stop: PlanStop, seq: int) -> PlanStop:
    copy = _copy_stop(stop, seq)
    copy.pinned = True
    copy.why = "under way or done when re-planned"
    return copy
