"""Zone polygons for the map: cover each zone's clients, never overlap, stay in the service area.

Voronoi cells of the distinct addresses, dissolved by zone, in the local UTM projection. An
address shared by clients of several zones has its cell cut into equal wedges around it, so
each of those zones touches the address. Every polygon is clipped to the office's service
area (default: the clients' convex hull buffered by `margin_m`), made valid, and rid of holes
smaller than `min_hole_m2` unless another zone lives there.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from zones.problem import Client, ZoneInputError

GRID_M = 0.01  # coordinates snap to centimetres
SLIVER_M2 = 1.0  # pieces smaller than a square metre are clipping noise
DENSIFY_DEG = 1e-4  # about 10 m: the service area's edges follow the projection closely


def zone_shapes(
    clients: Sequence[Client],
    zone_of: Mapping[str, str],
    service_area: BaseGeometry | None = None,
    margin_m: float = 300.0,
    min_hole_m2: float = 2_000.0,
) -> dict[str, Any]:
    """GeoJSON FeatureCollection (WGS84) with one polygon feature per zone that has clients."""
    if not clients:
        raise ZoneInputError("the office has no clients to draw zones for")
    for client in clients:
        if client.lon is None or client.lat is None:
            raise ZoneInputError(f"client {client.id!r} has no location (lon/lat)")
        if client.id not in zone_of:
            raise ZoneInputError(f"client {client.id!r} has no zone")
    points = gpd.GeoSeries(shapely.points([(c.lon, c.lat) for c in clients]), crs=4326)
    crs = points.estimate_utm_crs()
    xy = shapely.get_coordinates(points.to_crs(crs).values)
    area = _service_area(xy, service_area, crs, margin_m)
    pieces = _cells_by_zone(xy, [zone_of[c.id] for c in clients], area)
    polygons = _disjoint(pieces, min_hole_m2)
    counts: dict[str, int] = defaultdict(int)
    for client in clients:
        counts[zone_of[client.id]] += 1
    shapes = gpd.GeoSeries(list(polygons.values()), crs=crs).to_crs(4326).make_valid()
    if service_area is not None:  # exact in degrees too: the projection bends straight edges
        shapes = shapes.intersection(_widened(service_area, clients, margin_m))
    features = [
        {
            "type": "Feature",
            "geometry": mapping(_polygonal(shape)),
            "properties": {"zone_id": zone_id, "clients": counts[zone_id]},
        }
        for zone_id, shape in zip(polygons, shapes.values, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _service_area(
    xy: np.ndarray, given: BaseGeometry | None, crs: Any, margin_m: float
) -> BaseGeometry:
    """The office's area in metres, widened where a client lives just outside it."""
    hull = shapely.multipoints(xy).convex_hull
    if given is None:
        return shapely.make_valid(hull.buffer(margin_m))
    dense = shapely.segmentize(shapely.make_valid(given), DENSIFY_DEG)
    area = gpd.GeoSeries([dense], crs=4326).to_crs(crs).values[0]
    outside = [p for p in shapely.points(xy) if not area.covers(p)]
    if outside:
        area = area.union(shapely.union_all([p.buffer(margin_m / 3) for p in outside]))
    return area


def _widened(given: BaseGeometry, clients: Sequence[Client], margin_m: float) -> BaseGeometry:
    """The given area in degrees, plus the same small discs around clients outside it."""
    area = shapely.make_valid(given)
    outside = [Point(c.lon, c.lat) for c in clients if not area.covers(Point(c.lon, c.lat))]
    if not outside:
        return area
    discs = gpd.GeoSeries(outside, crs=4326)
    metric = discs.estimate_utm_crs()
    return area.union(
        shapely.union_all(discs.to_crs(metric).buffer(margin_m / 3).to_crs(4326).values)
    )


