"""Plans in the database: solve an office's day into a new draft version, list and read versions,
approve, and read a stored plan back as planner input (for moves and re-plans).

Versions: every solve or re-plan stores a new draft (version = last + 1 for that office and
day). Approving a draft supersedes the office-day's previously approved version.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.models import User
from core.settings import Settings, get_settings
from planner import build, duty, lunch_rows
from planner.build import Built, VisitDraft
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop, PlanUnplanned
from planner.problem import Plan as SolvedPlan
from planner.problem import Progress, Route, SolveParams
from planner.travel import TravelTimeProvider
from registry.models import Client, Worker

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


def next_version(session: Session, office_id: int, day: date) -> int:
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
    """Solve the office's day from the registry and store it as a new draft version, in one
    session (the planning job solves with no session open: `prepare_day`, `solve`,
    `store_day`); `speeds`: measured (km/h, detour) per travel mode for the straight line."""
    settings = settings or get_settings()
    params = params or SolveParams(time_limit_s=settings.plan_time_limit_s)
    built = prepare_day(
        session, office_id=office_id, day=day, settings=settings, provider=provider, speeds=speeds
    )
    solved = solve(built, params, on_progress)
    return store_day(session, built, solved, user_id=user_id, params=params)


def prepare_day(
    session: Session,
    *,
    office_id: int,
    day: date,
    provider: TravelTimeProvider | None = None,
    settings: Settings | None = None,
    speeds: Mapping[str, tuple[float, float]] | None = None,
) -> Built:
    """The office's day read from the registry as the solver's problem."""
    built = build.build_problem(
        session,
        office_id=office_id,
        day=day,
        settings=settings or get_settings(),
        provider=provider,
        speeds=build.calibrated(dict(speeds or {})),
    )
    built.speeds = dict(speeds or {})
    return built


def solve(
    built: Built, params: SolveParams, on_progress: ProgressCallback | None = None
) -> SolvedPlan:
    """The day solver on a prepared day: CPU only, no database."""
    from planner.solver import solve as solve_problem

    return solve_problem(built.problem, params, on_progress)


def store_day(
    session: Session, built: Built, solved: SolvedPlan, *, user_id: int | None, params: SolveParams
) -> Plan:
    """A solved day stored as the office-day's next draft version."""
    plan = new_plan(session, built, user_id, params, kind="plan")
    plan.unplanned = unplanned_rows(built, solved)
    routes = [route_row(built, r, pinned=set()) for r in solved.routes if r.stops]
    set_routes(session, plan, routes)
    finish(plan, solved)
    session.flush()
    return plan


def set_routes(session: Session, plan: Plan, routes: list[PlanRoute]) -> None:
    """Give the plan these routes; stops also carry the plan id (for queries by plan)."""
    if plan.id is None:
        session.add(plan)
        session.flush()
    for route in routes:
        for stop in route.stops:
            stop.plan_id = plan.id
    plan.routes = routes


def new_plan(
    session: Session, built: Built, user_id: int | None, params: SolveParams, kind: str
) -> Plan:
    extra = {"speeds": {m: list(v) for m, v in built.speeds.items()}} if built.speeds else {}
    return Plan(
        office_id=built.office_id,
        day=built.day,
        version=next_version(session, built.office_id, built.day),
        status=PlanStatus.DRAFT,
        created_by=user_id,
        params={"kind": kind, **dataclasses.asdict(params), **extra},
    )


def plan_speeds(plan: Plan) -> dict[str, tuple[float, float]]:
    """The measured speeds a stored plan was made with (none: the default ones)."""
    stored = (plan.params or {}).get("speeds") or {}
    return {str(mode): (float(v[0]), float(v[1])) for mode, v in stored.items()}


def plan_travel(plan: Plan, settings: Settings | None = None) -> TravelTimeProvider:
    """The travel times a stored plan was made with, for a move or a re-plan of it."""
    return build.travel_provider(settings, build.calibrated(plan_speeds(plan)))


def finish(plan: Plan, solved: SolvedPlan | None) -> None:
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


def route_row(
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
    after = built.drafts[route.lunch_after].client.id if route.lunch_after else None
    row.lunch_place, row.lunch_after_client_id = lunch_rows.place_columns(
        after, route.break_start is not None
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


def unplanned_rows(built: Built, solved: SolvedPlan) -> list[PlanUnplanned]:
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
    plan = plan_or_404(session, plan_id)
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


def plan_or_404(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise PlanRuleError("plan not found", status=404)
    return plan


# --- the plan as a Problem again (moves and re-plans) --------------------------------------


def visit_key(client_id: int, day: date) -> str:
    return f"{client_id}@{day.isoformat()}"


def plan_drafts(session: Session, plan: Plan, stops: Sequence[PlanStop]) -> list[VisitDraft]:
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
                id=visit_key(client.id, plan.day),
                client=client,
                services=services[client.id],
                required_skills=frozenset(skills),
                preferred_worker=str(preferred) if preferred else None,
            )
        )
    return drafts


def plan_workers(
    session: Session, plan: Plan, exclude: frozenset[int] = frozenset()
) -> list[Worker]:
    """Workers on duty that day plus those with a route in the plan, minus `exclude`."""
    on_duty = duty.on_duty(session, office_id=plan.office_id, day=plan.day)
    ids = {w.id for w in on_duty} | {r.worker_id for r in plan.routes}
    rows = session.scalars(select(Worker).where(Worker.id.in_(ids)).order_by(Worker.id))
    return [w for w in rows if w.id not in exclude]


def route_sequences(plan: Plan) -> dict[str, list[str]]:
    return {
        str(r.worker_id): [visit_key(s.client_id, plan.day) for s in r.stops] for r in plan.routes
    }
