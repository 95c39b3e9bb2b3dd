"""What the API reads and answers for regions and offices."""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    Field,
)

from registry.schemas.fields import (
    Id,
    LonLat,
    Name,
    Text,
    _In,
)


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
