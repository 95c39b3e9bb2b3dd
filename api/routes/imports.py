"""Bulk import over HTTP: upload a CSV, XLSX or GeoJSON file of clients, workers or care plans.

Every row is checked first. The answer is the report: `ok`, rows written, and each bad row with
the column at fault (`{"row": 7, "field": "birth_date", "message": "..."}`). With the default
mode nothing is written unless every row is good (answered 422); `mode=good_rows` writes the
good rows and lists the skipped ones; `mode=check` only checks. Column names are documented in
`registry.importer.read` (Russian headers such as "ФИО", "Адрес", "Дата рождения" are accepted)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse

from api.errors import DomainError
from core.deps import EditorUser, SessionDep
from registry.geocode import geocoder_from_settings
from registry.importer.read import MAX_BYTES, ImportFileError, ImportKind, ImportMode
from registry.importer.service import run_import
from registry.schemas.fields import Id
from registry.schemas.imports import ImportAnswer

router = APIRouter(prefix="/api", tags=["import"])


@router.post(
    "/offices/{office_id}/imports/{kind}",
    summary="Import clients, workers or care plans from CSV, XLSX or GeoJSON",
    response_model=ImportAnswer,
    responses={422: {"description": "bad rows: the report names each row and column"}},
)
def import_file(
    session: SessionDep,
    user: EditorUser,
    office_id: Id,
    kind: ImportKind,
    file: Annotated[UploadFile, File(description=".csv (; or ,), .xlsx or .geojson")],
    mode: Annotated[ImportMode, Query(description="all, good_rows or check")] = ImportMode.ALL,
) -> Any:
    data = file.file.read(MAX_BYTES + 1)
    try:
        report = run_import(
            session,
            user=user,
            office_id=office_id,
            kind=kind,
            data=data,
            filename=file.filename or "upload.csv",
            mode=mode,
            geocoder=geocoder_from_settings(session) if mode != ImportMode.CHECK else None,
        )
    except ImportFileError as exc:
        raise DomainError(str(exc), status=exc.status, field="file") from exc
    rejected = not report.ok and report.written == 0 and mode != ImportMode.CHECK
    if not rejected:
        return report.as_dict()
    detail = f"nothing written: {len(report.errors)} error(s) in the file, see errors"
    return JSONResponse({"detail": detail, **report.as_dict()}, status_code=422)
