"""Reports on a month of a big office: 60 workers, ~10,000 visits, ~2 million pings in PostGIS.

Run:  .venv/bin/python -m bench.reports [--seed 5] [--explain]
      .venv/bin/python -m bench.reports --region [--pings-per-day N]  (bench.reports_region)

The data go into their own database (`careroute_bench`, created with PostGIS and migrated on the
first run) by COPY; a second run with the same seed reuses them. Timed (median of 3): bringing
the ping summaries up to date once after the load, the month's worker timing report, the month's
XLSX export of it, and the office's other reports. The machine is shared, so times are noisy.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

BENCH_URL = "postgresql+psycopg://careroute:careroute@127.0.0.1:54329/careroute_bench"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", BENCH_URL)

from geoalchemy2.shape import from_shape  # noqa: E402
from shapely.geometry import Point  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core.db import get_engine, session_scope  # noqa: E402
from core.settings import get_settings  # noqa: E402

MONTH = date(2026, 10, 1)
WORKERS = 60
CLIENTS_PER_WORKER = 10
SERVICES = [
    ("S01", 40),
    ("S02", 30),
    ("S03", 20),
    ("S04", 30),
    ("S05", 25),
    ("S06", 45),
    ("S07", 20),
    ("S08", 60),
]
CENTRE = (37.78, 55.75)


def ensure_database() -> None:
    """Create the bench database with PostGIS and migrate it to the newest schema."""
    from alembic import command

    from tests.conftest import alembic_config

    url = get_settings().database_url
    name = url.rsplit("/", 1)[1]
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    with get_engine().begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    command.upgrade(alembic_config(), "head")


def workdays(month: date) -> list[date]:
    days = [month + timedelta(days=n) for n in range(31)]
    return [d for d in days if d.month == month.month and d.isoweekday() <= 5]


def generate(session: Session, seed: int) -> int:
    """The office, its registry, approved plans and the simulated month; returns the office id."""
    from core.models import Office, Region
    from demo.history import PlannedDay, PlannedStop, Simulated, simulate_day, write
    from registry.models import Client, Service, TravelMode, Worker, WorkerShift
    from tracking.devices import register_device

    rng = random.Random(seed)
    tz = ZoneInfo(get_settings().timezone)
    region = Region(name=f"Бенчмарк {seed}")
    session.add(region)
    session.flush()
    office = Office(region_id=region.id, name=f"Отделение бенчмарка {seed}")
    session.add(office)
    session.flush()
    for code, minutes in SERVICES:
        session.add(
            Service(
                office_id=office.id,
                code=code,
                name=f"Услуга {code}",
                category="социально-бытовые",
                standard_minutes=minutes,
            )
        )
    workers, homes, devices, clients = [], {}, {}, {}
    for n in range(WORKERS):
        home = (CENTRE[0] + rng.uniform(-0.05, 0.05), CENTRE[1] + rng.uniform(-0.03, 0.03))
        worker = Worker(
            office_id=office.id,
            full_name=f"Работник {n + 1:02d}",
            travel_mode=TravelMode.WALK,
            start_location=_point(home),
        )
        worker.shifts = [
            WorkerShift(
                weekday=d,
                start=datetime.min.time().replace(hour=8),
                end=datetime.min.time().replace(hour=17),
            )
            for d in range(1, 6)
        ]
        session.add(worker)
        session.flush()
        workers.append(worker)
        homes[worker.id] = home
        devices[worker.id] = register_device(session, worker=worker, name="телефон")[0].id
        own = []
        for _ in range(CLIENTS_PER_WORKER):
            where = (home[0] + rng.uniform(-0.012, 0.012), home[1] + rng.uniform(-0.007, 0.007))
            client = Client(
                office_id=office.id,
                full_name=f"Клиент {len(clients) + 1}",
                address="Москва",
                location=_point(where),
                confirmation_code="1234",
            )
            session.add(client)
            session.flush()
            clients[client.id] = where
            own.append(client.id)
        worker.own = own  # type: ignore[attr-defined]
    total = Simulated()
    for day in workdays(MONTH):
        plan_days = _plan_day(session, office.id, day, workers, homes, clients, rng, tz)
        for worker_id, stops, start, lunch in plan_days:
            planned = [
                PlannedStop(
                    s.id, s.client_id, clients[s.client_id], s.start, s.end, s.services, "1234"
                )
                for s in stops
            ]
            total.extend(
                simulate_day(
                    PlannedDay(
                        office.id,
                        worker_id,
                        devices[worker_id],
                        day,
                        start,
                        homes[worker_id],
                        planned,
                        lunch,
                        45,
                    ),
                    rng,
                    step_s=20,
                )
            )
    print(f"  writing {len(total.pings):,} pings, {len(total.visits):,} visits ...", flush=True)
    write(session, total)
    return office.id


def _point(p: tuple[float, float]):  # type: ignore[no-untyped-def]
    return from_shape(Point(*p), srid=4326)


def _plan_day(session, office_id, day, workers, homes, clients, rng, tz):  # type: ignore[no-untyped-def]
    """An approved plan: each worker visits 7-8 own clients in nearest-neighbour order."""
    from demo.history import distance_m
    from planner.models import Plan, PlanRoute, PlanStatus, PlanStop

    plan = Plan(office_id=office_id, day=day, version=1, status=PlanStatus.APPROVED)
    session.add(plan)
    session.flush()
    result = []
    for worker in workers:
        todo = rng.sample(worker.own, rng.choice((7, 8, 8)))
        here, now = (
            homes[worker.id],
            datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=8, minutes=30),
        )
        route = PlanRoute(plan_id=plan.id, worker_id=worker.id, start=now, end=now)
        lunch = datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=12, minutes=30)
        route.break_start, route.break_end = lunch, lunch + timedelta(minutes=45)
        stops, travel_s, service_s, seq, lunch_taken = [], 0, 0, 0, False
        while todo:
            nearest = min(todo, key=lambda c: distance_m(here, clients[c]))
            todo.remove(nearest)
            leg = round(distance_m(here, clients[nearest]) * 1.3 / 1.2)
            now += timedelta(seconds=leg)
            if not lunch_taken and now >= lunch:  # lunch before the next visit
                now, lunch_taken = now + timedelta(minutes=45), True
            services = [
                {"code": c, "minutes": m} for c, m in rng.sample(SERVICES, rng.choice((1, 1, 2)))
            ]
            minutes = sum(s["minutes"] for s in services)
            seq += 1
            stop = PlanStop(
                plan_id=plan.id,
                worker_id=worker.id,
                client_id=nearest,
                seq=seq,
                arrival=now,
                start=now,
                end=now + timedelta(minutes=minutes),
                travel_s=leg,
                wait_s=0,
                services=services,
            )
            stops.append(stop)
            travel_s += leg
            service_s += minutes * 60
            now = stop.end
            here = clients[nearest]
        back = round(distance_m(here, homes[worker.id]) * 1.3 / 1.2)
        route.end, route.travel_s, route.service_s = (
            now + timedelta(seconds=back),
            travel_s + back,
            service_s,
        )
        route.stops = stops
        session.add(route)
        result.append((worker.id, stops, route.start, route.break_start))
    session.flush()
    return result


def timed(action: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of the report"
    )
    parser.add_argument(
        "--recompute", action="store_true", help="mark every ping summary stale first (time it)"
    )
    parser.add_argument(
        "--region", action="store_true",
        help="5 regions of 1,200 workers instead of one office (bench.reports_region; its own "
        "database and options, e.g. --pings-per-day)",
    )  # fmt: skip
    args, rest = parser.parse_known_args(argv)
    if args.region:  # its own database: a fresh process reads its own settings
        os.execv(sys.executable, [sys.executable, "-m", "bench.reports_region", *rest])
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    from api.reports import export, service, tracks
    from api.reports.schemas import Filters
    from core.models import Office

    print(f"database: {get_settings().database_url.rsplit('@', 1)[1]}", flush=True)
    ensure_database()
    name = f"Отделение бенчмарка {args.seed}"
    load_s = None
    with session_scope() as session:
        office_id = session.scalar(select(Office.id).where(Office.name == name))
    if office_id is None:
        print("generating the month (once per seed) ...", flush=True)
        started = time.perf_counter()
        with session_scope() as session:
            office_id = generate(session, args.seed)
        load_s = time.perf_counter() - started
    with session_scope() as session:
        counts = session.execute(
            text(
                "SELECT (SELECT count(*) FROM visit WHERE office_id = :o), "
                "(SELECT count(*) FROM ping WHERE office_id = :o), "
                "(SELECT count(DISTINCT worker_id) FROM visit WHERE office_id = :o)"
            ),
            {"o": office_id},
        ).one()
    days = workdays(MONTH)
    filters = Filters(office_ids=(office_id,), start=MONTH, end=days[-1])
    if args.recompute:
        with session_scope() as session:
            session.execute(
                text(
                    "INSERT INTO track_day_stale SELECT worker_id, day, now() "
                    "FROM track_day ON CONFLICT DO NOTHING"
                )
            )
    with session_scope() as session:
        started = time.perf_counter()
        refreshed = tracks.refresh(session, office_ids=[office_id], start=MONTH, end=days[-1])
        refresh_s = time.perf_counter() - started

    def report() -> object:
        with session_scope() as session:
            return service.report(session, name="worker-timing", filters=filters)

    def xlsx() -> object:
        with session_scope() as session:
            table = service.report(session, name="worker-timing", filters=filters)
            return export.to_xlsx(table, office_names=[name])

    def other(report_name: str) -> Callable[[], object]:
        def run() -> object:
            with session_scope() as session:
                return service.report(session, name=report_name, filters=filters)

        return run

    rows = [
        ("data", f"{counts[2]} workers, {counts[0]:,} visits, {counts[1]:,} pings", ""),
        ("generate + COPY (first run)", "-" if load_s is None else f"{load_s:.1f} s", ""),
        ("refresh ping summaries", f"{refresh_s:.2f} s", f"{refreshed} worker-days recomputed"),
        ("worker timing, month", f"{timed(report):.3f} s", "target <= 2 s"),
        ("XLSX export, month", f"{timed(xlsx):.3f} s", "target <= 5 s"),
    ]
    for report_name in ("calibration", "services", "clients", "workers", "feedback", "care-plan"):
        rows.append((f"{report_name}, month", f"{timed(other(report_name)):.3f} s", ""))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'what':<{width}}  {'median of 3':>14}  note")
    for what, value, note in rows:
        print(f"{what:<{width}}  {value:>14}  {note}")
    if args.explain:
        _explain(filters)
    return 0


def _explain(filters: object) -> None:
    from api.reports.queries import _WORKER_TIMING, _params

    with session_scope() as session:
        plan = session.execute(
            text("EXPLAIN (ANALYZE, BUFFERS) " + _WORKER_TIMING), _params(filters)
        )  # type: ignore[arg-type]
        print("\n".join(row[0] for row in plan))


if __name__ == "__main__":
    sys.exit(main())