def _cells_by_zone(
    xy: np.ndarray, zones: list[str], area: BaseGeometry
) -> dict[str, list[BaseGeometry]]:
    """Voronoi cell of each distinct address, split into wedges where zones share it."""
    sites, inverse = np.unique(np.round(xy, 2), axis=0, return_inverse=True)
    owners: list[set[str]] = [set() for _ in sites]
    for site, zone in zip(inverse.ravel(), zones, strict=True):
        owners[site].add(zone)
    pieces: dict[str, list[BaseGeometry]] = defaultdict(list)
    if len(sites) == 1:
        cells = [area]
    else:
        extent = area.envelope.buffer(1_000.0)
        regions = shapely.voronoi_polygons(shapely.multipoints(sites), extend_to=extent)
        cells = _cells_in_site_order(sites, list(regions.geoms))
    for index, cell in enumerate(cells):
        names = sorted(owners[index])
        wedges = _wedges(sites[index], cell.intersection(area), len(names))
        for zone, wedge in zip(names, wedges, strict=True):
            pieces[zone].append(wedge)
    return pieces


def _cells_in_site_order(sites: np.ndarray, regions: list[BaseGeometry]) -> list[BaseGeometry]:
    """voronoi_polygons does not keep input order: match each cell to the site inside it."""
    tree = shapely.STRtree(regions)
    site_idx, region_idx = tree.query(shapely.points(sites), predicate="intersects")
    cells: list[BaseGeometry | None] = [None] * len(sites)
    for s, r in zip(site_idx, region_idx, strict=True):
        if cells[s] is None:
            cells[s] = regions[r]
    return [c if c is not None else Polygon() for c in cells]


def _wedges(site: np.ndarray, cell: BaseGeometry, parts: int) -> list[BaseGeometry]:
    """Cut a cell into `parts` equal-angle wedges meeting at the site."""
    if parts == 1:
        return [cell]
    x, y = float(site[0]), float(site[1])
    reach = 1e6  # beyond any cell
    result = []
    for i in range(parts):
        a0, a1 = 2 * math.pi * i / parts, 2 * math.pi * (i + 1) / parts
        steps = [a0 + (a1 - a0) * t / 8 for t in range(9)]
        ring = [(x, y)] + [(x + reach * math.cos(a), y + reach * math.sin(a)) for a in steps]
        result.append(cell.intersection(Polygon(ring)))
    return result


def _disjoint(pieces: dict[str, list[BaseGeometry]], min_hole_m2: float) -> dict[str, BaseGeometry]:
    """Dissolve each zone's pieces, fill tiny holes, then keep interiors pairwise apart."""
    dissolved = {
        zone: shapely.union_all([shapely.make_valid(p) for p in parts], grid_size=GRID_M)
        for zone, parts in sorted(pieces.items())
    }
    result: dict[str, BaseGeometry] = {}
    for zone, shape in dissolved.items():
        filled = _fill_small_holes(shape, min_hole_m2)
        others = [g for z, g in dissolved.items() if z != zone]
        others += list(result.values())
        # overlay on one shared grid keeps common borders identical; slivers are dropped
        filled = shapely.set_precision(shapely.make_valid(filled), GRID_M)
        if others:
            taken = shapely.union_all(others, grid_size=GRID_M)
            filled = shapely.difference(filled, taken, grid_size=GRID_M)
        result[zone] = _polygonal(filled, min_area=SLIVER_M2)
    return result


def _fill_small_holes(shape: BaseGeometry, min_hole_m2: float) -> BaseGeometry:
    polygons = shapely.get_parts(shape)
    kept = []
    for polygon in polygons:
        if not isinstance(polygon, Polygon):
            continue
        holes = [r for r in polygon.interiors if Polygon(r).area >= min_hole_m2]
        kept.append(Polygon(polygon.exterior, holes))
    return shapely.union_all(kept) if kept else shape


def _polygonal(shape: BaseGeometry, min_area: float = 0.0) -> BaseGeometry:
    """Drop the lines, points and slivers that clipping can leave beside the polygons."""
    parts = [
        p
        for p in shapely.get_parts(shape)
        if p.geom_type in ("Polygon", "MultiPolygon") and p.area > min_area
    ]
    return shapely.union_all(parts) if parts else Polygon()
