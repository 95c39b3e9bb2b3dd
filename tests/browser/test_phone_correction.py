"""On the phone, a worker corrects their own finished visit of today until the head reviews it:
"Исправить" reopens the visit, the worker fills it in again, the server keeps both and audits
the correction; a reviewed visit offers no correction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.db import get_engine
from tests.browser.conftest import OfficeData, approved_route, open_phone
from tests.browser.test_phone import todays_code
from tracking.models import Visit, VisitEvent


def _server_visit(worker_id: int) -> Visit | None:
    with Session(get_engine()) as session:
        return session.scalars(select(Visit).where(Visit.worker_id == worker_id)).first()


def test_a_finished_visit_is_corrected_on_the_phone(
    phone: Any, office_data: OfficeData, artifacts: Path
) -> None:
    with Session(get_engine()) as session:
        stop_ids = approved_route(session, office_data)
        session.commit()
    worker = office_data.workers[0]
    page, errors = open_phone(phone, worker["username"])
    page.on("dialog", lambda dialog: dialog.accept())
    first = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    first.wait_for()
    expect(first.locator("[data-action='phone.correct']")).to_have_count(0)  # not over yet

    with page.expect_response(lambda r: "/api/mobile/sync" in r.url and r.ok):
        first.locator("[data-action='phone.arrived']").click()
    first.locator(".code-input").fill(todays_code(stop_ids[0]))
    first.locator("[data-action='phone.finish']").click()
    expect(first).to_have_attribute("data-state", "done")
    page.wait_for_selector("#sync-state[data-queued='0']:has-text('Все данные отправлены')")

    # the worker finished it too early: reopened, the services form is back
    with page.expect_response(lambda r: "/api/mobile/sync" in r.url and r.ok):
        first.locator("[data-action='phone.correct']").click()
    expect(first).to_have_attribute("data-state", "in_progress")
    expect(first.locator("[data-action='phone.finish']")).to_be_visible()
    page.screenshot(path=str(artifacts / "phone-visit-corrected.png"), full_page=True)
    page.wait_for_selector("#sync-state[data-queued='0']:has-text('Все данные отправлены')")
    visit = _server_visit(worker["id"])
    assert visit is not None and visit.status == "in_progress"
    with get_engine().connect() as conn:
        audited = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'correct' AND entity_id = :v"),
            {"v": str(visit.id)},
        ).scalar()
    assert audited == 1

    minutes = first.locator(".svc-line[data-code='A01'] input[type=number]")
    minutes.fill("40")
    first.locator(".code-input").fill(todays_code(stop_ids[0]))
    with page.expect_response(lambda r: "/api/mobile/sync" in r.url and r.ok):
        first.locator("[data-action='phone.finish']").click()
    expect(first).to_have_attribute("data-state", "done")
    page.wait_for_selector("#sync-state[data-queued='0']:has-text('Все данные отправлены')")
    visit = _server_visit(worker["id"])
    assert visit is not None and visit.status == "done"
    assert {"code": "A01", "minutes": 40} in visit.services
    with Session(get_engine()) as session:
        kinds = [
            e.type
            for e in session.scalars(
                select(VisitEvent)
                .where(VisitEvent.worker_id == worker["id"])
                .order_by(VisitEvent.received_at)
            )
        ]
    assert "reopened" in kinds and kinds.count("departed") == 2

    # the head reviews the visit: the phone no longer offers a correction
    with get_engine().begin() as conn:
        conn.execute(
            text("UPDATE visit SET flags = array_append(flags, 'reviewed') WHERE id = :v"),
            {"v": visit.id},
        )
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    first = page.locator(f"li.stop[data-stop-id='{stop_ids[0]}']")
    expect(first).to_have_attribute("data-state", "done")
    expect(first.locator("[data-action='phone.correct']")).to_have_count(0)
    assert not errors
