"""What the API reads and answers for clients: their record, what a field worker sees of
them, their status history and who is waiting to be enrolled."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import (
    BaseModel,
    Field,
    field_validator,
    model_validator,
)

from registry.models import ClientStatus, LocationStatus
from registry.schemas.fields import (
    Category,
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
