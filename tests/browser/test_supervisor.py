"""The supervisor's map in a real browser: zones, moves with what-if bars, save, live
positions, and the read-only view of other roles."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_engine
from registry.models import Worker, WorkerShift
from tests.browser.conftest import PASSWORD, OfficeData, log_in
from zones.models import Zone, ZoneClient, ZoneSet, ZoneSetStatus


def next_working_day() -> str:
    """Today in the offices' time zone, or the next working day on the calendar when today
    is a weekend day or a public holiday (the test office has no duty workers)."""
    from zoneinfo import ZoneInfo

    from core.settings import get_settings
    from planner.duty import office_calendar

    day = datetime.now(ZoneInfo(get_settings().timezone)).date()
    while not office_calendar(day, day).is_working(day):
        day += timedelta(days=1)
    return day.isoformat()


def open_supervisor(context: Any, username: str, query: str = "", home: str = "supervisor") -> Any:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    log_in(page, username)
    page.wait_for_url(f"**/{home}/**")
    if query or home != "supervisor":
        page.goto(f"/supervisor/{query}")
    page.wait_for_selector("body[data-ready='1']")
    return page


def active_zones(office_id: int) -> dict[int, list[int]]:
    """zone id -> client ids in the office's active zone set, read from the database."""
    with Session(get_engine()) as session:
        rows = session.execute(
            select(ZoneClient.zone_id, ZoneClient.client_id)
            .join(ZoneSet, ZoneSet.id == ZoneClient.zone_set_id)
            .where(ZoneSet.office_id == office_id, ZoneSet.status == ZoneSetStatus.ACTIVE)
        ).all()
        order = session.scalars(
            select(Zone.id)
            .join(ZoneSet, ZoneSet.id == Zone.zone_set_id)
            .where(ZoneSet.office_id == office_id, ZoneSet.status == ZoneSetStatus.ACTIVE)
            .order_by(Zone.id)
        ).all()
    zones: dict[int, list[int]] = {z: [] for z in order}
    for zone_id, client_id in rows:
        zones[zone_id].append(client_id)
    return zones


def workload(page: Any, zone_id: int) -> int:
    return int(page.get_attribute(f".zone-row[data-zone-id='{zone_id}']", "data-workload"))


def test_move_three_clients_then_save(
    context: Any, zoned_office: OfficeData, artifacts: Path
) -> None:
    page = open_supervisor(context, zoned_office.supervisor)
    page.wait_for_selector(".zone-row")
    assert page.locator(".zone-row").count() == 3
    assert page.locator("[data-tab=zones]").inner_text() == "Зоны обслуживания"
    page.screenshot(path=str(artifacts / "supervisor-zones.png"))

    zones = active_zones(zoned_office.office_id)
    source, target = list(zones)[:2]
    moving = sorted(zones[source])[:3]
    before = {z: workload(page, z) for z in (source, target)}
    for client_id in moving:
        page.click(f"path[data-client-id='{client_id}']", modifiers=["Shift"])
    assert page.inner_text("#selection-count") == "Выбрано клиентов: 3"
    page.select_option("#target-zone", str(target))
    page.click("#move")
    page.wait_for_function(
        f"document.querySelector(\".zone-row[data-zone-id='{source}']\").dataset.workload"
        f" != '{before[source]}'"
    )
    after = {z: workload(page, z) for z in (source, target)}
    assert after[source] < before[source]
    assert after[target] > before[target]
    assert "Несохранённых перемещений: 3" in page.inner_text("#pending")
    page.screenshot(path=str(artifacts / "supervisor-zones-what-if.png"))

    page.click("#undo")  # undo brings the figures back, redo the move
    page.wait_for_function(
        f"document.querySelector(\".zone-row[data-zone-id='{source}']\").dataset.workload"
        f" == '{before[source]}'"
    )
    for client_id in moving:
        page.click(f"path[data-client-id='{client_id}']", modifiers=["Shift"])
    page.select_option("#target-zone", str(target))
    page.click("#move")
    page.wait_for_selector("#pending:not([hidden])")
    page.click("#save")
    page.wait_for_selector("#zones-saved:has-text('Сохранено: версия 2')")

    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector(".zone-row")
    zones_after = active_zones(zoned_office.office_id)
    new_target = next(z for z, ids in zones_after.items() if set(moving) <= set(ids))
    assert "версия 2" in page.inner_text("#zone-version")
    assert page.locator("#pending").is_hidden()
    rows = page.locator(".zone-row").all_inner_texts()
    assert len(rows) == 3
    assert workload(page, new_target) == after[target]
    assert not page.errors


