"""A simulated day goes in through the real ingest path (`POST /api/mobile/sync` with device
tokens) and the worker timing report gives back exactly the figures the day was made of.

Worker A starts 5 minutes late, sits 10 minutes on a bench between two clients, arrives at the
second client 30 minutes after the planned start (late), and finds nobody at the third (missed).
Worker B follows the plan and adds a visit that was not planned.
Ingest commits on its own connections, so this test makes its own office and removes it after.
"""

from __future__ import annotations

import io
import itertools
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from core.db import session_factory
from core.models import Role
from core.settings import get_settings
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from registry.models import WorkerShift
from tests import factories
from tests.reports.cleanup import wipe_office
from tracking.devices import register_device
from tracking.evidence import visit_code

TZ = ZoneInfo(get_settings().timezone)
DAY = datetime.now(TZ).date() - timedelta(days=1)
STEP = timedelta(seconds=30)

Point = tuple[float, float]  # lon, lat
HOME_A, C1, BENCH, C2, C3 = (
    (37.780, 55.750), (37.795, 55.750), (37.795, 55.760), (37.805, 55.760), (37.805, 55.750),
)  # fmt: skip
SERVED_C2 = {"code": "C02", "minutes": 25}  # the worker says how long it took
HOME_B, C5, C4 = (37.770, 55.740), (37.770, 55.748), (37.778, 55.748)


def at(hour: int, minute: int) -> datetime:
    return datetime.combine(DAY, time(hour, minute), TZ)


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    origin: Point
    target: Point


def walk(*legs: tuple[tuple[int, int], tuple[int, int], Point, Point]) -> list[Segment]:
    return [Segment(at(*a), at(*b), p, q) for a, b, p, q in legs]


DAY_A = walk(
    ((9, 5), (9, 20), HOME_A, C1),
    ((9, 20), (9, 50), C1, C1),
    ((9, 50), (10, 10), C1, BENCH),
    ((10, 10), (10, 20), BENCH, BENCH),
    ((10, 20), (10, 30), BENCH, C2),
    ((10, 30), (10, 55), C2, C2),
    ((10, 55), (11, 15), C2, C3),
    ((11, 15), (11, 20), C3, C3),
    ((11, 20), (11, 40), C3, HOME_A),
)
DAY_B = walk(
    ((13, 0), (13, 15), HOME_B, C5),
    ((13, 15), (13, 45), C5, C5),
    ((13, 45), (13, 55), C5, C4),
    ((13, 55), (14, 15), C4, C4),
    ((14, 15), (14, 30), C4, HOME_B),
)


def pings(segments: list[Segment]) -> list[dict[str, Any]]:
    """A fix every 30 s along the segments, as the phone's batch sends them."""
    result = []
    t = segments[0].start
    while t <= segments[-1].end:
        seg = next(s for s in segments if s.start <= t <= s.end)
        share = (t - seg.start) / (seg.end - seg.start)
        lon = seg.origin[0] + share * (seg.target[0] - seg.origin[0])
        lat = seg.origin[1] + share * (seg.target[1] - seg.origin[1])
        result.append(
            {"t": t.isoformat(), "lat": lat, "lon": lon, "accuracy": 10, "uuid": str(uuid.uuid4())}
        )
        t += STEP
    return result


def path_km(items: list[dict[str, Any]]) -> float:
    """The distance on the move, the way the report measures it (equirectangular, >= 0.5 m/s)."""
    total = 0.0
    for a, b in itertools.pairwise(items):
        dx = (b["lon"] - a["lon"]) * math.cos(math.radians(b["lat"]))
        metres = 111195.0 * math.hypot(dx, b["lat"] - a["lat"])
        if metres >= 0.5 * 30:
            total += metres
    return round(total / 1000, 2)


def event(kind: str, client_id: int, t: datetime, point: Point, **extra: Any) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "type": kind,
        "t": t.isoformat(),
        "client_id": client_id,
        "lat": point[1],
        "lon": point[0],
        "accuracy": 10,
        **extra,
    }


@dataclass
class World:
    office_id: int
    manager: dict[str, str]
    workers: dict[str, int]
    clients: dict[str, int]
    tokens: dict[str, str]


