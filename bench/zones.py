"""Zones benchmark: CareRoute's balanced zones against size-constrained k-means.

Run:  .venv/bin/python -m bench.zones            (both sizes, stability rows)
      .venv/bin/python -m bench.zones --quick    (500 clients only)

Instances: a city district of about 6 × 5 km; clients live in apartment blocks gathered into
micro-districts (several clients per building); weekly workloads come from typical care
plans (1-5 visits a week of 30-120 minutes, clipped to 60-600 minutes a week); every worker
has the same hours. Sizes: 500 clients into 15 zones and 5,000 clients into 50 zones.

Columns:
- time: wall seconds of the solve (the machine is shared, so times are noisy);
- max/mean: the largest zone workload over the mean zone workload, where a zone's workload is
  its weekly service minutes plus each visit's travel to the client's nearest neighbour in the
  same zone (straight line × 1.3 detour at 4.5 km/h) — the same measure for both methods;
- travel km / h: within-zone travel, the sum over zones of the minimum spanning tree joining
  the zone's distinct addresses (great-circle metres × 1.3 detour), in km and in hours at
  4.5 km/h walking — the shortest network a worker needs to reach every client once;
- moved: for the stability rows, clients that already had a zone and were moved, against
  the allowance of the new clients plus 5 % of the others.

The baseline is `k_means_constrained.KMeansConstrained` with cluster sizes between ⌊n/k⌋ and
⌈n/k⌉ clients (it balances client counts, it cannot weigh workloads), run on the same
metric plane with its default 10 initialisations.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from core.geo import to_plane
from zones import BalanceParams, Client, Zone, figures, rebalance, solve

CENTRE_LON, CENTRE_LAT = 37.60, 55.75  # a district of a large Russian city
WIDTH_KM, HEIGHT_KM = 6.0, 5.0
CLIENTS_PER_BUILDING = 5


def district(n: int, seed: int, prefix: str = "c", size: int | None = None) -> list[Client]:
    """`n` clients in the apartment blocks of a district sized for `size` clients (default n),
    with care-plan workloads."""
    rng = np.random.default_rng(seed)
    count = max(1, (size or n) // CLIENTS_PER_BUILDING)
    buildings = _buildings(count, np.random.default_rng(1000))
    weights = rng.pareto(1.5, len(buildings)) + 1.0  # some blocks are much larger
    home = rng.choice(len(buildings), size=n, p=weights / weights.sum())
    visits = rng.choice([1, 2, 3, 5], size=n, p=[0.2, 0.35, 0.3, 0.15])
    minutes = rng.choice([30, 45, 60, 90, 120], size=n, p=[0.15, 0.3, 0.3, 0.15, 0.1])
    weekly = np.clip(visits * minutes, 60, 600)
    return [
        Client(
            id=f"{prefix}{i}",
            lon=float(buildings[home[i], 0]),
            lat=float(buildings[home[i], 1]),
            weekly_minutes=float(weekly[i]),
            weekly_visits=float(visits[i]),
        )
        for i in range(n)
    ]


def _buildings(count: int, rng: np.random.Generator) -> np.ndarray:
    """Buildings (lon, lat) gathered around micro-district centres."""
    micro = max(4, count // 25)
    centres = rng.uniform(
        [-WIDTH_KM / 2, -HEIGHT_KM / 2], [WIDTH_KM / 2, HEIGHT_KM / 2], (micro, 2)
    )
    which = rng.integers(0, micro, count)
    km = centres[which] + rng.normal(0.0, 0.25, (count, 2))
    km = np.clip(km, [-WIDTH_KM / 2, -HEIGHT_KM / 2], [WIDTH_KM / 2, HEIGHT_KM / 2])
    lat = CENTRE_LAT + km[:, 1] / 111.2
    lon = CENTRE_LON + km[:, 0] / (111.2 * math.cos(math.radians(CENTRE_LAT)))
    return np.column_stack([lon, lat])


def workers(k: int) -> list[Zone]:
    return [Zone(id=f"z{j}", weekly_hours=40.0) for j in range(k)]


def _row(name: str, seconds: float, clients: list[Client], zones: list[Zone], zone_of) -> dict:
    figs = figures(clients, zones, zone_of)
    loads = [f.workload_minutes for f in figs]
    km = sum(f.spread_km for f in figs)
    return {
        "method": name,
        "time": seconds,
        "max/mean": max(loads) / (sum(loads) / len(loads)),
        "km": km,
        "hours": km / 4.5,
    }


def baseline(clients: list[Client], zones: list[Zone]) -> tuple[float, dict[str, str]]:
    from k_means_constrained import KMeansConstrained

    xy = to_plane(np.array([c.lon for c in clients]), np.array([c.lat for c in clients]))
    n, k = len(clients), len(zones)
    started = time.perf_counter()
    model = KMeansConstrained(n_clusters=k, size_min=n // k, size_max=-(-n // k), random_state=7)
    labels = model.fit_predict(xy)
    seconds = time.perf_counter() - started
    return seconds, {c.id: zones[label].id for c, label in zip(clients, labels, strict=True)}


def compare(n: int, k: int, params: BalanceParams) -> tuple[list[dict], object]:
    clients, zones = district(n, seed=n), workers(k)
    result = solve(clients, zones, params)
    ours = _row("careroute", result.solve_seconds, clients, zones, result.zone_of)
    base_seconds, base_zone_of = baseline(clients, zones)
    base = _row("k-means-constrained", base_seconds, clients, zones, base_zone_of)
    return [ours, base], (clients, zones, result)


def churn(clients: list[Client], zones: list[Zone], previous, params: BalanceParams, seed: int):
    """Remove 5 % of clients, add 5 % new ones, re-run with the previous zones."""
    rng = np.random.default_rng(seed)
    n = len(clients)
    gone = set(rng.choice(n, size=n // 20, replace=False).tolist())
    kept = [c for i, c in enumerate(clients) if i not in gone]
    fresh = district(n // 20, seed=seed, prefix="new", size=n)
    started = time.perf_counter()
    result = rebalance(previous.zone_of, kept + fresh, zones, params)
    seconds = time.perf_counter() - started
    return seconds, result, len(kept), len(fresh)


def worker_leaves(clients: list[Client], zones: list[Zone], previous, params: BalanceParams):
    """The last worker leaves: their clients are spread over the others."""
    stay = zones[:-1]
    started = time.perf_counter()
    result = rebalance(previous.zone_of, clients, stay, params)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 clients only")
    args = parser.parse_args()
    params = BalanceParams(time_limit_s=25.0)
    sizes = [(500, 15)] if args.quick else [(500, 15), (5000, 50)]
    print(f"{'instance':<14}{'method':<22}{'time s':>8}{'max/mean':>10}{'travel km':>11}{'h':>7}")
    for n, k in sizes:
        rows, (clients, zones, result) = compare(n, k, params)
        for row in rows:
            print(
                f"{f'{n}→{k}':<14}{row['method']:<22}{row['time']:>8.1f}{row['max/mean']:>10.3f}"
                f"{row['km']:>11.1f}{row['hours']:>7.1f}"
            )
        seconds, again, kept, fresh = churn(clients, zones, result, params, seed=n + 1)
        moved = len(again.moved)
        print(
            f"{f'{n}→{k}':<14}{'re-run ±5 % clients':<22}{seconds:>8.1f}"
            f"{again.max_over_mean:>10.3f}"
            f"{sum(f.spread_km for f in again.figures):>11.1f}   moved {moved} of {kept} kept"
            f" (allowed {fresh} new + {math.floor(0.05 * kept)}), new {len(again.new)}"
        )
        seconds, left = worker_leaves(clients, zones, result, params)
        orphans = sum(1 for c in clients if result.zone_of[c.id] == zones[-1].id)
        print(
            f"{f'{n}→{k - 1}':<14}{'a worker leaves':<22}{seconds:>8.1f}{left.max_over_mean:>10.3f}"
            f"{sum(f.spread_km for f in left.figures):>11.1f}   moved {len(left.moved)} others,"
            f" {orphans} from the leaver"
        )


if __name__ == "__main__":
    main()
