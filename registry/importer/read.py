"""Bulk import of clients, workers and care plans from CSV, XLSX and GeoJSON files.

This module reads a file into rows, `registry.importer.rows` checks each row on its own (both
pure: no database), and `registry.importer.service` checks rows against the registry and writes
them. Every bad row is reported with its number (as a spreadsheet shows it: the header is
row 1; in GeoJSON the feature's position, from 1) and the column at fault.

Columns (a header may also be written in Russian, shown in brackets; case does not matter):

clients     full_name (ФИО), address (Адрес), birth_date (Дата рождения: 1936-02-11 or
            11.02.1936), phone (Телефон), lon (Долгота), lat (Широта), categories (Категории,
            separated by , ; or |), status (Статус: enrolled/обслуживается, queued/очередь),
            window_start (Окно с), window_end (Окно до), required_skills (Навыки),
            workers_needed (Работников), notes (Примечание)
workers     full_name (ФИО), phone (Телефон), position (Должность), skills (Навыки),
            travel_mode (Передвижение: walk/пешком, transit/транспорт, car/автомобиль),
            lon, lat (Долгота, Широта: start of the day), end_lon, end_lat (Долгота конца,
            Широта конца: default the start), weekly_hours (Часов в неделю), workdays (Рабочие
            дни: 1-5 or 1,2,3,4,5), shift_start (Начало смены, 08:00), shift_end (Конец смены,
            17:00), lunch_from (Обед с), lunch_to (Обед до), lunch_minutes (Обед минут),
            login (Логин: an existing user with role worker)
care_plans  one row per line: client_id (ID клиента) or full_name (ФИО) with birth_date to
            tell namesakes apart, service_code (Код услуги), recurrence (Периодичность: daily,
            every:N, weekdays:1,3,5, monthly:N), valid_from (Действует с), valid_to (Действует
            по), number (Номер ИППСУ). A client's rows replace their care plan as a whole.

GeoJSON files hold clients or workers as Point features; the properties are the columns and
the point gives lon/lat.

Command line: `careroute import --office ID --kind clients FILE [--good-rows] [--check]`
(`main` below): prints every bad row and field and exits with status 2 when the file is bad.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024


class ImportKind(StrEnum):
    CLIENTS = "clients"
    WORKERS = "workers"
    CARE_PLANS = "care_plans"


class ImportMode(StrEnum):
    ALL = "all"  # write nothing unless every row is good
    GOOD_ROWS = "good_rows"  # write the good rows, report the skipped ones
    CHECK = "check"  # check every row, write nothing


type ErrorParam = str | int | float | None


@dataclass(frozen=True, slots=True)
class RowError:
    """A bad row's column and reason: `message` in English (the command line, the fallback),
    `code` and `params` for pages that say it in the user's language."""

    row: int
    field: str
    message: str
    code: str | None = None
    params: dict[str, ErrorParam] = dataclasses.field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass(slots=True)
class Row:
    number: int
    values: dict[str, str]  # canonical column -> text ("" when empty)

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