def _build(session: Session) -> World:
    region = factories.region(session)
    office = factories.office(session, region)
    manager = factories.user(session, Role.MANAGER, region_id=region.id)
    c01 = factories.service(session, office, "C01", 30)
    c02 = factories.service(session, office, "C02", 20)
    assert c01 and c02
    workers = {}
    for name, home in (("A", HOME_A), ("B", HOME_B)):
        worker = factories.worker(session, office, full_name=f"Работник {name}")
        worker.start_location = worker.end_location = factories.point(*home)
        worker.shifts += [WorkerShift(weekday=d, start=time(8), end=time(17)) for d in (6, 7)]
        workers[name] = worker
    clients = {
        key: factories.client(session, office, lonlat=where, confirmation_code=f"K{key}")
        for key, where in (("C1", C1), ("C2", C2), ("C3", C3), ("C4", C4), ("C5", C5))
    }
    clients["C4"].preferred_worker_id = workers["B"].id  # B's own client, visited off plan
    plan = Plan(office_id=office.id, day=DAY, version=1, status=PlanStatus.APPROVED)
    session.add(plan)
    session.flush()
    a = PlanRoute(plan_id=plan.id, worker_id=workers["A"].id, start=at(9, 0), end=at(11, 30),
                  travel_s=70 * 60, service_s=80 * 60, wait_s=0)  # fmt: skip
    a.stops = [
        _stop(plan, workers["A"].id, clients["C1"].id, 1, at(9, 15), at(9, 45), "C01", 30),
        _stop(plan, workers["A"].id, clients["C2"].id, 2, at(10, 0), at(10, 20), "C02", 20),
        _stop(plan, workers["A"].id, clients["C3"].id, 3, at(10, 40), at(11, 10), "C01", 30),
    ]
    b = PlanRoute(plan_id=plan.id, worker_id=workers["B"].id, start=at(13, 0), end=at(14, 0),
                  travel_s=30 * 60, service_s=30 * 60, wait_s=0)  # fmt: skip
    b.stops = [_stop(plan, workers["B"].id, clients["C5"].id, 1, at(13, 15), at(13, 45), "C01", 30)]
    plan.routes = [a, b]
    tokens = {n: register_device(session, worker=w, name="телефон")[1] for n, w in workers.items()}
    session.flush()
    return World(
        office_id=office.id,
        manager=factories.auth(manager),
        workers={k: w.id for k, w in workers.items()},
        clients={k: c.id for k, c in clients.items()},
        tokens=tokens,
    )


def _stop(
    plan: Plan, worker_id: int, client_id: int, seq: int, start: datetime, end: datetime,
    code: str, minutes: int,
) -> PlanStop:  # fmt: skip
    return PlanStop(plan_id=plan.id, worker_id=worker_id, client_id=client_id, seq=seq,
                    arrival=start, start=start, end=end, travel_s=0, wait_s=0,
                    services=[{"code": code, "minutes": minutes}])  # fmt: skip


@pytest.fixture
def world(migrated: None) -> Iterator[World]:
    session = session_factory()()
    built = _build(session)
    session.commit()
    session.close()
    try:
        yield built
    finally:
        wipe_office(built.office_id)


@pytest.fixture
def client() -> Iterator[TestClient]:
    from api.main import app

    with TestClient(app) as test_client:
        yield test_client


def code_of(client_id: int, key: str) -> str:
    """The client's one-time code for the day's visit (its seed is `K<key>`)."""
    return visit_code(client_id=client_id, seed=f"K{key}", day=DAY)


