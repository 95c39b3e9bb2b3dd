"""The worker's phone page in a real browser: the route, a visit recorded partly offline, and
the events arriving at the server exactly once when the network returns."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import get_engine
from core.settings import get_settings
from planner.models import PlanStop
from registry.models import Client
from tests.browser.conftest import OfficeData, approved_route, open_phone
from tracking.evidence import visit_code
from tracking.models import Visit, VisitEvent


def todays_code(stop_id: int) -> str:
    """The one-time code the client of this stop holds for today."""
    with Session(get_engine()) as session:
        stop = session.get(PlanStop, stop_id)
        assert stop is not None
        client = session.get(Client, stop.client_id)
        assert client is not None
        day = datetime.now(UTC).astimezone(ZoneInfo(get_settings().timezone)).date()
        return visit_code(client_id=client.id, seed=client.confirmation_code, day=day)


def test_visit_recorded_offline_arrives_once(
    phone: Any, office_data: OfficeData, artifacts: Path
) -> None:
    with Session(get_engine()) as session:
        stop_ids = approved_route(session, office_data)
        session.commit()
    worker = office_data.workers[0]
    page, errors = open_phone(phone, worker["username"])
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
    first.locator(".code-input").fill(todays_code(stop_ids[0]))
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


def test_a_refused_record_leaves_the_queue_and_is_shown(
    phone: Any, office_data: OfficeData, artifacts: Path
) -> None:
    with Session(get_engine()) as session:
        stop_ids = approved_route(session, office_data)
        session.commit()
    page, errors = open_phone(phone, office_data.workers[0]["username"])
    first = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    first.wait_for()
    with page.expect_response(lambda r: "/api/mobile/sync" in r.url and r.ok):
        first.locator("[data-action='phone.arrived']").click()
    first = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    wrong = "000000" if todays_code(stop_ids[0]) != "000000" else "111111"
    first.locator(".code-input").fill(wrong)  # a static or mistyped code is refused
    first.locator("[data-action='phone.finish']").click()
    page.wait_for_selector("#refused:not([hidden]) li:has-text('неверный код подтверждения')")
    page.wait_for_selector("#sync-state[data-queued='0']:has-text('Все данные отправлены')")
    assert "Подтверждение клиента" in page.locator("#refused-list").inner_text()
    done = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}'] .status-line")
    done.filter(has_text="Посещение завершено").wait_for()
    assert "клиент подтвердил" not in done.inner_text()  # the wrong code confirmed nothing
    page.screenshot(path=str(artifacts / "phone-refused.png"), full_page=True)
    page.locator("#refused-ok").click()
    page.wait_for_selector("#refused[hidden]", state="attached")
    assert not errors


def test_a_sync_answered_as_the_network_goes_still_shows_offline(
    phone: Any, office_data: OfficeData
) -> None:
    """The network goes while the arrival's sync is on its way back: the answer is read, the
    queue empties, and the phone still says it is offline rather than "all sent"."""
    with Session(get_engine()) as session:
        stop_ids = approved_route(session, office_data)
        session.commit()
    page, errors = open_phone(phone, office_data.workers[0]["username"])
    page.wait_for_selector("#sync-state:has-text('Все данные отправлены')")

    def answer_after_the_network_went(route: Any) -> None:
        answer = route.fetch()  # the server stores the arrival and answers
        phone.set_offline(True)
        page.wait_for_selector("#sync-state:has-text('Нет сети')")
        route.fulfill(response=answer)

    page.route("**/api/mobile/sync", answer_after_the_network_went, times=1)
    first = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    first.locator("[data-action='phone.arrived']").click()
    page.wait_for_selector("#sync-state[data-queued='0']:has-text('Нет сети')")
    with Session(get_engine()) as session:
        arrived = session.scalars(
            select(VisitEvent).where(VisitEvent.plan_stop_id == stop_ids[0])
        ).all()
        assert [e.type for e in arrived] == ["arrived"]
    assert not errors
