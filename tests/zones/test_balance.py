"""The zones core on small instances: coverage, balance, locks, skills, stability, errors."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from zones import (
    BalanceParams,
    Client,
    Zone,
    ZoneInputError,
    figures,
    rebalance,
    solve,
    what_if,
)

LON, LAT = 37.60, 55.75
FAST = BalanceParams(time_limit_s=5.0)


def town(n: int = 120, seed: int = 1, prefix: str = "c") -> list[Client]:
    """Clients in 30 buildings of a 3 × 3 km square, 60-300 minutes a week."""
    rng = np.random.default_rng(seed)
    buildings = np.random.default_rng(99).uniform(-1.5, 1.5, (30, 2))
    home = rng.integers(0, len(buildings), n)
    minutes = rng.choice([60, 90, 120, 180, 240, 300], n)
    return [
        Client(
            id=f"{prefix}{i}",
            lon=LON + buildings[home[i], 0] / (111.2 * math.cos(math.radians(LAT))),
            lat=LAT + buildings[home[i], 1] / 111.2,
            weekly_minutes=float(minutes[i]),
            weekly_visits=float(rng.integers(1, 4)),
        )
        for i in range(n)
    ]


def team(k: int = 4) -> list[Zone]:
    return [Zone(id=f"z{j}", weekly_hours=40.0) for j in range(k)]


def test_every_client_in_exactly_one_known_zone() -> None:
    clients, zones = town(), team()
    result = solve(clients, zones, FAST)
    assert set(result.zone_of) == {c.id for c in clients}
    assert set(result.zone_of.values()) <= {z.id for z in zones}
    assert sum(f.clients for f in result.figures) == len(clients)


def test_workloads_within_tolerance_of_shares() -> None:
    clients = town(200)
    zones = [*team(3), Zone(id="half", weekly_hours=20.0)]
    result = solve(clients, zones, FAST)
    assert result.within_tolerance
    for f in result.figures:
        assert abs(f.workload_minutes / f.target_minutes - 1) <= 0.05 + 1e-9, f
    half = next(f for f in result.figures if f.zone_id == "half")
    assert half.hours_share == pytest.approx(20 / 140)


def test_figures_add_up_and_match_recomputation() -> None:
    clients, zones = town(), team()
    result = solve(clients, zones, FAST)
    assert sum(f.service_minutes for f in result.figures) == pytest.approx(
        sum(c.weekly_minutes for c in clients)
    )
    assert all(f.travel_minutes >= 0 and f.spread_km > 0 for f in result.figures)
    assert figures(clients, zones, result.zone_of) == result.figures


def test_locked_clients_stay_in_their_zone() -> None:
    clients = town()
    locked = {clients[i].id: f"z{i % 4}" for i in range(0, 40, 5)}
    clients = [replace(c, locked_zone=locked.get(c.id)) for c in clients]
    result = solve(clients, team(), FAST)
    for client_id, zone_id in locked.items():
        assert result.zone_of[client_id] == zone_id


def test_skilled_clients_only_go_to_zones_with_the_skill() -> None:
    clients = town()
    medical = {c.id for c in clients[::6]}
    clients = [
        replace(c, skills=frozenset({"medical"}) if c.id in medical else c.skills) for c in clients
    ]
    zones = [*team(3), Zone(id="nurse", weekly_hours=40.0, skills=frozenset({"medical"}))]
    result = solve(clients, zones, FAST)
    assert all(result.zone_of[c] == "nurse" for c in medical)


def test_rerun_with_same_clients_moves_nobody() -> None:
    clients, zones = town(), team()
    first = solve(clients, zones, FAST)
    again = rebalance(first, clients, zones, FAST)
    assert again.moved == ()
    assert again.zone_of == first.zone_of


def test_rerun_after_churn_moves_few() -> None:
    clients, zones = town(200), team()
    first = solve(clients, zones, FAST)
    kept = clients[10:]
    fresh = town(10, seed=7, prefix="new")
    again = rebalance(first, kept + fresh, zones, FAST)
    assert set(again.new) == {c.id for c in fresh}
    assert len(again.moved) <= 0.05 * len(kept)
    assert again.within_tolerance


def test_worker_leaving_spreads_only_their_clients_mostly() -> None:
    clients, zones = town(200), team(5)
    first = solve(clients, zones, FAST)
    again = rebalance(first, clients, zones[:-1], FAST)
    assert set(again.zone_of.values()) <= {z.id for z in zones[:-1]}
    assert again.within_tolerance
    orphans = {c for c, z in first.zone_of.items() if z == zones[-1].id}
    assert set(again.new) == orphans


def test_what_if_moves_minutes_between_zones() -> None:
    clients, zones = town(), team()
    result = solve(clients, zones, FAST)
    client = clients[0]
    source = result.zone_of[client.id]
    target = next(z.id for z in zones if z.id != source)
    before = {f.zone_id: f for f in result.figures}
    after = {f.zone_id: f for f in what_if(result, {client.id: target}, clients, zones)}
    assert after[source].clients == before[source].clients - 1
    assert after[target].service_minutes == pytest.approx(
        before[target].service_minutes + client.weekly_minutes
    )


def test_what_if_refuses_moving_a_locked_client() -> None:
    clients = town()
    clients[0] = replace(clients[0], locked_zone="z0")
    result = solve(clients, team(), FAST)
    with pytest.raises(ZoneInputError, match="c0"):
        what_if(result, {"c0": "z1"}, clients, team())


@pytest.mark.parametrize(
    ("clients", "zones", "words"),
    [
        ([], team(), "no clients"),
        (town(5), [], "no zones"),
        ([replace(town(3)[0], lon=None)], team(), "'c0' has no location"),
        (town(3), [Zone(id="z0", weekly_hours=0.0)], "'z0'.*hours must be positive"),
        (town(3), [Zone(id="z0", weekly_hours=-8.0)], "'z0'.*hours must be positive"),
        ([replace(town(3)[0], skills=frozenset({"medical"}))], team(), "'c0'.*'medical'"),
        ([replace(town(3)[0], locked_zone="gone")], team(), "'c0'.*unknown zone 'gone'"),
    ],
)
def test_bad_input_gets_a_clear_error(clients: list[Client], zones: list[Zone], words: str) -> None:
    with pytest.raises(ZoneInputError, match=words):
        solve(clients, zones, FAST)


def test_custom_travel_model_is_used() -> None:
    clients, zones = town(), team()
    slow = solve(clients, zones, FAST, travel=lambda points: np.full((len(points),) * 2, 600.0))
    # ten minutes to any neighbour: every visit is charged ten minutes
    visits = sum(c.weekly_visits for c in clients)
    assert sum(f.travel_minutes for f in slow.figures) == pytest.approx(visits * 10, rel=1e-3)
