"""The worker's phone page in a real browser: the route, a visit recorded partly offline, and
the events arriving at the server exactly once when the network returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_engine
from tests.browser.conftest import OfficeData, approved_route, log_in
from tracking.models import Visit, VisitEvent


def test_visit_recorded_offline_arrives_once(
    phone: Any, office_data: OfficeData, artifacts: Path
) -> None:
    with Session(get_engine()) as session:
        stop_ids = approved_route(session, office_data)
        session.commit()
    worker = office_data.workers[0]
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    log_in(page, worker["username"])
    page.wait_for_url("**/m/")
    page.wait_for_selector("body[data-ready='1']")
    cards = page.locator("li.stop")
    cards.first.wait_for()
    assert cards.count() == 3
    first = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    assert "Покупка и доставка продуктов питания" in first.inner_text()
    page.wait_for_selector("#sync-state:has-text('Все данные отправлены')")
    page.screenshot(path=str(artifacts / "phone-route.png"), full_page=True)

    # the arrival is sent before the network goes: wait for its sync answer, since the
    # "all sent" text is already on screen from before the tap
    with page.expect_response(lambda r: "/api/mobile/sync" in r.url and r.ok):
        first.locator("[data-action='phone.arrived']").click()
    page.wait_for_selector("#sync-state[data-queued='0']:has-text('Все данные отправлены')")

    phone.set_offline(True)
    page.wait_for_selector("#sync-state:has-text('Нет сети')")
    first = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    minutes = first.locator(".svc-line[data-code='A01'] input[type=number]")
    minutes.fill("35")
    first.locator(".code-input").fill("1000")
    first.locator("[data-action='phone.finish']").click()
    page.wait_for_selector("#sync-state:has-text('В очереди: 3')")
    page.screenshot(path=str(artifacts / "phone-offline-queue.png"), full_page=True)

    phone.set_offline(False)
    page.wait_for_selector("#sync-state:has-text('Все данные отправлены')", timeout=15_000)
    page.screenshot(path=str(artifacts / "phone-synced.png"), full_page=True)

    with Session(get_engine()) as session:
        events = session.scalars(
            select(VisitEvent).where(VisitEvent.worker_id == worker["id"])
        ).all()
        kinds = sorted(e.type for e in events)
        assert kinds == ["arrived", "client_confirmed", "departed", "service_rendered"]
        rendered = next(e for e in events if e.type == "service_rendered")
        assert {"code": "A01", "minutes": 35} in rendered.services
        assert all(e.plan_stop_id == stop_ids[0] for e in events)
        visit = session.scalars(select(Visit).where(Visit.plan_stop_id == stop_ids[0])).one()
        assert visit.status == "done"
        assert visit.confirmed
    assert not errors
