"""Browser tests: the app served by uvicorn on a free local port against the test database,
driven by Debian's headless Chromium through Playwright (no browser is ever downloaded).

Data is committed (the server has its own connections), so each test builds its own office
and removes it afterwards, following the foreign keys of whatever tables exist by then."""

from __future__ import annotations

import os
import socket
import threading
import time as clock
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import Role
from registry.models import Worker
from tests import factories

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "secret-pass"

if not CHROMIUM.exists():
    # In CI a missing browser is a broken set-up, not a reason to pass quietly.
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: infra/install.sh --dev installs it")
    pytest.skip("Chromium is not installed (infra/install.sh --dev)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(migrated: None) -> Iterator[str]:
    """The whole app on 127.0.0.1:<free port>, in a background thread."""
    import uvicorn

    from api.main import app

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = clock.monotonic() + 20
    while not uv.started:
        if clock.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        clock.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


_chromium: dict[str, Any] = {}  # one Playwright per process, however many packages use it


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium; shared with other packages' browser tests (tests/security/browser
    imports these fixtures), as Playwright's sync API runs once per process."""
    from playwright.sync_api import sync_playwright

    if not _chromium:
        pw = sync_playwright().start()
        _chromium["pw"] = pw
        _chromium["browser"] = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    _chromium["users"] = _chromium.get("users", 0) + 1
    yield _chromium["browser"]
    _chromium["users"] -= 1
    if not _chromium["users"]:
        _chromium.pop("browser").close()
        _chromium.pop("pw").stop()
        _chromium.clear()


# --- committed test data and its removal -------------------------------------------------------


def _referencing(conn: Connection, table: str) -> list[tuple[str, str, str]]:
    """(child table, child column, parent column) of every single-column foreign key to table."""
    rows = conn.execute(
        text(
            """
            SELECT c.conrelid::regclass::text, a.attname, pa.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND c.confrelid = CAST(:t AS regclass)
              AND cardinality(c.conkey) = 1 AND c.conparentid = 0
            """
        ),
        {"t": table},
    )
    return [(r[0], r[1], r[2]) for r in rows]


def purge(conn: Connection, table: str, column: str, values: list[Any]) -> None:
    """Delete rows whose `column` is in `values`, and first everything that refers to them."""
    if not values:
        return
    for child, child_col, parent_col in _referencing(conn, table):
        if child == table:
            continue  # a row pointing at its own kind goes with the same delete
        keys = conn.scalars(
            text(f'SELECT DISTINCT "{parent_col}" FROM {table} WHERE "{column}" = ANY(:v)'),
            {"v": values},
        ).all()
        purge(conn, child, child_col, [k for k in keys if k is not None])
    conn.execute(text(f'DELETE FROM {table} WHERE "{column}" = ANY(:v)'), {"v": values})


@dataclass
class OfficeData:
    """One office with a supervisor, a manager, three workers (each with a login) and clients
    in three neighbourhoods, each client with a care plan."""

    office_id: int
    region_id: int
    supervisor: str
    manager: str
    workers: list[dict[str, Any]] = field(default_factory=list)  # id, username, full_name
    client_ids: list[int] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)


NEIGHBOURHOODS = [(37.762, 55.742), (37.805, 55.745), (37.785, 55.763)]
WORKER_NAMES = [
    "Кузнецова Ольга Викторовна", "Морозова Елена Сергеевна", "Васильева Ирина Петровна",
]  # fmt: skip
CLIENT_NAMES = [
    "Аксёнова Вера Николаевна", "Белов Пётр Ильич", "Волкова Зинаида Фёдоровна",
    "Герасимова Нина Павловна", "Данилов Иван Кузьмич", "Егорова Анна Семёновна",
    "Жукова Мария Андреевна", "Зайцев Николай Петрович", "Ильина Тамара Георгиевна",
    "Карпова Людмила Ивановна", "Лебедев Аркадий Львович", "Миронова Галина Михайловна",
    "Новикова Раиса Егоровна", "Орлова Клавдия Васильевна", "Павлов Семён Борисович",
]  # fmt: skip


