"""Rows of an import file -> what the registry takes: reading dates, times, numbers, lists and
points as people type them in spreadsheets, and naming the column at fault. Pure: no database.
The columns are documented in `registry.importer.read`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ValidationError

from registry.importer.read import GEOMETRY_CODES, ErrorParam, Row, RowError, header_key
from registry.recurrence import parse_recurrence
from registry.schemas.care_plans import CarePlanLineIn
from registry.schemas.clients import ClientIn
from registry.schemas.workers import WorkerIn

# --- reading values --------------------------------------------------------------------------


class _Bad(ValueError):
    def __init__(
        self, column: str, message: str, code: str | None = None, **params: ErrorParam
    ) -> None:
        super().__init__(message)
        self.column = column
        self.code = code
        self.params = params

    def error(self, row: Row) -> list[RowError]:
        return [RowError(row.number, self.column, str(self), self.code, self.params)]


def _date(row: Row, column: str) -> date | None:
    text = row.get(column)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text[:10] if pattern == "%Y-%m-%d" else text, pattern).date()
        except ValueError:
            continue
    message = f"'{text}' is not a date (use 1936-02-11 or 11.02.1936)"
    raise _Bad(column, message, "import.not_a_date", value=text)


def _time(row: Row, column: str) -> time | None:
    text = row.get(column)
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::\d{2})?", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise _Bad(
            column, f"'{text}' is not a time of day (use 09:30)", "import.not_a_time", value=text
        )
    return time(int(match[1]), int(match[2]))


def _number(row: Row, column: str) -> float | None:
    text = row.get(column).replace(",", ".").replace(" ", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        text = row.get(column)
        raise _Bad(column, f"'{text}' is not a number", "import.not_a_number", value=text) from None


def _integer(row: Row, column: str) -> int | None:
    value = _number(row, column)
    if value is not None and not value.is_integer():
        text = row.get(column)
        raise _Bad(column, f"'{text}' is not a whole number", "import.not_whole", value=text)
    return None if value is None else int(value)


def _list(row: Row, column: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;|]", row.get(column)) if part.strip()]


def _point(row: Row, lon_col: str, lat_col: str) -> dict[str, float] | None:
    lon, lat = _number(row, lon_col), _number(row, lat_col)
    if lon is None and lat is None:
        return None
    if lon is None or lat is None:
        column = lon_col if lon is None else lat_col
        raise _Bad(column, "give both longitude and latitude", "import.lon_and_lat")
    return {"lon": lon, "lat": lat}


def _choice(row: Row, column: str, choices: dict[str, str]) -> str | None:
    text = header_key(row.get(column))
    if not text:
        return None
    if text not in choices:
        allowed = ", ".join(sorted(set(choices)))
        message = f"'{row.get(column)}' is not one of: {allowed}"
        raise _Bad(column, message, "import.not_a_choice", value=row.get(column), allowed=allowed)
    return choices[text]


_STATUSES = {
    "enrolled": "enrolled",
    "обслуживается": "enrolled",
    "на обслуживании": "enrolled",
    "queued": "queued",
    "очередь": "queued",
    "в очереди": "queued",
}
_TRAVEL_MODES = {
    "walk": "walk",
    "пешком": "walk",
    "transit": "transit",
    "транспорт": "transit",
    "общественный транспорт": "transit",
    "car": "car",
    "автомобиль": "car",
    "авто": "car",
}


def _validated[M: BaseModel](
    row: Row, model: type[M], data: dict[str, Any], where: dict[str, str]
) -> M | list[RowError]:
    """The model, or the row's errors named by the file's columns: `where` maps a model field
    ("location.lat", "shifts.0", "" for the whole model) to its column, else the field's name."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            loc = [str(part) for part in error["loc"]]
            first = loc[0] if loc else ""
            column = where.get(".".join(loc[:2])) or where.get(first) or first or "row"
            message = error["msg"].removeprefix("Value error, ")
            params = {
                str(k): v if v is None or isinstance(v, str | int | float) else str(v)
                for k, v in (error.get("ctx") or {}).items()
            }
            code = f"pydantic.{error['type']}"
            errors.append(RowError(row.number, column, message, code, params))
        return errors


def _geometry_error(row: Row) -> list[RowError]:
    problem = row.values.get("_geometry")
    if not problem:
        return []
    return [RowError(row.number, "geometry", problem, GEOMETRY_CODES.get(problem))]


