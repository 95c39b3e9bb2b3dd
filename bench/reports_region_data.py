"""The region-scale reports benchmark's data (bench.reports_region): 5 regions of 20 centres
with 2 departments each, a month of visits, legs and ratings, and the GPS pings of the first
region, written by COPY. The caller points DATABASE_URL at the benchmark database first."""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, text
from sqlalchemy.orm import Session

from core import geo
from core.settings import get_settings

MONTH = date(2026, 10, 1)
REGIONS = 5
CENTRES = 20
DEPARTMENTS_PER_CENTRE = 2
WORKERS_PER_DEPARTMENT = 30  # 1,200 per region
CLIENTS_PER_DEPARTMENT = 375  # 15,000 per region
SERVICES = [
    ("S01", "социально-бытовые", 40),
    ("S02", "социально-бытовые", 30),
    ("S03", "социально-бытовые", 20),
    ("S04", "социально-медицинские", 30),
    ("S05", "социально-медицинские", 25),
    ("S06", "социально-психологические", 45),
    ("S07", "социально-правовые", 20),
    ("S08", "социально-бытовые", 60),
]
CATEGORIES = [
    "инвалид I группы",
    "инвалид II группы",
    "ветеран труда",
    "ветеран ВОВ",
    "одиноко проживающий",
    "труженик тыла",
]
MODES = ["walk", "walk", "walk", "transit", "car"]
STEP_M_PER_S = 1.2


def workdays(month: date) -> list[date]:
    days = [month + timedelta(days=n) for n in range(31)]
    return [d for d in days if d.month == month.month and d.isoweekday() <= 5]


def _array(values: list[str]) -> str:
    return "{" + ",".join(f'"{v}"' for v in values) + "}"


def _copy(session: Session, table: str, columns: str, rows: Iterator[tuple[Any, ...]]) -> int:
    raw = session.connection().connection.driver_connection
    count = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _ids(session: Session, sql: str, **params: Any) -> list[Any]:
    return list(session.execute(text(sql), params).all())


