"""A report table as CSV or XLSX: a few header rows say what, for which offices and period, then
the table with Russian (or English) column headers.

XLSX is written with openpyxl's write-only mode, which streams rows and keeps memory flat.
Durations (whole minutes, kinds `duration` and `minutes`) are written as hours and minutes, as
the page shows them: `[h]:mm` time values in XLSX, `87:05` in CSV, the unit gone from the
heading. Text that a spreadsheet would read as a formula (starting with = + - @, a tab or a
carriage return) is written with a leading apostrophe, so an opened export runs nothing: in the
table and in the header rows (office and worker names). XLSX writes every text as a string cell,
so no value from the data ever becomes a formula or an error code. Codes the database keeps
(a level, a visit's status, the source of its times, its flags, yes / no) are written in the
user's words.
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


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Codes in the tables' cells, in words (a level of the hierarchy, a before / after bucket).
VALUES = {
    "ru": {"nation": "вся страна", "region": "итого по региону", "centre": "итого по центру",
           "office": "итого по отделению", "worker": "итого по работнику", "day": "день",
           "date": "итого за дату", "total": "всего", "before": "до", "after": "после",
           "all": "весь период"},
    "en": {"nation": "nation", "region": "region total", "centre": "centre total",
           "office": "department total", "worker": "worker total", "day": "day",
           "date": "date total", "total": "total", "before": "before", "after": "after",
           "all": "whole period"},
}  # fmt: skip
CODED = {"level", "bucket"}
DURATIONS = {"duration", "minutes"}


def heading(column: dict[str, str], locale: str) -> str:
    """A column's heading; a duration shown as hours and minutes loses its unit ("…, мин")."""
    text = column[locale]
    if column["kind"] == "minutes":
        for unit in (", мин", ", min"):
            text = text.removesuffix(unit)
    return text


# A visit's status, where its times came from, its flags and yes / no, in words.
WORDS = {
    "ru": {"done": "выполнено", "in_progress": "не завершено", "planned": "не начато",
           "no_show": "нет дома", "refused": "отказ", "missed": "не выполнено",
           "covered": "выполнено коллегой", "tapped": "отметка", "inferred": "по GPS",
           "late": "опоздание", "geofence": "далеко от адреса",
           "disagreement": "время расходится с GPS", "unconfirmed": "не подтверждено клиентом",
           "unverified": "не засчитано до проверки", "long_service": "услуга дольше нормы",
           "reviewed": "проверено заведующим", True: "да", False: "нет"},
    "en": {"done": "done", "in_progress": "not finished", "planned": "not started",
           "no_show": "nobody home", "refused": "refused", "missed": "missed",
           "covered": "done by a colleague", "tapped": "tapped", "inferred": "from GPS",
           "late": "late", "geofence": "far from the address",
           "disagreement": "times disagree with the GPS", "unconfirmed": "not confirmed by client",
           "unverified": "not counted until reviewed", "long_service": "service over standard",
           "reviewed": "reviewed by the head", True: "yes", False: "no"},
}  # fmt: skip
WORDED = {"status", "arrival_source", "departure_source", "flags"}


def in_words(value: Any, locale: str) -> Any:
    """A code (or a list of codes, or codes joined by commas) in the user's words; anything
    else (a name, a number) as it is."""
    words = WORDS[locale]
    if isinstance(value, bool):
        return words[value]
    if isinstance(value, list | tuple):
        return ", ".join(str(words.get(v, v)) for v in value)
    if isinstance(value, str) and value:
        return ", ".join(str(words.get(v.strip(), v.strip())) for v in value.split(","))
    return value


def safe_text(value: str) -> str:
    """Text that no spreadsheet reads as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def hours_minutes(minutes: float) -> str:
    """87:05 for 5225 minutes; a minus sign in front of a negative duration."""
    whole = round(abs(minutes))
    return f"{'-' if minutes < 0 else ''}{whole // 60}:{whole % 60:02d}"


def _value(value: Any, kind: str) -> Any:
    """A cell value: times in local time, lists joined; numbers stay numbers."""
    if value is None:
        return None
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, datetime):
        local = value.astimezone(ZoneInfo(get_settings().timezone))
        return local.strftime("%H:%M") if kind == "time" else local.replace(tzinfo=None)
    if isinstance(value, list | tuple):
        return safe_text(", ".join(str(v) for v in value))
    return value


def _body(table: Table, locale: str) -> tuple[list[str], list[list[Any]]]:
    keys = [c["key"] for c in table.columns]
    kinds = [c["kind"] for c in table.columns]
    heads = [heading(c, locale) for c in table.columns]
    rows = [
        [
            _value(_cell(row.get(k), k, kind, locale), kind)
            for k, kind in zip(keys, kinds, strict=True)
        ]
        for row in table.rows
    ]
    return heads, rows


def _cell(value: Any, key: str, kind: str, locale: str) -> Any:
    """The cell as the user reads it: codes in words, yes / no in the user's language."""
    if key in CODED:
        return VALUES[locale].get(value or "all", value)
    if key in WORDED or kind == "bool" or isinstance(value, bool):
        return in_words(value, locale)
    return value


def to_csv(
    table: Table, *, locale: str = "ru", office_names: list[str], worker_name: str | None = None
) -> bytes:
    """UTF-8 CSV with a BOM (so Excel opens Cyrillic right), `;` separated as Russian Excel
    expects."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for line in header_rows(table, locale=locale, office_names=office_names,
                            worker_name=worker_name):  # fmt: skip
        writer.writerow([safe_text(cell) for cell in line])
    writer.writerow([])
    heads, rows = _body(table, locale)
    writer.writerow([safe_text(head) for head in heads])
    kinds = [c["kind"] for c in table.columns]
    for row in rows:
        writer.writerow(
            ["" if v is None else _csv_text(v, k) for v, k in zip(row, kinds, strict=True)]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_text(value: Any, kind: str = "text") -> str:
    if kind in DURATIONS and isinstance(value, int | float):
        return hours_minutes(value)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")  # Russian decimal comma
    return str(value)


def _xlsx_cell(sheet: Any, value: Any, font: Font | None = None) -> Any:
    """A cell for the sheet: text escaped and always a string cell (never a formula)."""
    if isinstance(value, str):
        value = safe_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _duration_cell(sheet: Any, minutes: Any) -> Any:
    """Minutes as a spreadsheet time (days) shown as hours and minutes."""
    if not isinstance(minutes, int | float):
        return minutes
    cell = WriteOnlyCell(sheet, value=minutes / 1440)
    cell.number_format = "[h]:mm"
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
    durations = {i for i, c in enumerate(table.columns) if c["kind"] in DURATIONS}
    for row in rows:
        sheet.append(
            [
                _duration_cell(sheet, v) if i in durations else _xlsx_cell(sheet, v)
                for i, v in enumerate(row)
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
