"""The head of department's review: a day's or a month's visits per worker with their flags,
a decision on each visit (accept, reject, correct), ratings taken by telephone, and the
worker's monthly report (completed by the worker, signed off by the head). The rules live in
`tracking.review`, `tracking.monthly` and `tracking.ratings`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import SupervisorOf
from api.reports import export
from api.reports.schemas import Table
from core.deps import CurrentUser, EditorUser, SessionDep, StaffUser
from core.models import Office, User
from core.settings import get_settings
from mobile_gateway.deps import CurrentWorker
from registry.access import can_edit_office, can_see_office
from registry.models import Worker
from tracking import monthly, ratings, review, visits
from tracking.models import Visit
from tracking.schemas import VisitFact

router = APIRouter(tags=["review"])

# a month the calendar can hold with its neighbours (year 0000 or 9999-12 would overflow a date)
MONTH = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
Month = Annotated[str, Query(pattern=MONTH, description="YYYY-MM")]
NoNul = r"^[^\x00]*$"


class ServiceLine(BaseModel):
    code: str = Field(min_length=1, max_length=20, pattern=NoNul)
    minutes: int | None = Field(None, ge=0, le=24 * 60)


class ReviewIn(BaseModel):
    decision: Literal["accepted", "rejected", "corrected"] = "accepted"
    reason: str = Field("", max_length=300, pattern=NoNul)
    minutes: int | None = Field(None, ge=0, le=24 * 60)  # corrected time on site
    services: list[ServiceLine] | None = Field(None, max_length=50)


class ReviewedVisit(VisitFact):
    review: str | None = None
    review_reason: str | None = None
    reviewed_at: datetime | None = None
    corrected_minutes: int | None = None
    corrected_services: list[dict[str, Any]] | None = None


class ReviewRow(BaseModel):
    id: int
    worker_id: int
    worker_name: str
    client_id: int
    client_name: str
    address: str | None
    day: date
    status: str
    planned_start: datetime | None
    arrived_at: datetime | None
    departed_at: datetime | None
    services: list[dict[str, Any]]
    minutes: int | None
    confirmed: bool | None
    flags: list[str]
    reason: str | None
    max_distance_m: float | None
    on_site_min: float | None
    standard_min: float | None
    review: str | None
    review_reason: str | None
    reviewed_at: datetime | None
    corrected_minutes: int | None
    corrected_services: list[dict[str, Any]] | None
    rating: int | None
    rating_comment: str | None


class ReviewList(BaseModel):
    office_id: int
    start: date
    end: date
    visits: list[ReviewRow]


class PeriodIn(BaseModel):
    day: date | None = None
    month: str | None = Field(None, pattern=MONTH)
    worker_id: int | None = Field(None, ge=1, le=2**31 - 1)


class Accepted(BaseModel):
    accepted: int


class RatingIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=500, pattern=NoNul)


class RatingOut(BaseModel):
    id: int
    visit_id: int | None
    rating: int
    comment: str
    source: str


class CommentIn(BaseModel):
    month: str = Field(pattern=MONTH)
    comment: str = Field("", max_length=2000, pattern=NoNul)


class ReportLine(BaseModel):
    client_id: int
    client_name: str
    service_code: str
    service_name: str
    visits: int
    minutes: int


class MonthlyReport(BaseModel):
    worker_id: int
    worker_name: str
    office_id: int
    month: str
    start: date
    end: date
    state: str  # draft / completed / signed
    worker_comment: str
    completed_at: datetime | None
    head_comment: str
    signed_at: datetime | None
    lines: list[ReportLine]
    total_services: int
    total_minutes: int
    counts: dict[str, int]  # accepted / corrected / rejected / unreviewed finished visits


def _month(value: str) -> date:
    return date(int(value[:4]), int(value[5:7]), 1)


def _period(day: date | None, month: str | None) -> tuple[date, date]:
    if (day is None) == (month is None):
        raise HTTPException(422, detail="give a day or a month")
    if day is not None:
        return day, day
    assert month is not None
    return review.month_bounds(_month(month))


def _visit_of(session: SessionDep, user: User, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None or not can_edit_office(session, user, visit.office_id):
        raise HTTPException(404, detail="visit not found")
    return visit


def _worker_seen(session: SessionDep, user: User, worker_id: int, *, edit: bool) -> Worker:
    worker = session.get(Worker, worker_id)
    if worker is None or not can_see_office(session, user, worker.office_id):
        raise HTTPException(404, detail="worker not found")
    if edit and not can_edit_office(session, user, worker.office_id):
        raise HTTPException(403, detail="only the office's head of department may change it")
    return worker


def _reviewed(visit: Visit) -> ReviewedVisit:
    return ReviewedVisit(**visits.as_json(visit), **review.review_json(visit))


@router.get("/api/offices/{office_id}/review")
def review_list(
    office_id: int,
    user: SupervisorOf,
    session: SessionDep,
    day: date | None = None,
    month: Month | None = None,
    worker_id: int | None = Query(None, ge=1, le=2**31 - 1),
) -> ReviewList:
    """A day's or a month's visits of the office (or one worker), with flags and decisions."""
    start, end = _period(day, month)
    rows = review.visits_for_review(
        session, office_id=office_id, start=start, end=end, worker_id=worker_id
    )
    return ReviewList(
        office_id=office_id, start=start, end=end, visits=[ReviewRow(**row) for row in rows]
    )


@router.post("/api/offices/{office_id}/review/accept-unflagged")
def accept_unflagged(
    office_id: int, body: PeriodIn, user: SupervisorOf, session: SessionDep
) -> Accepted:
    """Accept every finished, unreviewed visit of the period without a flag."""
    start, end = _period(body.day, body.month)
    count = review.accept_unflagged(
        session,
        office_id=office_id,
        start=start,
        end=end,
        worker_id=body.worker_id,
        user=user,
        geofence_m=get_settings().geofence_m,
    )
    return Accepted(accepted=count)


@router.post("/api/visits/{visit_id}/review")
def review_visit(
    visit_id: int,
    user: EditorUser,
    session: SessionDep,
    body: Annotated[ReviewIn | None, Body()] = None,
) -> ReviewedVisit:
    """The head's decision on a visit: accepted (the default, also for far-away taps: it counts
    from now on), rejected (counts nowhere) or corrected (minutes on site and / or services,
    the reported figures kept); a reason for a rejection or a correction. Audited."""
    visit = _visit_of(session, user, visit_id)
    data = body or ReviewIn()
    decided = review.decide(
        session,
        visit=visit,
        user=user,
        decision=data.decision,
        reason=data.reason,
        minutes=data.minutes,
        services=[s.model_dump() for s in data.services] if data.services is not None else None,
        geofence_m=get_settings().geofence_m,
    )
    return _reviewed(decided)


@router.post("/api/visits/{visit_id}/rating", status_code=201)
def record_rating(
    visit_id: int, body: RatingIn, user: EditorUser, session: SessionDep
) -> RatingOut:
    """A rating the client gave by telephone, recorded by the office."""
    visit = _visit_of(session, user, visit_id)
    row = ratings.record_from_office(
        session, visit=visit, user=user, rating=body.rating, comment=body.comment
    )
    return RatingOut(
        id=row.id, visit_id=row.visit_id, rating=row.rating, comment=row.comment, source=row.source
    )


# --- the worker's monthly report ------------------------------------------------------------


@router.get("/api/workers/{worker_id}/monthly-report")
def worker_monthly_report(
    worker_id: int, month: Month, user: StaffUser, session: SessionDep
) -> MonthlyReport:
    """The worker's report of a month: accepted visits per client and service, its state."""
    worker = _worker_seen(session, user, worker_id, edit=False)
    return MonthlyReport(**monthly.view(session, worker=worker, month=_month(month)))


