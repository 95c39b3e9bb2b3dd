"""The client's card in a real browser: found by searching, the point dragged on the map to fix
a wrong geocoding (saved as placed by hand), the door code and notes saved, and the visits with
their flags and the client's ratings shown; in English one click away."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from geoalchemy2.shape import to_shape
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from core.db import get_engine
from registry.models import Client, LocationStatus
from tests.browser.conftest import OfficeData
from tests.browser.test_supervisor import open_supervisor
from tracking.feedback import ClientFeedback
from tracking.models import Visit


def _visit_with_a_rating(data: OfficeData, client_id: int) -> None:
    day = date.today() - timedelta(days=2)
    with Session(get_engine()) as session:
        visit = Visit(
            office_id=data.office_id,
            worker_id=data.workers[0]["id"],
            client_id=client_id,
            day=day,
            status="done",
            minutes=50,
            confirmed=False,
            flags=["late", "geofence"],
            services=[{"code": "A01", "minutes": 30}],
        )
        session.add(visit)
        session.flush()
        session.add(
            ClientFeedback(
                office_id=data.office_id,
                visit_id=visit.id,
                client_id=client_id,
                worker_id=data.workers[0]["id"],
                rating=2,
                comment="опоздала на час",
                at=datetime.now(UTC) - timedelta(days=2),
            )
        )
        session.commit()


def test_the_client_card_with_a_draggable_point(
    context: Any, office_data: OfficeData, artifacts: Path
) -> None:
    client_id = office_data.client_ids[1]  # Белов Пётр Ильич
    _visit_with_a_rating(office_data, client_id)
    with Session(get_engine()) as session:
        before = session.get(Client, client_id)
        assert before is not None
        start = to_shape(before.location)

    page = open_supervisor(context, office_data.supervisor, "?tab=clients")
    expect(page.locator("#cl-count")).to_contain_text("из 15")
    page.fill("#cl-search", "Белов")
    expect(page.locator("#cl-list li")).to_have_count(1)
    page.locator(f"#cl-list [data-client='{client_id}']").click()
    expect(page.locator("#cl-name")).to_contain_text("Белов Пётр Ильич")

    # the visits: flags and the client's rating
    visit = page.locator("#cl-visits li").first
    expect(visit).to_contain_text("опоздание")
    expect(visit).to_contain_text("вне адреса")
    expect(visit).to_contain_text("★★☆☆☆")
    expect(visit).to_contain_text("опоздала на час")

    # drag the point 80 px to the east and save it
    page.wait_for_selector("#clients-root[data-point='1']")
    pin = page.locator(".cl-pin")
    expect(pin).to_be_visible()
    box = pin.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 9):
        page.mouse.move(x + 10 * step, y)
    page.mouse.up()
    expect(page.locator("#cl-save-point")).to_be_visible()
    expect(page.locator("#cl-location-status")).to_contain_text("не сохранена")
    page.click("#cl-save-point")
    expect(page.locator("#cl-point-saved")).to_be_visible()
    expect(page.locator("#cl-location-status")).to_contain_text("вручную")

    page.fill("#cl-door_code", "45К7890")
    page.fill("#cl-notes", "Собака в квартире, звонить заранее")
    page.click("#cl-save-contacts")
    expect(page.locator("#cl-contacts-saved")).to_be_visible()
    page.screenshot(path=str(artifacts / "client-card.png"))

    with Session(get_engine()) as session:
        after = session.get(Client, client_id)
        assert after is not None
        moved = to_shape(after.location)
        assert after.location_status == LocationStatus.MANUAL
        assert moved.x > start.x + 0.0001 and abs(moved.y - start.y) < 0.0005
        assert after.door_code == "45К7890"
        assert after.notes == "Собака в квартире, звонить заранее"

    # English one click away: the card speaks it
    page.select_option("#lang", "en")
    page.wait_for_selector("body[data-ready='1']")
    page.locator(f"#cl-list [data-client='{client_id}']").wait_for()
    page.locator(f"#cl-list [data-client='{client_id}']").click()
    expect(page.locator("#cl-visits li").first).to_contain_text("away from the address")
    expect(page.locator("#cl-location-status")).to_contain_text("by hand")
    assert page.errors == []
