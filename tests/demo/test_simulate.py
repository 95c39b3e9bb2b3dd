"""`careroute simulate`: a day walked with realistic deviations, sent through the real gateway
(a server of its own on the private database), and sent again harmlessly."""

from __future__ import annotations

import itertools
import math
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.settings import get_settings
from demo import cli as demo_cli
from demo import simulate
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from tests.demo.conftest import demo_day
from tracking.inference import infer_office_day

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo(get_settings().timezone)


def _approved_with_routes(session: Session, day: date) -> Plan | None:
    query = select(Plan).where(
        Plan.day == day, Plan.status == PlanStatus.APPROVED, Plan.routes.any()
    )
    return session.scalars(query.order_by(Plan.office_id)).first()


@pytest.fixture(scope="module")
def walked_plan(demo_loaded: demo_cli.DemoRun) -> Plan:
    """Today's approved plan of a demo office: the demo's own, or (while the planner leaves
    today unrouted) last week's same weekday from the history, moved to today."""
    with demo_cli.open_session() as session:
        plan = _approved_with_routes(session, demo_day())
        if plan is None:
            plan = _copy_to(session, _approved_with_routes(session, demo_day() - timedelta(7)))
        session.expunge_all()
        return plan


def _copy_to(session: Session, source: Plan | None) -> Plan:
    assert source is not None, "the history has no routed day a week ago"
    shift = timedelta(days=7)
    last = session.scalar(
        select(func.max(Plan.version)).where(
            Plan.office_id == source.office_id, Plan.day == source.day + shift
        )
    )
    plan = Plan(
        office_id=source.office_id,
        day=source.day + shift,
        version=(last or 0) + 1,
        status=PlanStatus.APPROVED,
        stats=source.stats,
        params={"kind": "test"},
    )
    session.add(plan)
    session.flush()
    for r in source.routes:
        route = PlanRoute(worker_id=r.worker_id, start=r.start + shift, end=r.end + shift,
                          break_start=r.break_start and r.break_start + shift,
                          break_end=r.break_end and r.break_end + shift)  # fmt: skip
        route.stops = [
            PlanStop(
                plan_id=plan.id,
                worker_id=s.worker_id,
                client_id=s.client_id,
                seq=s.seq,
                arrival=s.arrival + shift,
                start=s.start + shift,
                end=s.end + shift,
                services=s.services,
            )
            for s in r.stops
        ]
        plan.routes.append(route)
    session.flush()
    return plan


@pytest.fixture(scope="module")
def days(walked_plan: Plan) -> list[simulate.PlannedDay]:
    with demo_cli.open_session() as session:
        return simulate.planned_days(
            session, office_ids=[walked_plan.office_id], day=walked_plan.day
        )


def test_same_seed_same_day_and_every_route_walked(days: list[simulate.PlannedDay]) -> None:
    first = simulate.plan_items(days, seed=5)
    again = simulate.plan_items(days, seed=5)
    assert first == again
    assert simulate.plan_items(days, seed=6) != first
    assert set(first) == {d.worker_id for d in days} and len(days) >= 10


def test_a_realistic_day(days: list[simulate.PlannedDay]) -> None:
    items = simulate.plan_items(days, seed=5)
    events = [i.body for worker in items.values() for i in worker if i.kind == "event"]
    kinds = [e["type"] for e in events]
    assert kinds.count("no_show") >= 1
    # some taps are forgotten: a visit with an arrival and no departure, or the other way round
    taps: dict[object, set[str]] = {}
    for event in events:
        if event["type"] in ("arrived", "departed"):
            taps.setdefault(event.get("plan_stop_id"), set()).add(event["type"])
    assert any(len(kinds_of_visit) == 1 for kinds_of_visit in taps.values())
    assert kinds.count("client_confirmed") >= 0.8 * kinds.count("service_rendered")
    for worker_items in items.values():
        times = [i.t for i in worker_items if i.kind == "ping"]
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
        assert 29 <= statistics.median(gaps) <= 31 and times == sorted(times)
    # one worker per office starts 40 minutes late: the first visit begins well after its time
    lateness = []
    for day in days:
        arrived = next(i for i in items[day.worker_id] if i.body.get("type") == "arrived")
        lateness.append(arrived.t - day.stops[0].start)
    assert max(lateness) > timedelta(minutes=25)
    assert statistics.median(lateness) < timedelta(minutes=15)


def test_gps_noise_like_a_phone(days: list[simulate.PlannedDay]) -> None:
    """Fixes during a visit scatter around the client's door: metres, rarely far."""
    day = days[0]
    items = simulate.plan_items(days, seed=5)[day.worker_id]
    stop = day.stops[0]
    arrived = next(i.t for i in items if i.body.get("plan_stop_id") == stop.plan_stop_id)
    inside = (arrived, arrived + timedelta(minutes=10))
    at_door = [i.body for i in items if i.kind == "ping" and inside[0] < i.t < inside[1]]
    metres = [_metres((p["lon"], p["lat"]), stop.where) for p in at_door]
    assert len(metres) >= 10
    assert 1 < statistics.median(metres) < 30 and max(metres) < 400


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (a[0] - b[0]) * math.cos(math.radians(b[1]))
    return 111195.0 * math.hypot(dx, a[1] - b[1])


