"""Read the `careroute plan` input files (CSV or JSON) into plain rows, checking every field.

Every file is either CSV with a header line (UTF-8, a BOM is fine; `,` or `;` separated, as
spreadsheets save it) or JSON: a list of objects with the same keys (or an object holding that
list under the file's kind, e.g. {"workers": [...]}). Empty cells mean "not given". Times are
HH:MM (24:00 allowed as an end). Lists (skills, services) are separated by `;` or `|`.

A fault is reported as an `InputError` naming the file, row and field:
"workers.csv row 4, field shift_start: '25:00' is not a time". CSV rows are counted as a
spreadsheet shows them (the header is row 1); JSON rows are the 1-based position in the list.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from planner.problem import Break, Location, TravelMode
from registry.recurrence import Recurrence, parse_recurrence

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_TRUE = {"1", "true", "yes", "y", "да", "+"}
_FALSE = {"0", "false", "no", "n", "нет", "-", ""}


class InputError(ValueError):
    """A bad input file, row or field; the message is ready to show to the user."""


@dataclass(frozen=True, slots=True)
class ServiceRow:
    code: str
    name: str
    minutes: int
    skill: str | None = None


@dataclass(frozen=True, slots=True)
class CarePlanRow:
    client_id: str
    service: str
    recurrence: Recurrence
    valid_from: date
    valid_to: date | None = None
    source: str = ""  # "care_plans.csv row 7", for messages


@dataclass(frozen=True, slots=True)
class ClientRow:
    id: str
    name: str
    location: Location
    window_start: int = 0
    window_end: int = 24 * 3600
    preferred_start: int | None = None
    preferred_end: int | None = None
    duration_min: int | None = None
    services: tuple[str, ...] = ()
    skills: frozenset[str] = frozenset()
    preferred_worker: str | None = None
    priority: int = 1
    mandatory: bool = False
    workers_needed: int = 1
    status: str = "enrolled"
    care_plan: tuple[CarePlanRow, ...] = ()  # from JSON "care_plan" or a care-plans file
    source: str = ""  # "clients.csv row 5", for messages


@dataclass(frozen=True, slots=True)
class WorkerRow:
    id: str
    name: str
    shift_start: int
    shift_end: int
    start: Location
    end: Location
    mode: TravelMode = TravelMode.WALK
    skills: frozenset[str] = frozenset()
    lunch: Break | None = None
    max_hours: float | None = None


class _Row:
    """One record and where it came from, with typed getters that raise `InputError`."""

    def __init__(self, where: str, number: int, data: dict[str, Any]) -> None:
        self.where = where
        self.number = number
        self.data = {str(k).strip().lower(): v for k, v in data.items() if k is not None}

    def error(self, field: str, message: str) -> InputError:
        return InputError(f"{self.where} row {self.number}, field {field}: {message}")

    def text(self, field: str, required: bool = False) -> str:
        value = self.data.get(field)
        text = "" if value is None else str(value).strip()
        if required and not text:
            raise self.error(field, "is required")
        return text

    def parsed[T](self, field: str, parse: Callable[[str], T], required: bool = False) -> T | None:
        raw = self.text(field, required)
        if not raw:
            return None
        try:
            return parse(raw)
        except ValueError as e:
            raise self.error(field, str(e)) from None

    def time(self, field: str, required: bool = False) -> int | None:
        return self.parsed(field, parse_time, required)

    def number_in(
        self, field: str, low: float, high: float, required: bool = False
    ) -> float | None:
        def parse(raw: str) -> float:
            try:
                value = float(raw.replace(",", "."))
            except ValueError:
                raise ValueError(f"'{raw}' is not a number") from None
            if not low <= value <= high:
                raise ValueError(f"'{raw}' must be between {low:g} and {high:g}")
            return value

        return self.parsed(field, parse, required)

    def whole(self, field: str, low: int, high: int, default: int | None = None) -> int | None:
        value = self.number_in(field, low, high)
        if value is None:
            return default
        if value != int(value):
            raise self.error(field, f"'{self.text(field)}' is not a whole number")
        return int(value)

    def flag(self, field: str) -> bool:
        raw = self.text(field).lower()
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise self.error(field, f"'{raw}' is not yes/no")

    def names(self, field: str) -> tuple[str, ...]:
        value = self.data.get(field)
        if isinstance(value, list):
            return tuple(str(v).strip() for v in value if str(v).strip())
        return tuple(p.strip() for p in re.split(r"[;|]", self.text(field)) if p.strip())

    def location(self, lon_field: str, lat_field: str, required: bool = True) -> Location | None:
        lon = self.number_in(lon_field, -180, 180, required)
        lat = self.number_in(lat_field, -90, 90, required)
        if lon is None or lat is None:
            if lon is not None or lat is not None:
                raise self.error(lat_field if lat is None else lon_field, "is required")
            return None
        return Location(lon, lat)


def parse_time(text: str) -> int:
    """'08:30' -> seconds since midnight; '24:00' is the end of the day."""
    match = _TIME.match(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a time")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if minutes > 59 or seconds > 59 or total > 24 * 3600:
        raise ValueError(f"'{text}' is not a time")
    return total


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _records(path: Path, kind: str) -> Iterator[_Row]:
    """The rows of a CSV or JSON file, numbered as the user sees them."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: not UTF-8 text") from None
    if path.suffix.lower() == ".json":
        yield from _json_records(path, kind, text)
        return
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    for index, record in enumerate(reader, start=2):
        if any((v or "").strip() for v in record.values() if isinstance(v, str)):
            yield _Row(path.name, index, record)


