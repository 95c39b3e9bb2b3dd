"""The phone shows today and, one tap away, tomorrow (where nothing can be checked in yet),
and after a visit it states the server's verdict: confirmed or not, and the flags it set."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.db import get_engine
from core.settings import get_settings
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from registry.models import Client
from tests.browser.conftest import OfficeData, approved_route, open_phone


def _approved_day(session: Session, data: OfficeData, day: date, clients: list[int]) -> None:
    """An approved plan for `day`: the first worker visits `clients` from 10:00."""
    tz = ZoneInfo(get_settings().timezone)
    worker_id = data.workers[0]["id"]
    plan = Plan(office_id=data.office_id, day=day, version=1, status=PlanStatus.APPROVED)
    at = datetime.combine(day, time(10), tz)
    route = PlanRoute(worker_id=worker_id, start=at, end=at + timedelta(hours=8))
    plan.routes = [route]
    session.add(plan)
    session.flush()
    for seq, client_id in enumerate(clients, start=1):
        client = session.get(Client, client_id)
        assert client is not None
        start = at + timedelta(minutes=60 * seq)
        route.stops.append(
            PlanStop(
                plan_id=plan.id, worker_id=worker_id, client_id=client.id, seq=seq,
                arrival=start, start=start, end=start + timedelta(minutes=30), travel_s=600,
                services=[{"code": "A01", "name": "Покупка и доставка продуктов питания",
                           "minutes": 30}],
            )
        )  # fmt: skip
    session.flush()


def test_today_tomorrow_and_the_servers_verdict(
    phone: Any, office_data: OfficeData, artifacts: Path
) -> None:
    tz = ZoneInfo(get_settings().timezone)
    tomorrow = datetime.now(tz).date() + timedelta(days=1)
    with Session(get_engine()) as session:
        stop_ids = approved_route(session, office_data)
        _approved_day(session, office_data, tomorrow, office_data.client_ids[3:5])
        session.commit()
    page, errors = open_phone(phone, office_data.workers[0]["username"])
    page.locator("li.stop").first.wait_for()
    assert page.locator("#days [data-day-link='today']").get_attribute("aria-current") == "true"

    # A visit with a wrong code, about 300 m from the client's address (the phone's position).
    first = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    first.locator("[data-action='phone.arrived']").click()
    first = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    first.locator(".code-input").fill("9999")
    first.locator("[data-action='phone.finish']").click()
    status = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}'] .status-line")
    page.wait_for_selector(
        f"li.stop[data-stop-id='{stop_ids[0]}'] .status-line[data-verdict='server']",
        timeout=15_000,
    )
    said = status.inner_text()
    assert "подтвердил" not in said and "не подтверждено" in said, said
    assert "далеко от адреса" in said, said
    page.screenshot(path=str(artifacts / "phone-verdict.png"), full_page=True)

    # Tomorrow, one tap away: its route, and nothing to check in before the day.
    page.click("#days [data-day-link='tomorrow']")
    page.wait_for_url(f"**/m/?day={tomorrow}")
    page.wait_for_selector("body[data-ready='1']")
    page.locator("li.stop").first.wait_for()
    assert page.locator("li.stop").count() == 2
    assert page.locator("[data-action='phone.arrived']").count() == 0
    assert "только в день посещения" in page.inner_text("#other-day")
    page.screenshot(path=str(artifacts / "phone-tomorrow.png"), full_page=True)
    page.click("#days [data-day-link='today']")
    page.wait_for_selector(f"li.stop[data-stop-id='{stop_ids[1]}'] [data-action='phone.arrived']")
    assert not errors
