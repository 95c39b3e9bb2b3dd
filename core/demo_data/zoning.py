"""Zones for the demo when the zones package cannot make them, and zone polygons for the map.

`split_balanced` cuts an office's clients into geographic groups of about equal workload by
recursive bisection along the longer side; `zone_polygons` gives each zone the Voronoi cells
of its clients' homes, merged and clipped to the office's service area. Pure: no database.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon

from core.demo_data.geography import M_PER_DEG_LAT, as_multipolygon, distance_m, to_metres

LonLat = tuple[float, float]
SPREAD_M = 4.0  # how far neighbours in one block are spread for their Voronoi cells

# Kelly's colours of maximum contrast (without white and black): neighbours stay distinct.
COLOURS = (
    "#F3C300", "#875692", "#F38400", "#A1CAF1", "#BE0032", "#C2B280", "#848482", "#008856",
    "#E68FAC", "#0067A5", "#F99379", "#604E97", "#F6A600", "#B3446C", "#DCD300", "#882D17",
    "#8DB600", "#654522", "#E25822", "#2B3D26",
)  # fmt: skip


def colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def split_balanced(
    points: Sequence[LonLat], loads: Sequence[float], shares: Sequence[float]
) -> list[int]:
    """Group index for every point: groups are compact and their loads follow `shares`."""
    zone_of = [0] * len(points)
    _bisect(list(range(len(points))), list(range(len(shares))), points, loads, shares, zone_of)
    return zone_of


def _bisect(
    members: list[int],
    groups: list[int],
    points: Sequence[LonLat],
    loads: Sequence[float],
    shares: Sequence[float],
    zone_of: list[int],
) -> None:
    if len(groups) == 1 or not members:
        for m in members:
            zone_of[m] = groups[0]
        return
    left, right = groups[: len(groups) // 2], groups[len(groups) // 2 :]
    wanted = sum(shares[g] for g in left) / sum(shares[g] for g in groups)
    xy = {m: to_metres(*points[m]) for m in members}
    xs = [xy[m][0] for m in members]
    ys = [xy[m][1] for m in members]
    axis = 0 if max(xs) - min(xs) >= max(ys) - min(ys) else 1
    ordered = sorted(members, key=lambda m: xy[m][axis])
    total = sum(loads[m] for m in members) or 1.0
    running, cut = 0.0, 0
    while cut < len(ordered) and running + loads[ordered[cut]] / 2 <= wanted * total:
        running += loads[ordered[cut]]
        cut += 1
    _bisect(ordered[:cut], left, points, loads, shares, zone_of)
    _bisect(ordered[cut:], right, points, loads, shares, zone_of)


def zone_polygons(
    points: Sequence[LonLat], zone_of: Sequence[int], area: MultiPolygon
) -> dict[int, MultiPolygon]:
    """Each zone's share of the service area: the Voronoi cells of its clients' homes.

    Neighbours in one block are spread a few metres round the block's point first, so each
    client owns a cell and a block shared by two zones is shared on the map as well.
    """
    spread = _spread(points)
    if len(spread) < 3:
        return {zone: area for zone in set(zone_of)}
    cells = shapely.voronoi_polygons(MultiPoint(spread), extend_to=area.envelope.buffer(0.01))
    tree = shapely.STRtree([Point(p) for p in spread])
    parts: dict[int, list[Polygon]] = defaultdict(list)
    for cell in cells.geoms:
        for index in tree.query(cell, predicate="contains"):
            parts[zone_of[int(index)]].append(cell)
    return {
        zone: as_multipolygon(shapely.union_all(mine).intersection(area))
        for zone, mine in parts.items()
    }


def _spread(points: Sequence[LonLat]) -> list[LonLat]:
    """Points with duplicates moved onto a small circle round their common place.

    A circle in degrees (the plane the Voronoi cells are cut in), so that the cells all meet
    exactly at the common place and each of them touches it.
    """
    same: dict[LonLat, list[int]] = defaultdict(list)
    for index, point in enumerate(points):
        same[point].append(index)
    radius = SPREAD_M / M_PER_DEG_LAT
    result = list(points)
    for (lon, lat), indices in same.items():
        if len(indices) == 1:
            continue
        for k, index in enumerate(indices):
            angle = 2 * math.pi * k / len(indices)
            result[index] = (lon + radius * math.cos(angle), lat + radius * math.sin(angle))
    return result


def fit_skills(
    points: Sequence[LonLat],
    zone_of: list[int],
    *,
    needs: Sequence[set[str]],
    skills: Sequence[set[str]],
) -> None:
    """Move each point whose zone lacks a needed skill to the nearest zone that has it."""
    centres: dict[int, LonLat] = {}
    for zone in set(zone_of):
        mine = [p for p, z in zip(points, zone_of, strict=True) if z == zone]
        centres[zone] = (sum(p[0] for p in mine) / len(mine), sum(p[1] for p in mine) / len(mine))
    for index, needed in enumerate(needs):
        if needed <= skills[zone_of[index]]:
            continue
        able = [zone for zone in range(len(skills)) if needed <= skills[zone]]
        if able:
            zone_of[index] = min(
                able,
                key=lambda z: distance_m(points[index], centres.get(z, points[index])),
            )
