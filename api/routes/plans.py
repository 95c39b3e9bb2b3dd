"""Plans over HTTP: start a planning job and follow it (REST or websocket), read versions,
approve, move a visit by hand, re-plan mid-day, and see the care-plan visits due.

Supervisors of the office and admins edit and approve; managers read; workers get 403.
Solving always runs on the job queue (`planner.jobs`), never in the web process.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from typing import Annotated, Any

import redis.asyncio as aioredis
from fastapi import APIRouter, HTTPException, Path, Query, WebSocket, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from api import plan_json
from api.deps import OfficeReader, SupervisorOf, check_supervisor_of
from api.errors import DomainError
from api.schemas import (
    DayCalendar,
    FeatureCollection,
    JobQueued,
    JobStatus,
    MoveAnswer,
    PlanDetail,
    PlanSummary,
    VisitsDue,
)
from core.deps import SessionDep, StaffUser, socket_token, user_from_token
from core.models import Role, User
from core.settings import get_settings
from planner import build, day_events, duty, jobs, moves, plans
from planner import replan as replan_service
from planner.models import Plan
from registry.access import can_see_office
from registry.schemas.fields import Day, Id
from tracking import visits as visit_facts
from tracking.positions import last_seen

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["plans"])

MAX_DUE_DAYS = 400  # a whole contract year, with room
WS_RECHECK_S = 5.0  # the websocket re-reads the job's status this often when nothing comes
# the job queue's ids: letters, digits, underscores and dashes (anything else is no job of ours)
JobId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="a planning job's id")]


class PlanRequest(BaseModel):
    day: Day
    time_limit_s: float | None = Field(None, gt=0, le=600, description="solver time limit")


class MoveRequest(BaseModel):
    """Which visit (a planned stop, or an unplanned client's visit), to whom, where."""

    stop_id: Id | None = None
    client_id: Id | None = None
    to_worker_id: Id
    position: int = Field(0, ge=0, description="0 = first visit of the day")
    dry_run: bool = Field(False, description="only check and show the times; store nothing")

    @model_validator(mode="after")
    def _one_visit(self) -> MoveRequest:
        if (self.stop_id is None) == (self.client_id is None):
            raise ValueError("give either stop_id or client_id")
        return self


class Position(BaseModel):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class UrgentIn(BaseModel):
    """A visit that came in during the day."""

    client_id: Id
    service_codes: list[str] = Field(
        default_factory=list, max_length=50, description="catalogue codes; none: the care plan's"
    )
    deadline: datetime | None = Field(None, description="the visit must be over by then")


class OverrunIn(BaseModel):
    """A visit under way that runs long."""

    client_id: Id
    minutes: int = Field(ge=1, le=day_events.MAX_OVERRUN_MIN)


class ReplanRequest(BaseModel):
    exclude_worker_ids: list[Id] = Field(
        default_factory=list, max_length=500, description="e.g. went home sick"
    )
    urgent_client_ids: list[Id] = Field(default_factory=list, max_length=5000)
    urgent: list[UrgentIn] = Field(default_factory=list, max_length=500)
    overruns: list[OverrunIn] = Field(default_factory=list, max_length=500)
    no_access_client_ids: list[Id] = Field(
        default_factory=list, max_length=500, description="clients who did not open the door"
    )
    now: datetime | None = Field(None, description="default: the current time")
    positions: dict[Id, Position] = Field(
        default_factory=dict, description="latest position per worker id"
    )
    time_limit_s: float | None = Field(None, gt=0, le=600)


# --- access --------------------------------------------------------------------------------


def _plan(session: Session, user: User, plan_id: int, edit: bool = False) -> Plan:
    plan = plans.get_plan(session, plan_id=plan_id)
    if plan is None or not can_see_office(session, user, plan.office_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="plan not found")
    if edit:
        check_supervisor_of(session, user, plan.office_id)
    return plan


def _job(session: Session, user: User, job_id: str) -> dict[str, Any]:
    found = jobs.job_status(job_id)
    if found is None or not can_see_office(session, user, found["office_id"]):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="planning job not found")
    return found


def _rule_error(exc: plans.PlanRuleError) -> DomainError:
    return DomainError(exc.message, status=exc.status)


# --- jobs ----------------------------------------------------------------------------------


