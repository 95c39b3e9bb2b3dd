"""Zone polygons: valid, pairwise disjoint, each covering its own clients, inside the area."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
import shapely
from shapely.geometry import Point, box, shape

from tests.zones.test_balance import FAST, LAT, LON, team, town
from zones import Client, ZoneInputError, solve, zone_shapes

NEAR_DEG = 1e-7  # about a centimetre: a client at a shared corner lies on the border


def _polygons(collection: dict) -> dict[str, shapely.Geometry]:
    assert collection["type"] == "FeatureCollection"
    return {f["properties"]["zone_id"]: shape(f["geometry"]) for f in collection["features"]}


def _assert_good(clients: list[Client], zone_of: dict[str, str], collection: dict) -> None:
    polygons = _polygons(collection)
    assert set(polygons) == set(zone_of.values())
    for polygon in polygons.values():
        assert polygon.is_valid and not polygon.is_empty
        assert polygon.geom_type in ("Polygon", "MultiPolygon")
    for a, b in itertools.combinations(polygons.values(), 2):
        assert a.intersection(b).area < 1e-14  # borders may touch, interiors may not
    for client in clients:
        own = polygons[zone_of[client.id]]
        assert own.distance(Point(client.lon, client.lat)) < NEAR_DEG, client.id


def test_solved_zones_get_disjoint_polygons_covering_their_clients() -> None:
    clients = town(150)
    result = solve(clients, team(5), FAST)
    _assert_good(clients, result.zone_of, zone_shapes(clients, result.zone_of))


def test_address_shared_by_two_zones_is_on_both_borders() -> None:
    clients = town(40)
    zone_of = {c.id: "z0" if c.lon < LON else "z1" for c in clients}
    twin = replace(clients[0], id="twin")
    zone_of["twin"] = "z1" if zone_of[clients[0].id] == "z0" else "z0"
    everyone = [*clients, twin]
    _assert_good(everyone, zone_of, zone_shapes(everyone, zone_of))


def test_polygons_stay_inside_the_service_area() -> None:
    clients = town(60)
    result = solve(clients, team(3), FAST)
    area = box(LON - 0.03, LAT - 0.02, LON + 0.03, LAT + 0.02)
    polygons = _polygons(zone_shapes(clients, result.zone_of, service_area=area))
    union = shapely.union_all(list(polygons.values()))
    assert union.difference(area.buffer(1e-9)).area < 1e-14
    assert union.area == pytest.approx(area.area, rel=1e-3)  # and fill it


def test_client_without_zone_is_named() -> None:
    clients = town(5)
    zone_of = {c.id: "z0" for c in clients[1:]}
    with pytest.raises(ZoneInputError, match="'c0' has no zone"):
        zone_shapes(clients, zone_of)