def generate(session: Session, *, seed: int, pings_per_day: int) -> dict[str, int]:
    """Registry, a month of visits, legs, ratings, zones; pings of region 1. Returns counts."""
    rng = random.Random(seed)
    tz = ZoneInfo(get_settings().timezone)
    days = workdays(MONTH)
    counts: dict[str, int] = {}
    for r in range(REGIONS):
        session.execute(text("INSERT INTO region (name) VALUES (:n)"), {"n": f"Регион {r + 1}"})
    regions = [row[0] for row in _ids(session, "SELECT id FROM region ORDER BY id")]
    centre_lonlat: dict[int, tuple[float, float]] = {}
    for r, region_id in enumerate(regions):
        for c in range(CENTRES):
            for d in range(DEPARTMENTS_PER_CENTRE):
                office_id = session.execute(
                    text(
                        "INSERT INTO office (region_id, centre, name, address) "
                        "VALUES (:r, :c, :n, '') RETURNING id"
                    ),
                    {
                        "r": region_id,
                        "c": f"ГБУ ЦСО №{r + 1}-{c + 1:02d}",
                        "n": f"Отделение {r + 1}-{c + 1:02d}-{d + 1}",
                    },
                ).scalar_one()
                centre_lonlat[office_id] = (37.4 + 0.05 * c + 0.8 * r, 55.6 + 0.02 * d)
    offices = sorted(centre_lonlat)
    session.execute(
        text(
            "INSERT INTO service (office_id, code, name, category, level, standard_minutes, "
            "active) VALUES (:o, :c, :n, :k, :l, :m, true)"
        ),
        [
            {"o": o, "c": code, "n": f"Услуга {code}", "k": cat, "l": 1 + n % 2, "m": minutes}
            for o in offices
            for n, (code, cat, minutes) in enumerate(SERVICES)
        ],
    )
    counts["workers"] = _copy(
        session,
        "worker",
        "office_id, full_name, phone, position, skills, travel_mode, weekly_hours, active",
        (
            (
                o,
                f"Работник {o}-{n + 1:02d}",
                "",
                "социальный работник",
                "{}",
                rng.choice(MODES),
                40.0,
                True,
            )
            for o in offices
            for n in range(WORKERS_PER_DEPARTMENT)
        ),
    )

    def client_rows() -> Iterator[tuple[Any, ...]]:
        for o in offices:
            lon, lat = centre_lonlat[o]
            for n in range(CLIENTS_PER_DEPARTMENT):
                where = (lon + rng.uniform(-0.02, 0.02), lat + rng.uniform(-0.012, 0.012))
                yield (
                    o,
                    f"Клиент {o}-{n + 1}",
                    "",
                    "Москва",
                    f"SRID=4326;POINT({where[0]:.6f} {where[1]:.6f})",
                    "ok",
                    _array(rng.sample(CATEGORIES, rng.choice((1, 1, 2)))),
                    "enrolled" if rng.random() < 0.95 else "suspended",
                    "{}",
                    1,
                    "1234",
                    "",
                )

    counts["clients"] = _copy(
        session,
        "client",
        "office_id, full_name, phone, address, location, location_status, categories, status, "
        "required_skills, workers_needed, confirmation_code, notes",
        client_rows(),
    )
    workers: dict[int, list[tuple[int, str]]] = {o: [] for o in offices}
    for worker_id, office_id, mode in _ids(
        session, "SELECT id, office_id, travel_mode::text FROM worker ORDER BY id"
    ):
        workers[office_id].append((worker_id, mode))
    clients: dict[int, list[tuple[int, float, float]]] = {o: [] for o in offices}
    for client_id, office_id, lon, lat in _ids(
        session, "SELECT id, office_id, ST_X(location), ST_Y(location) FROM client ORDER BY id"
    ):
        clients[office_id].append((client_id, lon, lat))
    own: dict[int, list[tuple[int, float, float]]] = {}
    zone_rows = []
    for o in offices:
        for n, (worker_id, _mode) in enumerate(workers[o]):
            own[worker_id] = clients[o][n::WORKERS_PER_DEPARTMENT]
    # an active zone set per department, one zone per worker
    for o in offices:
        zs = session.execute(
            text(
                "INSERT INTO zone_set (office_id, version, status, note, stats) "
                "VALUES (:o, 1, 'active', '', '{}') RETURNING id"
            ),
            {"o": o},
        ).scalar_one()
        for n, (worker_id, _mode) in enumerate(workers[o]):
            zone = session.execute(
                text(
                    "INSERT INTO zone (zone_set_id, worker_id, name, color) "
                    "VALUES (:z, :w, :n, '#3388ff') RETURNING id"
                ),
                {"z": zs, "w": worker_id, "n": f"Зона {n + 1:02d}"},
            ).scalar_one()
            zone_rows += [(zs, c[0], zone, False) for c in own[worker_id]]
    counts["zone clients"] = _copy(
        session, "zone_client", "zone_set_id, client_id, zone_id, locked", iter(zone_rows)
    )
    first_region = {o for o in offices if o in _region_offices(session, regions[0])}
    devices: dict[int, int] = {}
    for o in sorted(first_region):
        for worker_id, _mode in workers[o]:
            token = hashlib.sha256(f"bench-{seed}-{worker_id}".encode()).hexdigest()
            devices[worker_id] = session.execute(
                text(
                    "INSERT INTO device (worker_id, name, platform, token_hash) "
                    "VALUES (:w, 'телефон', 'web', :t) RETURNING id"
                ),
                {"w": worker_id, "t": token},
            ).scalar_one()

    # the month, day by day: visits, legs, ratings; track summaries or pings
    visits, legs, ratings, summaries = [], [], [], []
    pings_of_days: list[tuple[int, int, int, list[tuple[datetime, float, float]]]] = []
    for o in offices:
        for worker_id, mode in workers[o]:
            home = own[worker_id][0][1:]
            for day in days:
                start = datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=9)
                now, here = start, home
                track = [(now, *here)]
                moving_s = path_m = 0.0
                todo = rng.sample(own[worker_id], rng.choice((7, 8, 8)))
                for client_id, lon, lat in todo:
                    metres = _distance((lon, lat), here) * 1.3
                    leg_s = metres / STEP_M_PER_S
                    arrive = now + timedelta(seconds=leg_s)
                    legs.append(
                        (o, worker_id, mode, day, 0, client_id, now, arrive, metres / 1.3, metres)
                    )
                    moving_s += leg_s
                    path_m += metres
                    planned = arrive + timedelta(minutes=rng.choice((-5, 0, 0, 5)))
                    codes = rng.sample(SERVICES, rng.choice((1, 2, 2, 3)))
                    minutes = sum(m for _, _, m in codes)
                    late = timedelta(minutes=rng.choice((0, 0, 0, 5, 10, 25)))
                    arrived = arrive + late
                    done = rng.random() > 0.04
                    departed = arrived + timedelta(minutes=minutes * rng.uniform(0.8, 1.3))
                    services = json.dumps([{"code": c, "minutes": m} for c, _, m in codes])
                    visits.append(
                        (
                            o,
                            worker_id,
                            client_id,
                            day,
                            planned,
                            planned + timedelta(minutes=minutes),
                            "done" if done else "no_show",
                            arrived,
                            departed if done else None,
                            "tapped",
                            "tapped" if done else None,
                            services if done else "[]",
                            minutes if done else 0,
                            done,
                            "",
                            "{}",
                            round(leg_s),  # the trip that ended here (travel_s)
                        )
                    )
                    if done and rng.random() < 0.1:
                        ratings.append(
                            (
                                o,
                                client_id,
                                worker_id,
                                codes[0][0],
                                rng.choice((3, 4, 5, 5, 5)),
                                "",
                                departed,
                            )
                        )
                    track += [(arrive, lon, lat), (departed if done else arrived, lon, lat)]
                    now, here = (departed if done else arrived), (lon, lat)
                if worker_id in devices:
                    pings_of_days.append((devices[worker_id], worker_id, o, track))
                else:
                    summaries.append(
                        (worker_id, day, o, start, now, 0, moving_s, path_m, datetime.now(UTC))
                    )
    counts["visits"] = _copy(
        session,
        "visit",
        "office_id, worker_id, client_id, day, planned_start, planned_end, status, arrived_at, "
        "departed_at, arrival_source, departure_source, services, minutes, confirmed, reason, "
        "flags, travel_s",
        iter(visits),
    )
    counts["legs"] = _copy(
        session,
        "travel_leg",
        "office_id, worker_id, mode, day, from_client_id, to_client_id, depart, arrive, "
        "straight_m, path_m",
        iter(legs),
    )
    counts["ratings"] = _copy(
        session,
        "client_feedback",
        "office_id, client_id, worker_id, service_code, rating, comment, at",
        iter(ratings),
    )
    session.execute(
        text(
            "UPDATE client_feedback f SET visit_id = v.id FROM visit v "
            "WHERE f.visit_id IS NULL AND v.worker_id = f.worker_id "
            "AND v.client_id = f.client_id AND v.day = (f.at AT TIME ZONE :tz)::date"
        ),
        {"tz": get_settings().timezone},
    )
    counts["summaries written"] = _copy(
        session,
        "track_day",
        "worker_id, day, office_id, first_ping, last_ping, pings, moving_s, path_m, refreshed_at",
        iter(summaries),
    )
    del visits, legs, ratings, summaries
    from tracking.partitions import ensure_partitions

    ensure_partitions(
        {d + timedelta(days=k) for d in days for k in (-1, 0, 1)},
        engine=session.get_bind().engine,
    )
    counts["pings"] = _insert_pings(session, pings_of_days, pings_per_day, seed)
    return counts