def test_live_marker_moves_within_a_second(
    context: Any, server: str, zoned_office: OfficeData, artifacts: Path
) -> None:
    worker = zoned_office.workers[1]
    with Session(get_engine()) as session:  # on shift around the clock, so pings are kept
        row = session.get(Worker, worker["id"])
        row.shifts.clear()
        session.flush()
        row.shifts = [WorkerShift(weekday=d, start=time(0), end=time(23, 59)) for d in range(1, 8)]
        session.commit()
    phone = httpx.Client(base_url=server)
    login = phone.post(
        "/api/auth/token", data={"username": worker["username"], "password": PASSWORD}
    )
    jwt = login.json()["access_token"]
    device = phone.post(
        "/api/me/devices", json={"name": "test"}, headers={"Authorization": f"Bearer {jwt}"}
    ).json()

    def ping(lon: float, lat: float) -> None:
        answer = phone.post(
            "/api/mobile/sync",
            headers={"Authorization": f"Device {device['token']}"},
            json={
                "pings": [
                    {
                        "uuid": str(uuid.uuid4()),
                        "t": datetime.now(UTC).isoformat(),
                        "lat": lat,
                        "lon": lon,
                        "accuracy": 8,
                    }
                ]
            },
        )
        assert answer.json()["pings"][0]["status"] == "accepted", answer.text

    page = open_supervisor(context, zoned_office.supervisor, "?tab=live")
    # No plan today: the state line is hidden behind the notice, but the socket is open.
    page.wait_for_function(
        "document.querySelector('#live-state').textContent.includes('в реальном времени')"
    )
    ping(37.80, 55.745)
    pin = page.locator(f".worker-pin[data-worker-id='{worker['id']}']")
    pin.wait_for(timeout=1000)
    first = pin.bounding_box()
    ping(37.79, 55.755)
    page.wait_for_function(
        f"""() => {{
            const el = document.querySelector(".worker-pin[data-worker-id='{worker["id"]}']");
            const box = el.getBoundingClientRect();
            return Math.abs(box.x - {first["x"]}) > 5 || Math.abs(box.y - {first["y"]}) > 5;
        }}""",
        timeout=1000,
    )
    assert "на связи в" in page.inner_text(f".live-row[data-worker-id='{worker['id']}']")
    page.screenshot(path=str(artifacts / "supervisor-live.png"))
    assert not page.errors


def test_other_roles_see_no_editing(context: Any, zoned_office: OfficeData) -> None:
    page = open_supervisor(context, zoned_office.manager, home="reports")
    page.wait_for_selector(".zone-row")
    assert page.locator("#readonly-note").is_visible()
    for control in ("#move", "#save", "#lasso", "#rebalance", "#plan-start", "#plan-approve"):
        assert page.locator(control).is_hidden(), control
    page.context.clear_cookies()
    page.evaluate("localStorage.clear()")

    log_in(page, zoned_office.workers[0]["username"])
    page.wait_for_url("**/m/")
    page.goto("/supervisor/")
    page.wait_for_url("**/m/")  # a worker is sent back to the phone page
    assert page.locator("#save").count() == 0


def test_plan_a_day_and_see_each_timeline(
    context: Any, zoned_office: OfficeData, planning_worker: None, artifacts: Path, monkeypatch: Any
) -> None:
    from core.settings import get_settings

    monkeypatch.setattr(get_settings(), "plan_time_limit_s", 2.0)
    # The workers' shifts are Monday to Friday: on a Saturday or Sunday nobody works and the
    # plan has no routes, so the day planned is the next working day.
    day = next_working_day()
    page = open_supervisor(context, zoned_office.supervisor, f"?tab=plan&day={day}")
    page.click("#plan-start")
    page.wait_for_selector("#plan-progress:not([hidden])")
    page.wait_for_selector("#plan-message:has-text('План составлен')", timeout=90_000)
    expect(page.locator(".tl-row")).to_have_count(3)
    for worker in zoned_office.workers:
        row = page.locator(f".tl-row[data-worker-id='{worker['id']}'] .tl-visit")
        expect(row.first).to_be_attached()
    assert page.locator("#plan-versions .badge").first.inner_text() == "черновик"
    page.screenshot(path=str(artifacts / "supervisor-plan.png"))

    first, second = zoned_office.workers[0]["id"], zoned_office.workers[1]["id"]
    before = page.locator(f".tl-row[data-worker-id='{second}'] .tl-visit").count()
    page.drag_and_drop(
        f".tl-row[data-worker-id='{first}'] .tl-visit >> nth=0",
        f".tl-row[data-worker-id='{second}'] .tl-track",
    )
    page.wait_for_function(
        "['Посещение перенесено', 'Перенести нельзя']"
        ".some((s) => document.querySelector('#plan-message').textContent.startsWith(s))",
        timeout=30_000,  # the server checks the move against the whole day: slower under load
    )
    text = page.inner_text("#plan-message")
    if text.startswith("Посещение перенесено"):
        after = page.locator(f".tl-row[data-worker-id='{second}'] .tl-visit").count()
        assert after == before + 1

    page.click("#plan-approve")
    page.wait_for_selector("#plan-message:has-text('утверждён')", timeout=30_000)
    assert "утверждён" in page.inner_text("#plan-versions")
    page.screenshot(path=str(artifacts / "supervisor-plan-approved.png"))
    assert not page.errors