@router.post("/offices/{office_id}/plans", status_code=status.HTTP_202_ACCEPTED)
def start_planning(
    office_id: Id, body: PlanRequest, session: SessionDep, user: SupervisorOf
) -> JobQueued:
    """Plan the office's day in the background; follow the job id for progress."""
    job = jobs.enqueue_plan(
        office_id=office_id,
        day=body.day,
        time_limit_s=body.time_limit_s,
        user_id=user.id,
        speeds=_measured_speeds(session, office_id),
    )
    return JobQueued(job_id=job.id, status="queued", office_id=office_id, day=body.day)


def _measured_speeds(session: Session, office_id: int) -> dict[str, tuple[float, float]] | None:
    """Travel speeds measured from the office's pings, when the tracking part is installed."""
    try:
        from tracking.calibration import travel_speeds
    except ImportError:
        return None
    return travel_speeds(session, office_id) or None


@router.get("/plan-jobs/{job_id}")
def planning_job(job_id: JobId, session: SessionDep, user: StaffUser) -> JobStatus:
    return JobStatus(**_job(session, user, job_id))


@router.websocket("/plan-jobs/{job_id}/ws")
async def planning_job_ws(
    websocket: WebSocket, job_id: JobId, session: SessionDep, token: str | None = None
) -> None:
    """Progress messages while the job runs, then one with the plan id (or the error)."""
    try:
        user = await run_in_threadpool(user_from_token, session, socket_token(websocket, token))
        if user.role == Role.WORKER:
            raise HTTPException(status.HTTP_403_FORBIDDEN)
        await run_in_threadpool(_job, session, user, job_id)
    except HTTPException as exc:
        await websocket.close(code=4000 + exc.status_code)
        return
    await websocket.accept()
    listener = aioredis.Redis.from_url(get_settings().redis_url)
    pubsub = listener.pubsub()
    try:
        await pubsub.subscribe(jobs.channel(job_id))
        await _stream(websocket, pubsub, job_id)
    except WebSocketDisconnect:
        pass
    finally:
        await pubsub.aclose()
        await listener.aclose()


async def _stream(websocket: WebSocket, pubsub: Any, job_id: str) -> None:
    current = await run_in_threadpool(jobs.job_status, job_id)
    await websocket.send_json(current)
    last_check = asyncio.get_running_loop().time()
    while current is not None and current["status"] not in jobs.FINAL_STATES:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
        if message is not None:
            current = json.loads(message["data"])
            await websocket.send_json(current)
            continue
        if asyncio.get_running_loop().time() - last_check >= WS_RECHECK_S:
            last_check = asyncio.get_running_loop().time()
            current = await run_in_threadpool(jobs.job_status, job_id)
            if current is None or current["status"] in jobs.FINAL_STATES:
                await websocket.send_json(current)  # e.g. a worker died without a word
    await websocket.close()


# --- versions ------------------------------------------------------------------------------


@router.get("/offices/{office_id}/plans")
def plan_versions(
    office_id: Id, session: SessionDep, user: OfficeReader, day: Annotated[Day, Query()]
) -> list[PlanSummary]:
    versions = plans.list_plans(session, office_id=office_id, day=day)
    return [PlanSummary(**plan_json.plan_summary(p)) for p in versions]


@router.get("/offices/{office_id}/day-calendar")
def day_calendar(
    office_id: Id, session: SessionDep, user: OfficeReader, day: Annotated[Day, Query()]
) -> DayCalendar:
    """The day on the working calendar: a working day, or a holiday (with its name), weekend or
    the office's day off, and how many workers work it (only duty workers on a day off)."""
    kind = duty.day_kind(session, office_id=office_id, day=day)
    return DayCalendar(
        day=kind.day,
        working=kind.working,
        off=kind.off,
        moved_working_day=kind.moved_working_day,
        names=kind.names,
        on_duty=kind.on_duty,
    )


@router.get("/plans/{plan_id}")
def plan_detail(plan_id: Id, session: SessionDep, user: StaffUser) -> PlanDetail:
    return PlanDetail(**plan_json.plan_detail(session, _plan(session, user, plan_id)))


@router.get("/plans/{plan_id}/geojson")
def plan_geojson(plan_id: Id, session: SessionDep, user: StaffUser) -> FeatureCollection:
    return FeatureCollection(**plan_json.plan_geojson(session, _plan(session, user, plan_id)))