# --- through the real gateway ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(private_url: str) -> Iterator[str]:
    """The app in its own process on the private database. It accepts device times up to a
    day ahead: the test sends the whole of today at once, whatever the hour it runs at."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": private_url, "PING_FUTURE_SKEW_S": "86400",
           "LOG_LEVEL": "WARNING"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port)], cwd=ROOT, env=env
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/health", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the test server did not start") from None
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


def _phones(walked_plan: Plan, count: int) -> list[simulate.Phone]:
    with demo_cli.open_session() as session:
        phones = simulate.prepare(
            session, day=walked_plan.day, offices=[walked_plan.office_id], seed=5
        )
    return sorted(phones, key=lambda p: p.worker_id)[:count]


def _replay_all_at_once(phones: list[simulate.Phone], url: str) -> simulate.Tally:
    """The whole day is past for this clock: everything goes in the first round."""
    end = datetime.combine(phones[0].items[0].t.astimezone(TZ).date(), datetime.max.time(), TZ)
    clock = simulate.Clock(sim_start=end, wall_start=end, speed=1)
    slept: list[float] = []
    with httpx.Client(base_url=url, timeout=60) as client:
        tally = simulate.replay(phones, clock, client, now=lambda: end, sleep=slept.append,
                                say=lambda _: None, tz=TZ)  # fmt: skip
    assert slept == [] and all(p.sent == len(p.items) for p in phones)
    return tally


def test_replay_through_the_gateway_and_again(walked_plan: Plan, server: str) -> None:
    phones = _phones(walked_plan, 3)
    tally = _replay_all_at_once(phones, server)
    sent_pings = sum(1 for p in phones for i in p.items if i.kind == "ping")
    # nothing refused; only fixes on the walk home after the shift's margin are not kept
    assert set(tally.pings) <= {"accepted", "dropped"} and tally.failures == 0
    assert tally.pings["accepted"] >= 0.97 * sent_pings
    assert set(tally.events) == {"accepted"}
    workers = [p.worker_id for p in phones]
    stops = _stop_count(walked_plan, workers)
    visits = _visit_statuses(walked_plan, workers)
    assert sum(visits.values()) == stops  # every planned visit has its fact
    taps = _taps_by_stop(phones)
    untapped = sum(1 for k in taps.values() if "arrived" in k and not k & {"departed", "no_show"})
    silent = sum(1 for k in taps.values() if not k & {"arrived", "departed", "no_show"})
    assert visits.get("in_progress", 0) == untapped  # a forgotten tap leaves it open...
    assert visits.get("planned", 0) == silent  # (both taps forgotten: only the services)
    assert visits.get("no_show", 0) + visits.get("done", 0) == stops - untapped - silent
    if untapped:
        with demo_cli.open_session() as session:  # ...until the tracking upkeep infers it
            infer_office_day(session, office_id=walked_plan.office_id, day=walked_plan.day)
        after = _visit_statuses(walked_plan, workers)
        # (two clients in one building share one stop, which the inference gives to one)
        assert after.get("in_progress", 0) <= untapped and after["done"] >= visits["done"]
        visits = after
    assert _live_workers(walked_plan.office_id) >= set(workers)  # the map has them

    again = _replay_all_at_once(_phones(walked_plan, 3), server)  # new tokens, same phones
    assert again.pings["duplicate"] == tally.pings["accepted"]
    assert set(again.pings) <= {"duplicate", "dropped"} and set(again.events) == {"duplicate"}
    assert _visit_statuses(walked_plan, workers) == visits


def _taps_by_stop(phones: list[simulate.Phone]) -> dict[int, set[str]]:
    """The kinds of event each planned stop got from the phones."""
    kinds: dict[int, set[str]] = {}
    for phone in phones:
        for item in phone.items:
            if item.kind == "event":
                kinds.setdefault(item.body["plan_stop_id"], set()).add(item.body["type"])
    return kinds


def _stop_count(plan: Plan, workers: list[int]) -> int:
    with demo_cli.open_session() as session:
        query = select(func.count()).where(
            PlanStop.plan_id == plan.id, PlanStop.worker_id.in_(workers)
        )
        return int(session.scalar(query) or 0)


def _visit_statuses(plan: Plan, workers: list[int]) -> dict[str, int]:
    with demo_cli.open_session() as session:
        rows = session.execute(
            text(
                "SELECT status, count(*) FROM visit WHERE day = :day AND worker_id = ANY(:w) "
                "GROUP BY status"
            ),
            {"day": plan.day, "w": workers},
        )
        return {status: int(n) for status, n in rows}


def _live_workers(office_id: int) -> set[int]:
    from core.redis import get_redis

    return {int(k) for k in get_redis().hkeys(f"live:pos:{office_id}")}


def test_the_phones_stop_when_the_server_is_gone(walked_plan: Plan) -> None:
    phones = _phones(walked_plan, 1)
    clock_now = [phones[0].items[-1].t + timedelta(hours=1)]
    clock = simulate.Clock(sim_start=clock_now[0], wall_start=clock_now[0], speed=1)

    def tick(seconds: float) -> None:
        clock_now[0] += timedelta(seconds=seconds)

    nobody = f"http://127.0.0.1:{_free_port()}"
    with httpx.Client(base_url=nobody, timeout=1) as client, pytest.raises(simulate.ServerGone):
        simulate.replay(phones, clock, client, now=lambda: clock_now[0], sleep=tick,
                        say=lambda _: None, tz=TZ)  # fmt: skip
    assert phones[0].sent == 0  # nothing was taken for sent


def test_no_routes_says_so(
    demo_loaded: demo_cli.DemoRun,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import core.db

    monkeypatch.setattr(core.db, "session_scope", demo_cli.open_session)
    sunday = demo_day() + timedelta(days=7 - demo_day().isoweekday())
    assert simulate.main(["--day", sunday.isoformat(), "--quiet"]) == 1
    assert "no approved routes" in capsys.readouterr().err
