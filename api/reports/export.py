"""A report table as CSV or XLSX: a few header rows say what, for which offices and period, then
the table with Russian (or English) column headers.

XLSX is written with openpyxl's write-only mode, which streams rows and keeps memory flat.

Text from the data (names, addresses, notes) never becomes a formula: in CSV a cell that begins
with `= + - @`, a tab or a carriage return gets a leading apostrophe (OWASP's advice, and what
spreadsheet programs show as text); in XLSX every text is written as a string cell, and those
beginning so carry Excel's quote prefix too, so editing the cell keeps it text.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from api.reports.schemas import Table
from core.settings import get_settings

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet program read this text as a formula (or a command)?"""
    return text.startswith(FORMULA_STARTS)


def csv_safe(text: str) -> str:
    """Text for a CSV cell: a leading apostrophe where it could start a formula."""
    return "'" + text if is_formula_like(text) else text


LABELS = {
    "ru": {"report": "Отчёт", "period": "Период", "offices": "Отделения", "worker": "Работник",
           "made": "Сформирован"},
    "en": {"report": "Report", "period": "Period", "offices": "Offices", "worker": "Worker",
           "made": "Made"},
}  # fmt: skip


def header_rows(
    table: Table, *, locale: str, office_names: list[str], worker_name: str | None
) -> list[list[str]]:
    """The rows above the table: report title, period, offices, worker, when made."""
    words = LABELS[locale]
    title = table.title_ru if locale == "ru" else table.title_en
    now = datetime.now(ZoneInfo(get_settings().timezone))
    rows = [
        [words["report"], title],
        [words["period"], f"{table.start:%d.%m.%Y} – {table.end:%d.%m.%Y}"],
        [words["offices"], "; ".join(office_names)],
    ]
    if worker_name:
        rows.append([words["worker"], worker_name])
    rows.append([words["made"], f"{now:%d.%m.%Y %H:%M}"])
    return rows


def _value(value: Any, kind: str) -> Any:
    """A cell value: times in local time, lists joined; numbers stay numbers."""
    if value is None:
        return None
    if isinstance(value, datetime):
        local = value.astimezone(ZoneInfo(get_settings().timezone))
        return local.strftime("%H:%M") if kind == "time" else local.replace(tzinfo=None)
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def _body(table: Table, locale: str) -> tuple[list[str], list[list[Any]]]:
    keys = [c["key"] for c in table.columns]
    kinds = [c["kind"] for c in table.columns]
    heads = [c[locale] for c in table.columns]
    rows = [
        [_value(row.get(k), kind) for k, kind in zip(keys, kinds, strict=True)]
        for row in table.rows
    ]
    return heads, rows


def to_csv(
    table: Table, *, locale: str = "ru", office_names: list[str], worker_name: str | None = None
) -> bytes:
    """UTF-8 CSV with a BOM (so Excel opens Cyrillic right), `;` separated as Russian Excel
    expects."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for line in header_rows(table, locale=locale, office_names=office_names,
                            worker_name=worker_name):  # fmt: skip
        writer.writerow([csv_safe(cell) for cell in line])
    writer.writerow([])
    heads, rows = _body(table, locale)
    writer.writerow([csv_safe(head) for head in heads])
    for row in rows:
        writer.writerow(["" if v is None else _csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")  # Russian decimal comma
    if isinstance(value, int):
        return str(value)
    return csv_safe(str(value))


def _xlsx_cell(sheet: Any, value: Any, font: Font | None = None) -> Any:
    """A cell for the sheet: text always as a string cell (never a formula or an error code)."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def to_xlsx(
    table: Table, *, locale: str = "ru", office_names: list[str], worker_name: str | None = None
) -> bytes:
    """An XLSX workbook with one sheet: header rows, then the table with bold column names."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.report[:31])
    bold = Font(bold=True)
    for row in header_rows(table, locale=locale, office_names=office_names,
                           worker_name=worker_name):  # fmt: skip
        sheet.append([_xlsx_cell(sheet, row[0], bold), *(_xlsx_cell(sheet, v) for v in row[1:])])
    sheet.append([])
    heads, rows = _body(table, locale)
    sheet.append([_xlsx_cell(sheet, head, bold) for head in heads])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
