"""Skills that crowd many clients into few zones make balance impossible, never the solve."""

from __future__ import annotations

import random

from zones import Client, Zone, solve


def test_more_skilled_work_than_skilled_hours_still_zones_everyone() -> None:
    rng = random.Random(5)
    clients = [
        Client(
            id=f"c{n}",
            lon=37.76 + rng.random() * 0.05,
            lat=55.74 + rng.random() * 0.03,
            weekly_minutes=300.0,
            # a third of the clients need the one nurse: far beyond her share of the hours
            skills=frozenset({"medical"}) if n % 3 == 0 else frozenset(),
        )
        for n in range(90)
    ]
    zones = [Zone(id="nurse", weekly_hours=40, skills=frozenset({"medical"}))] + [
        Zone(id=f"z{n}", weekly_hours=40) for n in range(8)
    ]
    result = solve(clients, zones)
    assert set(result.zone_of) == {c.id for c in clients}
    assert all(result.zone_of[c.id] == "nurse" for c in clients if c.skills)
    assert not result.within_tolerance  # said plainly, not hidden
