"""The answers of the plans routes, so the OpenAPI schema describes them.

Each model names the fields the pages read. `Open` models let further fields through (the
plan's free-form figures, a job's progress), so a model never silently drops what a page
already shows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- plans ---------------------------------------------------------------------------------


class PlanSummary(Open):
    id: int
    office_id: int
    day: date
    version: int
    status: str  # draft | approved | superseded
    cost: float | None = None
    stats: dict[str, Any] = {}
    kind: str = "plan"  # plan | replan | edit | history
    created_by: int | None = None
    created_at: datetime | None = None
    approved_by: int | None = None
    approved_at: datetime | None = None


class PlannedStop(Open):
    id: int
    seq: int
    client_id: int
    client_name: str
    address: str
    lon: float | None
    lat: float | None
    services: list[dict[str, Any]]
    minutes: int
    arrival: datetime
    start: datetime
    end: datetime
    travel_s: int
    wait_s: int
    pinned: bool
    why: str


class LunchPlace(Open):
    start: datetime
    end: datetime
    place: str  # start (before leaving) | stop (after a visit) | walk (an exception)
    after_client_id: int | None = None
    after_client_name: str | None = None
    after_seq: int | None = None  # 0 = before leaving
    from_client_id: int | None = None  # in a walk: from this client (None = the start point)
    from_client_name: str | None = None
    to_client_id: int | None = None  # ... to this one (None = the end point)
    to_client_name: str | None = None


class PlanException(LunchPlace):
    """Something a supervisor must see in a plan: a lunch inside a walk."""

    code: str  # lunch_in_walk
    worker_id: int
    worker_name: str


class PlannedRoute(Open):
    id: int
    worker_id: int
    worker_name: str
    travel_mode: str | None
    start: datetime
    end: datetime
    break_start: datetime | None
    break_end: datetime | None
    travel_s: int
    service_s: int
    wait_s: int
    distance_m: int
    lunch: LunchPlace | None = None
    stops: list[PlannedStop]


class UnplannedVisit(Open):
    id: int
    client_id: int
    client_name: str
    address: str
    lon: float | None
    lat: float | None
    code: str  # why, as a code the pages translate
    reason: str
    services: list[dict[str, Any]]


class PlanDetail(PlanSummary):
    totals: dict[str, Any] = {}
    routes: list[PlannedRoute]
    unplanned: list[UnplannedVisit]
    exceptions: list[PlanException] = []


class Feature(Open):
    type: str = "Feature"
    geometry: dict[str, Any]
    properties: dict[str, Any]


class FeatureCollection(Open):
    type: str = "FeatureCollection"
    properties: dict[str, Any] = {}
    features: list[Feature]


class JobQueued(Open):
    job_id: str
    status: str
    office_id: int


class JobStatus(Open):
    job_id: str
    status: str  # queued | started | finished | failed ...
    kind: str | None = None
    office_id: int | None = None
    day: str | None = None
    progress: dict[str, Any] | None = None
    plan_id: int | None = None
    error: str | None = None
    week_id: int | None = None  # a week or month plan's jobs
    step: str | None = None


class MoveAnswer(Open):
    feasible: bool
    dry_run: bool
    routes: list[dict[str, Any]] | None = None  # a dry run: recomputed times per worker
    plan: PlanDetail | None = None  # a move made: the draft with it


class DueService(BaseModel):
    code: str
    name: str
    minutes: int


class DueVisit(BaseModel):
    day: date
    client_id: int
    client_name: str
    address: str
    minutes: int
    required_skills: list[str]
    services: list[DueService]


class VisitsDue(BaseModel):
    start: date
    end: date
    per_day: dict[str, dict[str, int]]
    visits: list[DueVisit]


class DayCalendar(BaseModel):
    """A day on the office's working calendar, as the day planner takes it."""

    day: date
    working: bool
    off: Literal["", "holiday", "weekend", "office_day_off"] = Field(
        description="why the day is not a working day ('' on a working day)"
    )
    moved_working_day: bool = Field(description="a weekend day worked by decree")
    names: dict[str, str] = Field(description="the holiday's official name per language (ru, en)")
    on_duty: int = Field(description="workers of the office working that day (duty on days off)")


# --- zones ---------------------------------------------------------------------------------


class ZoneFigures(Open):
    """A zone's week: clients, minutes of service, travel and work, and its balance."""

    clients: int
    service_minutes: int
    travel_minutes: int
    workload_minutes: int
    target_minutes: int | None = None
    worker_minutes: float
    load_share: float | None = None
    deviation: float | None = None
    spread_km: float | None = None


class ZoneOut(Open):
    id: int
    name: str | None = None
    color: str | None = None
    worker_id: int | None = None
    worker_name: str | None = None
    polygon: dict[str, Any] | None = None  # GeoJSON geometry
    figures: ZoneFigures | None = None


class ZoneSetView(Open):
    zone_set_id: int
    version: int
    status: str
    note: str | None = None
    created_at: str | None = None
    zones: list[ZoneOut]


class ZoneClient(Open):
    id: int
    full_name: str
    address: str
    lon: float | None = None
    lat: float | None = None
    status: str
    location_status: str
    categories: list[str]
    required_skills: list[str]
    zone_id: int | None = None
    locked: bool
    weekly_minutes: int


class ZoneSetVersion(Open):
    id: int
    version: int
    status: str
    note: str | None = None
    created_at: str | None = None
    created_by: int | None = None
    stats: dict[str, Any] | None = None


class ZonePreview(Open):
    zone_id: int | None = None
    worker_id: int
    before: ZoneFigures
    after: ZoneFigures


class RefusedMove(Open):
    client_id: int
    zone_id: int
    code: str  # not_served | zone_not_active
    client_name: str | None = None
    client_status: str | None = None


class MovesPreview(Open):
    zones: list[ZonePreview]
    moved: int
    refused: list[RefusedMove]


class MovesSaved(Open):
    zone_set_id: int
    version: int
    moved: int


class LockAnswer(Open):
    updated: int
    locked: bool


class ZoneWorkload(ZoneFigures):
    worker_id: int


class ClientMove(Open):
    client_id: int
    worker_id: int


class RebalanceAnswer(Open):
    moved: int
    new: int
    within_tolerance: bool
    max_over_mean: float
    seconds: float
    zones: list[ZoneWorkload]
    moves: list[ClientMove]
    zone_set_id: int | None = None  # when saved


class ZoneFeature(Open):
    type: str = "Feature"
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class ZoneFeatures(Open):
    type: str = "FeatureCollection"
    features: list[ZoneFeature]