def client_from_row(row: Row) -> ClientIn | list[RowError]:
    """A client as the registry takes it, or the row's errors."""
    if errors := _geometry_error(row):
        return errors
    try:
        data: dict[str, Any] = {
            "full_name": row.get("full_name"),
            "address": row.get("address"),
            "birth_date": _date(row, "birth_date"),
            "phone": row.get("phone"),
            "location": _point(row, "lon", "lat"),
            "categories": _list(row, "categories"),
            "status": _choice(row, "status", _STATUSES) or "enrolled",
            "window_start": _time(row, "window_start"),
            "window_end": _time(row, "window_end"),
            "required_skills": _list(row, "required_skills"),
            "workers_needed": _integer(row, "workers_needed") or 1,
            "notes": row.get("notes"),
        }
    except _Bad as bad:
        return bad.error(row)
    where = {"location.lon": "lon", "location.lat": "lat", "location": "lon", "": "window_start"}
    return _validated(row, ClientIn, data, where)


def _workdays(row: Row) -> list[int]:
    text = row.get("workdays") or "1-5"
    days: set[int] = set()
    for part in re.split(r"[,;]", text):
        bounds = [b.strip() for b in part.split("-")]
        if not all(b.isdigit() for b in bounds) or len(bounds) > 2:
            message = f"'{text}' is not a list of weekdays (use 1-5 or 1,3,5)"
            raise _Bad("workdays", message, "import.not_weekdays", value=text)
        first, last = int(bounds[0]), int(bounds[-1])
        if not 1 <= first <= last <= 7:
            raise _Bad("workdays", "weekdays are 1 (Monday) .. 7 (Sunday)", "import.weekday_range")
        days.update(range(first, last + 1))
    return sorted(days)


def worker_from_row(row: Row) -> tuple[WorkerIn, str] | list[RowError]:
    """A worker with a weekly template built from the row's shift columns, and the login's
    username ("" for none); or the row's errors."""
    if errors := _geometry_error(row):
        return errors
    try:
        start = _point(row, "lon", "lat")
        shift = {
            "start": _time(row, "shift_start") or time(8),
            "end": _time(row, "shift_end") or time(17),
            "lunch_from": _time(row, "lunch_from"),
            "lunch_to": _time(row, "lunch_to"),
            "lunch_minutes": _integer(row, "lunch_minutes") or 0,
        }
        data: dict[str, Any] = {
            "full_name": row.get("full_name"),
            "phone": row.get("phone"),
            "position": row.get("position") or "социальный работник",
            "skills": _list(row, "skills"),
            "travel_mode": _choice(row, "travel_mode", _TRAVEL_MODES) or "walk",
            "start_location": start,
            "end_location": _point(row, "end_lon", "end_lat") or start,
            "weekly_hours": _number(row, "weekly_hours") or 40.0,
            "shifts": [{"weekday": d, **shift} for d in _workdays(row)],
        }
    except _Bad as bad:
        return bad.error(row)
    where = {
        "start_location": "lon",
        "end_location": "end_lon",
        **{f"shifts.{n}": "shift_start" for n in range(7)},
    }
    model = _validated(row, WorkerIn, data, where)
    if isinstance(model, list):
        return list(dict.fromkeys(model))  # one error per column, not one per weekday
    return model, row.get("login")


@dataclass(frozen=True, slots=True)
class CarePlanRow:
    """One care-plan line of the file, with the client it belongs to."""

    number: int
    client_id: int | None
    full_name: str
    birth_date: date | None
    plan_number: str
    line: CarePlanLineIn


def care_plan_row(row: Row) -> CarePlanRow | list[RowError]:
    """A care-plan line and its client reference, or the row's errors."""
    try:
        client_id = _integer(row, "client_id")
        birth_date = _date(row, "birth_date")
        recurrence = row.get("recurrence")
        try:
            parse_recurrence(recurrence)
        except ValueError as exc:
            raise _Bad("recurrence", str(exc), None, value=recurrence) from None
        data = {
            "service_code": row.get("service_code"),
            "recurrence": recurrence,
            "valid_from": _date(row, "valid_from"),
            "valid_to": _date(row, "valid_to"),
        }
    except _Bad as bad:
        return bad.error(row)
    if client_id is None and not row.get("full_name"):
        message = "give client_id or full_name"
        return [RowError(row.number, "client_id", message, "import.client_or_name")]
    if data["valid_from"] is None:
        message = "the date the line starts is required"
        return [RowError(row.number, "valid_from", message, "import.valid_from_required")]
    line = _validated(row, CarePlanLineIn, data, {"": "valid_to"})
    if isinstance(line, list):
        return line
    number = row.get("number")
    if len(number) > 40:
        message = "at most 40 characters"
        return [
            RowError(row.number, "number", message, "import.number_too_long", {"max_length": 40})
        ]
    return CarePlanRow(row.number, client_id, row.get("full_name"), birth_date, number, line)
