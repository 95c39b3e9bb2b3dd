"""Reports for a user: which offices they may see, the period, and each report as a table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import DomainError
from api.reports import forms, pivot, queries, rollup, scope, tracks, visits
from api.reports.period import check_period, preset_period
from api.reports.schemas import REPORTS, Filters, PivotTable, RollupTable, Table, columns_json
from core.models import Office, Role, User
from core.settings import get_settings
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
    "visits": visits.visits_of_day,
}


def today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def offices_of(session: Session, *, user: User) -> list[Office]:
    """The offices whose reports the user may read (a manager: the region's; a supervisor:
    their own; the national role and an admin: all)."""
    allowed = scope.reach(session, user=user).office_ids
    return list(
        session.scalars(select(Office).where(Office.id.in_(allowed or (-1,))).order_by(Office.name))
    )


def resolve_period(start: date | None, end: date | None, period: str | None) -> tuple[date, date]:
    """The period asked for: a preset, or start and end (this month when nothing is given)."""
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
    return start, end


def hierarchy(
    session: Session,
    *,
    user: User,
    start: date,
    end: date,
    depth: str | None = None,
    region_id: int | None = None,
    centre: str | None = None,
    office_id: int | None = None,
    split: date | None = None,
) -> RollupTable:
    """The pilot's figures per worker and month with subtotals at every level the user may
    read, within a region, centre or office if asked (404 outside the user's reach)."""
    reach = scope.reach(session, user=user)
    office_ids = scope.narrow(
        session, reach_=reach, region_id=region_id, centre=centre, office_id=office_id
    )
    if depth is None:  # one level below the unit asked for
        if office_id is not None or reach.top == "office":
            depth = "worker"
        elif centre is not None:
            depth = "office"
        elif region_id is not None or reach.top == "region":
            depth = "centre"
        else:
            depth = "region"
    if depth not in rollup.LEVELS:
        raise DomainError(f"unknown level {depth!r}", field="depth")
    tracks.refresh(session, office_ids=office_ids, start=start, end=end)
    rows = rollup.rollup(
        session,
        query=rollup.RollupQuery(office_ids, start, end, depth=depth, split=split),
    )
    title_ru, title_en, columns = REPORTS["rollup"]
    return RollupTable(
        report="rollup",
        title_ru=title_ru,
        title_en=title_en,
        start=start,
        end=end,
        office_ids=list(office_ids),
        columns=columns_json(columns),
        rows=rows,
        top=reach.top,
        depth=depth,
        split=split,
    )


def breakdown(
    session: Session,
    *,
    user: User,
    start: date,
    end: date,
    rows: str,
    columns: str | None,
    measure: str,
    locale: str = "ru",
    region_id: int | None = None,
    centre: str | None = None,
    office_id: int | None = None,
) -> PivotTable:
    """Any breakdown of the visits done in the offices the user reads (see `api.reports.pivot`)."""
    for field, value in (("rows", rows), ("columns", columns)):
        if value is not None and value not in pivot.DIMENSIONS:
            raise DomainError(f"unknown dimension {value!r}", field=field)
    if measure not in pivot.MEASURES:
        raise DomainError(f"unknown measure {measure!r}", field="measure")
    if columns == rows:
        columns = None
    reach = scope.reach(session, user=user)
    office_ids = scope.narrow(
        session, reach_=reach, region_id=region_id, centre=centre, office_id=office_id
    )
    found = pivot.pivot(
        session,
        office_ids=office_ids,
        start=start,
        end=end,
        rows=rows,
        columns=columns,
        measure=measure,
    )
    return PivotTable(
        rows=rows,
        columns=columns,
        measure=measure,
        kind=pivot.MEASURES[measure].kind,
        start=start,
        end=end,
        office_ids=list(office_ids),
        row_labels=[pivot.words(rows, k, locale) for k in found["row_keys"]],
        column_labels=[pivot.words(columns, k, locale) for k in found["column_keys"]]
        if columns
        else [],
        **found,
    )


def pivot_as_table(result: PivotTable, *, locale: str) -> Table:
    """A breakdown laid out as a report table (rows, a column per column key, a total)."""
    dim = pivot.DIMENSIONS[result.rows]
    measure = pivot.MEASURES[result.measure]
    total_word = "Итого" if locale == "ru" else "Total"
    heads = [(f"c{n}", label) for n, label in enumerate(result.column_labels)]
    if not heads:
        heads = [("c0", measure.ru if locale == "ru" else measure.en)]
    columns = [{"key": "row", "ru": dim.ru, "en": dim.en, "kind": "text"}]
    columns += [{"key": k, "ru": h, "en": h, "kind": measure.kind} for k, h in heads]
    if result.column_labels:
        columns.append({"key": "total", "ru": total_word, "en": total_word, "kind": measure.kind})
    rows: list[dict[str, Any]] = []
    for label, cells, row_total in zip(
        result.row_labels, result.cells, result.row_totals, strict=True
    ):
        rows.append({"row": label, **{f"c{n}": v for n, v in enumerate(cells)}, "total": row_total})
    totals = result.column_totals if result.column_labels else [result.total]
    rows.append({"row": total_word, **{f"c{n}": v for n, v in enumerate(totals)},
                 "total": result.total})  # fmt: skip
    title_ru = f"{measure.ru}: {dim.ru}"
    title_en = f"{measure.en}: {dim.en}"
    if result.columns:
        title_ru += f" × {pivot.DIMENSIONS[result.columns].ru}"
        title_en += f" × {pivot.DIMENSIONS[result.columns].en}"
    return Table(
        report="pivot",
        title_ru=title_ru,
        title_en=title_en,
        start=result.start,
        end=result.end,
        office_ids=result.office_ids,
        columns=columns,
        rows=rows,
    )


def form(
    session: Session,
    *,
    user: User,
    name: str,
    start: date,
    end: date,
    office_id: int | None = None,
    region_id: int | None = None,
    centre: str | None = None,
) -> bytes:
    """An office's report form as XLSX: a department's (`office_id`) or a centre's (`centre`
    with `region_id`, or the centre of `office_id`); 404 outside the user's reach."""
    reach = scope.reach(session, user=user)
    if name == "department-services":
        if office_id is None:
            raise DomainError("the department's form needs a department", field="office_id")
        ids = scope.narrow(session, reach_=reach, office_id=office_id)
        office = session.get(Office, ids[0])
        assert office is not None
        query = forms.FormQuery(ids, start, end, office.centre or office.name, office.name)
        return forms.department_services(session, query=query)
    if name == "centre-clients":
        if centre is None and office_id is not None:
            office = session.get(
                Office, scope.narrow(session, reach_=reach, office_id=office_id)[0]
            )
            assert office is not None
            centre, region_id = office.centre or office.name, office.region_id
        if centre is None:
            raise DomainError("the centre's form needs a centre", field="centre")
        ids = scope.narrow(session, reach_=reach, region_id=region_id, centre=centre)
        names = "; ".join(
            session.scalars(select(Office.name).where(Office.id.in_(ids)).order_by(Office.name))
        )
        query = forms.FormQuery(ids, start, end, centre, names)
        return forms.centre_clients(session, query=query)
    raise DomainError(f"unknown form {name!r}", status=404)


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
    start, end = resolve_period(start, end, period)
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
    allowed = scope.reach(session, user=user).office_ids
    if visit is None or visit.office_id not in allowed:
        raise DomainError("visit not found", status=404)
    return {"visit_id": visit_id, "events": visits.visit_events(session, visit_id=visit_id)}


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
