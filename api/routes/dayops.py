"""The day's operations for the office: what a re-planned version changes for whom (read
before approving it), and a worker's past day as planned and as tracked, for the map's replay.

Staff who may see the office read both; field workers get 403, other offices' staff 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from api.errors import DomainError
from core.deps import SessionDep, StaffUser
from planner import changes, plans
from registry.access import can_see_office
from registry.models import Worker
from registry.schemas.fields import Day, Id
from tracking import replay

router = APIRouter(prefix="/api", tags=["day operations"])


class StopChangeOut(BaseModel):
    client_id: int
    client_name: str
    start: datetime | None
    old_start: datetime | None
    other_worker_id: int | None


class WorkerChangesOut(BaseModel):
    worker_id: int
    worker_name: str
    off_duty: bool
    added: list[StopChangeOut]
    removed: list[StopChangeOut]
    retimed: list[StopChangeOut]
    kept: int


class LeftOutOut(BaseModel):
    client_id: int
    client_name: str
    code: str
    reason: str
    was_worker_id: int | None


class PlanChangesOut(BaseModel):
    plan_id: int
    against_id: int
    workers: list[WorkerChangesOut]
    unplanned: list[LeftOutOut]


@router.get("/plans/{plan_id}/changes")
def plan_changes(
    plan_id: Id,
    session: SessionDep,
    user: StaffUser,
    against: Annotated[Id | None, Query(description="default: the version re-planned from")] = None,
) -> PlanChangesOut:
    """Per worker, the visits this version adds, takes away and re-times against another."""
    plan = plans.get_plan(session, plan_id=plan_id)
    if plan is None or not can_see_office(session, user, plan.office_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="plan not found")
    base = plans.get_plan(session, plan_id=against) if against else changes.base_of(session, plan)
    if base is None or base.office_id != plan.office_id or base.day != plan.day:
        raise DomainError(
            "no version of the same day to compare with",
            status=422,
            field="against",
            code="changes.no_base",
        )
    found = changes.plan_changes(session, plan=plan, against=base)
    return PlanChangesOut.model_validate(
        {
            "plan_id": found.plan_id,
            "against_id": found.against_id,
            "workers": [
                {
                    "worker_id": w.worker_id,
                    "worker_name": w.worker_name,
                    "off_duty": w.off_duty,
                    "added": [_change(c) for c in w.added],
                    "removed": [_change(c) for c in w.removed],
                    "retimed": [_change(c) for c in w.retimed],
                    "kept": w.kept,
                }
                for w in found.workers
            ],
            "unplanned": [
                {
                    "client_id": u.client_id,
                    "client_name": u.client_name,
                    "code": u.code,
                    "reason": u.reason,
                    "was_worker_id": u.was_worker_id,
                }
                for u in found.unplanned
            ],
        }
    )


def _change(c: changes.StopChange) -> dict[str, object]:
    return {
        "client_id": c.client_id,
        "client_name": c.client_name,
        "start": c.start,
        "old_start": c.old_start,
        "other_worker_id": c.other_worker_id,
    }


class PlannedStopOut(BaseModel):
    seq: int
    client_id: int
    client_name: str
    start: datetime
    end: datetime
    lat: float | None
    lon: float | None


class TrackPointOut(BaseModel):
    t: datetime
    lat: float
    lon: float


class TrackStopOut(BaseModel):
    start: datetime
    end: datetime
    lat: float
    lon: float
    minutes: int


class VisitEventOut(BaseModel):
    type: str
    t: datetime
    client_id: int
    client_name: str
    lat: float | None
    lon: float | None
    outside_geofence: bool
    reason: str


class WorkerDayOut(BaseModel):
    worker_id: int
    worker_name: str
    day: Day
    plan_id: int | None
    planned: list[PlannedStopOut]
    track: list[TrackPointOut]
    stops: list[TrackStopOut]
    events: list[VisitEventOut]


@router.get("/workers/{worker_id}/day-track")
def worker_day_track(
    worker_id: Id, day: Annotated[Day, Query()], session: SessionDep, user: StaffUser
) -> WorkerDayOut:
    """A worker's day for replay: planned route, GPS track, stops and visit events."""
    worker = session.get(Worker, worker_id)
    if worker is None or not can_see_office(session, user, worker.office_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="worker not found")
    found = replay.worker_day(session, worker=worker, day=day)
    return WorkerDayOut.model_validate(
        {
            "worker_id": worker.id,
            "worker_name": worker.full_name,
            "day": day,
            "plan_id": found.plan_id,
            "planned": [
                {
                    "seq": s.seq,
                    "client_id": s.client_id,
                    "client_name": s.client_name,
                    "start": s.start,
                    "end": s.end,
                    "lat": s.lat,
                    "lon": s.lon,
                }
                for s in found.planned
            ],
            "track": [{"t": p.t, "lat": p.lat, "lon": p.lon} for p in found.points],
            "stops": [
                {
                    "start": s.start,
                    "end": s.end,
                    "lat": s.lat,
                    "lon": s.lon,
                    "minutes": int(s.dwell.total_seconds() // 60),
                }
                for s in found.stops
            ],
            "events": [
                {
                    "type": e.type,
                    "t": e.t,
                    "client_id": e.client_id,
                    "client_name": e.client_name,
                    "lat": e.lat,
                    "lon": e.lon,
                    "outside_geofence": e.outside_geofence,
                    "reason": e.reason,
                }
                for e in found.events
            ],
        }
    )