@router.post("/plans/{plan_id}/approve")
def approve_plan(plan_id: Id, session: SessionDep, user: StaffUser) -> PlanDetail:
    """Approve a draft; the previously approved version is superseded; the day's visit facts
    follow their visits into it; phones are told."""
    draft = _plan(session, user, plan_id, edit=True)
    previous = plans.approved_plan(session, office_id=draft.office_id, day=draft.day)
    had_route = {r.worker_id for r in previous.routes} if previous is not None else set()
    try:
        plan = plans.approve(session, plan_id=plan_id, user=user)
    except plans.PlanRuleError as exc:
        raise _rule_error(exc) from exc
    visit_facts.follow_approved_plan(session, plan, geofence_m=get_settings().geofence_m)
    _tell_phones(plan, had_route)
    return PlanDetail(**plan_json.plan_detail(session, plan))


def _tell_phones(plan: Plan, had_route: set[int] | None = None) -> None:
    """Tell each worker with a route in the new version, and each who had one in the version
    it replaces (a worker sent home has no route any more), that their day changed."""
    try:
        from tracking.live import publish_plan_change
    except ImportError:
        return
    stops = {r.worker_id: len(r.stops) for r in plan.routes}
    for worker_id in sorted(set(stops) | (had_route or set())):
        change = {
            "plan_id": plan.id,
            "day": plan.day.isoformat(),
            "version": plan.version,
            "stops": stops.get(worker_id, 0),
        }
        try:
            publish_plan_change(plan.office_id, worker_id, change)
        except Exception:  # the plan is approved; the phones also poll
            log.warning("plan change not published", extra={"plan_id": plan.id}, exc_info=True)


@router.post("/plans/{plan_id}/move", response_model=MoveAnswer)
def move_visit(plan_id: Id, body: MoveRequest, session: SessionDep, user: StaffUser) -> Any:
    """Move a visit; 200 with the recomputed plan, or 409 naming the rule the move breaks."""
    plan = _plan(session, user, plan_id, edit=True)
    try:
        result = moves.move_visit(
            session,
            plan_id=plan_id,
            user=user,
            stop_id=body.stop_id,
            client_id=body.client_id,
            to_worker_id=body.to_worker_id,
            position=body.position,
            dry_run=body.dry_run,
            begun=visit_facts.begun_visits(session, office_id=plan.office_id, day=plan.day),
        )
    except plans.PlanRuleError as exc:
        if exc.status != status.HTTP_409_CONFLICT:
            raise _rule_error(exc) from exc
        answer = {"feasible": False, "detail": exc.message, "rule": exc.rule, **exc.details}
        return JSONResponse(answer, status_code=status.HTTP_409_CONFLICT)
    answer: dict[str, Any] = {"feasible": True, "dry_run": result.dry_run}
    if result.dry_run:
        answer["routes"] = _preview(result)
    else:
        answer["plan"] = plan_json.plan_detail(session, result.plan)
    return answer


def _preview(result: moves.MoveResult) -> list[dict[str, Any]]:
    """Recomputed times of a dry-run move, per worker."""
    built = result.built
    at = lambda seconds: build.at(built.day, seconds, built.tz).isoformat()  # noqa: E731
    return [
        {
            "worker_id": int(route.worker_id),
            "start": at(route.start),
            "end": at(route.end),
            "break_start": None if route.break_start is None else at(route.break_start),
            "break_end": None if route.break_end is None else at(route.break_end),
            # Where the lunch is taken: after this client's visit; None = before leaving.
            "lunch_after_client_id": built.drafts[route.lunch_after].client.id
            if route.lunch_after
            else None,
            "stops": [
                {
                    "client_id": built.drafts[s.visit_id].client.id,
                    "arrival": at(s.arrival),
                    "start": at(s.start),
                    "end": at(s.end),
                    "wait_s": s.wait,
                }
                for s in route.stops
            ],
        }
        for route in result.routes
        if route.stops
    ]


