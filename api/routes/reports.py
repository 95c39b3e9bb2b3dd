"""Reports: JSON tables, CSV/XLSX exports, and the managers' reports page at /reports/.

Managers read every office of their region, supervisors their own offices (another office is
not found: 404), workers none (403).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import FileResponse, Response

from api.reports import export, service
from api.reports.pivot import DIMENSIONS, MEASURES
from api.reports.schemas import (
    Filters,
    PivotTable,
    ReportOffice,
    RollupTable,
    Scope,
    Table,
    VisitEvents,
)
from core.deps import ReportUser, SessionDep
from registry.schemas.fields import Day, Id

router = APIRouter(tags=["reports"])

PAGE = Path(__file__).resolve().parents[1] / "web" / "reports"
PAGE_FILES = {"reports.js": "text/javascript", "reports.css": "text/css",
              "charts.js": "text/javascript", "views.js": "text/javascript",
              "i18n.json": "application/json"}  # fmt: skip
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# What an export answers, for the OpenAPI schema: a file, not JSON.
DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the file (Content-Disposition names it)",
        "content": {"text/csv": {}, MEDIA["xlsx"]: {}},
    }
}
XLSX: dict[int | str, dict[str, Any]] = {
    200: {"description": "the form as XLSX", "content": {MEDIA["xlsx"]: {}}}
}


def report_filters(
    user: ReportUser,
    session: SessionDep,
    office_id: Id | None = None,
    start: Day | None = None,
    end: Day | None = None,
    period: Annotated[str | None, Query(description="this_week / last_week / ...")] = None,
    worker_id: Id | None = None,
) -> Filters:
    return service.resolve_filters(
        session,
        user=user,
        office_id=office_id,
        start=start,
        end=end,
        period=period,
        worker_id=worker_id,
    )


FiltersDep = Annotated[Filters, Depends(report_filters)]


@router.get("/api/reports/offices", response_model=list[ReportOffice])
def report_offices(user: ReportUser, session: SessionDep) -> list[dict[str, Any]]:
    """The offices the user may report on, with their workers (for the filters)."""
    return service.offices_with_workers(session, user=user)


@router.get("/api/reports/visits/{visit_id}/events", response_model=VisitEvents)
def visit_events(visit_id: int, user: ReportUser, session: SessionDep) -> dict[str, Any]:
    return service.visit_detail(session, user=user, visit_id=visit_id)


def report_scope(
    start: Day | None = None,
    end: Day | None = None,
    period: Annotated[str | None, Query(description="this_month / last_month / ...")] = None,
    region_id: Id | None = None,
    centre: Annotated[str | None, Query(max_length=200)] = None,
    office_id: Id | None = None,
) -> Scope:
    """The period and the unit a hierarchy report (rollup, pivot, forms) covers."""
    start, end = service.resolve_period(start, end, period)
    return Scope(start, end, region_id=region_id, centre=centre, office_id=office_id)


ReportScope = Annotated[Scope, Depends(report_scope)]


def rollup_table(
    user: ReportUser,
    session: SessionDep,
    scope: ReportScope,
    depth: Annotated[
        Literal["nation", "region", "centre", "office", "worker"] | None,
        Query(description="the lowest level returned (one below the unit asked for if empty)"),
    ] = None,
    split: Annotated[Day | None, Query(description="before / after the month of this date")] = None,
) -> RollupTable:
    return service.hierarchy(
        session,
        user=user,
        start=scope.start,
        end=scope.end,
        depth=depth,
        region_id=scope.region_id,
        centre=scope.centre,
        office_id=scope.office_id,
        split=split,
    )


RollupDep = Annotated[RollupTable, Depends(rollup_table)]


@router.get("/api/reports/rollup", response_model=RollupTable)
def rollup(table: RollupDep) -> RollupTable:
    """Travel, time on site, visits and services per worker and month, with subtotals for
    every office, centre, region and the nation the user reads (month over month, or before /
    after a date)."""
    return table


@router.get("/api/reports/rollup/export.{fmt}", response_class=Response, responses=DOWNLOAD)
def export_rollup(
    fmt: Literal["csv", "xlsx"],
    table: RollupDep,
    session: SessionDep,
    locale: Literal["ru", "en"] = "ru",
) -> Response:
    return _download(session, table, fmt, locale, Filters(tuple(table.office_ids), table.start,
                                                          table.end))  # fmt: skip


Dimension = Literal[tuple(DIMENSIONS)]  # type: ignore[valid-type]
MeasureName = Literal[tuple(MEASURES)]  # type: ignore[valid-type]


def pivot_table(
    user: ReportUser,
    session: SessionDep,
    rows: Dimension,
    measure: MeasureName,
    scope: ReportScope,
    columns: Dimension | None = None,
    locale: Literal["ru", "en"] = "ru",
) -> PivotTable:
    return service.breakdown(
        session,
        user=user,
        start=scope.start,
        end=scope.end,
        rows=rows,
        columns=columns,
        measure=measure,
        locale=locale,
        region_id=scope.region_id,
        centre=scope.centre,
        office_id=scope.office_id,
    )


PivotDep = Annotated[PivotTable, Depends(pivot_table)]


@router.get("/api/reports/pivot", response_model=PivotTable)
def breakdown(table: PivotDep) -> PivotTable:
    """Any breakdown of the visits done: rows and columns from client category and status, zone,
    service, service category and level, worker, travel mode, day of week, department, month; one
    measure (visits, services, minutes planned and on site, travel, late visits, rating)."""
    return table


@router.get("/api/reports/pivot/export.{fmt}", response_class=Response, responses=DOWNLOAD)
def export_pivot(
    fmt: Literal["csv", "xlsx"],
    table: PivotDep,
    session: SessionDep,
    locale: Literal["ru", "en"] = "ru",
) -> Response:
    filters = Filters(tuple(table.office_ids), table.start, table.end)
    return _download(session, service.pivot_as_table(table, locale=locale), fmt, locale, filters)


@router.get("/api/reports/forms/{form}.xlsx", response_class=Response, responses=XLSX)
def report_form(
    form: Literal["department-services", "centre-clients"],
    user: ReportUser,
    session: SessionDep,
    scope: ReportScope,
) -> Response:
    """The offices' report forms as XLSX: the department's report on services rendered, the
    centre's report on clients by category and kind of service."""
    body = service.form(session, user=user, name=form, start=scope.start, end=scope.end,
                        office_id=scope.office_id, region_id=scope.region_id,
                        centre=scope.centre)  # fmt: skip
    filename = f"{form}_{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.xlsx"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=MEDIA["xlsx"], headers=disposition)