@dataclass(slots=True)
class ImportReport:
    kind: ImportKind
    mode: ImportMode
    rows: int = 0
    written: int = 0
    geocoded: int = 0
    needs_location: int = 0
    errors: list[RowError] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "kind": self.kind.value,
            "mode": self.mode.value,
            "rows": self.rows,
            "written": self.written,
            "geocoded": self.geocoded,
            "needs_location": self.needs_location,
            "errors": [
                {
                    "row": e.row,
                    "field": e.field,
                    "message": e.message,
                    "code": e.code,
                    "params": e.params,
                }
                for e in self.errors
            ],
            "skipped_rows": self.skipped_rows,
            "ids": self.ids,
        }


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, missing columns): 422."""

    status = 422


class ImportTooLarge(ImportFileError):
    """The file is over MAX_BYTES: 413."""

    status = 413


# --- headers ---------------------------------------------------------------------------------

_COMMON = {
    "full_name": ("фио", "ф.и.о.", "ф. и. о.", "name", "полное имя"),
    "phone": ("телефон", "тел."),
    "lon": ("долгота", "longitude", "lng", "x"),
    "lat": ("широта", "latitude", "y"),
    "birth_date": ("дата рождения", "birthdate", "date of birth"),
    "notes": ("примечание", "примечания", "комментарий"),
}
_ALIASES: dict[ImportKind, dict[str, tuple[str, ...]]] = {
    ImportKind.CLIENTS: _COMMON
    | {
        "address": ("адрес", "адрес проживания"),
        "categories": ("категории", "категория", "льготная категория"),
        "status": ("статус",),
        "window_start": ("окно с", "время с"),
        "window_end": ("окно до", "время до"),
        "required_skills": ("навыки", "требуемые навыки"),
        "workers_needed": ("работников", "число работников"),
    },
    ImportKind.WORKERS: _COMMON
    | {
        "position": ("должность",),
        "skills": ("навыки",),
        "travel_mode": ("передвижение", "способ передвижения", "транспорт"),
        "end_lon": ("долгота конца",),
        "end_lat": ("широта конца",),
        "weekly_hours": ("часов в неделю", "часы в неделю"),
        "workdays": ("рабочие дни",),
        "shift_start": ("начало смены",),
        "shift_end": ("конец смены",),
        "lunch_from": ("обед с",),
        "lunch_to": ("обед до",),
        "lunch_minutes": ("обед минут", "обед, минут", "обед, мин"),
        "login": ("логин",),
    },
    ImportKind.CARE_PLANS: _COMMON
    | {
        "client_id": ("id клиента", "номер клиента"),
        "service_code": ("код услуги", "код"),
        "recurrence": ("периодичность",),
        "valid_from": ("действует с", "дата начала"),
        "valid_to": ("действует по", "дата окончания"),
        "number": ("номер иппсу", "номер программы", "ипсу", "иппсу"),
    },
}
_REQUIRED = {
    ImportKind.CLIENTS: ("full_name", "address"),
    ImportKind.WORKERS: ("full_name",),
    ImportKind.CARE_PLANS: ("service_code", "recurrence"),
}


def header_key(text: str) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower().replace("ё", "е")


def canonical_columns(kind: ImportKind, headers: list[str]) -> list[str | None]:
    """Each header's canonical column name, None for a column this kind does not use."""
    lookup: dict[str, str] = {}
    for column, aliases in _ALIASES[kind].items():
        lookup[column] = column
        for alias in aliases:
            lookup[header_key(alias)] = column
    return [lookup.get(header_key(h)) for h in headers]


# --- reading files ---------------------------------------------------------------------------