def build_office(session: Session) -> OfficeData:
    region = factories.region(session)
    office = factories.office(session, region)
    supervisor = factories.user(session, Role.SUPERVISOR, offices=[office])
    manager = factories.user(session, Role.MANAGER, region_id=region.id)
    food = factories.service(session, office, code="A01", minutes=30)
    health = factories.service(session, office, code="B02", minutes=20)
    health.name = "Наблюдение за состоянием здоровья (измерение давления)"
    data = OfficeData(office.id, region.id, supervisor.username, manager.username)
    data.user_ids += [supervisor.id, manager.id]
    for i, name in enumerate(WORKER_NAMES):
        login = factories.user(session, Role.WORKER)
        login.full_name = name
        row: Worker = factories.worker(session, office, login, full_name=name)
        lon, lat = NEIGHBOURHOODS[i]
        row.start_location = row.end_location = factories.point(lon, lat)
        data.workers.append({"id": row.id, "username": login.username, "full_name": name})
        data.user_ids.append(login.id)
    for n, name in enumerate(CLIENT_NAMES):
        lon, lat = NEIGHBOURHOODS[n % 3]
        spot = (lon + 0.004 * ((n // 3) % 3 - 1), lat + 0.003 * ((n // 3) // 3 - 0.5))
        client = factories.client(
            session, office, full_name=name, lonlat=spot,
            address=f"Москва, ул. Плеханова, д. {n + 3}, кв. {n * 7 + 2}",
            confirmation_code=f"{1000 + n}",
        )  # fmt: skip
        lines = [(food, "weekdays:1,3,5"), (health, "daily" if n % 2 else "weekdays:2,4")]
        care = factories.care_plan(session, client, lines)
        care.valid_from = date.today() - timedelta(days=30)
        for line in care.lines:
            line.valid_from = care.valid_from
        data.client_ids.append(client.id)
    session.flush()
    return data


@pytest.fixture
def office_data(server: str) -> Iterator[OfficeData]:
    """A committed office (no zones yet); removed after the test."""
    engine = get_engine()
    with Session(engine) as session:
        data = build_office(session)
        session.commit()
    try:
        yield data
    finally:
        with engine.begin() as conn:
            purge(conn, "region", "id", [data.region_id])
            purge(conn, "app_user", "id", data.user_ids)
        _forget_live_positions(data.office_id)


@pytest.fixture
def zoned_office(office_data: OfficeData) -> OfficeData:
    """The office with its first zones, balanced automatically (one zone per worker)."""
    from zones import service as zone_service

    with Session(get_engine()) as session:
        zone_service.rebalance(session, user=None, office_id=office_data.office_id, save=True)
        session.commit()
    return office_data


def _forget_live_positions(office_id: int) -> None:
    try:
        from core.redis import get_redis

        get_redis().delete(f"live:pos:{office_id}", f"live:pos_t:{office_id}")
    except Exception:  # Redis down: nothing live to forget
        pass


@pytest.fixture
def context(browser: Any, server: str) -> Iterator[Any]:
    """A fresh browser profile, Russian, sized like an office screen.

    The pages' Content-Security-Policy is bypassed here only because Playwright's waits on a
    condition evaluate it as a string (which the policy forbids); tests/security opens every
    page with the policy enforced."""
    ctx = browser.new_context(
        base_url=server, locale="ru-RU", timezone_id="Europe/Moscow",
        viewport={"width": 1440, "height": 900}, bypass_csp=True,
    )  # fmt: skip
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def phone(browser: Any, server: str) -> Iterator[Any]:
    """A phone-sized browser profile that lets the page read its position."""
    ctx = browser.new_context(
        base_url=server, locale="ru-RU", timezone_id="Europe/Moscow",
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
        has_touch=True, permissions=["geolocation"],
        geolocation={"latitude": NEIGHBOURHOODS[0][1], "longitude": NEIGHBOURHOODS[0][0]},
        bypass_csp=True,
    )  # fmt: skip
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page, once its script is ready to take the form."""
    page.goto("/")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def open_phone(phone: Any, username: str) -> tuple[Any, list[str]]:
    """The worker's phone page, logged in and ready; the page's script errors gather in the
    list."""
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, username)
    page.wait_for_url("**/m/")
    page.wait_for_selector("body[data-ready='1']")
    return page, errors


def approved_route(session: Session, data: OfficeData, *, worker_index: int = 0) -> list[int]:
    """An approved plan for today in the office's time zone: three visits for one worker.
    Returns the plan stop ids in visit order."""
    from zoneinfo import ZoneInfo

    from core.settings import get_settings
    from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
    from registry.models import Client

    tz = ZoneInfo(get_settings().timezone)
    today = datetime.now(tz).date()
    worker_id = data.workers[worker_index]["id"]
    plan = Plan(office_id=data.office_id, day=today, version=1, status=PlanStatus.APPROVED)
    at = datetime.combine(today, time(9), tz)
    route = PlanRoute(worker_id=worker_id, start=at, end=at + timedelta(hours=8))
    plan.routes = [route]
    session.add(plan)
    session.flush()
    clients = [session.get(Client, cid) for cid in data.client_ids[worker_index::3][:3]]
    for seq, client in enumerate(clients, start=1):
        start = at + timedelta(minutes=20 + 70 * (seq - 1))
        route.stops.append(
            PlanStop(
                plan_id=plan.id,
                worker_id=worker_id,
                client_id=client.id,
                seq=seq,
                arrival=start,
                start=start,
                end=start + timedelta(minutes=50),
                travel_s=900,
                services=[
                    {"code": "A01", "name": "Покупка и доставка продуктов питания", "minutes": 30},
                    {"code": "B02", "name": "Измерение артериального давления", "minutes": 20},
                ],
            )
        )
    session.flush()
    return [stop.id for stop in route.stops]


@pytest.fixture
def planning_worker(server: str) -> Iterator[None]:
    """A planning job worker (RQ) in its own process, on the same database and Redis. The queue
    is emptied first: jobs enqueued by earlier tests (whose offices and users are gone) would
    otherwise run before this test's own."""
    import os
    import subprocess
    import sys

    from planner import jobs

    jobs.planning_queue().empty()
    env = {**os.environ, "PLAN_TIME_LIMIT_S": "2"}
    code = "import sys; from planner.jobs import worker_main; sys.exit(worker_main([]))"
    process = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=Path(__file__).parents[2])
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
