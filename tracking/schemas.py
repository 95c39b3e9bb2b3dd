"""Devices, visit facts and travel speeds as the API answers them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel


class DeviceOut(BaseModel):
    id: int
    worker_id: int
    name: str
    platform: str
    external_id: str | None
    created_at: datetime | None
    last_seen_at: datetime | None
    revoked: bool


class DeviceIssued(DeviceOut):
    token: str  # shown this once, right after the device is registered; only its hash is kept


class VisitFact(BaseModel):
    id: int
    visit_key: str  # the client's visit of the day, the same in every plan version
    worker_id: int
    client_id: int
    day: date
    plan_stop_id: int | None
    status: str  # done | no_show | refused | ...
    planned_start: datetime | None
    arrived_at: datetime | None
    arrival_source: str | None
    departed_at: datetime | None
    departure_source: str | None
    services: list[dict[str, Any]]
    minutes: int | None
    confirmed: bool | None
    flags: list[str]


class TravelSpeed(BaseModel):
    speed_kmh: float
    detour: float