def _sync(client: TestClient, token: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(
        "/api/mobile/sync", json=body, headers={"Authorization": f"Device {token}"}
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert all(v["status"] == "accepted" for v in result["pings"] + result["events"]), result
    return result


def test_worker_timing_report_gives_back_the_simulated_day(
    world: World, client: TestClient
) -> None:
    c = world.clients
    pings_a, pings_b = pings(DAY_A), pings(DAY_B)
    _sync(client, world.tokens["A"], {"pings": pings_a[:150], "events": [
        event("arrived", c["C1"], at(9, 20), C1),
        event("service_rendered", c["C1"], at(9, 50), C1, services=[{"code": "C01"}]),
        event("client_confirmed", c["C1"], at(9, 50), C1, code=code_of(c["C1"], "C1")),
        event("departed", c["C1"], at(9, 50), C1),
        event("arrived", c["C2"], at(10, 30), C2),
    ]})  # fmt: skip
    _sync(client, world.tokens["A"], {"pings": pings_a[150:], "events": [
        event("service_rendered", c["C2"], at(10, 55), C2, services=[SERVED_C2]),
        event("client_confirmed", c["C2"], at(10, 55), C2, code=code_of(c["C2"], "C2")),
        event("departed", c["C2"], at(10, 55), C2),
        event("no_show", c["C3"], at(11, 15), C3, reason="никто не открыл дверь"),
    ]})  # fmt: skip
    _sync(client, world.tokens["B"], {"pings": pings_b, "events": [
        event("arrived", c["C5"], at(13, 15), C5),
        event("service_rendered", c["C5"], at(13, 45), C5, services=[{"code": "C01"}]),
        event("client_confirmed", c["C5"], at(13, 45), C5, code=code_of(c["C5"], "C5")),
        event("departed", c["C5"], at(13, 45), C5),
        event("arrived", c["C4"], at(13, 55), C4),
        event("service_rendered", c["C4"], at(14, 15), C4, services=[{"code": "C02"}]),
        event("departed", c["C4"], at(14, 15), C4),
    ]})  # fmt: skip

    answer = client.get(
        "/api/reports/worker-timing",
        params={"office_id": world.office_id, "start": DAY.isoformat(), "end": DAY.isoformat()},
        headers=world.manager,
    )
    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    day_rows = {r["worker_name"]: r for r in rows if r["level"] == "day"}
    assert set(day_rows) == {"Работник A", "Работник B"}

    a = day_rows["Работник A"]
    assert _times(a) == ("09:00", "09:05", "11:30", "11:40")
    assert _figures(a) == {
        "start_delay_min": 5.0, "span_planned_min": 150.0, "span_actual_min": 155.0,
        "on_site_planned_min": 80.0, "on_site_standard_min": 50.0, "on_site_actual_min": 55.0,
        "travel_planned_min": 70.0, "travel_actual_min": 85.0,
        "idle_planned_min": 0.0, "idle_actual_min": 15.0,
        "visits_planned": 3, "visits_done": 2, "visits_late": 1, "visits_missed": 1,
        "visits_unplanned": 0, "services": 2,
    }  # fmt: skip
    assert a["distance_km"] == path_km(pings_a)

    b = day_rows["Работник B"]
    assert _times(b) == ("13:00", "13:00", "14:00", "14:30")
    assert _figures(b) == {
        "start_delay_min": 0.0, "span_planned_min": 60.0, "span_actual_min": 90.0,
        "on_site_planned_min": 30.0, "on_site_standard_min": 50.0, "on_site_actual_min": 50.0,
        "travel_planned_min": 30.0, "travel_actual_min": 40.0,
        "idle_planned_min": 0.0, "idle_actual_min": 0.0,
        "visits_planned": 1, "visits_done": 2, "visits_late": 0, "visits_missed": 0,
        "visits_unplanned": 1, "services": 2,
    }  # fmt: skip
    assert b["distance_km"] == path_km(pings_b)

    total = next(r for r in rows if r["level"] == "total")
    assert _figures(total) == {
        "start_delay_min": None, "span_planned_min": 210.0, "span_actual_min": 245.0,
        "on_site_planned_min": 110.0, "on_site_standard_min": 100.0, "on_site_actual_min": 105.0,
        "travel_planned_min": 100.0, "travel_actual_min": 125.0,
        "idle_planned_min": 0.0, "idle_actual_min": 15.0,
        "visits_planned": 4, "visits_done": 4, "visits_late": 1, "visits_missed": 1,
        "visits_unplanned": 1, "services": 4,
    }  # fmt: skip
    worker_total = next(
        r for r in rows if r["level"] == "worker" and r["worker_name"] == "Работник A"
    )
    assert worker_total["travel_actual_min"] == 85.0 and worker_total["worker_days"] == 1

    # drill-down: worker A's day visit by visit
    visits = client.get(
        "/api/reports/visits",
        params={"office_id": world.office_id, "start": DAY.isoformat(), "end": DAY.isoformat(),
                "worker_id": world.workers["A"]},
        headers=world.manager,
    ).json()["rows"]  # fmt: skip
    assert [(v["seq"], v["status"], v["actual_min"]) for v in visits] == [
        (1, "done", 30.0), (2, "done", 25.0), (3, "no_show", None),
    ]  # fmt: skip
    assert visits[1]["flags"] == "late" and visits[0]["confirmed"] is True
    assert visits[0]["arrival_source"] == "tapped"

    # the XLSX export carries the period and the office in its header rows
    exported = client.get(
        "/api/reports/worker-timing/export.xlsx",
        params={"office_id": world.office_id, "start": DAY.isoformat(), "end": DAY.isoformat()},
        headers=world.manager,
    )
    assert exported.status_code == 200
    sheet = load_workbook(_bytes(exported.content)).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert cells[1] == ["Период", f"{DAY:%d.%m.%Y} – {DAY:%d.%m.%Y}"]
    assert "Посещений выполнено" in cells[5]
    # minutes read as hours and minutes, as the page shows them, the unit gone from the heading
    heads = list(next(r for r in sheet.iter_rows(min_row=6, max_row=6, values_only=True)))
    assert "Дорога факт" in heads and "Дорога факт, мин" not in heads
    column = [r[heads.index("Дорога факт")] for r in sheet.iter_rows(min_row=7)]
    travel = [c for c in column if c.value is not None]
    assert travel and all(c.number_format == "[h]:mm" for c in travel)
    assert 85 * 60 in {c.value.total_seconds() for c in travel}  # worker A on the road
    csv = client.get(
        "/api/reports/worker-timing/export.csv",
        params={"office_id": world.office_id, "start": DAY.isoformat(), "end": DAY.isoformat()},
        headers=world.manager,
    ).content.decode("utf-8-sig")
    assert ";Дорога факт;" in csv and ", мин;" not in csv


def _times(row: dict[str, Any]) -> tuple[str, ...]:
    keys = ("planned_start", "actual_start", "planned_end", "actual_end")
    return tuple(datetime.fromisoformat(row[k]).astimezone(TZ).strftime("%H:%M") for k in keys)


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "start_delay_min", "span_planned_min", "span_actual_min", "on_site_planned_min",
        "on_site_standard_min", "on_site_actual_min", "travel_planned_min", "travel_actual_min",
        "idle_planned_min", "idle_actual_min", "visits_planned", "visits_done", "visits_late",
        "visits_missed", "visits_unplanned", "services",
    )  # fmt: skip
    return {k: row[k] for k in keys}


def _bytes(content: bytes) -> io.BytesIO:
    return io.BytesIO(content)