def _download(
    session: SessionDep, table: Table, fmt: str, locale: str, filters: Filters
) -> Response:
    offices, worker = service.filter_names(session, filters=filters)
    write = export.to_csv if fmt == "csv" else export.to_xlsx
    body = write(table, locale=locale, office_names=offices, worker_name=worker)
    filename = f"{table.report}_{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.{fmt}"
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/api/reports/{name}", response_model=Table)
def report(name: str, filters: FiltersDep, session: SessionDep) -> Table:
    return service.report(session, name=name, filters=filters)


@router.get("/api/reports/{name}/export.{fmt}", response_class=Response, responses=DOWNLOAD)
def export_report(
    name: str,
    fmt: Literal["csv", "xlsx"],
    filters: FiltersDep,
    user: ReportUser,
    session: SessionDep,
    locale: Literal["ru", "en"] = "ru",
) -> Response:
    table = service.report(session, name=name, filters=filters)
    return _download(session, table, fmt, locale, filters)


@router.get("/reports/", include_in_schema=False)
def reports_page() -> FileResponse:
    return FileResponse(PAGE / "index.html", media_type="text/html",
                        headers={"Cache-Control": "no-cache"})  # fmt: skip


@router.get("/reports/{file}", include_in_schema=False)
def reports_page_file(file: str) -> FileResponse:
    if file not in PAGE_FILES:
        raise HTTPException(404, detail="not found")
    return FileResponse(PAGE / file, media_type=PAGE_FILES[file],
                        headers={"Cache-Control": "no-cache"})  # fmt: skip
