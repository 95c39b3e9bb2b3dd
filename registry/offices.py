"""Registry services shared by every part: errors, reach checks, geometry, pagination; and the
regions, offices and audit-log services. Workers, clients and the catalogue live in
`registry.workers`, `registry.clients` and `registry.care_plans`.

Every function is keyword-only and takes the session explicitly; none commits (the caller owns
the transaction, one per request). Objects outside a user's reach raise `NotFound`, so their
existence does not leak; broken rules raise `RegistryError` naming the field at fault.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely import get_coordinates
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Point, mapping, shape
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from core import audit
from core.errors import DomainError
from core.models import AuditEntry, Office, Region, User
from registry import access
from registry.models import Service, Worker
from registry.schemas.audit import AuditOut
from registry.schemas.fields import LonLat, Page
from registry.schemas.offices import OfficeIn, OfficeOut, OfficeUpdate, RegionIn, RegionOut


class RegistryError(DomainError):
    """A broken registry rule, answered with `status` (422 unless said) and the field at fault."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 422,
        field: str | None = None,
        code: str | None = None,
        params: Mapping[str, str | int | float | None] | None = None,
    ) -> None:
        super().__init__(message, status=status, field=field, code=code, params=params)


class NotFound(RegistryError):
    """Missing, or outside the user's reach: the same answer, so nothing leaks."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found", status=404)


# --- geometry --------------------------------------------------------------------------------


def point_from(location: LonLat | None) -> Any:
    return None if location is None else from_shape(Point(location.lon, location.lat), srid=4326)


def lonlat_of(geometry: Any) -> LonLat | None:
    if geometry is None:
        return None
    point = to_shape(geometry)
    return LonLat(lon=point.x, lat=point.y)


def area_from(geojson: dict[str, Any] | None, *, field: str = "service_area") -> Any:
    """A GeoJSON Polygon/MultiPolygon as a stored MultiPolygon; RegistryError names the field."""
    if geojson is None:
        return None
    try:
        geometry = shape(geojson)
        finite = all(math.isfinite(v) for v in get_coordinates(geometry).flat)
    except (KeyError, TypeError, ValueError, AttributeError, GEOSException, RecursionError) as exc:
        raise RegistryError(f"not a GeoJSON geometry: {exc}", field=field) from None
    if not finite:
        raise RegistryError("coordinates must be finite numbers", field=field)
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon([geometry])
    if geometry.geom_type != "MultiPolygon" or geometry.is_empty:
        raise RegistryError("the service area must be a Polygon or MultiPolygon", field=field)
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise RegistryError("coordinates must be lon -180..180, lat -90..90", field=field)
    if not geometry.is_valid:
        raise RegistryError("the service area polygon intersects itself", field=field)
    return from_shape(geometry, srid=4326)


def geojson_of(geometry: Any) -> dict[str, Any] | None:
    return None if geometry is None else dict(mapping(to_shape(geometry)))


# --- pagination ------------------------------------------------------------------------------


def page[T](
    session: Session, query: Select[Any], *, limit: int, offset: int, convert: Any
) -> Page[T]:
    """Runs `query` for one page and counts all its matches."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(limit).offset(offset)).all()
    return Page[T](items=[convert(r) for r in rows], total=total or 0, limit=limit, offset=offset)


# --- reach -----------------------------------------------------------------------------------


def office_to_read(session: Session, *, user: User | None, office_id: int) -> Office:
    """The office if the user may see it, else NotFound. `user` None is the operator's command
    line, which holds the database credentials anyway."""
    office = session.get(Office, office_id)
    if office is None or (user and not access.can_see_office(session, user, office_id)):
        raise NotFound("office")
    return office


def office_to_edit(session: Session, *, user: User | None, office_id: int) -> Office:
    """The office if the user may edit its registry, else NotFound (`user` None: command line)."""
    office = session.get(Office, office_id)
    if office is None or (user and not access.can_edit_office(session, user, office_id)):
        raise NotFound("office")
    return office


def office_object[T: (Service, Worker)](
    session: Session, model: type[T], object_id: int, *, user: User, edit: bool, what: str
) -> T:
    """A worker or catalogue service of an office the user may see (or edit), else NotFound:
    the same answer whether it is missing or out of reach, so nothing leaks."""
    row = session.get(model, object_id)
    allowed = access.can_edit_office if edit else access.can_see_office
    if row is None or not allowed(session, user, row.office_id):
        raise NotFound(what)
    return row


# --- regions and offices ---------------------------------------------------------------------


def list_regions(session: Session, *, user: User, limit: int, offset: int) -> Page[RegionOut]:
    """Regions holding at least one office the user may see (admins: all), by name."""
    query = select(Region).order_by(Region.name)
    allowed = access.office_ids(session, user)
    if allowed is not None:
        query = query.where(Region.id.in_(select(Office.region_id).where(Office.id.in_(allowed))))
    return page(session, query, limit=limit, offset=offset, convert=_region_out)


