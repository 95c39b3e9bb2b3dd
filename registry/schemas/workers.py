"""What the API reads and answers for workers: the weekly shift template with its lunch
window, absences, skills and travel."""

from __future__ import annotations

from datetime import date, time

from pydantic import (
    BaseModel,
    Field,
    field_validator,
    model_validator,
)

from registry.models import TravelMode
from registry.schemas.fields import (
    Day,
    Id,
    LocalTime,
    LonLat,
    Name,
    Phone,
    Skill,
    Text,
    _In,
)


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


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute
