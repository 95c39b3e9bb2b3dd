"""Zones: which worker serves which clients, balanced by workload, compact, stable.

Pure core (no database, no web): dataclasses in, dataclasses out.
- `solve(clients, zones)` -> `Assignment` (every client in exactly one zone, with figures);
- `rebalance(previous, clients, zones)` re-zones with the fewest moves after clients or
  workers came or went;
- `what_if(assignment, moves, clients, zones)` -> figures per zone, for a preview;
- `zone_shapes(clients, zone_of)` -> GeoJSON polygons covering each zone's clients.
"""

from zones.balance import figures, rebalance, solve, what_if
from zones.problem import (
    Assignment,
    BalanceParams,
    Client,
    Point,
    TravelMatrix,
    Zone,
    ZoneFigures,
    ZoneInputError,
)
from zones.shapes import zone_shapes

__all__ = [
    "Assignment",
    "BalanceParams",
    "Client",
    "Point",
    "TravelMatrix",
    "Zone",
    "ZoneFigures",
    "ZoneInputError",
    "figures",
    "rebalance",
    "solve",
    "what_if",
    "zone_shapes",
]
