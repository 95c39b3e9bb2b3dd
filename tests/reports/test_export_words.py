"""Every cell of an export a user reads is in their language: a visit's status, where its
times came from, its flags and yes / no are words, not the codes the database keeps."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from api.reports import export
from api.reports.schemas import VISITS, Table, columns_json
from tracking.visits import STICKY_FLAGS

CODES = {"done", "missed", "no_show", "in_progress", "tapped", "inferred", "late", "geofence",
         "unconfirmed", "unverified", "long_service", "reviewed", "disagreement", "True",
         "False"}  # fmt: skip


def _table() -> Table:
    at = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    rows = [
        {"seq": 1, "client_name": "Аксёнова Вера Николаевна", "address": "ул. Плеханова, 3",
         "planned_start": at, "planned_end": at, "arrived_at": at, "arrival_source": "tapped",
         "departed_at": at, "departure_source": "inferred", "standard_min": 30, "actual_min": 35,
         "status": "done", "services": "A01 (30)", "confirmed": False,
         "flags": "late, geofence, disagreement, unconfirmed, unverified, long_service, reviewed"},
        {"seq": 2, "client_name": "Белов Пётр Ильич", "address": "ул. Плеханова, 5",
         "planned_start": at, "planned_end": at, "arrived_at": None, "arrival_source": None,
         "departed_at": None, "departure_source": None, "standard_min": 0, "actual_min": None,
         "status": "missed", "services": "", "confirmed": True, "flags": ""},
        {"seq": 3, "client_name": "Волкова Зинаида Фёдоровна", "address": "ул. Плеханова, 7",
         "planned_start": at, "planned_end": at, "arrived_at": at, "arrival_source": "tapped",
         "departed_at": None, "departure_source": None, "standard_min": 0, "actual_min": None,
         "status": "no_show", "services": "", "confirmed": False, "flags": ["late"]},
    ]  # fmt: skip
    return Table(
        report="visits",
        title_ru="Посещения",
        title_en="Visits",
        start=date(2026, 11, 24),
        end=date(2026, 11, 24),
        office_ids=[1],
        columns=columns_json(VISITS),
        rows=rows,
    )


def _words(cells: list[str]) -> set[str]:
    return {w for cell in cells for w in re.split(r"[\s,;()]+", cell) if w}


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_no_code_is_left_in_a_visits_export(locale: str) -> None:
    table = _table()
    text = export.to_csv(table, locale=locale, office_names=["Отделение 1"]).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    body = lines[lines.index([export.heading(c, locale) for c in table.columns]) + 1 :]
    cells = [cell for line in body for cell in line]
    # a code may stay only where it is the word itself ("done" in English)
    codes = {c for c in CODES if c not in str(export.WORDS[locale].get(c, "")).split()}
    assert not _words(cells) & codes, _words(cells) & codes
    book = load_workbook(
        io.BytesIO(export.to_xlsx(table, locale=locale, office_names=["Отделение 1"]))
    )
    sheet_cells = [str(c.value) for row in book.active.iter_rows() for c in row if c.value]
    assert not _words(sheet_cells) & codes
    status = next(i for i, c in enumerate(table.columns) if c["key"] == "status")
    flags = next(i for i, c in enumerate(table.columns) if c["key"] == "flags")
    confirmed = next(i for i, c in enumerate(table.columns) if c["key"] == "confirmed")
    if locale == "ru":
        assert [line[status] for line in body] == ["выполнено", "не выполнено", "нет дома"]
        assert body[0][flags].startswith("опоздание, далеко от адреса")
        assert [line[confirmed] for line in body] == ["нет", "да", "нет"]
    else:
        assert [line[status] for line in body] == ["done", "missed", "nobody home"]
        assert [line[confirmed] for line in body] == ["no", "yes", "no"]
        assert not re.search("[а-яё]", body[0][flags], re.I)


def test_every_flag_a_visit_can_carry_has_words() -> None:
    from tracking import visits

    documented = set(re.findall(r"^- `(\w+)`", visits.__doc__ or "", re.M)) | set(STICKY_FLAGS)
    assert {"late", "unconfirmed", "unverified", "reviewed"} <= documented
    for locale in ("ru", "en"):
        assert documented <= set(export.WORDS[locale]), documented - set(export.WORDS[locale])