@router.post("/api/workers/{worker_id}/monthly-report/sign")
def sign_monthly_report(
    worker_id: int, body: CommentIn, user: StaffUser, session: SessionDep
) -> MonthlyReport:
    """The head signs a completed report off (refused while visits wait for review)."""
    worker = _worker_seen(session, user, worker_id, edit=True)
    return MonthlyReport(
        **monthly.sign(
            session, worker=worker, month=_month(body.month), user=user, comment=body.comment
        )
    )


@router.post("/api/workers/{worker_id}/monthly-report/send-back")
def send_back_monthly_report(
    worker_id: int, body: CommentIn, user: StaffUser, session: SessionDep
) -> MonthlyReport:
    """The head returns a completed report to the worker, saying why."""
    worker = _worker_seen(session, user, worker_id, edit=True)
    return MonthlyReport(
        **monthly.send_back(
            session, worker=worker, month=_month(body.month), user=user, comment=body.comment
        )
    )


# What the exports answer, for the OpenAPI schema: a file, not JSON.
XLSX_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the report as XLSX",
        "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}},
    }
}


@router.get(
    "/api/workers/{worker_id}/monthly-report/export.xlsx",
    response_class=Response,
    responses=XLSX_ANSWER,
)
def export_monthly_report(
    worker_id: int,
    month: Month,
    user: StaffUser,
    session: SessionDep,
    locale: Literal["ru", "en"] = "ru",
) -> Response:
    """The report as a spreadsheet (texts escaped: nothing in it runs as a formula)."""
    worker = _worker_seen(session, user, worker_id, edit=False)
    return _xlsx(session, monthly.view(session, worker=worker, month=_month(month)), locale)


