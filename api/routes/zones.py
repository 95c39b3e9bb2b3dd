"""Service zones of an office: view, what-if preview, moves, locks, auto-rebalancing, history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from api.deps import OfficeReader, SupervisorOf, check_supervisor_of
from api.errors import DomainError
from api.schemas import (
    LockAnswer,
    MovesPreview,
    MovesSaved,
    RebalanceAnswer,
    ZoneClient,
    ZoneFeatures,
    ZoneSetVersion,
    ZoneSetView,
)
from core.deps import SessionDep, StaffUser
from registry.access import can_see_office
from registry.schemas.fields import Id, Text
from zones import service
from zones.models import ZoneSet
from zones.problem import ZoneInputError

router = APIRouter(prefix="/api", tags=["zones"])


class Move(BaseModel):
    client_id: Id
    zone_id: Id


class MovesIn(BaseModel):
    """Clients to move: listed one by one, or everyone inside a drawn polygon to one zone."""

    moves: list[Move] = Field(default_factory=list, max_length=5000)
    polygon: dict[str, Any] | None = Field(None, description="GeoJSON Polygon drawn on the map")
    to_zone_id: Id | None = Field(None, description="target zone for the polygon's clients")
    note: Text = Field("", max_length=300)

    @model_validator(mode="after")
    def _polygon_needs_zone(self) -> MovesIn:
        if self.polygon is not None and self.to_zone_id is None:
            raise ValueError("to_zone_id is required with polygon")
        return self


class LockIn(BaseModel):
    client_ids: list[Id] = Field(min_length=1, max_length=5000)
    locked: bool = True


class RebalanceIn(BaseModel):
    fewest_moves: bool = Field(True, description="keep current zones where balance allows")
    save: bool = Field(False, description="false: a what-if preview, nothing is stored")
    time_limit_s: float = Field(10.0, gt=0, le=120)


def _moves(session: Session, office_id: int, body: MovesIn) -> dict[int, int]:
    moves = {m.client_id: m.zone_id for m in body.moves}
    if body.polygon is not None and body.to_zone_id is not None:
        for client_id in service.clients_inside(session, office_id=office_id, polygon=body.polygon):
            moves[client_id] = body.to_zone_id
    return moves


def _run(call, *args, field: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """Maps the zone service's errors onto HTTP answers; `field` is the input they concern."""
    try:
        return call(*args, **kwargs)
    except service.ZoneNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from exc
    except ZoneInputError as exc:
        raise DomainError(
            str(exc), status=400, field=field, code=exc.code, params=exc.params
        ) from exc


@router.get(
    "/offices/{office_id}/zones",
    response_model=ZoneSetView,
    summary="The office's active zones with figures",
)
def get_zones(office_id: Id, session: SessionDep, user: OfficeReader) -> dict[str, Any]:
    return _run(service.zone_view, session, office_id=office_id)


@router.get(
    "/offices/{office_id}/zones/clients",
    response_model=list[ZoneClient],
    summary="Clients with their zone and lock",
)
def get_zone_clients(
    office_id: Id, session: SessionDep, user: OfficeReader
) -> list[dict[str, Any]]:
    return _run(service.zone_clients, session, office_id=office_id)


@router.get(
    "/offices/{office_id}/zones/history",
    response_model=list[ZoneSetVersion],
    summary="Versions of the office's zones",
)
def get_zone_history(
    office_id: Id, session: SessionDep, user: OfficeReader
) -> list[dict[str, Any]]:
    return service.zone_set_history(session, office_id=office_id)


@router.post(
    "/offices/{office_id}/zones/preview",
    response_model=MovesPreview,
    summary="What-if: figures after moves",
)
def preview(
    office_id: Id, body: MovesIn, session: SessionDep, user: OfficeReader
) -> dict[str, Any]:
    moves = _run(_moves, session, office_id, body, field="polygon")
    return _run(service.preview_moves, session, office_id=office_id, moves=moves, field="moves")


@router.post(
    "/offices/{office_id}/zones/moves",
    response_model=MovesSaved,
    summary="Move clients; saves a new version",
)
def save_moves(
    office_id: Id, body: MovesIn, session: SessionDep, user: SupervisorOf
) -> dict[str, Any]:
    moves = _run(_moves, session, office_id, body, field="polygon")
    if not moves:
        raise DomainError("no clients to move", status=400, field="moves", code="zones.no_moves")
    zone_set = _run(
        service.save_moves, session, user=user, office_id=office_id, moves=moves, note=body.note,
        field="moves",
    )  # fmt: skip
    return {"zone_set_id": zone_set.id, "version": zone_set.version, "moved": len(moves)}


@router.post(
    "/offices/{office_id}/zones/lock",
    response_model=LockAnswer,
    summary="Lock or unlock clients in their zone",
)
def lock(office_id: Id, body: LockIn, session: SessionDep, user: SupervisorOf) -> dict[str, Any]:
    count = _run(
        service.set_locked, session, user=user, office_id=office_id,
        client_ids=body.client_ids, locked=body.locked, field="client_ids",
    )  # fmt: skip
    return {"updated": count, "locked": body.locked}


@router.post(
    "/offices/{office_id}/zones/rebalance",
    response_model=RebalanceAnswer,
    summary="Auto-rebalance with fewest moves",
)
def rebalance(
    office_id: Id, body: RebalanceIn, session: SessionDep, user: OfficeReader
) -> dict[str, Any]:
    if body.save:
        check_supervisor_of(session, user, office_id)
    return _run(
        service.rebalance, session, user=user, office_id=office_id,
        fewest_moves=body.fewest_moves, save=body.save, time_limit_s=body.time_limit_s,
    )  # fmt: skip


@router.get(
    "/zone-sets/{zone_set_id}/geojson",
    response_model=ZoneFeatures,
    summary="A zone set's polygons as GeoJSON",
)
def zone_set_geojson(zone_set_id: Id, session: SessionDep, user: StaffUser) -> dict[str, Any]:
    zone_set = session.get(ZoneSet, zone_set_id)
    if zone_set is None or not can_see_office(session, user, zone_set.office_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="zone set not found")
    return service.zone_set_geojson(session, zone_set_id=zone_set_id)
