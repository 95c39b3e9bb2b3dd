"""What the API reads and answers for the service catalogue and care plans (their lines,
with a recurrence each)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import (
    BaseModel,
    Field,
    field_validator,
    model_validator,
)

from registry.recurrence import parse_recurrence
from registry.schemas.fields import (
    Day,
    Id,
    Skill,
    Text,
    _In,
)


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