def _region_offices(session: Session, region_id: int) -> set[int]:
    rows = session.execute(text("SELECT id FROM office WHERE region_id = :r"), {"r": region_id})
    return {r[0] for r in rows}


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return geo.distance_m(*a, *b)


def _insert_pings(
    session: Session,
    days: list[tuple[int, int, int, list[tuple[datetime, float, float]]]],
    per_day: int,
    seed: int,
) -> int:
    """Evenly spaced pings along each worker-day's track (still at a client, moving between).

    Python cuts each track into its segments and works out which of the day's pings fall on
    each; the database generates the pings themselves, day by day, which writes tens of
    millions of rows several times faster than sending them through COPY."""
    session.execute(
        text(
            "CREATE TEMP TABLE ping_segment (device_id int, worker_id int, office_id int, "
            "day date, first_s float8, step_s float8, n_lo int, n_hi int, t0_s float8, "
            "span_s float8, x0 float8, y0 float8, x1 float8, y1 float8) ON COMMIT DROP"
        )
    )
    _copy(
        session,
        "ping_segment",
        "device_id, worker_id, office_id, day, first_s, step_s, n_lo, n_hi, t0_s, span_s, "
        "x0, y0, x1, y1",
        _segments(days, per_day),
    )
    session.execute(text("SELECT setseed(:s)"), {"s": (seed % 1000) / 1000})
    count = 0
    for (day,) in session.execute(text("SELECT DISTINCT day FROM ping_segment ORDER BY day")):
        inserted = session.execute(
            text(
                "INSERT INTO ping (device_id, t, worker_id, office_id, location, accuracy, "
                "flags, source, received_at) "
                "SELECT s.device_id, p.t, s.worker_id, s.office_id, "
                "ST_SetSRID(ST_MakePoint(s.x0 + (s.x1 - s.x0) * p.f + (random() - 0.5) * 4e-5, "
                "s.y0 + (s.y1 - s.y0) * p.f + (random() - 0.5) * 2e-5), 4326), "
                "8, 0, 'sync', p.t "
                "FROM ping_segment s, generate_series(s.n_lo, s.n_hi) n, LATERAL ("
                "SELECT to_timestamp(s.first_s + n * s.step_s) AS t, CASE WHEN s.span_s <= 0 "
                "THEN 0 ELSE least(greatest((s.first_s + n * s.step_s - s.t0_s) / s.span_s, 0), "
                "1) END AS f) p WHERE s.day = :day ORDER BY s.device_id, n"
            ),
            {"day": day},
        )
        assert isinstance(inserted, CursorResult)
        count += inserted.rowcount
    return count


def _segments(
    days: list[tuple[int, int, int, list[tuple[datetime, float, float]]]], per_day: int
) -> Iterator[tuple[Any, ...]]:
    """Each leg or stay of each worker-day's track, with the numbers of the day's pings that
    fall on it: ping n is at first + n * step, and falls on the segment that holds its time."""
    for device_id, worker_id, office_id, track in days:
        first, last = track[0][0].timestamp(), track[-1][0].timestamp()
        step = (last - first) / max(per_day - 1, 1)
        for k in range(len(track) - 1):
            (t0, x0, y0), (t1, x1, y1) = track[k], track[k + 1]
            n_lo = math.ceil((t0.timestamp() - first) / step - 1e-9) if k else 0
            last_segment = k == len(track) - 2
            n_hi = (
                per_day - 1
                if last_segment
                else math.ceil((t1.timestamp() - first) / step - 1e-9) - 1
            )
            if n_hi < n_lo:
                continue
            span = (t1 - t0).total_seconds()
            day = track[0][0].date()
            yield (
                device_id,
                worker_id,
                office_id,
                day,
                first,
                step,
                n_lo,
                n_hi,
                t0.timestamp(),
                span,
                x0,
                y0,
                x1,
                y1,
            )
