"""The demo district on the map: its streets, apartment blocks along them, and the two
offices' service areas (north and south of Зелёный проспект). Pure: no database."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from api.routes.pages import STREETS_FILE
from core import geo
from core.geo import METRES_PER_DEGREE

# A local plane around Perovo: metres per degree of latitude and of longitude at 55.75° N.
_LAT0, _LON0 = 55.751, 37.785
M_PER_DEG_LAT = METRES_PER_DEGREE
M_PER_DEG_LON = METRES_PER_DEGREE * math.cos(math.radians(_LAT0))

HOUSE_SETBACK_M = 35.0  # from the street's axis to the first row of houses
KORPUS_STEP_M = 45.0  # each further building (корпус) stands this much deeper
# Typical Perovo housing: five-storey blocks of the 1950-60s, nine- and twelve-storey panels.
FLOORS = ((5, 0.4), (9, 0.35), (12, 0.15), (14, 0.1))


@dataclass(frozen=True, slots=True)
class Building:
    street: str  # as written in an address: "Перовская ул."
    number: str  # "23" or "23, корп. 2"
    lon: float
    lat: float
    flats: int
    area: int  # 0: north of Зелёный проспект (office №1), 1: south (office №2)

    @property
    def address(self) -> str:
        return f"Москва, {self.street}, д. {self.number}"


@cache
def _streets() -> dict[str, Any]:
    return json.loads(STREETS_FILE.read_text(encoding="utf-8"))


def to_metres(lon: float, lat: float) -> tuple[float, float]:
    return (lon - _LON0) * M_PER_DEG_LON, (lat - _LAT0) * M_PER_DEG_LAT


def to_lonlat(x: float, y: float) -> tuple[float, float]:
    return _LON0 + x / M_PER_DEG_LON, _LAT0 + y / M_PER_DEG_LAT


def district_outline() -> Polygon:
    return Polygon(_streets()["district"]["outline"])


def service_areas() -> tuple[MultiPolygon, MultiPolygon]:
    """The district cut along Зелёный проспект: (north, south), as lon/lat multipolygons."""
    outline = district_outline()
    divider = _streets()["district"]["divider"]["line"]
    west, east = divider[0][0], divider[-1][0]
    north = Polygon([*divider, (east, 56.0), (west, 56.0)])
    south = Polygon([*divider, (east, 55.5), (west, 55.5)])
    return as_multipolygon(outline.intersection(north)), as_multipolygon(
        outline.intersection(south)
    )


def as_multipolygon(geometry: Any) -> MultiPolygon:
    """A polygon or a collection as a multipolygon (what the database columns hold)."""
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    polygons = [g for g in getattr(geometry, "geoms", []) if isinstance(g, Polygon)]
    return MultiPolygon(polygons)


def street_names() -> list[str]:
    return [street["address"] for street in _streets()["streets"]]


def buildings(rng: random.Random) -> list[Building]:
    """Every apartment block of the demo district, numbered along its street."""
    north, south = service_areas()
    result: list[Building] = []
    for street in _streets()["streets"]:
        for building in _street_buildings(rng, street):
            here = Point(building.lon, building.lat)
            if north.contains(here):
                result.append(building)
            elif south.contains(here):
                result.append(_with_area(building, 1))
    return result


def _with_area(building: Building, area: int) -> Building:
    return Building(
        building.street, building.number, building.lon, building.lat, building.flats, area
    )


def _street_buildings(rng: random.Random, street: dict[str, Any]) -> list[Building]:
    axis = LineString([to_metres(lon, lat) for lon, lat in street["line"]])
    result: list[Building] = []
    top = int(street["max_number"])
    for side, first in ((1.0, 1), (-1.0, 2)):  # odd numbers on the left, even on the right
        numbers = list(range(first, top + 1, 2))
        for k, number in enumerate(numbers):
            along = (k + 0.5 + rng.uniform(-0.2, 0.2)) / len(numbers) * axis.length
            korpuses = rng.choice((2, 2, 3, 4)) if rng.random() < street["korpus_share"] else 1
            for korpus in range(1, korpuses + 1):
                depth = HOUSE_SETBACK_M + rng.uniform(-8, 8) + (korpus - 1) * KORPUS_STEP_M
                x, y = _beside(axis, along + rng.uniform(-15, 15), side * depth)
                lon, lat = to_lonlat(x, y)
                label = str(number) if korpuses == 1 else f"{number}, корп. {korpus}"
                result.append(Building(street["address"], label, lon, lat, _flats(rng), 0))
    return result


def _beside(axis: LineString, along: float, offset: float) -> tuple[float, float]:
    """A point `offset` metres to the left (+) or right (-) of the axis, `along` from its start."""
    along = min(max(along, 1.0), axis.length - 1.0)
    here = axis.interpolate(along)
    ahead = axis.interpolate(min(along + 1.0, axis.length))
    behind = axis.interpolate(max(along - 1.0, 0.0))
    dx, dy = ahead.x - behind.x, ahead.y - behind.y
    norm = math.hypot(dx, dy) or 1.0
    return here.x - dy / norm * offset, here.y + dx / norm * offset


def _flats(rng: random.Random) -> int:
    floors = rng.choices([f for f, _ in FLOORS], weights=[w for _, w in FLOORS])[0]
    entrances = rng.randint(2, 8) if floors <= 9 else rng.randint(1, 4)
    return floors * entrances * 4


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Straight-line metres between two (lon, lat) points of the demo district."""
    return geo.distance_m(*a, *b)
