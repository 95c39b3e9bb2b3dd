"""Week and month plans over HTTP: plan an office's period as a job, read the week view,
approve a day or the whole week, re-plan one day, move a visit to another day with an
immediate check, and see where queued clients fit.

Supervisors of the office and admins plan, move and approve; managers read; workers get 403.
Solving runs on the job queue (`planner.week_jobs`), never in the web process.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import plan_json, week_json
from api.deps import OfficeReader, SupervisorOf, check_supervisor_of
from api.errors import DomainError
from api.routes.plans import _tell_phones
from api.schemas import JobQueued, Open, PlanSummary
from core.deps import SessionDep, StaffUser
from core.models import User
from planner import week_fit, week_jobs, week_moves, week_store
from planner.build import location_of
from planner.calendar import iso_week, month
from planner.models import PlanWeek
from planner.week_build import MAX_DAYS, check_rules
from planner.week_problem import RuleError
from registry.access import can_see_office
from registry.models import Client, Worker
from registry.schemas.fields import Day, Id
from tracking import visits as visit_facts

router = APIRouter(prefix="/api", tags=["week plans"])


class WeekRequest(BaseModel):
    """The period: an ISO week ('2026-W50'), a month ('2026-12'), or start and end."""

    week: str | None = Field(None, max_length=10, examples=["2026-W50"])
    month: str | None = Field(None, max_length=7, examples=["2026-12"])
    start: Day | None = None
    end: Day | None = None
    time_limit_s: float | None = Field(None, gt=0, le=1800, description="for the whole period")

    @model_validator(mode="after")
    def _one_period(self) -> WeekRequest:
        given = [self.week is not None, self.month is not None, self.start is not None]
        if sum(given) != 1:
            raise ValueError("give week, month, or start and end")
        return self

    def period(self) -> tuple[date, date]:
        try:
            if self.week is not None:
                return iso_week(self.week)
            if self.month is not None:
                return month(self.month)
        except ValueError as exc:
            raise DomainError(
                str(exc), status=422, field="week" if self.week else "month"
            ) from None
        assert self.start is not None
        return self.start, self.end or self.start


class WeekMoveRequest(BaseModel):
    client_id: Id
    from_day: Day
    to_day: Day
    to_worker_id: Id
    dry_run: bool = Field(False, description="only check; store nothing")


class ApproveWeekRequest(BaseModel):
    day: Day | None = Field(None, description="one day; none: every day of the week")


class ReplanDayRequest(BaseModel):
    time_limit_s: float | None = Field(None, gt=0, le=600)


class WeekSummary(Open):
    id: int
    office_id: int
    start: date
    end: date


class WeekView(WeekSummary):
    days: list[dict[str, Any]]
    workers: list[dict[str, Any]]


class WeekMoveAnswer(Open):
    feasible: bool
    dry_run: bool
    added_travel_minutes: float
    plans: list[PlanSummary] = Field(default_factory=list)


class FitAnswer(Open):
    client_id: int
    fits: bool
    options: list[dict[str, Any]]


def _week(session: Session, user: User, week_id: int, edit: bool = False) -> PlanWeek:
    week = session.get(PlanWeek, week_id)
    if week is None or not can_see_office(session, user, week.office_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="week plan not found")
    if edit:
        check_supervisor_of(session, user, week.office_id)
    return week


def _rule(exc: RuleError) -> DomainError:
    return DomainError(str(exc), status=422, code="week.rule", params={"detail": str(exc)})


@router.post("/offices/{office_id}/plan-weeks", status_code=status.HTTP_202_ACCEPTED)
def start_week(
    office_id: Id, body: WeekRequest, session: SessionDep, user: SupervisorOf
) -> JobQueued:
    """Plan the office's week or month in the background: one draft per day, linked as a
    week. A rule the period cannot hold is refused at once (422, naming the client and line)."""
    start, end = body.period()
    if end < start or (end - start).days >= MAX_DAYS:
        raise DomainError(f"the period must be 1..{MAX_DAYS} days", status=422, field="end")
    try:
        check_rules(session, office_id=office_id, start=start, end=end)
    except RuleError as exc:
        raise _rule(exc) from exc
    job = week_jobs.enqueue_week(
        office_id=office_id, start=start, end=end, time_limit_s=body.time_limit_s, user_id=user.id
    )
    return JobQueued.model_validate(
        {"job_id": job.id, "status": "queued", "office_id": office_id, "start": start, "end": end}
    )


@router.get("/offices/{office_id}/plan-weeks")
def list_weeks(office_id: Id, session: SessionDep, user: OfficeReader) -> list[WeekSummary]:
    """The office's week plans, newest first."""
    rows = session.scalars(
        select(PlanWeek).where(PlanWeek.office_id == office_id).order_by(PlanWeek.id.desc())
    ).all()
    return [WeekSummary(**week_json.week_summary(w)) for w in rows[:50]]


