"""The pilot's figures from a hand-made October and November: two regions, three centres, four
departments, five workers with known visits, services, minutes on site and minutes on the road.
Every figure of every level (worker, department, centre, region, nation), every month, the whole
period, month over month and before / after a date must come back exactly; each role reads its
own part of the hierarchy and nothing else."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.models import Office, Role
from core.settings import get_settings
from tests import factories

TZ = ZoneInfo(get_settings().timezone)
OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
PERIOD = {"start": "2026-10-01", "end": "2026-11-30"}


@dataclass(frozen=True)
class Month:
    visits: int
    services_per_visit: int
    minutes_per_visit: int
    travel_min: int


# worker -> (region, centre, department) and their months; C has no November (on leave)
PLACES = {
    "A": ("R1", "ЦСО Перово", "D1"),
    "B": ("R1", "ЦСО Перово", "D1"),
    "C": ("R1", "ЦСО Перово", "D2"),
    "E": ("R1", "ЦСО Новогиреево", "D3"),
    "F": ("R2", "", "D4"),
}
MONTHS = {
    ("A", OCT): Month(10, 2, 45, 600),
    ("B", OCT): Month(8, 3, 30, 480),
    ("C", OCT): Month(6, 1, 60, 300),
    ("E", OCT): Month(4, 2, 50, 200),
    ("F", OCT): Month(5, 2, 40, 250),
    ("A", NOV): Month(12, 2, 45, 540),
    ("B", NOV): Month(10, 3, 30, 420),
    ("E", NOV): Month(4, 2, 50, 200),
    ("F", NOV): Month(6, 2, 40, 240),
}


@dataclass
class Pilot:
    region_ids: dict[str, int]
    office_ids: dict[str, int]
    worker_ids: dict[str, int]
    names: dict[str, str]  # office code -> name


def _insert_month(db: Session, office_id: int, worker_id: int, client_id: int, first: date,
                  month: Month) -> None:  # fmt: skip
    services = [{"code": f"S{n}", "minutes": 10} for n in range(month.services_per_visit)]
    for n in range(month.visits):
        day = first + timedelta(days=n)
        arrived = datetime.combine(day, time(10), TZ)
        db.execute(
            text(
                "INSERT INTO visit (office_id, worker_id, client_id, day, status, arrived_at, "
                "departed_at, services, minutes, confirmed, reason, flags) VALUES (:o, :w, :c, "
                ":d, 'done', :a, :b, CAST(:s AS jsonb), 0, true, '', '{}')"
            ),
            {
                "o": office_id,
                "w": worker_id,
                "c": client_id,
                "d": day,
                "a": arrived,
                "b": arrived + timedelta(minutes=month.minutes_per_visit),
                "s": json.dumps(services),
            },
        )
    # the travel of the month on two days, as the ping summaries hold it
    for n, share in enumerate((month.travel_min // 2, month.travel_min - month.travel_min // 2)):
        day = first + timedelta(days=n)
        start = datetime.combine(day, time(9), TZ)
        db.execute(
            text(
                "INSERT INTO track_day (worker_id, day, office_id, first_ping, last_ping, pings, "
                "moving_s, path_m, refreshed_at) VALUES (:w, :d, :o, :f, :l, 100, :m, 1000, now())"
            ),
            {
                "w": worker_id,
                "d": day,
                "o": office_id,
                "f": start,
                "l": start + timedelta(hours=8),
                "m": share * 60,
            },
        )


@pytest.fixture
def pilot(db: Session) -> Pilot:
    regions = {code: factories.region(db) for code in ("R1", "R2")}
    offices: dict[str, Any] = {}
    for _worker, (region, centre, office) in sorted(PLACES.items()):
        if office not in offices:
            row = factories.office(db, regions[region])
            row.centre = centre
            offices[office] = row
    db.flush()
    workers = {code: factories.worker(db, offices[PLACES[code][2]]) for code in PLACES}
    clients = {code: factories.client(db, office) for code, office in offices.items()}
    for (code, first), month in MONTHS.items():
        office_code = PLACES[code][2]
        worker, office = workers[code], offices[office_code]
        _insert_month(db, office.id, worker.id, clients[office_code].id, first, month)
    # what must not count: a visit nobody answered, one never finished, one outside the period
    a, d1, client = workers["A"], offices["D1"], clients["D1"]
    for day, status, departed in ((date(2026, 10, 20), "no_show", True),
                                  (date(2026, 10, 21), "done", False),
                                  (date(2026, 12, 1), "done", True)):  # fmt: skip
        arrived = datetime.combine(day, time(12), TZ)
        db.execute(
            text(
                "INSERT INTO visit (office_id, worker_id, client_id, day, status, arrived_at, "
                "departed_at, services, minutes, confirmed, reason, flags) VALUES (:o, :w, :c, "
                ":d, :s, :a, :b, '[{\"code\": \"S0\"}]', 0, false, '', '{}')"
            ),
            {
                "o": d1.id,
                "w": a.id,
                "c": client.id,
                "d": day,
                "s": status,
                "a": arrived,
                "b": arrived + timedelta(minutes=30) if departed else None,
            },
        )
    db.flush()
    return Pilot(
        region_ids={k: v.id for k, v in regions.items()},
        office_ids={k: v.id for k, v in offices.items()},
        worker_ids={k: v.id for k, v in workers.items()},
        names={k: v.name for k, v in offices.items()},
    )


def _expected(members: set[str], months: set[date]) -> dict[str, Any]:
    """The figures of a set of workers over some months, counted from MONTHS by hand."""
    chosen = [(w, m, f) for (w, m), f in MONTHS.items() if w in members and m in months]
    worker_months = len(chosen)
    visits = sum(f.visits for _, _, f in chosen)
    services = sum(f.visits * f.services_per_visit for _, _, f in chosen)
    on_site = sum(f.visits * f.minutes_per_visit for _, _, f in chosen)
    travel = sum(f.travel_min for _, _, f in chosen)
    return {
        "workers": len({w for w, _, _ in chosen}),
        "worker_months": worker_months,
        "visits": visits,
        "services": services,
        "on_site_min": on_site,
        "travel_min": travel,
        "visits_per_worker": round(visits / worker_months, 1),
        "services_per_worker": round(services / worker_months, 1),
        "on_site_min_per_worker": round(on_site / worker_months),
        "travel_min_per_worker": round(travel / worker_months),
    }


def _members(row: dict[str, Any], pilot: Pilot, within: set[str]) -> set[str]:
    """The workers a row of the roll-up sums."""
    region_of = {v: k for k, v in pilot.region_ids.items()}
    office_of = {v: k for k, v in pilot.office_ids.items()}
    worker_of = {v: k for k, v in pilot.worker_ids.items()}
    found = set(within)
    if row["level"] in ("region", "centre", "office", "worker"):
        found = {w for w in found if PLACES[w][0] == region_of[row["region_id"]]}
    if row["level"] in ("centre", "office", "worker"):
        found = {w for w in found
                 if (PLACES[w][1] or pilot.names[PLACES[w][2]]) == row["centre"]}  # fmt: skip
    if row["level"] in ("office", "worker"):
        found = {w for w in found if PLACES[w][2] == office_of[row["office_id"]]}
    if row["level"] == "worker":
        found = {w for w in found if w == worker_of[row["worker_id"]]}
    return found


BUCKETS = {"2026-10": {OCT}, "2026-11": {NOV}, None: {OCT, NOV}}
FIGURES = list(_expected({"A"}, {OCT}))


def _check_every_row(rows: list[dict[str, Any]], pilot: Pilot, within: set[str],
                     buckets: dict[str | None, set[date]]) -> int:  # fmt: skip
    checked = 0
    for row in rows:
        members = _members(row, pilot, within)
        expected = _expected(members, buckets[row["bucket"]])
        assert {k: row[k] for k in FIGURES} == expected, row
        checked += 1
    return checked


def test_every_figure_of_the_region_per_month_and_for_the_period(
    api: TestClient, db: Session, pilot: Pilot
) -> None:
    manager = factories.auth(factories.user(db, Role.MANAGER, region_id=pilot.region_ids["R1"]))
    answer = api.get("/api/reports/rollup", params={**PERIOD, "depth": "worker"}, headers=manager)
    assert answer.status_code == 200, answer.text
    table = answer.json()
    assert table["top"] == "region" and table["depth"] == "worker"
    rows = table["rows"]
    within = {w for w, place in PLACES.items() if place[0] == "R1"}
    # 3 buckets x (nation + region + 2 centres + 3 departments + 4 workers), less C's
    # department and C in November (C was away, D2 had nobody)
    assert _check_every_row(rows, pilot, within, BUCKETS) == 3 * 11 - 2

    # the figures written out once, as a manager would check them on paper
    d1_oct = next(r for r in rows if r["level"] == "office" and r["bucket"] == "2026-10"
                  and r["office_id"] == pilot.office_ids["D1"])  # fmt: skip
    assert (d1_oct["workers"], d1_oct["visits"], d1_oct["services"]) == (2, 18, 44)
    assert (d1_oct["on_site_min"], d1_oct["travel_min"]) == (690, 1080)
    assert (d1_oct["services_per_worker"], d1_oct["travel_min_per_worker"]) == (22, 540)
    d1_nov = next(r for r in rows if r["level"] == "office" and r["bucket"] == "2026-11"
                  and r["office_id"] == pilot.office_ids["D1"])  # fmt: skip
    # month over month: 54 services by 2 workers against 44 by 2; travel 960 / 2 against 1080 / 2
    assert d1_nov["services_per_worker"] == 27 and d1_nov["services_per_worker_change"] == 5
    assert d1_nov["travel_min_per_worker_change"] == -60
    assert d1_oct["services_per_worker_change"] is None
    # C was away in November: the centre's November average is over 2 worker-months, not 3
    perovo_nov = next(r for r in rows if r["level"] == "centre" and r["bucket"] == "2026-11"
                      and r["centre"] == "ЦСО Перово")  # fmt: skip
    assert perovo_nov["worker_months"] == 2 and perovo_nov["visits_per_worker"] == 11


def test_before_and_after_a_date_count_whole_months(
    api: TestClient, db: Session, pilot: Pilot
) -> None:
    manager = factories.auth(factories.user(db, Role.MANAGER, region_id=pilot.region_ids["R1"]))
    params = {**PERIOD, "depth": "worker", "split": "2026-11-15"}
    rows = api.get("/api/reports/rollup", params=params, headers=manager).json()["rows"]
    within = {w for w, place in PLACES.items() if place[0] == "R1"}
    buckets = {"before": {OCT}, "after": {NOV}, None: {OCT, NOV}}
    assert _check_every_row(rows, pilot, within, buckets) == 3 * 11 - 2
    region_after = next(r for r in rows if r["level"] == "region" and r["bucket"] == "after")
    assert region_after["services_per_worker_change"] == round(
        _expected(within, {NOV})["services_per_worker"]
        - _expected(within, {OCT})["services_per_worker"],
        1,
    )


def test_national_role_reads_the_regions_and_drills_down(
    api: TestClient, db: Session, pilot: Pilot
) -> None:
    national = factories.auth(factories.user(db, Role.NATIONAL))
    table = api.get("/api/reports/rollup", params=PERIOD, headers=national).json()
    assert table["top"] == "nation" and table["depth"] == "region"
    mine = [r for r in table["rows"] if r["region_id"] in pilot.region_ids.values()]
    assert {r["level"] for r in mine} == {"region"}
    _check_every_row(mine, pilot, set(PLACES), BUCKETS)
    # nation -> region -> centre -> department -> worker
    r2 = pilot.region_ids["R2"]
    down = api.get("/api/reports/rollup", params={**PERIOD, "region_id": r2}, headers=national)
    assert {r["level"] for r in down.json()["rows"]} == {"nation", "region", "centre"}
    centre = api.get("/api/reports/rollup", headers=national,
                     params={**PERIOD, "region_id": pilot.region_ids["R1"],
                             "centre": "ЦСО Перово"}).json()  # fmt: skip
    offices = {r["office_id"] for r in centre["rows"] if r["level"] == "office"}
    assert offices == {pilot.office_ids["D1"], pilot.office_ids["D2"]}
    office = api.get("/api/reports/rollup", headers=national,
                     params={**PERIOD, "office_id": pilot.office_ids["D1"]}).json()  # fmt: skip
    workers = {r["worker_id"] for r in office["rows"] if r["level"] == "worker"}
    assert workers == {pilot.worker_ids["A"], pilot.worker_ids["B"]}


def test_each_role_reads_its_own_part_only(api: TestClient, db: Session, pilot: Pilot) -> None:
    r1, r2 = pilot.region_ids["R1"], pilot.region_ids["R2"]
    manager = factories.auth(factories.user(db, Role.MANAGER, region_id=r1))
    table = api.get("/api/reports/rollup", params=PERIOD, headers=manager).json()
    assert table["depth"] == "centre"
    assert {r["region_id"] for r in table["rows"]} == {None, r1}
    assert {r["centre"] for r in table["rows"] if r["level"] == "centre"} == {
        "ЦСО Перово", "ЦСО Новогиреево"}  # fmt: skip
    for params in ({"region_id": r2}, {"office_id": pilot.office_ids["D4"]}, {"centre": "нет"}):
        answer = api.get("/api/reports/rollup", params={**PERIOD, **params}, headers=manager)
        assert answer.status_code == 404, params

    d1, d2 = db.get(Office, pilot.office_ids["D1"]), db.get(Office, pilot.office_ids["D2"])
    assert d1 is not None and d2 is not None
    supervisor = factories.auth(factories.user(db, Role.SUPERVISOR, offices=[d2]))
    own = api.get("/api/reports/rollup", params=PERIOD, headers=supervisor).json()
    assert own["top"] == "office" and own["office_ids"] == [pilot.office_ids["D2"]]
    assert {r["worker_id"] for r in own["rows"] if r["level"] == "worker"} == {
        pilot.worker_ids["C"]}  # fmt: skip
    other = {"office_id": pilot.office_ids["D1"]}
    assert api.get("/api/reports/rollup", params={**PERIOD, **other},
                   headers=supervisor).status_code == 404  # fmt: skip

    user = factories.user(db, Role.WORKER)
    factories.worker(db, d1, user)
    worker = factories.auth(user)
    for path in ("/api/reports/rollup", "/api/reports/rollup/export.xlsx"):
        assert api.get(path, params=PERIOD, headers=worker).status_code == 403
    assert api.get("/api/reports/rollup", params=PERIOD).status_code == 401


def test_the_roll_up_exports_hours_and_minutes(api: TestClient, db: Session, pilot: Pilot) -> None:
    manager = factories.auth(factories.user(db, Role.MANAGER, region_id=pilot.region_ids["R1"]))
    params = {**PERIOD, "office_id": pilot.office_ids["D1"]}
    csv = api.get("/api/reports/rollup/export.csv", params=params, headers=manager)
    assert csv.status_code == 200
    text_ = csv.content.decode("utf-8-sig")
    assert "итого по отделению" in text_ and "18:00" in text_  # D1's 1080 minutes of October
    xlsx = api.get("/api/reports/rollup/export.xlsx", params=params, headers=manager)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [c for row in sheet.iter_rows() for c in row]
    durations = [c for c in values if c.number_format == "[h]:mm"]
    # read back as a duration: 18 hours, October's travel of D1
    assert durations and any(c.value == timedelta(minutes=1080) for c in durations)
