"""Reports for a user: which offices they may see, the period, and each report as a table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import DomainError
from api.reports import queries, tracks
from api.reports.period import check_period, preset_period
from api.reports.schemas import REPORTS, Filters, Table, columns_json
from core.models import Office, Role, User
from core.settings import get_settings
from registry.access import office_ids as visible_office_ids
from registry.models import Worker

Query = Callable[..., list[dict[str, Any]]]

QUERIES: dict[str, Query] = {
    "worker-timing": queries.worker_timing,
    "care-plan": queries.care_plan_fulfilment,
    "calibration": queries.calibration,
    "services": queries.services_rendered,
    "clients": queries.clients_served,
    "workers": queries.workers_report,
    "feedback": queries.feedback,
    "visits": queries.visits_of_day,
}


def today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def offices_of(session: Session, *, user: User) -> list[Office]:
    """The offices whose reports the user may read (a manager: the region's; a supervisor:
    their own; an admin: all)."""
    allowed = visible_office_ids(session, user)
    query = select(Office).order_by(Office.name)
    if allowed is not None:
        query = query.where(Office.id.in_(allowed or {-1}))
    return list(session.scalars(query))


def resolve_filters(
    session: Session,
    *,
    user: User,
    office_id: int | None,
    start: date | None,
    end: date | None,
    period: str | None,
    worker_id: int | None = None,
) -> Filters:
    """The report's filters; an office or worker outside the user's reach is not found (404)."""
    if user.role == Role.WORKER:
        raise DomainError("reports are for supervisors and managers", status=403)
    if period:
        try:
            start, end = preset_period(period, today())
        except ValueError as exc:
            raise DomainError(str(exc), field="period") from exc
    if start is None or end is None:
        start, end = preset_period("this_month", today())
    try:
        check_period(start, end)
    except ValueError as exc:
        raise DomainError(str(exc), field="end") from exc
    reachable = [o.id for o in offices_of(session, user=user)]
    if office_id is not None:
        if office_id not in reachable:
            raise DomainError("office not found", status=404, field="office_id")
        reachable = [office_id]
    if worker_id is not None:
        worker = session.get(Worker, worker_id)
        if worker is None or worker.office_id not in reachable:
            raise DomainError("worker not found", status=404, field="worker_id")
    return Filters(office_ids=tuple(reachable), start=start, end=end, worker_id=worker_id)


def report(session: Session, *, name: str, filters: Filters) -> Table:
    """One report as a table (the ping summaries of the period are brought up to date first)."""
    if name not in QUERIES:
        raise DomainError(f"unknown report {name!r}", status=404)
    if name == "visits" and filters.worker_id is None:
        raise DomainError("the visits of a day need a worker", field="worker_id")
    if name == "worker-timing" and filters.office_ids:
        tracks.refresh(session, office_ids=filters.office_ids, start=filters.start, end=filters.end)
    rows = QUERIES[name](session, filters=filters) if filters.office_ids else []
    title_ru, title_en, columns = REPORTS[name]
    return Table(
        report=name,
        title_ru=title_ru,
        title_en=title_en,
        start=filters.start,
        end=filters.end,
        office_ids=list(filters.office_ids),
        columns=columns_json(columns),
        rows=rows,
    )


def visit_detail(session: Session, *, user: User, visit_id: int) -> dict[str, Any]:
    """One visit's taps, if the user may see its office (404 otherwise)."""
    from tracking.models import Visit

    visit = session.get(Visit, visit_id)
    allowed = visible_office_ids(session, user)
    if visit is None or (allowed is not None and visit.office_id not in allowed):
        raise DomainError("visit not found", status=404)
    return {"visit_id": visit_id, "events": queries.visit_events(session, visit_id=visit_id)}


def offices_with_workers(session: Session, *, user: User) -> list[dict[str, Any]]:
    """The offices the user may report on, each with its workers."""
    offices = offices_of(session, user=user)
    workers = session.scalars(
        select(Worker)
        .where(Worker.office_id.in_([o.id for o in offices] or [-1]))
        .order_by(Worker.full_name)
    )
    by_office: dict[int, list[dict[str, Any]]] = {o.id: [] for o in offices}
    for worker in workers:
        by_office[worker.office_id].append({"id": worker.id, "name": worker.full_name})
    return [
        {"id": o.id, "name": o.name, "centre": o.centre, "workers": by_office[o.id]}
        for o in offices
    ]


def filter_names(session: Session, *, filters: Filters) -> tuple[list[str], str | None]:
    """The names of the filtered offices and worker, for the exports' header rows."""
    names = list(
        session.scalars(
            select(Office.name).where(Office.id.in_(filters.office_ids)).order_by(Office.name)
        )
    )
    worker = session.get(Worker, filters.worker_id) if filters.worker_id else None
    return names, worker.full_name if worker else None