@router.post("/plans/{plan_id}/replan", status_code=status.HTTP_202_ACCEPTED)
def replan(plan_id: Id, body: ReplanRequest, session: SessionDep, user: StaffUser) -> JobQueued:
    """Re-plan from now in the background: visits started stay, the rest are planned again."""
    plan = _plan(session, user, plan_id, edit=True)
    now = body.now or datetime.now(build.local_tz())
    if now.tzinfo is None:
        now = now.replace(tzinfo=build.local_tz())
    events = _events(session, plan, body)
    asked = replan_service.ReplanRequest(
        plan_id=plan.id,
        now=now,
        exclude_worker_ids=tuple(body.exclude_worker_ids),
        urgent_client_ids=tuple(body.urgent_client_ids),
        events=events,
    )
    try:
        replan_service.check_request(session, asked)
    except plans.PlanRuleError as exc:
        raise DomainError(
            exc.message, status=exc.status, code=exc.rule or None, params=exc.details
        ) from exc
    job = jobs.enqueue_replan(
        plan_id=plan.id,
        office_id=plan.office_id,
        day=plan.day,
        now=now,
        exclude_worker_ids=body.exclude_worker_ids,
        urgent_client_ids=body.urgent_client_ids,
        positions=_positions(session, plan.office_id, now, body),
        events=events,
        time_limit_s=body.time_limit_s,
        user_id=user.id,
    )
    return JobQueued.model_validate(
        {"job_id": job.id, "status": "queued", "office_id": plan.office_id, "from": plan.id}
    )


def _events(session: Session, plan: Plan, body: ReplanRequest) -> replan_service.DayEvents:
    """The request's events, plus the visits the phones say began (pinned wherever planned)."""

    def aware(moment: datetime | None) -> datetime | None:
        if moment is not None and moment.tzinfo is None:
            return moment.replace(tzinfo=build.local_tz())
        return moment

    overruns: dict[int, int] = {}
    for item in body.overruns:
        overruns[item.client_id] = overruns.get(item.client_id, 0) + item.minutes
    return replan_service.DayEvents(
        urgent=tuple(
            replan_service.UrgentVisit(u.client_id, tuple(u.service_codes), aware(u.deadline))
            for u in body.urgent
        ),
        overrun_minutes=overruns,
        no_access_client_ids=tuple(dict.fromkeys(body.no_access_client_ids)),
        begun_client_ids=tuple(_begun(session, plan)),
    )


def _begun(session: Session, plan: Plan) -> list[int]:
    """Clients whose visit of the plan's day a phone reported begun or done."""
    try:
        from tracking.models import Visit
    except ImportError:
        return []
    rows = session.scalars(
        select(Visit.client_id).where(
            Visit.office_id == plan.office_id,
            Visit.day == plan.day,
            Visit.arrived_at.is_not(None),
        )
    )
    return sorted(set(rows))


def _positions(
    session: Session, office_id: int, now: datetime, body: ReplanRequest
) -> dict[int, tuple[float, float]]:
    """Workers' positions to re-plan from: the request's, else the last pings of the day."""
    if body.positions:
        return {k: (p.lon, p.lat) for k, p in body.positions.items()}
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    seen = last_seen(session, office_id=office_id, since=start_of_day, until=now)
    return {worker_id: (p.lon, p.lat) for worker_id, p in seen.items()}


# --- care-plan expansion -------------------------------------------------------------------


@router.get("/offices/{office_id}/visits-due")
def visits_due(
    office_id: Id,
    session: SessionDep,
    user: OfficeReader,
    day: Day | None = None,
    start: Day | None = None,
    end: Day | None = None,
) -> VisitsDue:
    """The care-plan visits due on a day or from `start` to `end` (a week, a month, a contract)."""
    start = start or day
    end = end or start
    if start is None or end is None:
        raise DomainError("give day, or start and end", status=422, field="day")
    if end < start or (end - start) > timedelta(days=MAX_DUE_DAYS):
        raise DomainError(f"the period must be 1..{MAX_DUE_DAYS} days", status=422, field="end")
    due = build.due_visits(session, office_id=office_id, start=start, end=end)
    visits = [
        {
            "day": visit.day.isoformat(),
            "client_id": client.id,
            "client_name": client.full_name,
            "address": client.address,
            "minutes": visit.minutes,
            "required_skills": sorted(visit.required_skills),
            "services": [
                {"code": s.service_code, "name": s.service_name, "minutes": s.standard_minutes}
                for s in visit.services
            ],
        }
        for client, visit in due
    ]
    per_day: dict[str, dict[str, int]] = {}
    for v in visits:
        figures = per_day.setdefault(v["day"], {"visits": 0, "minutes": 0})
        figures["visits"] += 1
        figures["minutes"] += v["minutes"]
    return VisitsDue.model_validate(
        {"start": start, "end": end, "per_day": per_day, "visits": visits}
    )