@router.get("/plan-weeks/{week_id}")
def week_view(week_id: Id, session: SessionDep, user: StaffUser) -> WeekView:
    """Workers x days: each cell's minutes of work and visits, overloads and absences."""
    return WeekView(**week_json.week_view(session, _week(session, user, week_id)))


@router.post("/plan-weeks/{week_id}/approve")
def approve_week(
    week_id: Id, body: ApproveWeekRequest, session: SessionDep, user: StaffUser
) -> list[PlanSummary]:
    """Approve the week's drafts of one day or of every day; phones are told."""
    week = _week(session, user, week_id, edit=True)
    approved = week_store.approve_week(session, week=week, user=user, day=body.day)
    for plan in approved:
        _tell_phones(plan)
    return [PlanSummary(**plan_json.plan_summary(p)) for p in approved]


@router.post("/plan-weeks/{week_id}/days/{day}/replan", status_code=status.HTTP_202_ACCEPTED)
def replan_day(
    week_id: Id, day: date, body: ReplanDayRequest, session: SessionDep, user: StaffUser
) -> JobQueued:
    """Re-plan one day of the week in the background; the other days stay as they are."""
    week = _week(session, user, week_id, edit=True)
    week_store.day_of(session, week, day)
    job = week_jobs.enqueue_day_again(
        week_id=week.id,
        office_id=week.office_id,
        day=day,
        time_limit_s=body.time_limit_s,
        user_id=user.id,
    )
    return JobQueued.model_validate(
        {"job_id": job.id, "status": "queued", "office_id": week.office_id, "day": day}
    )


@router.post("/plan-weeks/{week_id}/move")
def move_to_day(
    week_id: Id, body: WeekMoveRequest, session: SessionDep, user: StaffUser
) -> WeekMoveAnswer:
    """Move a client's visit to another day and worker: 200 when the rule, the tolerance and
    the worker's day with travel allow it, else 409 saying which (nothing is stored)."""
    week = _week(session, user, week_id, edit=True)
    begun = visit_facts.begun_visits(session, office_id=week.office_id, day=body.from_day)
    moved = week_moves.move_to_day(
        session,
        week_id=week_id,
        user=user,
        client_id=body.client_id,
        from_day=body.from_day,
        to_day=body.to_day,
        to_worker_id=body.to_worker_id,
        dry_run=body.dry_run,
        begun=begun,
    )
    return WeekMoveAnswer(
        feasible=True,
        dry_run=body.dry_run,
        added_travel_minutes=round(moved.added_travel_s / 60, 1),
        plans=[PlanSummary(**plan_json.plan_summary(p)) for p in moved.plans],
    )


@router.get("/plan-weeks/{week_id}/fit/{client_id}")
def client_fit(week_id: Id, client_id: Id, session: SessionDep, user: StaffUser) -> FitAnswer:
    """Where a queued client's programme fits in the week: options best first (worker, days,
    minutes and travel added) and every worker's room left in the week."""
    week = _week(session, user, week_id)
    client = session.get(Client, client_id)
    if client is None or client.office_id != week.office_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="client not found")
    advice = week_fit.advise_clients(session, week=week, clients=[client])[client.id]
    return FitAnswer(**week_json.advice_json(advice, client, _names(session, week)))


@router.get("/plan-weeks/{week_id}/fits")
def queued_fits(week_id: Id, session: SessionDep, user: StaffUser) -> list[FitAnswer]:
    """The office's to-enrol list with each client's best place in the week (who fits now)."""
    week = _week(session, user, week_id)
    clients = week_fit.queued_clients(session, week.office_id)
    found = week_fit.advise_clients(session, week=week, clients=clients)
    names = _names(session, week)
    answers = []
    for client in clients:
        answer = week_json.advice_json(found[client.id], client, names)
        answer["options"] = answer["options"][:1]
        answer["room_minutes"] = []
        answer["mapped"] = location_of(client.location) is not None
        answers.append(FitAnswer(**answer))
    return answers


def _names(session: Session, week: PlanWeek) -> dict[int, str]:
    rows = session.execute(
        select(Worker.id, Worker.full_name).where(Worker.office_id == week.office_id)
    ).all()
    return {worker_id: name for worker_id, name in rows}