def _region_out(region: Region) -> RegionOut:
    return RegionOut(id=region.id, name=region.name)


def region_out(region: Region) -> RegionOut:
    return _region_out(region)


def create_region(session: Session, *, user: User, data: RegionIn) -> Region:
    """Adds a region, the area a manager oversees (admins only: checked by the caller's role);
    names are unique."""
    if session.scalar(select(Region.id).where(Region.name == data.name)) is not None:
        raise RegistryError(
            "a region with this name exists", status=409, field="name", code="registry.region_taken"
        )
    region = Region(name=data.name)
    session.add(region)
    session.flush()
    audit.record(
        session,
        user=user,
        action="create",
        entity="region",
        entity_id=region.id,
        changes=audit.diff({}, {"name": region.name}),
    )
    return region


def office_out(office: Office) -> OfficeOut:
    return OfficeOut(
        id=office.id,
        region_id=office.region_id,
        name=office.name,
        centre=office.centre,
        address=office.address,
        location=lonlat_of(office.location),
        service_area=geojson_of(office.service_area),
    )


def list_offices(session: Session, *, user: User, limit: int, offset: int) -> Page[OfficeOut]:
    """The offices the user may see, by name."""
    query = select(Office).order_by(Office.name, Office.id)
    allowed = access.office_ids(session, user)
    if allowed is not None:
        query = query.where(Office.id.in_(allowed or {-1}))
    return page(session, query, limit=limit, offset=offset, convert=office_out)


def _office_snapshot(office: Office) -> dict[str, Any]:
    return {
        "region_id": office.region_id,
        "name": office.name,
        "centre": office.centre,
        "address": office.address,
        "location": _coords(office.location),
        "service_area": geojson_of(office.service_area),
    }


def create_office(session: Session, *, user: User, data: OfficeIn) -> Office:
    """Adds an office to a region (admins only: checked by the caller's role)."""
    if session.get(Region, data.region_id) is None:
        raise RegistryError("no such region", field="region_id")
    area = area_from(data.service_area)
    office = Office(
        region_id=data.region_id,
        name=data.name,
        centre=data.centre,
        address=data.address,
        location=point_from(data.location),
        service_area=area,
    )
    session.add(office)
    session.flush()
    audit.record(
        session,
        user=user,
        action="create",
        entity="office",
        entity_id=office.id,
        changes=audit.diff({}, _office_snapshot(office)),
        office_id=office.id,
    )
    return office


def update_office(session: Session, *, user: User, office_id: int, data: OfficeUpdate) -> Office:
    """Changes the fields sent; the service area is replaced as a whole."""
    office = office_to_edit(session, user=user, office_id=office_id)
    sent = data.model_dump(exclude_unset=True)
    if sent.get("name", "") is None:
        raise RegistryError("the name cannot be empty", field="name")
    area = area_from(data.service_area) if "service_area" in sent else office.service_area
    before = _office_snapshot(office)
    for key in ("name", "centre", "address"):
        if sent.get(key) is not None:
            setattr(office, key, sent[key])
    if "location" in sent:
        office.location = point_from(data.location)
    office.service_area = area
    session.flush()
    audit.record(
        session,
        user=user,
        action="update",
        entity="office",
        entity_id=office.id,
        changes=audit.diff(before, _office_snapshot(office)),
        office_id=office.id,
    )
    return office


def _coords(geometry: Any) -> list[float] | None:
    point = lonlat_of(geometry)
    return None if point is None else [round(point.lon, 7), round(point.lat, 7)]


# --- audit log -------------------------------------------------------------------------------


def list_audit(
    session: Session,
    *,
    user: User,
    entity: str | None,
    entity_id: str | None,
    office_id: int | None,
    limit: int,
    offset: int,
) -> Page[AuditOut]:
    """Who changed what and when in the offices the user may see, newest first."""
    query = (
        select(AuditEntry, User.username)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    allowed = access.office_ids(session, user)
    if allowed is not None:
        query = query.where(AuditEntry.office_id.in_(allowed or {-1}))
    if office_id is not None:
        query = query.where(AuditEntry.office_id == office_id)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(limit).offset(offset)).all()
    items = [
        AuditOut(
            id=entry.id,
            at=entry.at,
            user_id=entry.user_id,
            username=username,
            action=entry.action,
            entity=entry.entity,
            entity_id=entry.entity_id,
            office_id=entry.office_id,
            changes=entry.changes,
        )
        for entry, username in rows
    ]
    return Page[AuditOut](items=items, total=total or 0, limit=limit, offset=offset)