def read_table(kind: ImportKind, data: bytes, filename: str) -> list[Row]:
    """The file's rows with canonical column names; ImportFileError if it cannot be read."""
    if len(data) > MAX_BYTES:
        raise ImportTooLarge(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        headers, records = _read_xlsx(data)
    elif suffix in (".geojson", ".json"):
        if kind == ImportKind.CARE_PLANS:
            raise ImportFileError("care plans are imported from CSV or XLSX, not GeoJSON")
        return _geojson_rows(kind, data)
    elif suffix in (".csv", ".txt", ""):
        headers, records = _read_csv(data)
    else:
        raise ImportFileError(f"unknown file type '{suffix}': use .csv, .xlsx or .geojson")
    columns = canonical_columns(kind, headers)
    missing = [c for c in _REQUIRED[kind] if c not in columns]
    if kind == ImportKind.CARE_PLANS and not {"client_id", "full_name"} & set(columns):
        missing.append("client_id or full_name")
    if missing:
        raise ImportFileError(f"missing column(s): {', '.join(missing)}")
    if len(records) > MAX_ROWS:
        raise ImportFileError(f"more than {MAX_ROWS} rows: split the file")
    rows = []
    for number, record in records:
        values = {c: record[i] for i, c in enumerate(columns) if c and i < len(record)}
        if any(v.strip() for v in values.values()):
            rows.append(Row(number, values))
    return rows


def _too_many_rows() -> ImportFileError:
    return ImportFileError(f"more than {MAX_ROWS} rows: split the file")


def _read_csv(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows, read row by row: the reading stops at MAX_ROWS + 1 rows."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")  # what older Russian spreadsheet exports use
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"the file is neither UTF-8 nor Windows-1251 text (byte {exc.start})"
            ) from None
    first = text[: text.find("\n")] if "\n" in text else text
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table: list[list[str]] = []
    try:
        for row in reader:
            table.append(row)
            if len(table) > MAX_ROWS + 1:
                raise _too_many_rows()
    except csv.Error as exc:
        raise ImportFileError(f"not a readable CSV file (line {reader.line_num}): {exc}") from None
    if not table:
        raise ImportFileError("the file is empty")
    return table[0], [(reader_line, row) for reader_line, row in enumerate(table[1:], start=2)]


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"not a readable XLSX file: {exc}") from None
    table: list[list[str]] = []
    try:
        if not book.worksheets:
            raise ImportFileError("the workbook has no sheet")
        for row in book.worksheets[0].iter_rows(values_only=True):  # streamed (read-only)
            table.append([_cell_text(v) for v in row])
            if len(table) > MAX_ROWS + 1:
                raise _too_many_rows()
    except ImportFileError:
        raise
    except Exception as exc:  # a broken sheet inside a readable zip
        raise ImportFileError(f"not a readable XLSX file: {exc}") from None
    finally:
        book.close()
    if not table:
        raise ImportFileError("the first sheet is empty")
    return table[0], list(enumerate(table[1:], start=2))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _geojson_rows(kind: ImportKind, data: bytes) -> list[Row]:
    """Features as rows: the properties by canonical column, the Point as lon/lat."""
    rows = _read_geojson(data)
    for row in rows:
        names = list(row.values)
        columns = canonical_columns(kind, names)
        row.values = {
            column or name: row.values[name]
            for name, column in zip(names, columns, strict=True)
            if column or name == "_geometry"
        }
    for required in _REQUIRED[kind]:
        if rows and not any(required in row.values for row in rows):
            raise ImportFileError(f"missing property: {required}")
    return rows


MAX_GEOJSON_DEPTH = 20  # a FeatureCollection of Points nests 5 deep; properties a few more


def _depth_ok(data: bytes) -> bool:
    """Whether brackets nest at most MAX_GEOJSON_DEPTH deep (outside strings), checked
    before parsing: a file nested 100,000 deep would exhaust the parser's stack."""
    depth, in_string, escaped = 0, False, False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_GEOJSON_DEPTH:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def _read_geojson(data: bytes) -> list[Row]:
    if not _depth_ok(data):
        raise ImportFileError(f"the GeoJSON nests deeper than {MAX_GEOJSON_DEPTH} levels")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ImportFileError(f"not a GeoJSON file: {exc}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportFileError("a GeoJSON FeatureCollection is expected")
    features = doc.get("features") or []
    if not isinstance(features, list):
        raise ImportFileError("the GeoJSON's features must be a list")
    if len(features) > MAX_ROWS:
        raise ImportFileError(f"more than {MAX_ROWS} features: split the file")
    rows = []
    for number, feature in enumerate(features, start=1):
        rows.append(Row(number, _feature_values(feature)))
    return rows


GEOMETRY_CODES = {  # the `_geometry` problems of a feature, by message
    "a Feature object is expected": "import.feature_expected",
    "the feature's properties must be an object": "import.properties_not_object",
    "a Point geometry is expected": "import.point_expected",
}


def _feature_values(feature: object) -> dict[str, str]:
    """A feature's properties as cells, its Point as lon/lat; what is malformed becomes the
    row's `_geometry` error (the row is reported, the file still read)."""
    if not isinstance(feature, dict):
        return {"_geometry": "a Feature object is expected"}
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        return {"_geometry": "the feature's properties must be an object"}
    values = {str(k): _cell_text(v) for k, v in props.items()}
    geometry = feature.get("geometry")
    if geometry is not None:
        coords = None
        if isinstance(geometry, dict) and geometry.get("type") == "Point":
            coords = geometry.get("coordinates")
        if not (isinstance(coords, list) and len(coords) >= 2):
            values["_geometry"] = "a Point geometry is expected"
        else:
            values["lon"], values["lat"] = _cell_text(coords[0]), _cell_text(coords[1])
    return values


# --- command line ----------------------------------------------------------------------------
