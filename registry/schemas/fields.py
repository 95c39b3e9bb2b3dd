"""The field types every registry schema is built from: ids, days, local times, printable
text, names, a point, one page of a list. Validation errors name the field at fault."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

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
