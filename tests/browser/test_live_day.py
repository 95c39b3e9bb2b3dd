"""The live tab speaks of the chosen day: without an approved plan it says so and offers the
plan tab (not "live updates" over zeros), its name follows the date, and a position from
another day says which day."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.orm import Session

from core.db import get_engine
from core.settings import get_settings
from registry.models import Worker, WorkerShift
from tests.browser.conftest import PASSWORD, OfficeData, approved_route
from tests.browser.test_supervisor import open_supervisor


def _send_ping(server: str, data: OfficeData, index: int, at: datetime) -> None:
    """A ping through the gateway from a worker on shift around the clock."""
    worker = data.workers[index]
    with Session(get_engine()) as session:
        row = session.get(Worker, worker["id"])
        assert row is not None
        row.shifts.clear()
        session.flush()
        row.shifts = [WorkerShift(weekday=d, start=time(0), end=time(23, 59)) for d in range(1, 8)]
        session.commit()
    with httpx.Client(base_url=server) as phone:
        login = phone.post(
            "/api/auth/token", data={"username": worker["username"], "password": PASSWORD}
        )
        jwt = login.json()["access_token"]
        device = phone.post(
            "/api/me/devices", json={"name": "test"}, headers={"Authorization": f"Bearer {jwt}"}
        ).json()
        ping = {"uuid": str(uuid.uuid4()), "t": at.isoformat(), "lat": 55.745, "lon": 37.8}
        answer = phone.post(
            "/api/mobile/sync",
            headers={"Authorization": f"Device {device['token']}"},
            json={"pings": [{**ping, "accuracy": 8}]},
        )
        assert answer.json()["pings"][0]["status"] == "accepted", answer.text


def test_a_day_without_an_approved_plan_says_why(
    context: Any, server: str, zoned_office: OfficeData, artifacts: Path
) -> None:
    tz = ZoneInfo(get_settings().timezone)
    today = datetime.now(tz).date()
    tomorrow = today + timedelta(days=1)
    yesterday_noon = datetime.combine(today - timedelta(days=1), time(12), tz)
    _send_ping(server, zoned_office, 1, yesterday_noon.astimezone(UTC))

    page = open_supervisor(context, zoned_office.supervisor, f"?tab=live&day={tomorrow}")
    notice = page.locator("#live-no-plan")
    notice.wait_for()
    assert "утверждённого плана нет" in notice.inner_text()
    assert page.locator("#live-state").is_hidden()  # no "live updates" over nothing
    assert page.locator("#live-totals .badge").count() == 0
    assert "посещений в плане нет" not in page.inner_text("#panel-live")
    # the tab is named after the chosen day, not "today"
    tab = page.inner_text("[data-tab=live]")
    assert tab not in ("День", "Сегодня") and str(tomorrow.day) in tab
    # a position from yesterday says which day it is from
    seen = page.locator(f".live-row[data-worker-id='{zoned_office.workers[1]['id']}'] .seen")
    seen.wait_for()
    assert str(yesterday_noon.day) in seen.inner_text() and "15:00" not in seen.inner_text()
    page.screenshot(path=str(artifacts / "live-no-plan.png"))

    page.click("#live-open-plan")  # the offered way out: the plan tab of the same day
    page.wait_for_selector("#panel-plan:not([hidden])")
    assert "tab=plan" in page.url and f"day={tomorrow}" in page.url
    assert not page.errors


def test_today_with_an_approved_plan_is_live(context: Any, zoned_office: OfficeData) -> None:
    with Session(get_engine()) as session:
        approved_route(session, zoned_office)
        session.commit()
    page = open_supervisor(context, zoned_office.supervisor, "?tab=live")
    page.wait_for_selector("#live-state:has-text('в реальном времени')")
    assert page.inner_text("[data-tab=live]") == "Сегодня"
    assert page.locator("#live-no-plan").is_hidden()
    page.wait_for_selector("#live-totals .badge[data-kind=planned]")
    assert not page.errors