@router.get("/api/me/monthly-report", tags=["mobile"])
def my_monthly_report(month: Month, worker: CurrentWorker, session: SessionDep) -> MonthlyReport:
    """The worker's own report of a month."""
    return MonthlyReport(**monthly.view(session, worker=worker, month=_month(month)))


@router.post("/api/me/monthly-report/complete", tags=["mobile"])
def complete_monthly_report(
    body: CommentIn, worker: CurrentWorker, user: CurrentUser, session: SessionDep
) -> MonthlyReport:
    """The worker completes their own report of a month: their comment, confirmed."""
    return MonthlyReport(
        **monthly.complete(
            session, worker=worker, month=_month(body.month), user=user, comment=body.comment
        )
    )


@router.get(
    "/api/me/monthly-report/export.xlsx",
    tags=["mobile"],
    response_class=Response,
    responses=XLSX_ANSWER,
)
def export_my_monthly_report(
    month: Month, worker: CurrentWorker, session: SessionDep, locale: Literal["ru", "en"] = "ru"
) -> Response:
    """The worker's own report as a spreadsheet."""
    return _xlsx(session, monthly.view(session, worker=worker, month=_month(month)), locale)


_COLUMNS = [
    {"key": "client_name", "ru": "Получатель услуг", "en": "Client", "kind": "text"},
    {"key": "service_code", "ru": "Код услуги", "en": "Service code", "kind": "text"},
    {"key": "service_name", "ru": "Услуга", "en": "Service", "kind": "text"},
    {"key": "visits", "ru": "Оказано, раз", "en": "Times rendered", "kind": "int"},
    {"key": "minutes", "ru": "Время, мин", "en": "Minutes", "kind": "int"},
]
_STATES = {
    "ru": {"draft": "черновик", "completed": "заполнен работником", "signed": "подписан"},
    "en": {"draft": "draft", "completed": "completed by the worker", "signed": "signed"},
}
_WORDS = {
    "ru": {"total": "Итого", "state": "Состояние", "worker": "Комментарий работника",
           "head": "Комментарий заведующего"},
    "en": {"total": "Total", "state": "State", "worker": "Worker's comment",
           "head": "Head's comment"},
}  # fmt: skip


def _xlsx(session: SessionDep, report: dict[str, Any], locale: str) -> Response:
    words = _WORDS[locale]
    rows = [dict(line) for line in report["lines"]]
    rows.append({"client_name": words["total"], "visits": report["total_services"],
                 "minutes": report["total_minutes"]})  # fmt: skip
    rows.append({"client_name": words["state"], "service_name": _STATES[locale][report["state"]]})
    rows.append({"client_name": words["worker"], "service_name": report["worker_comment"]})
    rows.append({"client_name": words["head"], "service_name": report["head_comment"]})
    table = Table(
        report="worker_month",
        title_ru="Отчёт социального работника за месяц",
        title_en="Worker's monthly report",
        start=report["start"],
        end=report["end"],
        office_ids=[report["office_id"]],
        columns=_COLUMNS,
        rows=rows,
    )
    office = session.get(Office, report["office_id"])
    body = export.to_xlsx(
        table,
        locale=locale,
        office_names=[office.name if office else ""],
        worker_name=report["worker_name"],
    )
    filename = f"worker_month_{report['worker_id']}_{report['month']}.xlsx"
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
