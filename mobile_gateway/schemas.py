"""The answers of the worker-facing gateway, so the OpenAPI schema describes them (shapes in
the package docstring). Open models let further fields through, so nothing a phone already
reads is dropped."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Navigation(Open):
    yandex: str
    geo: str


class ClientCard(Open):
    """Only what a worker needs at the door."""

    id: int
    full_name: str
    address: str
    phone: str | None = None
    notes: str | None = None  # entrance, floor, intercom, keys...
    lat: float | None = None
    lon: float | None = None
    navigation: Navigation | None = None
    window_start: str | None = None
    window_end: str | None = None


class StopService(Open):
    code: str | None = None
    name: str
    minutes: int


class RouteStop(Open):
    plan_stop_id: int
    seq: int
    arrival: str
    start: str
    end: str
    services: list[StopService]
    client: ClientCard
    status: str  # planned | in_progress | done | no_show | refused
    confirmed: bool | None = None
    flags: list[str]
    arrived_at: str | None = None
    departed_at: str | None = None


class DayRoute(Open):
    """The worker's approved route of a day (no plan: `plan_id` null and no stops)."""

    day: str
    worker_id: int
    plan_id: int | None = None
    start: str | None = None
    end: str | None = None
    stops: list[RouteStop]


class ItemVerdict(Open):
    """What became of one item: accepted | duplicate | rejected | dropped, and why."""

    uuid: str | None = None
    status: str
    reason: str | None = None


class BatchAnswer(Open):
    """One verdict per item, in the order sent, and how many got each status."""

    pings: list[ItemVerdict]
    events: list[ItemVerdict]
    counts: dict[str, int]


class OwnTracksMessage(Open):
    """A message OwnTracks shows (the answer is always an empty list: no friends shared)."""

    type: str = Field(alias="_type")