def _json_records(path: Path, kind: str, text: str) -> Iterator[_Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{path.name}: not valid JSON ({e.msg} at line {e.lineno})") from None
    if isinstance(data, dict):
        data = data.get(kind)
    if not isinstance(data, list):
        raise InputError(f"{path.name}: expected a list of {kind} (or {{'{kind}': [...]}})")
    for index, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise InputError(f"{path.name} row {index}: expected an object")
        yield _Row(path.name, index, record)


def _check_unique(rows: list[tuple[_Row, str]]) -> None:
    seen: set[str] = set()
    for row, key in rows:
        if key in seen:
            raise row.error("id", f"'{key}' is used twice")
        seen.add(key)


# --- the four kinds of file ---------------------------------------------------------------


def read_services(path: Path) -> dict[str, ServiceRow]:
    """Service catalogue: code, name, minutes, skill."""
    services: dict[str, ServiceRow] = {}
    for row in _records(path, "services"):
        code = row.text("code", required=True)
        if code in services:
            raise row.error("code", f"'{code}' is used twice")
        minutes = row.whole("minutes", 1, 600)
        if minutes is None:
            raise row.error("minutes", "is required")
        services[code] = ServiceRow(code, row.text("name"), minutes, row.text("skill") or None)
    return services


def read_care_plans(path: Path) -> list[CarePlanRow]:
    """Care-plan lines: client_id, service, recurrence, valid_from, valid_to."""
    return [
        _care_plan_line(row, row.text("client_id", required=True))
        for row in _records(path, "care_plans")
    ]


def _care_plan_line(row: _Row, client_id: str) -> CarePlanRow:
    valid_from = row.parsed("valid_from", _parse_date, required=True)
    valid_to = row.parsed("valid_to", _parse_date)
    if valid_to is not None and valid_from is not None and valid_to < valid_from:
        raise row.error("valid_to", f"'{valid_to}' is before valid_from")
    recurrence = row.parsed("recurrence", parse_recurrence, required=True)
    assert valid_from is not None and recurrence is not None  # required above
    service = row.text("service", required=True)
    source = f"{row.where} row {row.number}"
    return CarePlanRow(client_id, service, recurrence, valid_from, valid_to, source)


def read_clients(path: Path) -> list[ClientRow]:
    """Clients (one visit each, or a care plan to expand); see `planner.cli` for the columns."""
    rows = list(_records(path, "clients"))
    clients = [_client(row) for row in rows]
    _check_unique([(row, c.id) for row, c in zip(rows, clients, strict=True)])
    return clients


def _client(row: _Row) -> ClientRow:
    window_start = row.time("window_start") or 0
    window_end = row.time("window_end") or 24 * 3600
    if window_end <= window_start:
        raise row.error("window_end", f"'{row.text('window_end')}' is not after window_start")
    plan = row.data.get("care_plan") or []
    if not isinstance(plan, list):
        raise row.error("care_plan", "expected a list of lines")
    client_id = row.text("id", required=True)
    lines = tuple(
        _care_plan_line(_Row(f"{row.where} row {row.number} care_plan", i, line), client_id)
        for i, line in enumerate(plan, start=1)
    )
    status = row.text("status").lower() or "enrolled"
    return ClientRow(
        id=client_id,
        name=row.text("name"),
        location=row.location("lon", "lat"),  # type: ignore[arg-type]  # required=True
        window_start=window_start,
        window_end=window_end,
        preferred_start=row.time("preferred_start"),
        preferred_end=row.time("preferred_end"),
        duration_min=row.whole("duration_min", 1, 600),
        services=row.names("services"),
        skills=frozenset(row.names("skills")),
        preferred_worker=row.text("preferred_worker") or None,
        priority=row.whole("priority", 1, 3, default=1) or 1,
        mandatory=row.flag("mandatory"),
        workers_needed=row.whole("workers_needed", 1, 2, default=1) or 1,
        status=status,
        care_plan=lines,
        source=f"{row.where} row {row.number}",
    )


def read_workers(path: Path) -> list[WorkerRow]:
    """Workers with their shift for the day; see `planner.cli` for the columns."""
    rows = list(_records(path, "workers"))
    workers = [_worker(row) for row in rows]
    _check_unique([(row, w.id) for row, w in zip(rows, workers, strict=True)])
    return workers


def _worker(row: _Row) -> WorkerRow:
    shift_start = row.time("shift_start", required=True)
    shift_end = row.time("shift_end", required=True)
    assert shift_start is not None and shift_end is not None
    if shift_end <= shift_start:
        raise row.error("shift_end", f"'{row.text('shift_end')}' is not after shift_start")
    start = row.location("start_lon", "start_lat")
    assert start is not None
    mode_text = row.text("mode").lower() or TravelMode.WALK.value
    if mode_text not in {m.value for m in TravelMode}:
        raise row.error("mode", f"'{mode_text}' is not one of walk, transit, car")
    max_hours = row.number_in("max_hours", 0.5, 24)
    return WorkerRow(
        id=row.text("id", required=True),
        name=row.text("name"),
        shift_start=shift_start,
        shift_end=shift_end,
        start=start,
        end=row.location("end_lon", "end_lat", required=False) or start,
        mode=TravelMode(mode_text),
        skills=frozenset(row.names("skills")),
        lunch=_lunch(row, shift_start, shift_end),
        max_hours=max_hours,
    )


def _lunch(row: _Row, shift_start: int, shift_end: int) -> Break | None:
    """lunch_start..lunch_end is when lunch may happen; lunch_min how long (default: all of it)."""
    earliest = row.time("lunch_start")
    latest_end = row.time("lunch_end")
    if earliest is None and latest_end is None:
        return None
    if earliest is None or latest_end is None:
        raise row.error("lunch_end" if latest_end is None else "lunch_start", "is required")
    if latest_end <= earliest:
        raise row.error("lunch_end", f"'{row.text('lunch_end')}' is not after lunch_start")
    if earliest < shift_start or latest_end > shift_end:
        raise row.error("lunch_start", "lunch must lie within the shift")
    window_min = (latest_end - earliest) // 60
    minutes = row.whole("lunch_min", 1, window_min, default=window_min) or window_min
    return Break(earliest=earliest, latest=latest_end - minutes * 60, duration=minutes * 60)
