"""Reports at region and national scale: 5 regions, each of 20 centres with 2 departments,
1,200 workers and 15,000 clients, a month of visits (about 200,000 per region), and the GPS pings
of the first region (about 36 million at the default --pings-per-day).

Run:  .venv/bin/python -m bench.reports --region [--pings-per-day 1364] [--seed 7]

Everything goes into its own database (`careroute_bench_reports`, created with PostGIS and
migrated on the first run) by COPY, the pings by the database from each track's segments,
once per seed and ping count; ANALYZE follows the load (the
first reports after a bulk load without statistics took seconds instead of hundredths). The
first region's ping summaries are computed from its pings by the reports' own refresh (timed);
the other regions' summaries are written directly, as the national roll-up reads only the
summaries and the visits. Timed (median of 3): the region's monthly figures per worker with
subtotals, the national roll-up, breakdowns, XLSX exports, and one worker-day's pings as the
replay map reads them. The machine is shared.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

BENCH_URL = "postgresql+psycopg://careroute:careroute@127.0.0.1:54329/careroute_bench_reports"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_REGION_DATABASE_URL", BENCH_URL)

import statistics  # noqa: E402

from sqlalchemy import create_engine, text  # noqa: E402

from bench.reports_region_data import MONTH, generate, workdays  # noqa: E402
from core.db import get_engine, session_scope  # noqa: E402
from core.settings import get_settings  # noqa: E402


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


def timed(action: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _cpu_check() -> float:
    """Seconds for a fixed piece of Python work: the shared machine's speed varies by a third
    from hour to hour, and the timings below move with it."""
    started = time.perf_counter()
    total = 0
    for n in range(10**7):
        total += n
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pings-per-day",
        type=int,
        default=1364,
        help="pings per worker-day in the first region (1364: about 36 M)",
    )
    parser.add_argument("--region", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    from api.reports import export, service, tracks
    from api.reports.schemas import Filters
    from core.models import Role, User
    from tracking import inference

    print(f"database: {get_settings().database_url.rsplit('@', 1)[1]}", flush=True)
    ensure_database()
    mark = f"bench seed {args.seed}, {args.pings_per_day} pings a day"
    load_s = refresh_s = analyze_s = None
    with session_scope() as session:
        loaded = session.scalar(
            text("SELECT count(*) FROM app_user WHERE full_name = :m"), {"m": mark}
        )
    if not loaded:
        with session_scope() as session:
            session.execute(
                text(
                    "TRUNCATE region, office, ping, track_day, track_day_stale "
                    "RESTART IDENTITY CASCADE"
                )
            )
        print(f"generating ({mark}) ...", flush=True)
        started = time.perf_counter()
        with session_scope() as session:
            counts = generate(session, seed=args.seed, pings_per_day=args.pings_per_day)
            print("  " + ", ".join(f"{k}: {v:,}" for k, v in counts.items()), flush=True)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        with session_scope() as session:
            first = session.scalar(text("SELECT min(id) FROM region"))
            offices = list(
                session.scalars(text("SELECT id FROM office WHERE region_id = :r"), {"r": first})
            )
            tracks.refresh(session, office_ids=offices, start=MONTH, end=workdays(MONTH)[-1])
        refresh_s = time.perf_counter() - started
        started = time.perf_counter()
        with session_scope() as session:
            session.execute(text("ANALYZE"))
        analyze_s = time.perf_counter() - started
        with session_scope() as session:
            first = session.scalar(text("SELECT min(id) FROM region"))
            for role, region in ((Role.MANAGER, first), (Role.NATIONAL, None)):
                session.add(
                    User(
                        username=f"bench-{role.value}",
                        full_name=mark,
                        password_hash="-",
                        role=role,
                        region_id=region,
                    )
                )
    with session_scope() as session:
        data = session.execute(
            text(
                "SELECT (SELECT count(*) FROM region), (SELECT count(*) FROM office), "
                "(SELECT count(*) FROM worker), (SELECT count(*) FROM client), "
                "(SELECT count(*) FROM visit), (SELECT count(*) FROM ping), "
                "(SELECT min(id) FROM region)"
            )
        ).one()
    end = workdays(MONTH)[-1]

    def user(role: str) -> User:
        with session_scope() as session:
            found = session.scalars(
                text("SELECT id FROM app_user WHERE username = :u"), {"u": f"bench-{role}"}
            ).one()
            row = session.get(User, found)
            assert row is not None
            session.expunge(row)
            return row

    manager, national = user("manager"), user("national")

    def rollup(who: User, depth: str, **extra: Any) -> Callable[[], object]:
        def run() -> object:
            with session_scope() as session:
                return service.hierarchy(
                    session, user=who, start=MONTH, end=end, depth=depth, **extra
                )

        return run

    def breakdown(rows: str, columns: str | None, measure: str) -> Callable[[], object]:
        def run() -> object:
            with session_scope() as session:
                return service.breakdown(
                    session,
                    user=manager,
                    start=MONTH,
                    end=end,
                    rows=rows,
                    columns=columns,
                    measure=measure,
                )

        return run

    def xlsx_rollup() -> object:
        with session_scope() as session:
            table = service.hierarchy(session, user=manager, start=MONTH, end=end, depth="worker")
            return export.to_xlsx(table, office_names=["регион"])

    def xlsx_form(name: str) -> Callable[[], object]:
        def run() -> object:
            with session_scope() as session:
                offices = tuple(
                    session.scalars(
                        text("SELECT id FROM office WHERE region_id = :r"), {"r": data[6]}
                    )
                )
                table = service.report(session, name=name, filters=Filters(offices, MONTH, end))
                return export.to_xlsx(table, office_names=["регион"])

        return run

    rows: list[tuple[str, str, str]] = [
        (
            "data",
            f"{data[0]} regions, {data[1]} departments, {data[2]:,} workers, "
            f"{data[3]:,} clients, {data[4]:,} visits, {data[5]:,} pings",
            "",
        ),
        ("generate + COPY (first run)", "-" if load_s is None else f"{load_s:.0f} s", ""),
        (
            "ping summaries of region 1",
            "-" if refresh_s is None else f"{refresh_s:.0f} s",
            "once after the load",
        ),
        ("ANALYZE", "-" if analyze_s is None else f"{analyze_s:.0f} s", ""),
        (
            "CPU check: 10^7 additions in Python",
            f"{_cpu_check():.2f} s",
            "the shared machine's speed",
        ),
    ]
    timings = [
        ("region: per worker + subtotals", rollup(manager, "worker"), 3.0),
        ("region: month over month split", rollup(manager, "worker", split=MONTH), 3.0),
        ("nation: 5 regions", rollup(national, "region"), 5.0),
        ("nation: down to 200 departments", rollup(national, "office"), 5.0),
        ("pivot worker x weekday, visits", breakdown("worker", "weekday", "visits"), 2.0),
        (
            "pivot category x service cat., min",
            breakdown("client_category", "service_category", "minutes_actual"),
            2.0,
        ),
        # the slowest before counts and categories without a service were summed by lists too
        (
            "pivot category x service cat., visits",
            breakdown("client_category", "service_category", "visits"),
            2.0,
        ),
        (
            "pivot category x service, travel",
            breakdown("client_category", "service", "travel"),
            2.0,
        ),
        ("pivot category x zone, travel", breakdown("client_category", "zone", "travel"), 2.0),
        ("pivot zone x travel mode, travel", breakdown("zone", "travel_mode", "travel"), 2.0),
        ("pivot service x status, rating", breakdown("service", "client_status", "rating"), 2.0),
        ("pivot office x weekday, late", breakdown("office", "weekday", "late"), 2.0),
        ("XLSX region per worker", xlsx_rollup, 5.0),
        ("XLSX form: services rendered", xlsx_form("services"), 5.0),
    ]

    def form(name: str, **where: Any) -> Callable[[], object]:
        def run() -> object:
            with session_scope() as session:
                return service.form(session, user=manager, name=name, start=MONTH, end=end,
                                    **where)  # fmt: skip

        return run

    with session_scope() as session:
        office_id, centre = session.execute(
            text("SELECT id, centre FROM office WHERE region_id = :r ORDER BY id LIMIT 1"),
            {"r": data[6]},
        ).one()
    timings.append(
        ("XLSX form: department's services", form("department-services", office_id=office_id), 5.0)
    )
    timings.append(
        (
            "XLSX form: centre's clients",
            form("centre-clients", region_id=data[6], centre=centre),
            5.0,
        )
    )
    with session_scope() as session:
        worker_id = session.scalar(
            text("SELECT worker_id FROM ping WHERE office_id = :o LIMIT 1"), {"o": office_id}
        )
    middle = workdays(MONTH)[len(workdays(MONTH)) // 2]

    def replay() -> object:
        with session_scope() as session:
            return inference.track(session, worker_id=worker_id, day=middle)

    # the one read of the pings themselves: a worker's day on the supervisor's replay map
    timings.append(("a worker-day's pings (replay)", replay, 1.0))
    for what, action, target in timings:
        seconds = timed(action)
        verdict = "ok" if seconds <= target else "OVER"
        rows.append((what, f"{seconds:.2f} s", f"target <= {target:g} s: {verdict}"))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'what':<{width}}  {'median of 3':>12}  note")
    for what, value, note in rows:
        print(f"{what:<{width}}  {value:>12}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
