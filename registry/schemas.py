"""What the registry's API reads and answers: offices, workers, clients, the service catalogue,
care plans, status history and the audit log. Validation errors name the field at fault."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from registry.models import ClientStatus, LocationStatus, TravelMode
from registry.recurrence import parse_recurrence

MAX_ID = 2_147_483_647  # ids are PostgreSQL `integer` columns: a larger id cannot exist


def _printable(value: str) -> str:
    """Text may hold line breaks and tabs but no other control characters (PostgreSQL refuses
    NUL outright; the rest are never typed by a person and break exports)."""
    if any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _local_time(value: time) -> time:
    """Times of day are the office's local wall-clock time, stored without a zone."""
    if value.tzinfo is not None:
        raise ValueError("give a local time of day without a time zone offset")
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Days a care service can concern; far-off dates only overflow date arithmetic downstream.
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Text = Annotated[str, AfterValidator(_printable)]
# JSON Schema's "time" format demands an offset; ours is the RFC 3339 partial-time, without one
LocalTime = Annotated[
    time,
    AfterValidator(_local_time),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "examples": ["08:30"]}
    ),
]
Skill = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Category = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Name = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[Text, StringConstraints(strip_whitespace=True, max_length=40)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LonLat(BaseModel):
    """A point in WGS 84 (SRID 4326)."""

    lon: float = Field(ge=-180, le=180, description="longitude, degrees east")
    lat: float = Field(ge=-90, le=90, description="latitude, degrees north")


class Page[T](BaseModel):
    """One page of a list; `total` counts every match, not just this page."""

    items: list[T]
    total: int
    limit: int
    offset: int


# --- regions and offices ---------------------------------------------------------------------


class RegionOut(BaseModel):
    id: int
    name: str


class RegionIn(_In):
    name: Name


class OfficeIn(_In):
    region_id: Id
    name: Name
    centre: Text = Field("", max_length=200)
    address: Text = Field("", max_length=300)
    location: LonLat | None = None
    service_area: dict[str, Any] | None = Field(
        None, description="GeoJSON Polygon or MultiPolygon in lon/lat"
    )


class OfficeUpdate(_In):
    name: Name | None = None
    centre: Text | None = Field(None, max_length=200)
    address: Text | None = Field(None, max_length=300)
    location: LonLat | None = None
    service_area: dict[str, Any] | None = None


class OfficeOut(BaseModel):
    id: int
    region_id: int
    name: str
    centre: str
    address: str
    location: LonLat | None
    service_area: dict[str, Any] | None


# --- workers ---------------------------------------------------------------------------------


class ShiftIn(_In):
    """One weekday of the weekly template; lunch is `lunch_minutes` long, taken between
    `lunch_from` and `lunch_to`."""

    weekday: int = Field(ge=1, le=7, description="1 = Monday .. 7 = Sunday")
    start: LocalTime
    end: LocalTime
    lunch_from: LocalTime | None = None
    lunch_to: LocalTime | None = None
    lunch_minutes: int = Field(0, ge=0, le=120)

    @model_validator(mode="after")
    def _times_in_order(self) -> ShiftIn:
        if self.start >= self.end:
            raise ValueError("the shift must start before it ends")
        if (self.lunch_from is None) != (self.lunch_to is None):
            raise ValueError("give both lunch_from and lunch_to, or neither")
        if self.lunch_from and self.lunch_to:
            if not self.start <= self.lunch_from < self.lunch_to <= self.end:
                raise ValueError("the lunch window must lie inside the shift")
            window = _minutes(self.lunch_to) - _minutes(self.lunch_from)
            if self.lunch_minutes > window:
                raise ValueError("lunch_minutes is longer than the lunch window")
        return self


class ShiftOut(BaseModel):
    weekday: int
    start: LocalTime
    end: LocalTime
    lunch_from: LocalTime | None
    lunch_to: LocalTime | None
    lunch_minutes: int


class AbsenceIn(_In):
    date_from: Day
    date_to: Day
    reason: Text = Field("", max_length=200)

    @model_validator(mode="after")
    def _dates_in_order(self) -> AbsenceIn:
        if self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self


class AbsenceOut(BaseModel):
    id: int
    date_from: date
    date_to: date
    reason: str


def _unique_weekdays(shifts: list[ShiftIn] | None) -> list[ShiftIn] | None:
    if shifts is not None:
        days = [s.weekday for s in shifts]
        if len(days) != len(set(days)):
            raise ValueError("each weekday may appear once in the shift template")
    return shifts


class WorkerIn(_In):
    full_name: Name
    phone: Phone = ""
    position: Text = Field("социальный работник", max_length=120)
    skills: list[Skill] = Field(default_factory=list, max_length=20)
    travel_mode: TravelMode = TravelMode.WALK
    start_location: LonLat | None = Field(None, description="where the day starts (home/office)")
    end_location: LonLat | None = Field(None, description="where the day ends")
    weekly_hours: float = Field(40.0, ge=1, le=60)
    max_minutes_per_day: int | None = Field(None, ge=30, le=24 * 60)
    active: bool = True
    user_id: Id | None = Field(None, description="the worker's login (a user with role worker)")
    shifts: list[ShiftIn] = Field(default_factory=list, max_length=7)

    _weekdays = field_validator("shifts")(_unique_weekdays)


class WorkerUpdate(_In):
    full_name: Name | None = None
    phone: Phone | None = None
    position: Text | None = Field(None, max_length=120)
    skills: list[Skill] | None = Field(None, max_length=20)
    travel_mode: TravelMode | None = None
    start_location: LonLat | None = None
    end_location: LonLat | None = None
    weekly_hours: float | None = Field(None, ge=1, le=60)
    max_minutes_per_day: int | None = Field(None, ge=30, le=24 * 60)
    active: bool | None = None
    user_id: Id | None = None
    shifts: list[ShiftIn] | None = Field(None, max_length=7)

    _weekdays = field_validator("shifts")(_unique_weekdays)


class WorkerOut(BaseModel):
    id: int
    office_id: int
    user_id: int | None
    full_name: str
    phone: str
    position: str
    skills: list[str]
    travel_mode: TravelMode
    start_location: LonLat | None
    end_location: LonLat | None
    weekly_hours: float
    max_minutes_per_day: int | None
    active: bool
    shifts: list[ShiftOut]
    absences: list[AbsenceOut]


# --- clients ---------------------------------------------------------------------------------


def _window_in_order(start: time | None, end: time | None) -> None:
    if start is not None and end is not None and start >= end:
        raise ValueError("window_start must be before window_end")


def _birth_date_plausible(value: date | None) -> date | None:
    if value is not None and not date(1900, 1, 1) <= value <= date.today():
        raise ValueError("birth date must be between 1900-01-01 and today")
    return value


class ClientIn(_In):
    full_name: Name
    birth_date: date | None = None
    phone: Phone = ""
    address: Text = Field(min_length=1, max_length=300)
    location: LonLat | None = Field(None, description="none: the supervisor places it on the map")
    categories: list[Category] = Field(
        default_factory=list, max_length=20, examples=[["инвалид I группы", "ветеран ВОВ"]]
    )
    status: Literal[ClientStatus.ENROLLED, ClientStatus.QUEUED] = ClientStatus.ENROLLED
    window_start: LocalTime | None = Field(
        None, description="earliest visit start the client wants"
    )
    window_end: LocalTime | None = None
    required_skills: list[Skill] = Field(default_factory=list, max_length=20)
    preferred_worker_id: Id | None = Field(None, description="a worker of the same office")
    workers_needed: int = Field(1, ge=1, le=2)
    notes: Text = Field("", max_length=2000)
    door_code: Text = Field("", max_length=40, description="entrance door code, intercom")

    _birth = field_validator("birth_date")(_birth_date_plausible)

    @model_validator(mode="after")
    def _window(self) -> ClientIn:
        _window_in_order(self.window_start, self.window_end)
        return self


class ClientUpdate(_In):
    """Only the fields sent change; send `"location": null` to clear a wrong location."""

    full_name: Name | None = None
    birth_date: date | None = None
    phone: Phone | None = None
    address: Text | None = Field(None, min_length=1, max_length=300)
    location: LonLat | None = None
    categories: list[Category] | None = Field(None, max_length=20)
    window_start: LocalTime | None = None
    window_end: LocalTime | None = None
    required_skills: list[Skill] | None = Field(None, max_length=20)
    preferred_worker_id: Id | None = None
    workers_needed: int | None = Field(None, ge=1, le=2)
    notes: Text | None = Field(None, max_length=2000)
    door_code: Text | None = Field(None, max_length=40)

    _birth = field_validator("birth_date")(_birth_date_plausible)

    @model_validator(mode="after")
    def _window(self) -> ClientUpdate:
        _window_in_order(self.window_start, self.window_end)
        return self


class ClientOut(BaseModel):
    id: int
    office_id: int
    full_name: str
    birth_date: date | None
    phone: str
    address: str
    location: LonLat | None
    location_status: LocationStatus
    categories: list[str]
    status: ClientStatus
    window_start: LocalTime | None
    window_end: LocalTime | None
    required_skills: list[str]
    preferred_worker_id: int | None
    workers_needed: int
    confirmation_code: str
    notes: str
    door_code: str = ""
    archived_at: datetime | None = None
    queue_reviewed_at: datetime | None = None
    created_at: datetime | None
    updated_at: datetime | None


class ClientForWorker(BaseModel):
    """What a field worker needs to find and serve a client; nothing more."""

    id: int
    office_id: int
    full_name: str
    phone: str
    address: str
    location: LonLat | None
    window_start: LocalTime | None
    window_end: LocalTime | None
    required_skills: list[str]
    workers_needed: int
    notes: str
    door_code: str = ""


class StatusChangeIn(_In):
    status: ClientStatus
    reason: Text = Field("", max_length=300)
    since: Day = Field(default_factory=date.today)
    until: Day | None = Field(None, description="e.g. the end of a refusal period")

    @model_validator(mode="after")
    def _period(self) -> StatusChangeIn:
        if self.until is not None and self.until < self.since:
            raise ValueError("until is before since")
        return self


class StatusChangeOut(BaseModel):
    id: int
    client_id: int
    status: ClientStatus
    since: date
    until: date | None
    reason: str
    changed_by: int | None
    changed_at: datetime | None


class ToEnrolItem(BaseModel):
    """A client to enrol: waiting in the queue, back after a refusal or suspension ended, or
    refused or suspended with no end date (someone must decide: nobody leaves the list unseen)."""

    client: ClientOut
    why: Literal["queued", "period_ended", "no_end_date"]
    since: date | None
    until: date | None


# --- service catalogue and care plans --------------------------------------------------------


class ServiceIn(_In):
    code: Text = Field(min_length=1, max_length=20, pattern=r"^\S+$")
    name: Text = Field(min_length=1, max_length=300)
    category: Text = Field("", max_length=120)
    level: int = Field(1, ge=1, le=9)
    standard_minutes: int = Field(ge=1, le=600)
    required_skill: Skill | None = None
    active: bool = True


class ServiceUpdate(_In):
    code: Text | None = Field(None, min_length=1, max_length=20, pattern=r"^\S+$")
    name: Text | None = Field(None, min_length=1, max_length=300)
    category: Text | None = Field(None, max_length=120)
    level: int | None = Field(None, ge=1, le=9)
    standard_minutes: int | None = Field(None, ge=1, le=600)
    required_skill: Skill | None = None
    active: bool | None = None


class ServiceOut(BaseModel):
    id: int
    office_id: int
    code: str
    name: str
    category: str
    level: int
    standard_minutes: int
    required_skill: str | None
    active: bool


class CarePlanLineIn(_In):
    service_code: Text | None = Field(None, max_length=20, description="or give service_id")
    service_id: Id | None = None
    recurrence: Text = Field(
        max_length=60,
        description=(
            "daily, every:N, weekdays:1,3,5, weekly:N, monthly:N or dates:YYYY-MM-DD,...; "
            "options after ;: work (every:N in working days), move, tol=K (registry.recurrence)"
        ),
    )
    valid_from: Day | None = Field(None, description="default: the plan's valid_from")
    valid_to: Day | None = None

    @field_validator("recurrence")
    @classmethod
    def _recurrence(cls, value: str) -> str:
        return str(parse_recurrence(value))  # stored in its canonical form

    @model_validator(mode="after")
    def _service_and_dates(self) -> CarePlanLineIn:
        if (self.service_code is None) == (self.service_id is None):
            raise ValueError("give exactly one of service_code or service_id")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class CarePlanIn(_In):
    number: Text = Field("", max_length=40, description="number of the individual programme")
    valid_from: Day
    valid_to: Day | None = None
    lines: list[CarePlanLineIn] = Field(max_length=100)

    @model_validator(mode="after")
    def _dates(self) -> CarePlanIn:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class CarePlanLineOut(BaseModel):
    id: int
    service_id: int
    service_code: str
    service_name: str
    standard_minutes: int
    recurrence: str
    valid_from: date
    valid_to: date | None
    recurrence_ru: str = Field("", description="the recurrence in words, in Russian")
    recurrence_en: str = Field("", description="the recurrence in words, in English")


class CarePlanOut(BaseModel):
    id: int
    client_id: int
    number: str
    valid_from: date
    valid_to: date | None
    lines: list[CarePlanLineOut]
    status: str = Field("approved", description="draft (never planned), approved, closed")
    version: int = 1
    replaces_id: int | None = None
    approved_at: datetime | None = None
    approved_by: int | None = None
    approved_by_name: str | None = None
    closed_at: datetime | None = None


# --- audit -----------------------------------------------------------------------------------


class AuditOut(BaseModel):
    id: int
    at: datetime
    user_id: int | None
    username: str | None
    action: str
    entity: str
    entity_id: str
    office_id: int | None
    changes: dict[str, Any]


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


class ImportRowError(BaseModel):
    """A bad row's column and reason: `message` in English; `code` (`import.*` or
    `pydantic.<error type>`, null when there is none) and `params` to say it in another
    language."""

    row: int
    field: str
    message: str
    code: str | None = None
    params: dict[str, str | int | float | None] = {}


class ImportAnswer(BaseModel):
    """What an import did (or, with mode=check, would do): rows read and written, addresses
    geocoded or still to place, each bad row's column and reason, the ids written."""

    ok: bool
    kind: str
    mode: str
    rows: int
    written: int
    geocoded: int
    needs_location: int
    errors: list[ImportRowError]
    skipped_rows: list[int]
    ids: list[int]
