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
from api.reports.schemas import Filters, Table
from core.deps import ReportUser, SessionDep
from registry.schemas import Day, Id

router = APIRouter(tags=["reports"])

PAGE = Path(__file__).resolve().parents[1] / "web" / "reports"
PAGE_FILES = {"reports.js": "text/javascript", "reports.css": "text/css",
              "charts.js": "text/javascript", "i18n.json": "application/json"}  # fmt: skip
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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


@router.get("/api/reports/offices")
def report_offices(user: ReportUser, session: SessionDep) -> list[dict[str, Any]]:
    """The offices the user may report on, with their workers (for the filters)."""
    return service.offices_with_workers(session, user=user)


@router.get("/api/reports/visits/{visit_id}/events")
def visit_events(visit_id: int, user: ReportUser, session: SessionDep) -> dict[str, Any]:
    return service.visit_detail(session, user=user, visit_id=visit_id)


@router.get("/api/reports/{name}", response_model=Table)
def report(name: str, filters: FiltersDep, session: SessionDep) -> Table:
    return service.report(session, name=name, filters=filters)


@router.get("/api/reports/{name}/export.{fmt}")
def export_report(
    name: str,
    fmt: Literal["csv", "xlsx"],
    filters: FiltersDep,
    user: ReportUser,
    session: SessionDep,
    locale: Literal["ru", "en"] = "ru",
) -> Response:
    table = service.report(session, name=name, filters=filters)
    offices, worker = service.filter_names(session, filters=filters)
    write = export.to_csv if fmt == "csv" else export.to_xlsx
    body = write(table, locale=locale, office_names=offices, worker_name=worker)
    filename = f"{name}_{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.{fmt}"
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


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
