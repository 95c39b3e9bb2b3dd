"""The offices' report forms as XLSX, laid out as the paper forms are: the organisation and
department, the title and period, a table with numbered columns, subtotals, and the lines for
signatures.

- `department-services`: a department's report on the social services rendered, by kind of
  service (category) and service: services rendered, clients served, time spent;
- `centre-clients`: a centre's report on its clients: per client category, the clients served
  and, per kind of service, the clients who received it and the services rendered; then the
  same per department.

Counts come from done visits (arrived and departed) in the period, as every other report.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.reports.export import safe_text
from core.settings import get_settings

FORMS = ("department-services", "centre-clients")

_ITEMS = """
    WITH items AS (
        SELECT v.office_id, v.client_id, v.id AS visit_id, e ->> 'code' AS code,
               coalesce((e ->> 'minutes')::numeric, s.standard_minutes) AS minutes,
               coalesce(s.name, e ->> 'code') AS name, coalesce(nullif(s.category, ''), '—')
                   AS category
        FROM visit v
        CROSS JOIN LATERAL jsonb_array_elements(v.services) e
        LEFT JOIN service s ON s.office_id = v.office_id AND s.code = e ->> 'code'
        WHERE v.office_id = ANY(:offices) AND v.day BETWEEN :start AND :end
          AND v.status = 'done' AND v.arrived_at IS NOT NULL AND v.departed_at IS NOT NULL
    )
"""

_SERVICES = (
    _ITEMS
    + """
    SELECT category, code, min(name) AS name, GROUPING(category, code) AS g,
           count(*) AS rendered, count(DISTINCT client_id) AS clients,
           round(sum(minutes)) AS minutes
    FROM items
    GROUP BY ROLLUP (category, code)
    ORDER BY category NULLS LAST, g, code
"""
)

_CLIENTS = (
    _ITEMS
    + """
    , cats AS (
        SELECT i.*, cat.name AS client_category
        FROM items i JOIN client c ON c.id = i.client_id
        CROSS JOIN LATERAL unnest(CASE WHEN cardinality(c.categories) > 0 THEN c.categories
                                       ELSE ARRAY['—'] END) AS cat(name)
    )
    SELECT client_category, category, GROUPING(client_category, category) AS g,
           count(DISTINCT client_id) AS clients, count(*) AS rendered
    FROM cats
    GROUP BY GROUPING SETS ((client_category, category), (client_category))
    UNION ALL  -- the totals from the services themselves: each counted once
    SELECT NULL, category, 2, count(DISTINCT client_id), count(*) FROM items GROUP BY category
    UNION ALL
    SELECT NULL, NULL, 3, count(DISTINCT client_id), count(*) FROM items
"""
)

_BY_OFFICE = (
    _ITEMS
    + """
    SELECT o.name AS office, i.category, GROUPING(o.name, i.category) AS g,
           count(DISTINCT i.client_id) AS clients, count(*) AS rendered
    FROM items i JOIN office o ON o.id = i.office_id
    GROUP BY GROUPING SETS ((o.name, i.category), (o.name))
    ORDER BY o.name, g, i.category
"""
)


@dataclass(frozen=True, slots=True)
class FormQuery:
    office_ids: tuple[int, ...]
    start: date
    end: date
    organisation: str  # the centre
    unit: str  # the department, or the centre's departments


THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _rows(session: Session, sql: str, query: FormQuery) -> list[dict[str, Any]]:
    session.execute(text("SET LOCAL jit = off"))
    params = {"offices": list(query.office_ids), "start": query.start, "end": query.end}
    return [dict(r._mapping) for r in session.execute(text(sql), params)]


def _hours(minutes: Any) -> float:
    """Minutes as a spreadsheet time value (days), shown as [h]:mm."""
    return float(minutes or 0) / 1440


class _Sheet:
    """Writes a form top to bottom: header lines, a bordered table, signatures."""

    def __init__(self, book: Workbook, title: str, widths: list[int]) -> None:
        self.sheet = book.active if book.active is not None else book.create_sheet()
        self.sheet.title = title[:31]
        self.width = len(widths)
        for n, w in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(n)].width = w
        self.row = 1

    def line(self, value: str, *, bold: bool = False, centre: bool = False) -> None:
        cell = self.sheet.cell(self.row, 1, safe_text(value))
        self.sheet.merge_cells(start_row=self.row, start_column=1, end_row=self.row,
                               end_column=self.width)  # fmt: skip
        cell.font = Font(bold=bold)
        if centre:
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        self.row += 1

    def table_row(self, values: list[Any], *, head: bool = False, bold: bool = False,
                  formats: dict[int, str] | None = None) -> None:  # fmt: skip
        for n, value in enumerate(values, start=1):
            cell = self.sheet.cell(
                self.row, n, safe_text(value) if isinstance(value, str) else value
            )
            cell.border = BOX
            if head:
                cell.alignment = WRAP
            if head or bold:
                cell.font = BOLD
            if formats and n in formats:
                cell.number_format = formats[n]
        self.row += 1

    def skip(self) -> None:
        self.row += 1


def _header(form: _Sheet, query: FormQuery, title: str) -> None:
    form.line(query.organisation, bold=True, centre=True)
    form.line(query.unit, centre=True)
    form.skip()
    form.line(title, bold=True, centre=True)
    form.line(f"за период с {query.start:%d.%m.%Y} по {query.end:%d.%m.%Y}", centre=True)
    form.skip()


def _footer(form: _Sheet, signer: str) -> None:
    now = datetime.now(ZoneInfo(get_settings().timezone))
    form.skip()
    form.line(f"{signer} _______________ / _______________ /")
    form.line(f"Дата составления: {now:%d.%m.%Y}")


def department_services(session: Session, *, query: FormQuery) -> bytes:
    """The department's report on the social services rendered, by kind and service."""
    rows = _rows(session, _SERVICES, query)
    book = Workbook()
    form = _Sheet(book, "Услуги", [6, 14, 60, 16, 16, 14])
    _header(form, query, "ОТЧЁТ об оказанных социальных услугах")
    form.table_row(["№ п/п", "Код услуги", "Наименование социальной услуги",
                    "Количество оказанных услуг", "Количество получателей услуг",
                    "Затраченное время, ч:мм"], head=True)  # fmt: skip
    form.table_row(list(range(1, 7)), head=True)
    number = 0
    current: str | None = None  # the kind of service whose services are being listed
    hours = {6: "[h]:mm"}
    for row in rows:
        if row["g"] == 3:
            form.table_row(["", "", "ИТОГО", row["rendered"], row["clients"],
                            _hours(row["minutes"])], bold=True, formats=hours)  # fmt: skip
        elif row["g"] == 1:
            form.table_row(["", "", f"Итого: {row['category']}", row["rendered"], row["clients"],
                            _hours(row["minutes"])], bold=True, formats=hours)  # fmt: skip
        else:
            if row["category"] != current:
                form.table_row(["", "", row["category"], "", "", ""], bold=True)
                current = row["category"]
            number += 1
            form.table_row([number, row["code"], row["name"], row["rendered"], row["clients"],
                            _hours(row["minutes"])], formats=hours)  # fmt: skip
    if not rows:
        form.table_row(["", "", "ИТОГО", 0, 0, 0.0], bold=True, formats=hours)
    _footer(form, "Заведующий отделением")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def centre_clients(session: Session, *, query: FormQuery) -> bytes:
    """The centre's report on its clients: per category and kind of service, and per
    department."""
    rows = _rows(session, _CLIENTS, query)
    by_office = _rows(session, _BY_OFFICE, query)
    kinds = sorted({r["category"] for r in rows if r["category"] is not None})
    book = Workbook()
    widths = [6, 40, 14] + [14, 14] * len(kinds)
    form = _Sheet(book, "Получатели", widths)
    _header(form, query, "ОТЧЁТ о получателях социальных услуг по категориям и видам услуг")
    heads = ["№ п/п", "Категория получателей", "Обслужено получателей, всего"]
    for kind in kinds:
        heads += [f"{kind}: получателей", f"{kind}: оказано услуг"]
    form.table_row(heads, head=True)
    form.table_row(list(range(1, len(heads) + 1)), head=True)
    cells = {(r["client_category"], r["category"]): r for r in rows}
    categories = sorted({r["client_category"] for r in rows if r["client_category"] is not None})
    for number, category in enumerate(categories, start=1):
        values: list[Any] = [number, category, cells[(category, None)]["clients"]]
        for kind in kinds:
            cell = cells.get((category, kind))
            values += [cell["clients"] if cell else 0, cell["rendered"] if cell else 0]
        form.table_row(values)
    total = next((r for r in rows if r["g"] == 3), {"clients": 0, "rendered": 0})
    values = ["", "ИТОГО (каждый получатель один раз)", total["clients"]]
    for kind in kinds:
        cell = cells.get((None, kind))
        values += [cell["clients"] if cell else 0, cell["rendered"] if cell else 0]
    form.table_row(values, bold=True)
    form.skip()
    form.line("По отделениям", bold=True)
    form.table_row(["№ п/п", "Отделение", "Обслужено получателей, всего"]
                   + [h for k in kinds for h in (f"{k}: получателей", f"{k}: оказано услуг")],
                   head=True)  # fmt: skip
    offices = [r["office"] for r in by_office if r["g"] == 1]
    office_cells = {(r["office"], r["category"]): r for r in by_office}
    for number, office in enumerate(offices, start=1):
        values = [number, office, office_cells[(office, None)]["clients"]]
        for kind in kinds:
            cell = office_cells.get((office, kind))
            values += [cell["clients"] if cell else 0, cell["rendered"] if cell else 0]
        form.table_row(values)
    _footer(form, "Директор")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
